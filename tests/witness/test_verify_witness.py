"""The standalone verifier's --witness: checkpoints kept by witnesses (the saved emails) against an export."""
import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.database import transaction
from app.mail.models import OutboxMessage
from app.trail import services as trail, signing
from app.trail.verify_log import WITNESS_REWRITTEN, find_notes
from tests.trail.test_append_only import rewrite_from, run_verifier


def _append(n, start=0):
    with transaction():
        for i in range(start, start + n):
            trail.append("test.event", f"thing:{i}", {"n": i})


def _save_email(db, tmp_path, scrutineer, checkpoint):
    """The checkpoint email as the scrutineer saved it (the text part, with Windows line ends)."""
    message = db.session.execute(select(OutboxMessage).where(
        OutboxMessage.to_address == scrutineer.email,
        OutboxMessage.subject == f"Consultation log checkpoint {checkpoint.size}: keep this email")).scalar_one()
    path = tmp_path / f"checkpoint-{checkpoint.size}.eml.txt"
    path.write_bytes(f"Subject: {message.subject}\r\n\r\n{message.body_text}".replace("\n", "\r\n").encode())
    return path


@pytest.fixture
def kept(app, db, tmp_path, make_person):
    """Two checkpoints emailed to a scrutineer and saved, then an export of the log."""
    scrutineer = make_person(Role.SCRUTINEER)
    _append(12)
    first = signing.checkpoint_on_demand()
    _append(9, start=12)
    second = signing.checkpoint_on_demand()
    _append(3, start=21)
    return {"emails": [_save_email(db, tmp_path, scrutineer, first), _save_email(db, tmp_path, scrutineer, second)],
            "sizes": [first.size, second.size], "notes": [first.note, second.note]}


def _export(runner, tmp_path):
    log = tmp_path / "log.jsonl"
    assert runner.invoke(args=["export-log", str(log)]).exit_code == 0
    return log


def test_the_notes_are_found_in_a_saved_email(kept):
    text = kept["emails"][0].read_text(encoding="utf-8")
    assert find_notes(text) == [kept["notes"][0]]
    both = "".join(path.read_text(encoding="utf-8") for path in kept["emails"])
    assert find_notes(both) == kept["notes"]
    assert find_notes("no checkpoint here\n\n— at all") == []


def test_witnessed_checkpoints_pass_on_the_honest_log(app, db, runner, tmp_path, kept):
    log = _export(runner, tmp_path)
    code, output = run_verifier(log, "--witness", *kept["emails"], "--key", signing.verifier_key())
    assert code == 0, output
    sizes = ", ".join(map(str, kept["sizes"]))
    assert f"2 witnessed checkpoint(s) match the log's first entries (sizes {sizes}; each signed with a key given)" \
        in output
    code, output = run_verifier(log, "--witness", kept["emails"][0])
    assert code == 0 and "signatures not checked" in output, output


def test_a_rewritten_log_is_reported_for_every_witnessed_checkpoint(app, db, runner, tmp_path, kept):
    rewrite_from(db, 5)  # before both checkpoints: each is now a different tree
    log = _export(runner, tmp_path)
    assert run_verifier(log)[0] == 0  # on its own the rewritten chain is valid …
    code, output = run_verifier(log, "--witness", *kept["emails"], "--key", signing.verifier_key())
    lines = output.splitlines()
    assert code == 1 and len(lines) == 2, output  # … but not the one the witnesses kept
    for line, size, email in zip(lines, kept["sizes"], kept["emails"]):
        assert line == (f"FAIL at seq {size}: the checkpoint of {size} entries in {email}: the log's first {size} "
                        f"entries are not the tree it signed ({WITNESS_REWRITTEN})")


def test_a_rewrite_after_the_first_checkpoint_is_reported_for_the_later_one_only(app, db, runner, tmp_path, kept):
    rewrite_from(db, kept["sizes"][0] + 2)
    code, output = run_verifier(_export(runner, tmp_path), "--witness", *kept["emails"])
    assert code == 1 and output.count("FAIL") == 1 and f"FAIL at seq {kept['sizes'][1]}:" in output, output


def test_a_cut_log_and_a_forged_signature_are_reported(app, db, runner, tmp_path, kept):
    from tests.trail.test_append_only import truncate
    forged = tmp_path / "forged.txt"
    note = kept["notes"][0]
    body, signature = note.rsplit(" ", 1)
    forged.write_text(body.replace(f"\n{kept['sizes'][0]}\n", f"\n{kept['sizes'][0]}\n") + " "
                      + signature[:-8] + ("AAAAAAA=" if not signature[:-8].endswith("A") else "BBBBBBB=") + "\n")
    truncate(db, kept["sizes"][1] - 1)
    code, output = run_verifier(_export(runner, tmp_path), "--witness", forged, *kept["emails"],
                                "--key", signing.verifier_key())
    assert code == 1, output
    assert "does not verify" in output and "entries were removed" in output, output


@pytest.mark.parametrize("content", ["", "hello\nworld\n"])
def test_a_file_with_no_checkpoint_is_one_line(app, db, runner, tmp_path, kept, content):
    empty = tmp_path / "nothing.txt"
    empty.write_text(content)
    code, output = run_verifier(_export(runner, tmp_path), "--witness", empty)
    assert code == 1 and output == f"FAIL at seq 0: {empty} holds no checkpoint (origin, size, root, a blank line, " \
                                   "a signature)", output
