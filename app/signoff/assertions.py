"""A partner's passkey assertion over a sign-off decision (issue 20, part 5): the challenge it signs, checking
it when it is made, storing it, and checking it again later from what was stored (or published).

    challenge = SHA-256(canonical({"checkpoint": <the signed checkpoint shown>, "decision": "approved"|"returned",
                                   "partner": <the statutory partner's name>, "version": <version content hash>}))

canonical is the log's own (app.trail.verify_log.canonical): JSON with sorted keys, no spaces, UTF-8. Anyone
holding a published assertion can recompute the challenge and check the signature with the public key: the
portal cannot make a partner's approval without the partner's authenticator.
"""
import base64
import hashlib
import json

from sqlalchemy import select

from app.extensions import db
from app.trail.verify_log import canonical

ES256, EDDSA = -7, -8
FLAG_USER_PRESENT = 0x01


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text):
    if not isinstance(text, str):
        raise ValueError("expected base64url text")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise ValueError("not base64url") from None


def challenge_for(checkpoint, decision, partner, version_hash):
    """The 32 bytes a partner's passkey signs for this decision."""
    return hashlib.sha256(canonical({"checkpoint": checkpoint, "decision": decision, "partner": partner,
                                     "version": version_hash}).encode("utf-8")).digest()


def log_data(row):
    """The assertion as it goes into the signoff.approved / signoff.returned log entry (base64url bytes)."""
    return {"credential_id": b64url(row.credential_id), "public_key": base64.b64encode(row.public_key).decode(),
            "algorithm": row.algorithm, "authenticator_data": b64url(row.authenticator_data),
            "client_data_json": b64url(row.client_data_json), "signature": b64url(row.signature),
            "challenge": row.challenge.hex(), "partner": row.partner, "checkpoint": row.checkpoint,
            "rp_id": row.rp_id, "origin": row.origin}


def as_published(row):
    """The published form of a stored assertion (EXACTLY these keys: the browser check and verify_log.py read
    them). Bytes are unpadded base64url, except public_key (standard base64 of SPKI DER) and challenge (hex)."""
    return {
        "partner": row.partner, "decision": row.decision, "person_name": row.person.display_name,
        "decided_at": row.signoff.decided_at.isoformat(), "credential_id": b64url(row.credential_id),
        "public_key": base64.b64encode(row.public_key).decode("ascii"), "algorithm": int(row.algorithm),
        "authenticator_data": b64url(row.authenticator_data), "client_data_json": b64url(row.client_data_json),
        "signature": b64url(row.signature), "challenge": row.challenge.hex(), "version_hash": row.version_hash,
        "checkpoint": row.checkpoint, "rp_id": row.rp_id, "origin": row.origin,
    }


def published_assertions(publication):
    """The passkey assertions of the sign-offs of the published version, in the order they were made."""
    from app.signoff.models import SignOffAssertion

    rows = db.session.execute(select(SignOffAssertion).where(SignOffAssertion.request_id == publication.request_id)
                              .order_by(SignOffAssertion.id)).scalars().all()
    return [as_published(row) for row in rows]


def _fields(stored):
    """(the fields as bytes/str/int) from a SignOffAssertion row or a published dict."""
    if isinstance(stored, dict):
        try:
            public_key = base64.b64decode(stored["public_key"], validate=True)
            challenge = bytes.fromhex(stored["challenge"])
            return dict(partner=stored["partner"], decision=stored["decision"], version_hash=stored["version_hash"],
                        checkpoint=stored["checkpoint"], rp_id=stored["rp_id"], origin=stored["origin"],
                        algorithm=int(stored["algorithm"]), public_key=public_key, challenge=challenge,
                        authenticator_data=from_b64url(stored["authenticator_data"]),
                        client_data_json=from_b64url(stored["client_data_json"]),
                        signature=from_b64url(stored["signature"]))
        except KeyError as missing:
            raise ValueError(f"the assertion has no {missing.args[0]}") from None
        except (TypeError, ValueError, base64.binascii.Error):
            raise ValueError("the assertion has a field that is not in its format") from None
    return dict(partner=stored.partner, decision=stored.decision, version_hash=stored.version_hash,
                checkpoint=stored.checkpoint, rp_id=stored.rp_id, origin=stored.origin, algorithm=stored.algorithm,
                public_key=bytes(stored.public_key), challenge=bytes(stored.challenge),
                authenticator_data=bytes(stored.authenticator_data),
                client_data_json=bytes(stored.client_data_json), signature=bytes(stored.signature))


def verify_stored(stored):
    """None if a stored (or published) assertion checks out from its own fields; ValueError saying why not.

    Checks: the challenge is SHA-256 of the canonical decision (checkpoint, decision, partner, version); the
    client data is a "webauthn.get" over that challenge from the recorded origin; the authenticator data is for
    the recorded RP ID (its SHA-256) with the user-present flag; the signature over authenticator data ‖
    SHA-256(client data) verifies with the stored public key (ES256: ECDSA P-256/SHA-256, DER; EdDSA: Ed25519).
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    f = _fields(stored)
    if f["decision"] not in ("approved", "returned"):
        raise ValueError("the decision is neither approved nor returned")
    if challenge_for(f["checkpoint"], f["decision"], f["partner"], f["version_hash"]) != f["challenge"]:
        raise ValueError("the challenge is not the hash of this checkpoint, decision, partner and version")
    try:
        client = json.loads(f["client_data_json"].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValueError("the client data is not JSON") from None
    if not isinstance(client, dict) or client.get("type") != "webauthn.get":
        raise ValueError("the client data is not of an assertion (webauthn.get)")
    if client.get("challenge") != b64url(f["challenge"]):
        raise ValueError("the client data was made over another challenge")
    if client.get("origin") != f["origin"]:
        raise ValueError("the client data comes from another origin")
    data = f["authenticator_data"]
    if len(data) < 37:
        raise ValueError("the authenticator data is too short")
    if data[:32] != hashlib.sha256(f["rp_id"].encode("utf-8")).digest():
        raise ValueError("the authenticator data is for another RP ID")
    if not data[32] & FLAG_USER_PRESENT:
        raise ValueError("the authenticator did not see the user present")
    signed = data + hashlib.sha256(f["client_data_json"]).digest()
    try:
        key = serialization.load_der_public_key(f["public_key"])
    except ValueError:
        raise ValueError("the public key is not an SPKI DER key") from None
    try:
        if f["algorithm"] == ES256 and isinstance(key, ec.EllipticCurvePublicKey) \
                and isinstance(key.curve, ec.SECP256R1):
            key.verify(f["signature"], signed, ec.ECDSA(hashes.SHA256()))
        elif f["algorithm"] == EDDSA and isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(f["signature"], signed)
        else:
            raise ValueError("the public key does not match the algorithm")
    except InvalidSignature:
        raise ValueError("the signature does not verify with the public key") from None


def by_signoff(publication):
    """{sign-off id: (published assertion, short SHA-256 fingerprint of its public key)} for the public page."""
    from app.signoff.models import SignOffAssertion

    rows = db.session.execute(select(SignOffAssertion).where(SignOffAssertion.request_id == publication.request_id)
                              ).scalars().all()
    return {row.signoff_id: (as_published(row), fingerprint(row.public_key)) for row in rows}


def fingerprint(public_key):
    """SHA-256 of the SPKI DER public key, first 16 bytes in hex, in groups of four: easy to compare by eye."""
    digest = hashlib.sha256(bytes(public_key)).hexdigest()[:32]
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))
