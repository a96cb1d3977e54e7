"""verify_log.py's pure-Python ECDSA P-256 (partners' passkeys, issue 20 part 6) against signatures made by
`cryptography` (OpenSSL): valid ones verify; a changed message, another key, r or s out of range and malformed DER
do not."""
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from app.trail.verify_log import P256_N, der_signature, p256_point, p256_verify, p256_verify_der


def _key():
    key = ec.generate_private_key(ec.SECP256R1())
    return key, key.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)


def _sign(key, message):
    return key.sign(message, ec.ECDSA(hashes.SHA256()))


@pytest.mark.parametrize("message", [b"", b"authenticator data and a client data hash", bytes(range(256)) * 4])
def test_signatures_made_by_openssl_verify(message):
    key, spki = _key()
    for _ in range(5):  # several (r, s): some have leading zero bytes, short integers
        assert p256_verify_der(spki, message, _sign(key, message))


def test_a_changed_message_or_another_key_does_not_verify():
    key, spki = _key()
    _, other = _key()
    signature = _sign(key, b"approved")
    assert not p256_verify_der(spki, b"returned", signature)
    assert not p256_verify_der(other, b"approved", signature)
    r, s = decode_dss_signature(signature)
    assert not p256_verify(p256_point(spki), b"approved", r, (s + 1) % P256_N)
    assert not p256_verify(p256_point(spki), b"approved", s, r)


def test_r_and_s_out_of_range_are_refused():
    key, spki = _key()
    r, s = decode_dss_signature(_sign(key, b"m"))
    point = p256_point(spki)
    for bad_r, bad_s in [(0, s), (r, 0), (P256_N, s), (r, P256_N), (r + P256_N, s), (r, s + P256_N), (-r, s)]:
        assert not p256_verify(point, b"m", bad_r, bad_s)
    # the high-s twin (n - s) is a valid ECDSA signature too, as WebAuthn allows
    assert p256_verify(point, b"m", r, P256_N - s)


@pytest.mark.parametrize("damage", ["empty", "not a sequence", "length", "trailing byte", "negative r",
                                    "padded r", "third integer", "zero-length r", "r too long"])
def test_malformed_der_is_a_value_error(damage):
    key, _ = _key()
    good = _sign(key, b"m")
    r, s = decode_dss_signature(good)
    body_r = r.to_bytes(32, "big").lstrip(b"\0")
    body_s = s.to_bytes(32, "big").lstrip(b"\0")

    def seq(*integers):
        inner = b"".join(bytes([2, len(i)]) + i for i in integers)
        return bytes([0x30, len(inner)]) + inner

    bad = {
        "empty": b"",
        "not a sequence": b"\x31" + good[1:],
        "length": good[:1] + bytes([good[1] + 1]) + good[2:],
        "trailing byte": good + b"\0",
        "negative r": seq(b"\x80" + body_r[1:], body_s),
        "padded r": seq(b"\0\x01" + body_r[1:], body_s),
        "third integer": seq(body_r, body_s, b"\x01"),
        "zero-length r": seq(b"", body_s),
        "r too long": seq(b"\x01" * 34, body_s),
    }[damage]
    with pytest.raises(ValueError):
        der_signature(bad)
    assert der_signature(encode_dss_signature(r, s)) == (r, s)


def test_public_keys_that_are_not_p256_points_are_refused():
    _, spki = _key()
    with pytest.raises(ValueError):
        p256_point(spki[:-1] + bytes([spki[-1] ^ 1]))  # off the curve
    with pytest.raises(ValueError):
        p256_point(spki[:-1])
    ed = b"0*0\x05\x06\x03+ep\x03!\x00" + bytes(32)
    with pytest.raises(ValueError):
        p256_point(ed)
