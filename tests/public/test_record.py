"""record.json of a published version and `verify_log.py --record` (issue 20, part 6): everything needed to check
the publication without trusting the portal, and the offline check that passes on it and fails, in one line, when
the entry, a proof, a checkpoint or a partner's signature is altered, or when history was rewritten."""
import base64
import copy
import json

import pytest

from app.database import transaction
from app.demo import load_demo_data
from app.signoff import assertions
from app.signoff.models import Publication
from app.trail import services as trail, signing, tree
from app.trail.models import LogEntry, SignedCheckpoint
from app.trail.verify_log import (entry_bytes, leaf_hash, main as verify_main, verify_consistency, verify_inclusion,
                                  verify_note)
from tests.public.record_helpers import PARTNER_NAMES, assertions_for, make_assertion
from tests.trail.test_append_only import rewrite_from, run_verifier

URL = "/arrangements/thematic-groups/v/1/record.json"
ORIGIN, RP_ID = "https://portal.test", "portal.test"


@pytest.fixture
def published(app, db):
    load_demo_data()
    return db.session.query(Publication).filter_by(slug="thematic-groups").one()


@pytest.fixture
def signed(published, monkeypatch):
    """The three partners' passkey assertions over the published version (made here, as authenticators would)."""
    note = signing.latest().note
    made = assertions_for(published, note, ORIGIN, RP_ID)
    monkeypatch.setattr(assertions, "published_assertions", lambda publication: made)
    return made


def _check(tmp_path, capsys, record, *extra):
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    code = verify_main(["--record", str(path), *extra])
    output = capsys.readouterr().out
    return code, output


def test_record_json_holds_the_entry_checkpoints_and_proofs(client, db, published):
    response = client.get(URL)  # no sign-in
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-cache"
    record = response.get_json()
    entry = db.session.query(LogEntry).filter_by(action="arrangement.published",
                                                 subject=f"publication:{published.id}").one()
    data = base64.b64decode(record["entry"]["bytes"])
    assert data == entry_bytes(entry.as_dict()) and record["entry"]["index"] == entry.seq - 1
    assert json.loads(data)["data"]["version_hash"] == published.version.content_hash
    assert record["arrangement"] == {"slug": "thematic-groups", "version_number": 1,
                                     "version_hash": published.version.content_hash}
    assert record["origin"] == "portal.test/consultation-log"
    assert record["verifier_keys"] == signing.verifier_keys()
    # the checkpoint made in the publication's transaction: the first that covers the entry
    first = db.session.query(SignedCheckpoint).filter(SignedCheckpoint.size >= entry.seq) \
        .order_by(SignedCheckpoint.size).first()
    assert record["publication_checkpoint"] == {"size": first.size, "note": first.note}
    _, size1, root1 = verify_note(first.note, record["verifier_keys"])
    proof = [base64.b64decode(h) for h in record["inclusion_proof"]]
    assert verify_inclusion(leaf_hash(data), entry.seq - 1, size1, proof, root1)
    assert record["signatures"] == []


def test_the_latest_checkpoint_moves_on_with_a_consistency_proof(client, published):
    before = client.get(URL).get_json()
    with transaction():
        for n in range(9):
            trail.append("test.event", f"thing:{n}", {"n": n})
    later = signing.checkpoint_on_demand()
    record = client.get(URL).get_json()
    assert record["publication_checkpoint"] == before["publication_checkpoint"]
    assert record["latest_checkpoint"] == {"size": later.size, "note": later.note}
    assert record["consistency_proof"]
    keys = record["verifier_keys"]
    _, size1, root1 = verify_note(record["publication_checkpoint"]["note"], keys)
    _, size2, root2 = verify_note(record["latest_checkpoint"]["note"], keys)
    assert size2 == size1 + 9
    assert verify_consistency(size1, size2, root1, root2, [base64.b64decode(h) for h in record["consistency_proof"]])


def test_unknown_versions_are_not_found(client, published):
    assert client.get("/arrangements/thematic-groups/v/2/record.json").status_code == 404
    assert client.get("/arrangements/nothing/v/1/record.json").status_code == 404


