"""Signed checkpoints (issue 20): the note is checked by a verifier written here from the C2SP tlog-checkpoint and
signed-note specifications, with cryptography's Ed25519; the /log routes; checkpoints made at the named events."""
import base64
import hashlib
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.database import transaction
from app.demo import load_demo_data
from app.trail import services as trail, signing, tree
from app.trail.models import LogEntry, SignedCheckpoint
from app.trail.verify_log import verify_consistency, verify_inclusion


def parse_verifier_key(vkey):
    """<name>+<hex key id>+<base64(0x01 ‖ public key)>, checked as the spec says: the id is recomputed."""
    name, key_id, encoded = vkey.split("+", 2)  # base64 may hold "+" too
    raw = base64.b64decode(encoded)
    assert raw[0] == 1 and len(raw) == 33
    assert hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() == key_id
    return name, bytes.fromhex(key_id), raw[1:]


def open_note(note, vkey):
    """C2SP signed-note: text, a blank line, signature lines "— name base64(id ‖ sig)". Returns the checkpoint
    (origin, size, root) if a signature by `vkey` verifies; raises otherwise."""
    name, key_id, public = parse_verifier_key(vkey)
    assert note.endswith("\n") and "\n\n" in note
    text, signatures = note.split("\n\n", 1)
    text += "\n"
    verified = False
    for line in signatures.splitlines():
        assert line.startswith("\u2014 ")
        signer, encoded = line[2:].split(" ")
        blob = base64.b64decode(encoded, validate=True)
        if signer == name and blob[:4] == key_id:
            Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], text.encode())  # raises if bad
            verified = True
    assert verified, "no signature by this key"
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) >= 4
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
    assert lines[1] == str(size) and len(root) == 32 and origin
    return origin, size, root


def _append(n, action="test.event"):
    with transaction():
        for i in range(n):
            trail.append(action, f"thing:{i}", {"n": i})


def test_a_checkpoint_verifies_independently(app, db):
    _append(5)
    checkpoint = signing.checkpoint_on_demand()
    origin, size, root = open_note(checkpoint.note, signing.verifier_key())
    assert origin == "portal.test/consultation-log" and size == 5 and root == tree.root(5) == checkpoint.root
    assert checkpoint.reason == "on demand"
    # Another key's verifier key does not open it; a changed body fails the signature.
    other = signing.verifier_key("portal.test/consultation-log", bytes(32))
    with pytest.raises(AssertionError):
        open_note(checkpoint.note, other)
    with pytest.raises(InvalidSignature):
        open_note(checkpoint.note.replace("\n5\n", "\n6\n"), signing.verifier_key())


def test_an_unchanged_log_keeps_its_checkpoint(app, db):
    _append(2)
    first = signing.checkpoint_on_demand()
    assert signing.checkpoint_on_demand().id == first.id
    assert db.session.query(SignedCheckpoint).count() == 1


def test_key_from_a_base64_seed_and_its_verifier_key(app, db):
    seed = bytes(range(32))
    app.config["LOG_SIGNING_KEY"] = base64.b64encode(seed).decode()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert signing.public_key_bytes() == public
    _append(1)
    note = signing.checkpoint_on_demand().note
    vkey = signing.verifier_key()
    assert vkey.startswith("portal.test/consultation-log+")
    open_note(note, vkey)


def test_cli(app, db, runner):
    _append(3)
    result = runner.invoke(args=["log-checkpoint"])
    assert result.exit_code == 0
    assert open_note(result.output, signing.verifier_key())[1] == 3
    assert runner.invoke(args=["log-checkpoint", "--key"]).output.strip() == signing.verifier_key()


# --- Routes ------------------------------------------------------------------------------------------------------
def test_routes_serve_checkpoints_and_proofs_to_anyone(app, db, client):
    assert client.get("/log/checkpoint").status_code == 404
    _append(6)
    old = signing.checkpoint_on_demand()
    _append(7)
    signing.checkpoint_on_demand()
    response = client.get("/log/checkpoint")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    _, size2, root2 = open_note(response.get_data(as_text=True), signing.verifier_key())
    assert size2 == 13
    kept = client.get("/log/checkpoint/6")
    assert kept.get_data(as_text=True) == old.note
    _, size1, root1 = open_note(kept.get_data(as_text=True), signing.verifier_key())
    assert client.get("/log/checkpoint/7").status_code == 404

    body = client.get(f"/log/proof/consistency?from={size1}&to={size2}").get_json()
    proof = [base64.b64decode(x) for x in body["proof"]]
    assert verify_consistency(size1, size2, root1, root2, proof)

    entry = db.session.get(LogEntry, 4)
    body = client.get("/log/proof/inclusion?index=3&size=13").get_json()
    leaf = hashlib.sha256(b"\x00" + json.dumps(
        {k: v for k, v in entry.as_dict().items() if k != "hash"}, sort_keys=True, separators=(",", ":"),
        ensure_ascii=False).encode()).digest()
    assert base64.b64decode(body["leaf_hash"]) == leaf
    assert verify_inclusion(leaf, 3, 13, [base64.b64decode(x) for x in body["proof"]], root2)


