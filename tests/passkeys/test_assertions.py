"""The sign-off challenge and verify_stored(): a stored or published assertion checks out from its own fields,
and changing any signed field makes it fail with a one-line ValueError."""
import base64
import hashlib
import json

import pytest

from app.signoff.assertions import challenge_for, verify_stored
from tests.passkeys.authenticator import SoftAuthenticator, b64url, unb64url

CHECKPOINT = "portal.test/consultation-log\n12\nq1c3RleHQ=\n\n— portal.test/consultation-log AAAAAA==\n"
VERSION = "ab" * 32


def _published(algorithm=-7, decision="approved", partner="Testshire Police"):
    """An assertion in the published form (app.signoff.assertions.as_published), made by a soft authenticator."""
    authenticator = SoftAuthenticator(algorithm, rp_id="consult.example.org", origin="https://consult.example.org")
    challenge = challenge_for(CHECKPOINT, decision, partner, VERSION)
    response = json.loads(authenticator.assert_(challenge))["response"]
    return {"partner": partner, "decision": decision, "person_name": "Pat Police", "decided_at": "2027-01-01T10:00:00",
            "credential_id": b64url(authenticator.credential_id),
            "public_key": base64.b64encode(authenticator.spki()).decode(), "algorithm": algorithm,
            "authenticator_data": response["authenticatorData"], "client_data_json": response["clientDataJSON"],
            "signature": response["signature"], "challenge": challenge.hex(), "version_hash": VERSION,
            "checkpoint": CHECKPOINT, "rp_id": "consult.example.org", "origin": "https://consult.example.org"}


def test_the_challenge_is_sha256_of_the_canonical_decision():
    # Written out from the definition, not with the portal's canonical().
    text = ('{"checkpoint":"' + CHECKPOINT.replace("\n", "\\n") + '","decision":"returned","partner":"Testshire ICB",'
            f'"version":"{VERSION}"}}')
    assert challenge_for(CHECKPOINT, "returned", "Testshire ICB", VERSION) == hashlib.sha256(text.encode()).digest()
    assert challenge_for(CHECKPOINT, "approved", "Testshire ICB", VERSION) != \
        challenge_for(CHECKPOINT, "returned", "Testshire ICB", VERSION)


@pytest.mark.parametrize("algorithm", [-7, -8])
def test_a_published_assertion_verifies(algorithm):
    assert verify_stored(_published(algorithm)) is None


def _flip_b64url(text):
    raw = bytearray(unb64url(text))
    raw[-1] ^= 1
    return b64url(bytes(raw))


def _client_with(published, **changes):
    client = json.loads(unb64url(published["client_data_json"]))
    client.update(changes)
    return b64url(json.dumps(client).encode())


TAMPERS = {
    "partner": lambda p: {"partner": "Testshire Council"},
    "decision": lambda p: {"decision": "returned"},
    "version_hash": lambda p: {"version_hash": "cd" * 32},
    "checkpoint": lambda p: {"checkpoint": p["checkpoint"].replace("\n12\n", "\n13\n")},
    "challenge": lambda p: {"challenge": "00" * 32},
    "rp_id": lambda p: {"rp_id": "evil.example.org"},
    "origin": lambda p: {"origin": "https://evil.example.org"},
    "signature": lambda p: {"signature": _flip_b64url(p["signature"])},
    "authenticator_data (counter)": lambda p: {"authenticator_data": _flip_b64url(p["authenticator_data"])},
    "authenticator_data (user not present)": lambda p: {"authenticator_data": b64url(
        unb64url(p["authenticator_data"])[:32] + b"\x00" + unb64url(p["authenticator_data"])[33:])},
    "client_data_json (type)": lambda p: {"client_data_json": _client_with(p, type="webauthn.create")},
    "client_data_json (origin)": lambda p: {"client_data_json": _client_with(p, origin="https://evil.example.org")},
    "public_key": lambda p: {"public_key": base64.b64encode(SoftAuthenticator().spki()).decode()},
    "algorithm": lambda p: {"algorithm": -8},
}


@pytest.mark.parametrize("field", sorted(TAMPERS))
def test_tampering_with_any_signed_field_fails(field):
    published = _published()
    published.update(TAMPERS[field](published))
    with pytest.raises(ValueError) as caught:
        verify_stored(published)
    assert "\n" not in str(caught.value) and str(caught.value)


def test_a_challenge_recomputed_with_a_changed_field_still_fails_on_the_signature():
    """Someone who changes the decision AND recomputes the challenge is caught by the client data and signature."""
    published = _published()
    published["decision"] = "returned"
    published["challenge"] = challenge_for(CHECKPOINT, "returned", published["partner"], VERSION).hex()
    with pytest.raises(ValueError, match="another challenge"):
        verify_stored(published)
    published["client_data_json"] = _client_with(published, challenge=b64url(bytes.fromhex(published["challenge"])))
    with pytest.raises(ValueError, match="signature does not verify"):
        verify_stored(published)


@pytest.mark.parametrize("broken", [{"signature": None}, {"public_key": "not base64!"}, {"challenge": "zz"},
                                    {"client_data_json": b64url(b"not json")}, {"authenticator_data": "AAAA"}])
def test_malformed_assertions_get_a_one_line_error(broken):
    published = _published()
    published.update(broken)
    with pytest.raises(ValueError) as caught:
        verify_stored(published)
    assert "\n" not in str(caught.value)


def test_a_missing_field_is_named():
    published = _published()
    del published["rp_id"]
    with pytest.raises(ValueError, match="no rp_id"):
        verify_stored(published)
