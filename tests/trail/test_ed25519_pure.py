"""verify_log.py's pure-Python Ed25519 (so the standalone verifier checks checkpoint signatures with the standard
library only): RFC 8032 section 7.1's test vectors, cryptography's signatures, and the signed-note reader."""
import os

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.trail import signing
from app.trail.verify_log import NoteError, ed25519_verify, parse_verifier_key, verify_note

# RFC 8032, 7.1: TEST 1, 2, 3 and TEST SHA(abc) (public key, message, signature).
RFC8032 = [
    ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe2465"
     "5141438e7a100b"),
    ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aee"
     "b00d291612bb0c00"),
    ("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28d"
     "c027beceea1ec40a"),
    ("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e"
     "2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17a"
     "d9bef1177331a704"),
]


@pytest.mark.parametrize("public, message, signature", RFC8032)
def test_rfc8032_vectors(public, message, signature):
    public, message, signature = bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature)
    assert ed25519_verify(public, message, signature)
    assert not ed25519_verify(public, message + b"\x00", signature)
    for position in (0, 31, 32, 63):
        changed = bytearray(signature)
        changed[position] ^= 0x01
        assert not ed25519_verify(public, message, bytes(changed))


def test_signatures_made_by_cryptography_verify_and_nothing_else_does():
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    for size in (0, 1, 64, 1000):
        message = os.urandom(size)
        signature = key.sign(message)
        assert ed25519_verify(public, message, signature)
        assert not ed25519_verify(other, message, signature)
    # Malformed sizes and a scalar s >= L (malleability) are refused, not crashed on.
    signature = key.sign(b"m")
    assert not ed25519_verify(public[:31], b"m", signature)
    assert not ed25519_verify(public, b"m", signature[:63])
    big_s = signature[:32] + (int.from_bytes(signature[32:], "little")
                              + 2 ** 252 + 27742317777372353535851937790883648493).to_bytes(32, "little")
    assert not ed25519_verify(public, b"m", big_s)
    assert not ed25519_verify(b"\xff" * 32, b"m", signature)  # not a point


def test_the_portals_checkpoints_verify_with_its_verifier_key(app, db):
    note = signing.checkpoint_on_demand().note
    origin, size, root = verify_note(note, [signing.verifier_key()])
    assert (origin, size, root) == (signing.origin(), signing.latest().size, signing.latest().root)
    # One of several keys is enough; a key that did not sign is no help; a changed body fails.
    stranger = signing.verifier_key("someone-else", Ed25519PrivateKey.generate().public_key().public_bytes_raw())
    assert verify_note(note, [stranger, signing.verifier_key()])[1] == size
    with pytest.raises(NoteError, match="signed by none of the keys given"):
        verify_note(note, [stranger])
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(note.replace(f"\n{size}\n", f"\n{size + 1}\n", 1), [signing.verifier_key()])


@pytest.mark.parametrize("note, message", [
    ("", "not origin, size and base64 root"),
    ("origin\n12\nnot base64!\n\n\u2014 k AAAA\n", "not origin, size and base64 root"),
    ("origin\n12\n" + "A" * 43 + "=" + "\n", "not origin, size and base64 root"),  # no signature block
    ("origin\n12\n" + "A" * 43 + "=" + "\n\nk AAAAAAAA\n", "not \u2014 name base64"),
])
def test_malformed_checkpoints_are_one_line_errors(app, note, message):
    with pytest.raises(NoteError, match=message):
        verify_note(note, [signing.verifier_key()])


def test_a_verifier_key_with_a_wrong_id_is_refused(app):
    name, key_id, public = parse_verifier_key(signing.verifier_key())
    with pytest.raises(NoteError, match="id does not match"):
        parse_verifier_key(signing.verifier_key().replace(key_id.hex(), "00000000", 1))