@pytest.mark.parametrize("query", [
    "/log/proof/consistency", "/log/proof/consistency?from=1", "/log/proof/consistency?from=a&to=3",
    "/log/proof/consistency?from=-1&to=3", "/log/proof/consistency?from=4&to=3",
    "/log/proof/consistency?from=1&to=99", "/log/proof/consistency?from=1&to=99999999999999999999",
    "/log/proof/consistency?from=%C2%B2&to=3", "/log/proof/consistency?from=1.5&to=3",
    "/log/proof/inclusion", "/log/proof/inclusion?index=3&size=3", "/log/proof/inclusion?index=0&size=0",
    "/log/proof/inclusion?index=0&size=50", "/log/proof/inclusion?index=x&size=2",
    "/log/proof/inclusion?index=&size=2",
])
def test_malformed_proof_requests_are_a_one_line_400(app, db, client, query):
    _append(5)
    response = client.get(query)
    assert response.status_code == 400, query
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/plain" and text.count("\n") == 1 and len(text) < 200, text


def test_unknown_checkpoint_sizes_are_404(app, db, client):
    assert client.get("/log/checkpoint/abc").status_code == 404
    assert client.get("/log/checkpoint/-1").status_code == 404


# --- When checkpoints are made -----------------------------------------------------------------------------------
def test_opening_a_consultation_makes_a_checkpoint_in_its_transaction(app, db, consultation):
    kept = signing.latest()
    assert kept is not None and kept.reason == "consultation.opened"
    assert kept.size == trail.head()[0]
    assert open_note(kept.note, signing.verifier_key())[2] == tree.root(kept.size)


def test_a_rolled_back_event_makes_no_checkpoint(app, db):
    with pytest.raises(ZeroDivisionError), transaction():
        trail.append("consultation.opened", "consultation:1", {})
        1 / 0
    assert signing.latest() is None
    _append(1)
    assert signing.latest() is None  # and the next transaction does not inherit the request


def test_the_named_events_make_checkpoints(app, db):
    """In the demo (opened consultations, answers published, sign-offs decided, an arrangement published), every
    transaction that wrote a named action ends in a checkpoint at its last entry; they all verify and each is
    consistent with the one before."""
    load_demo_data()
    checkpoints = db.session.query(SignedCheckpoint).order_by(SignedCheckpoint.size).all()
    sizes = {c.size: c for c in checkpoints}
    named = db.session.query(LogEntry).filter(LogEntry.action.in_(signing.CHECKPOINT_ACTIONS)).all()
    actions = {entry.action for entry in named}
    assert {"consultation.opened", "response.published", "signoff.approved", "arrangement.published"} <= actions
    for entry in named:
        after = [size for size in sizes if size >= entry.seq]
        assert after, f"no checkpoint after {entry.action} at seq {entry.seq}"
        covering = sizes[min(after)]
        before = max([size for size in sizes if size < entry.seq], default=0)
        # made at the end of the entry's own transaction: its reason is the first named action that transaction
        # wrote (a sign-off that completes the rule writes signoff.approved, then arrangement.published)
        between = {e.action for e in db.session.query(LogEntry).filter(LogEntry.seq > before,
                                                                        LogEntry.seq <= covering.size)}
        assert covering.reason in between
    vkey, previous = signing.verifier_key(), None
    for checkpoint in checkpoints:
        _, size, root = open_note(checkpoint.note, vkey)
        if previous is not None:
            assert verify_consistency(previous[0], size, previous[1], root, tree.consistency_proof(previous[0], size))
        previous = (size, root)


def test_closing_a_consultation_early_makes_a_checkpoint(app, db, consultation, facilitator):
    from app.consultations import services as consultations

    consultations.close_early(facilitator, consultation, "The working groups were agreed elsewhere")
    kept = signing.latest()
    assert kept.reason == "consultation.closed_early" and kept.size == trail.head()[0]


def test_after_a_key_rotation_old_checkpoints_verify_with_the_retired_key(app, db, client):
    app.config["LOG_SIGNING_KEY"] = base64.b64encode(b"o" * 32).decode()
    _append(2)
    old_note, old_vkey = signing.checkpoint_on_demand().note, signing.verifier_key()
    app.config["LOG_SIGNING_KEY"] = base64.b64encode(b"n" * 32).decode()
    app.config["LOG_RETIRED_KEYS"] = [old_vkey]
    _append(2)
    new_note = signing.checkpoint_on_demand().note
    assert signing.verifier_key() != old_vkey
    assert signing.verify_note(old_note)[0] == 2 and signing.verify_note(new_note)[0] == 4
    open_note(old_note, old_vkey)
    with pytest.raises(ValueError):
        signing.verify_note(old_note, [signing.verifier_key()])
    assert client.get("/log/keys").get_data(as_text=True) == f"{signing.verifier_key()}\n{old_vkey}\n"
