"""Partners' passkey assertions made in tests, as an authenticator would (issue 20, part 6): the test holds the
private key, builds the challenge from the fields, and signs authenticatorData ‖ SHA-256(clientDataJSON)."""
import base64
import hashlib
import json

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.trail.verify_log import assertion_challenge


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def make_assertion(partner, person_name, version_hash, checkpoint, origin, rp_id, algorithm=-7, decision="approved",
                   flags=0x05, key=None):
    key = key or (ec.generate_private_key(ec.SECP256R1()) if algorithm == -7 else Ed25519PrivateKey.generate())
    challenge = assertion_challenge(checkpoint, decision, partner, version_hash)
    client = json.dumps({"type": "webauthn.get", "challenge": b64url(challenge), "origin": origin,
                         "crossOrigin": False}).encode()
    auth = hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + (7).to_bytes(4, "big")
    signed = auth + hashlib.sha256(client).digest()
    signature = key.sign(signed, ec.ECDSA(hashes.SHA256())) if algorithm == -7 else key.sign(signed)
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {"partner": partner, "decision": decision, "person_name": person_name,
            "decided_at": "2026-11-28T10:00:00Z", "credential_id": b64url(hashlib.sha256(spki).digest()[:16]),
            "public_key": base64.b64encode(spki).decode(), "algorithm": algorithm,
            "authenticator_data": b64url(auth), "client_data_json": b64url(client), "signature": b64url(signature),
            "challenge": challenge.hex(), "version_hash": version_hash, "checkpoint": checkpoint, "rp_id": rp_id,
            "origin": origin}


# Non-ASCII on purpose: the browser's canonical JSON must give Python's bytes (ensure_ascii=False, UTF-8).
PARTNER_NAMES = ["North Somerset Council", "Avon and Somerset Police — ‘Heddlu’ é", "BNSSG integrated care board"]


def assertions_for(publication, checkpoint_note, origin, rp_id):
    """One assertion per partner name over `publication`'s version: ES256, ES256, and EdDSA."""
    version_hash = publication.version.content_hash
    return [make_assertion(name, f"Lead {n}", version_hash, checkpoint_note, origin, rp_id,
                           algorithm=-8 if n == 2 else -7)
            for n, name in enumerate(PARTNER_NAMES)]