def test_the_page_offers_the_check_and_the_offline_way(client, published):
    html = client.get("/arrangements/thematic-groups").get_data(as_text=True)
    assert 'data-record-url="/arrangements/thematic-groups/v/1/record.json"' in html
    assert "python3 verify_log.py --record record.json" in html
    assert "dist/record-check.js" in html and "Check this record" in html
    assert "<script>" not in html  # strict CSP: the script is a file
    # the portal's origin and verifier key are on the page itself (issue 20: shown on every published arrangement)
    from app.trail import signing

    assert signing.verifier_key() in html and f"The portal signs as <code class=\"portal-hash\">{signing.origin()}" in html


def test_the_offline_check_passes_on_a_published_record(client, tmp_path, capsys, published):
    code, output = _check(tmp_path, capsys, client.get(URL).get_json())
    assert code == 0 and output.startswith("OK every check passed"), output
    assert "signed by the portal's key" in output and "publishes this version" in output


def test_the_standalone_verifier_checks_a_record_with_partners_signatures(client, tmp_path, signed):
    record = client.get(URL).get_json()
    assert [a["partner"] for a in record["signatures"]] == PARTNER_NAMES
    path = tmp_path / "record.json"
    path.write_bytes(client.get(URL).get_data())
    code, output = run_verifier("--record", path)  # as a scrutineer runs it: a separate Python, no portal
    assert code == 0 and output.startswith("OK"), output
    for name in PARTNER_NAMES:
        assert f"{name}: approved by" in output
    # pinned to the portal's key from elsewhere (the README, a witness): the same; another key: refused
    assert run_verifier("--record", path, "--key", signing.verifier_key())[0] == 0
    other = signing.verifier_key("portal.test/consultation-log", bytes(32))
    code, output = run_verifier("--record", path, "--key", other)
    assert code == 1 and output.startswith("FAIL") and "\n" not in output, output


def _b64(data):
    return base64.b64encode(data).decode()


def _alter_entry(record):
    entry = json.loads(base64.b64decode(record["entry"]["bytes"]))
    entry["data"]["version_hash"] = "0" * 64
    record["entry"]["bytes"] = _b64(json.dumps(entry, sort_keys=True, separators=(",", ":")).encode())


def _flip(b64text):
    raw = bytearray(base64.b64decode(b64text))
    raw[5] ^= 1
    return _b64(bytes(raw))


