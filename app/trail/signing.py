"""Signed checkpoints of the log: the tree head in the C2SP tlog-checkpoint format, signed as a C2SP signed note
with the portal's Ed25519 key, and kept in log_checkpoint_signed (TRUST.md, "Checkpoints").

    <origin>\\n<tree size>\\n<base64 root hash>\\n          the body: every line ends in \\n
    \\n
    — <key name> <base64(key id ‖ Ed25519 signature of the body)>\\n

key id = the first 4 bytes of SHA-256(key name ‖ \\n ‖ 0x01 ‖ public key); the verifier key is written
<key name>+<key id in hex>+<base64(0x01 ‖ public key)>.

When: a transaction that appends one of CHECKPOINT_ACTIONS (a consultation opened or closed early, an answer
published, a sign-off decided, the arrangements published) makes a checkpoint just before it commits, in the same
transaction and under the same write lock. So the checkpoint exists exactly when the event does (a rolled-back
event leaves none, a committed one cannot lack one), and it covers every entry the transaction wrote. Signing
costs well under a millisecond once the key is loaded. `flask log-checkpoint` makes one on demand (a schedule
can run it: a consultation that simply reaches its closing date writes no entry).
"""
import base64
import hashlib
import logging
import os
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import event, select

from app.database import transaction
from app.extensions import db
from app.timeutil import utcnow
from app.trail import services, tree
from app.trail.models import SignedCheckpoint

log = logging.getLogger(__name__)

CHECKPOINT_ACTIONS = frozenset({
    "consultation.opened", "consultation.closed_early", "response.published", "org_response.answer_published",
    "signoff.approved", "signoff.returned", "arrangement.published",
})
ED25519 = b"\x01"  # the signed-note signature type
EM_DASH = "\u2014"
_WANTED = "trail_checkpoint_wanted"  # session.info: the action asking for a checkpoint at commit
_keys = {}  # (setting, file) -> private key, loaded once per process


def _crypto():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    return serialization, Ed25519PrivateKey


def _load_key(setting, path):
    serialization, Ed25519PrivateKey = _crypto()
    if setting:
        if os.path.isfile(setting):
            with open(setting, "rb") as stream:
                data = stream.read()
            if b"-----BEGIN" in data:
                return serialization.load_pem_private_key(data, password=None)
            setting = data.decode("ascii").strip()
        seed = base64.b64decode(setting, validate=True)
        if len(seed) != 32:
            raise ValueError("LOG_SIGNING_KEY: a base64 Ed25519 seed is 32 bytes")
        return Ed25519PrivateKey.from_private_bytes(seed)
    if os.path.isfile(path):
        with open(path, "rb") as stream:
            return serialization.load_pem_private_key(stream.read(), password=None)
    key = Ed25519PrivateKey.generate()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(pem)
    log.warning("No LOG_SIGNING_KEY set: made a new log signing key in %s (for development and tests only; "
                "set LOG_SIGNING_KEY in production)", path)
    return key


def private_key():
    config = current_app.config
    setting, path = config.get("LOG_SIGNING_KEY"), config["LOG_SIGNING_KEY_FILE"]
    if (setting, path) not in _keys:
        _keys[(setting, path)] = _load_key(setting, path)
    return _keys[(setting, path)]


def public_key_bytes(key=None):
    serialization, _ = _crypto()
    return (key or private_key()).public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def origin():
    config = current_app.config
    return config.get("LOG_ORIGIN") or f"{urlsplit(config['PORTAL_BASE_URL']).netloc}/consultation-log"


def key_name():
    return current_app.config.get("LOG_KEY_NAME") or origin()


def key_id(name, public_key):
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519 + public_key).digest()[:4]


def verifier_key(name=None, public_key=None):
    """The public key as a signed-note verifier key: <name>+<hex key id>+<base64(0x01 ‖ public key)>."""
    name, public_key = name or key_name(), public_key or public_key_bytes()
    return f"{name}+{key_id(name, public_key).hex()}+{base64.b64encode(ED25519 + public_key).decode()}"


