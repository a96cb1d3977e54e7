"""verify_log.py --receipt: a receipt checked offline against the exported log (standard library only)."""
import json

import pytest

from app.consultations import services
from app.receipts import services as receipts
from tests.receipts.helpers import comment_receipt, with_entry
from tests.trail.test_append_only import rewrite_from, run_verifier


@pytest.fixture
def posted(runner, tmp_path, consultation, sections, practitioner, vcs):
    """(receipt path, log path, receipt): a practitioner's receipt, then more entries, then the log exported."""
    services.post_comment(vcs, consultation, "Earlier", section=sections[1])
    comment = services.post_comment(practitioner, consultation, "Offline check", section=sections[0])
    receipt = comment_receipt(comment, practitioner)
    for n in range(5):
        services.post_comment(vcs, consultation, f"Later {n}", section=sections[2])
    path, log = tmp_path / "receipt.json", tmp_path / "log.jsonl"
    path.write_text(receipts.to_json(receipt), encoding="utf-8")
    assert runner.invoke(args=["export-log", str(log)]).exit_code == 0
    return path, log, receipt


def test_a_good_receipt_passes(posted):
    path, log, receipt = posted
    code, output = run_verifier(log, "--receipt", path)
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].startswith("OK ")
    assert f"the receipt's entry (seq {receipt['index'] + 1}, comment.posted" in lines[1]
    assert "is in the log and in the tree of its checkpoint" in lines[1]
    assert "signed with the receipt's own verifier key" in lines[1]


def test_the_signature_is_checked_with_the_receipts_key_and_the_key_given(posted, app):
    from app.trail import signing

    path, log, receipt = posted
    code, output = run_verifier(log, "--receipt", path, "--key", signing.verifier_key())
    assert code == 0 and output.splitlines()[1].endswith("signed with the key given"), output
    other = signing.verifier_key("someone-else/consultation-log", b"\x05" * 32)
    code, output = run_verifier(log, "--receipt", path, "--key", other)
    assert code == 1 and output.startswith("FAIL: The receipt's checkpoint is not signed by the key given"), output
    forged = {**receipt, "checkpoint": receipt["checkpoint"].replace("\n\u2014 ", "\n\u2014 x", 1)}
    path.write_text(json.dumps(forged), encoding="utf-8")
    code, output = run_verifier(log, "--receipt", path)
    assert code == 1 and output.startswith("FAIL: The receipt's checkpoint does not verify with its verifier key")
    body = receipt["checkpoint"].split("\n")
    body[1] = str(int(body[1]) + 1)  # the size changed: the signature no longer covers the note
    path.write_text(json.dumps({**receipt, "checkpoint": "\n".join(body)}), encoding="utf-8")
    code, output = run_verifier(log, "--receipt", path)
    assert code == 1 and output.startswith("FAIL: "), output


@pytest.mark.parametrize("damage,message", [
    (lambda r: with_entry(r, lambda e: e.update(at="2020-01-01T00:00:00.000000Z")), "inclusion proof does not lead"),
    (lambda r: {**r, "inclusion_proof": r["inclusion_proof"][:-1]}, "inclusion proof does not lead"),
    (lambda r: {**r, "index": r["index"] + 1}, "is not its entry's place in the log"),
    (lambda r: {**r, "entry_decoded": {}}, "entry_decoded differs"),
    (lambda r: "not a receipt", "a receipt is a JSON object"),
])
def test_a_damaged_receipt_fails_with_one_line(posted, tmp_path, damage, message):
    path, log, receipt = posted
    path.write_text(json.dumps(damage(receipt)), encoding="utf-8")
    code, output = run_verifier(log, "--receipt", path)
    assert code == 1 and output.startswith("FAIL: ") and message in output and "\n" not in output, output


def test_a_receipt_for_another_log_fails(posted, tmp_path):
    path, log, receipt = posted
    short = tmp_path / "short.jsonl"
    short.write_text("".join(log.read_text(encoding="utf-8").splitlines(keepends=True)[:receipt["index"]]),
                     encoding="utf-8")
    code, output = run_verifier(short, "--receipt", path)
    assert code == 1 and output == f"FAIL at seq {receipt['index'] + 1}: the log ends at seq {receipt['index']}; " \
                                   f"the receipt's entry is seq {receipt['index'] + 1}", output


def test_a_rewritten_log_fails_against_the_receipt(posted, db, runner):
    path, log, receipt = posted
    rewrite_from(db, 2)
    assert runner.invoke(args=["export-log", str(log)]).exit_code == 0
    code, output = run_verifier(log, "--receipt", path)
    assert code == 1 and output.startswith("FAIL at seq"), output
    assert "not the receipt's entry" in output or "history was rewritten" in output


def test_an_unreadable_receipt_fails_with_one_line(posted, tmp_path):
    _, log, _ = posted
    missing = tmp_path / "nothing.json"
    code, output = run_verifier(log, "--receipt", missing)
    assert code == 1 and output == "FAIL: Cannot read the receipt (FileNotFoundError)", output
    missing.write_text("{oops", encoding="utf-8")
    code, output = run_verifier(log, "--receipt", missing)
    assert code == 1 and output == "FAIL: The receipt is not valid JSON", output
