"""A software WebAuthn authenticator for tests without a browser: makes registration responses (attestation
"none") and assertions as a real authenticator would, from the WebAuthn spec (not from the portal's code)."""
import base64
import hashlib
import json
import os

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    def __init__(self, algorithm=-7, rp_id="localhost", origin="http://localhost"):
        self.algorithm, self.rp_id, self.origin = algorithm, rp_id, origin
        self.key = ec.generate_private_key(ec.SECP256R1()) if algorithm == -7 else ed25519.Ed25519PrivateKey.generate()
        self.credential_id = os.urandom(32)
        self.count = 0

    def cose_key(self):
        public = self.key.public_key()
        if self.algorithm == -7:
            numbers = public.public_numbers()
            return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return cbor2.dumps({1: 1, 3: -8, -1: 6, -2: raw})

    def spki(self):
        return self.key.public_key().public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)

    def _sign(self, data):
        if self.algorithm == -7:
            return self.key.sign(data, ec.ECDSA(hashes.SHA256()))
        return self.key.sign(data)

    def register(self, challenge, rp_id=None, origin=None):
        """The JSON a browser sends for navigator.credentials.create(), over `challenge` (bytes)."""
        rp_hash = hashlib.sha256((rp_id or self.rp_id).encode()).digest()
        auth_data = (rp_hash + bytes([0x45]) + (0).to_bytes(4, "big") + bytes(16)
                     + len(self.credential_id).to_bytes(2, "big") + self.credential_id + self.cose_key())
        client = json.dumps({"type": "webauthn.create", "challenge": b64url(challenge),
                             "origin": origin or self.origin, "crossOrigin": False}).encode()
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps({"id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
                           "response": {"clientDataJSON": b64url(client), "attestationObject": b64url(attestation),
                                        "transports": ["internal"]},
                           "clientExtensionResults": {}, "authenticatorAttachment": "platform"})

    def assert_(self, challenge, rp_id=None, origin=None, count=None, type_="webauthn.get"):
        """The JSON a browser sends for navigator.credentials.get(), over `challenge` (bytes)."""
        self.count = self.count + 1 if count is None else count
        auth_data = hashlib.sha256((rp_id or self.rp_id).encode()).digest() + bytes([0x05]) \
            + self.count.to_bytes(4, "big")
        client = json.dumps({"type": type_, "challenge": b64url(challenge), "origin": origin or self.origin,
                             "crossOrigin": False}).encode()
        signature = self._sign(auth_data + hashlib.sha256(client).digest())
        return json.dumps({"id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
                           "response": {"authenticatorData": b64url(auth_data), "clientDataJSON": b64url(client),
                                        "signature": b64url(signature), "userHandle": None},
                           "clientExtensionResults": {}, "authenticatorAttachment": "platform"})