def body(size, root_hash, origin_line=None):
    return f"{origin_line or origin()}\n{size}\n{base64.b64encode(root_hash).decode()}\n"


def sign(size, root_hash):
    """The checkpoint as a signed note (text)."""
    text, name = body(size, root_hash), key_name()
    signature = private_key().sign(text.encode("utf-8"))
    encoded = base64.b64encode(key_id(name, public_key_bytes()) + signature).decode()
    return f"{text}\n{EM_DASH} {name} {encoded}\n"


def make_checkpoint(reason):
    """Sign the tree head as it stands in the current transaction and keep it; an unchanged size keeps the
    checkpoint already made at it. Returns the SignedCheckpoint."""
    size = tree.size()
    kept = db.session.execute(select(SignedCheckpoint).where(SignedCheckpoint.size == size)).scalar_one_or_none()
    if kept is not None:
        return kept
    root_hash = tree.root(size)
    checkpoint = SignedCheckpoint(size=size, root=root_hash, note=sign(size, root_hash), reason=reason[:64],
                                  made_at=utcnow())
    db.session.add(checkpoint)
    db.session.flush()
    for hook in _after_checkpoint:  # app/witness: emailed to the witnesses in this same transaction
        hook(checkpoint)
    return checkpoint


# Functions called with each new SignedCheckpoint, in its transaction (issue 20 part 3, app/witness/services.py).
_after_checkpoint = []


def checkpoint_on_demand():
    with transaction(keep_loaded=True):
        return make_checkpoint("on demand")


def latest():
    return db.session.execute(select(SignedCheckpoint).order_by(SignedCheckpoint.size.desc()).limit(1)) \
        .scalar_one_or_none()


def at_size(size):
    return db.session.execute(select(SignedCheckpoint).where(SignedCheckpoint.size == size)).scalar_one_or_none()


def _wanted(action):
    if action in CHECKPOINT_ACTIONS:
        db.session().info.setdefault(_WANTED, action)


def install(session_class):
    """Ask for a checkpoint when a named action is appended; make it as the transaction commits. Once a process."""
    if _wanted in services._after_append:
        return
    services._after_append.append(_wanted)

    @event.listens_for(session_class, "before_commit")
    def _before_commit(session):
        action = session.info.pop(_WANTED, None)
        if action is not None:
            make_checkpoint(action)

    @event.listens_for(session_class, "after_rollback")
    def _after_rollback(session):
        session.info.pop(_WANTED, None)



def verifier_keys():
    """The current verifier key, then the retired ones (LOG_RETIRED_KEYS) that old checkpoints were signed with."""
    return [verifier_key(), *current_app.config.get("LOG_RETIRED_KEYS", [])]


def verify_note(note, keys=None):
    """(size, root) of a signed checkpoint if one of `keys` (verifier keys; default: current and retired) signed it
    and its origin is ours; ValueError otherwise."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    text, _, signatures = note.partition("\n\n")
    text += "\n"
    lines = text.split("\n")
    if len(lines) < 4 or lines[0] != origin() or not lines[1].isdigit():
        raise ValueError("not a checkpoint of this log")
    known = {}
    for key in keys or verifier_keys():
        name, id_hex, encoded = key.split("+", 2)
        raw = base64.b64decode(encoded)
        known[(name, bytes.fromhex(id_hex))] = raw[1:]
    for line in signatures.splitlines():
        name, _, encoded = line.removeprefix(f"{EM_DASH} ").partition(" ")
        blob = base64.b64decode(encoded)
        public = known.get((name, blob[:4]))
        if public is None:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], text.encode("utf-8"))
        except InvalidSignature:
            raise ValueError(f"the signature by {name} does not verify") from None
        return int(lines[1]), base64.b64decode(lines[2])
    raise ValueError("signed by no key this portal has used")