def _flip_url(text):
    raw = bytearray(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    raw[-3] ^= 1
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


def _resign_client_data(record, **changes):
    """A partner's assertion whose client data says something else, signed again by a key of the test's: the key no
    longer matches (or, with the matching public key replaced too, the field checks catch it)."""
    a = record["signatures"][0]
    client = json.loads(base64.urlsafe_b64decode(a["client_data_json"] + "=="))
    client.update(changes)
    a["client_data_json"] = base64.urlsafe_b64encode(json.dumps(client).encode()).decode().rstrip("=")


ALTERATIONS = {
    "the entry": (_alter_entry, "the publication entry is not entry"),
    "the entry's index": (lambda r: r["entry"].update(index=r["entry"]["index"] - 1), "is not entry"),
    "the inclusion proof": (lambda r: r["inclusion_proof"].__setitem__(0, _flip(r["inclusion_proof"][0])),
                            "is not entry"),
    "the consistency proof": (lambda r: r["consistency_proof"].__setitem__(0, _flip(r["consistency_proof"][0])),
                              "history was rewritten"),
    "the publication checkpoint's size": (
        lambda r: r["publication_checkpoint"].update(note=r["publication_checkpoint"]["note"].replace(
            f"\n{r['publication_checkpoint']['size']}\n", f"\n{r['publication_checkpoint']['size'] - 1}\n", 1)),
        "does not verify"),
    "today's checkpoint's signature": (
        lambda r: r["latest_checkpoint"].update(note=r["latest_checkpoint"]["note"].replace("\u2014 ", "\u2014 x", 1)),
        "today's checkpoint"),
    "a partner's signature": (lambda r: r["signatures"][0].update(signature=_flip_url(r["signatures"][0]["signature"])),
                              "North Somerset Council's signature"),
    "an EdDSA partner's signature": (
        lambda r: r["signatures"][2].update(signature=_flip_url(r["signatures"][2]["signature"])),
        "does not verify with the partner's public key"),
    "a partner's decision": (lambda r: r["signatures"][1].update(decision="returned"), "challenge"),
    "the origin signed": (lambda r: _resign_client_data(r, origin="https://evil.test"), "another site"),
    "the challenge signed": (lambda r: _resign_client_data(r, challenge="AAAA"), "another challenge"),
    "a partner's version": (lambda r: r["signatures"][0].update(version_hash="1" * 64), "another version"),
    "the record's format": (lambda r: r.update(format="x"), "not a record.json"),
    "a proof that is not base64": (lambda r: r["inclusion_proof"].__setitem__(0, "%%%"), "not base64"),
    "a missing field": (lambda r: r.pop("entry"), "the record has no entry"),
}


def test_the_offline_check_fails_in_one_line_when_the_record_is_altered(client, tmp_path, capsys, signed):
    """Each alteration on its own (one demo load for all: it takes seconds)."""
    with transaction():  # a later checkpoint, so the consistency proof is not empty
        trail.append("test.event", "thing:1", {"n": 1})
    signing.checkpoint_on_demand()
    original = client.get(URL).get_json()
    assert original["consistency_proof"] and len(original["signatures"]) == 3
    assert _check(tmp_path, capsys, copy.deepcopy(original))[0] == 0
    for what, (alter, words) in ALTERATIONS.items():
        record = copy.deepcopy(original)
        alter(record)
        code, output = _check(tmp_path, capsys, record)
        assert code == 1 and output.startswith("FAIL") and output.count("\n") == 1, (what, output)
        assert words in output, (what, output)


def test_a_passkey_without_user_presence_is_refused(client, tmp_path, capsys, published, monkeypatch):
    made = [make_assertion("North Somerset Council", "Lead", published.version.content_hash, signing.latest().note,
                           ORIGIN, RP_ID, flags=0x00)]
    monkeypatch.setattr(assertions, "published_assertions", lambda publication: made)
    code, output = _check(tmp_path, capsys, client.get(URL).get_json())
    assert code == 1 and "did not see the person present" in output


def test_unreadable_records_are_one_line(tmp_path, capsys):
    path = tmp_path / "record.json"
    path.write_text("{not json", encoding="utf-8")
    assert verify_main(["--record", str(path)]) == 1
    assert capsys.readouterr().out.startswith("FAIL: cannot read the record")
    assert verify_main(["--record", str(tmp_path / "missing.json")]) == 1
    assert capsys.readouterr().out.count("\n") == 1


def test_a_rewritten_history_fails_the_offline_check(app, client, db, tmp_path, capsys, published):
    with transaction():
        trail.append("test.event", "thing:1", {"n": 1})
    signing.checkpoint_on_demand()  # a checkpoint after the publication, kept as witnesses keep them
    assert _check(tmp_path, capsys, client.get(URL).get_json())[0] == 0
    rewrite_from(db, published.log_seq - 10)  # entries, every later hash and the Merkle tree recomputed
    code, output = _check(tmp_path, capsys, client.get(URL).get_json())
    assert code == 1 and output.startswith("FAIL"), output
    assert "history was rewritten" in output or "is not entry" in output, output


def test_a_log_cut_short_under_its_checkpoints_fails_the_check_not_the_portal(client, db, tmp_path, capsys,
                                                                              published):
    from tests.trail.test_append_only import truncate

    with transaction():
        for n in range(5):
            trail.append("test.event", f"thing:{n}", {"n": n})
    signing.checkpoint_on_demand()
    truncate(db, trail.head()[0] - 3)  # the tree now stops short of the latest kept checkpoint
    response = client.get(URL)
    assert response.status_code == 200 and response.get_json()["consistency_proof"] is None
    code, output = _check(tmp_path, capsys, response.get_json())
    assert code == 1 and "the portal gave no consistency proof" in output, output
