"""The rules for passkeys: who may register one, the one-time registration challenge, removing one, and checking
an assertion made with one (the sign-off decision calls check_assertion). One function = one transaction.

Only a lead or delegated safeguarding partner (the people who sign off) has passkeys here.
"""
import hashlib
import json
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, request
from sqlalchemy import delete, select

from app.accounts.models import Role
from app.database import transaction
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.passkeys.models import EDDSA, ES256, Passkey, PasskeyChallenge
from app.signoff.assertions import b64url, from_b64url
from app.timeutil import utcnow
from app.trail import services as trail

MAX_LABEL = 80


# --- the relying party --------------------------------------------------------------------------

def _production():
    return current_app.config.get("ENV_NAME") == "production"


def rp_id():
    """WEBAUTHN_RP_ID; unset, the host of PORTAL_BASE_URL in production (never the request's Host header there),
    the request's host name elsewhere (development: open http://localhost:<port>)."""
    configured = current_app.config.get("WEBAUTHN_RP_ID")
    if configured:
        return configured
    if _production():
        return urlsplit(current_app.config["PORTAL_BASE_URL"]).hostname
    return request.host.rsplit(":", 1)[0].strip("[]")


def origin():
    """WEBAUTHN_ORIGIN; unset, PORTAL_BASE_URL's scheme and host in production, the request's elsewhere."""
    configured = current_app.config.get("WEBAUTHN_ORIGIN")
    if configured:
        return configured.rstrip("/")
    parts = urlsplit(current_app.config["PORTAL_BASE_URL"] if _production() else request.host_url)
    return f"{parts.scheme}://{parts.netloc}"


def may_have_passkeys(person):
    return person is not None and person.has_role(Role.LEAD_SIGNATORY, Role.DELEGATED_SIGNATORY)


def _check_may(person):
    if not may_have_passkeys(person):
        raise NotAllowed("Only lead and delegated safeguarding partners sign with passkeys")


def passkeys_of(person):
    return db.session.execute(select(Passkey).where(Passkey.person_id == person.id).order_by(Passkey.id)
                              ).scalars().all()


def get_own(person, passkey_id):
    """One of the person's own passkeys, or NotFound (another person's is never shown to exist)."""
    passkey = db.session.get(Passkey, passkey_id)
    if passkey is None or passkey.person_id != person.id:
        raise NotFound("No such passkey")
    return passkey


# --- registering --------------------------------------------------------------------------------

def registration_options(person):
    """The options for navigator.credentials.create(), as JSON text, with a new one-time challenge kept in the
    database for WEBAUTHN_CHALLENGE_TTL_MINUTES."""
    import webauthn
    from webauthn.helpers.structs import (AuthenticatorSelectionCriteria, PublicKeyCredentialDescriptor,
                                          ResidentKeyRequirement, UserVerificationRequirement)

    _check_may(person)
    challenge = secrets.token_bytes(32)
    now = utcnow()
    with transaction():
        db.session.execute(delete(PasskeyChallenge).where(PasskeyChallenge.expires_at < now))
        db.session.add(PasskeyChallenge(person_id=person.id, challenge=challenge, expires_at=now + timedelta(
            minutes=current_app.config.get("WEBAUTHN_CHALLENGE_TTL_MINUTES", 10))))
    options = webauthn.generate_registration_options(
        rp_id=rp_id(), rp_name=current_app.config.get("PORTAL_NAME") or "Consultation portal",
        user_id=f"person:{person.id}".encode(), user_name=person.login_name, user_display_name=person.display_name,
        challenge=challenge, supported_pub_key_algs=[webauthn.helpers.cose.COSEAlgorithmIdentifier(EDDSA),
                                                     webauthn.helpers.cose.COSEAlgorithmIdentifier(ES256)],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=p.credential_id) for p in passkeys_of(person)])
    return webauthn.options_to_json(options)


def _client_challenge(credential_json):
    try:
        credential = json.loads(credential_json)
        client = json.loads(from_b64url(credential["response"]["clientDataJSON"]))
        return from_b64url(client["challenge"])
    except (ValueError, TypeError, KeyError):
        raise DomainError("The passkey's answer could not be read. Try again.") from None


def _spki(cose_public_key):
    from cryptography.hazmat.primitives import serialization
    from webauthn.helpers.decode_credential_public_key import decode_credential_public_key
    from webauthn.helpers.decoded_public_key_to_cryptography import decoded_public_key_to_cryptography

    key = decoded_public_key_to_cryptography(decode_credential_public_key(cose_public_key))
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def register(person, *, credential_json, label):
    """Check the browser's new credential against a challenge this person was given (used once, unexpired) and
    keep it. DomainError (field "credential" or "label") when it cannot be."""
    import webauthn
    from webauthn.helpers.cose import COSEAlgorithmIdentifier
    from webauthn.helpers.exceptions import WebAuthnException

    _check_may(person)
    label = " ".join((label or "").split())
    if not label:
        raise DomainError("Enter a name for this passkey, like ‘Work laptop’", field="label")
    if len(label) > MAX_LABEL:
        raise DomainError(f"The name must be {MAX_LABEL} characters or fewer", field="label")
    if not credential_json:
        raise DomainError("Adding a passkey needs JavaScript: your browser did not send one")
    challenge = _client_challenge(credential_json)
    person_id = person.id
    with transaction():
        used = db.session.execute(delete(PasskeyChallenge).where(
            PasskeyChallenge.person_id == person_id, PasskeyChallenge.challenge == challenge,
            PasskeyChallenge.expires_at >= utcnow()))
        if used.rowcount != 1:
            raise DomainError("That passkey was made for a page that has expired or was already used. "
                              "Reload the page and try again.")
        try:
            verified = webauthn.verify_registration_response(
                credential=credential_json, expected_challenge=challenge, expected_rp_id=rp_id(),
                expected_origin=origin(), require_user_presence=True,
                supported_pub_key_algs=[COSEAlgorithmIdentifier(EDDSA), COSEAlgorithmIdentifier(ES256)])
            spki = _spki(verified.credential_public_key)
        except (WebAuthnException, ValueError, TypeError, KeyError) as error:
            raise DomainError(f"The passkey was refused: {_sentence(error)}") from None
        if db.session.execute(select(Passkey.id).where(Passkey.credential_id == verified.credential_id)).first():
            raise DomainError("That passkey is registered already")
        algorithm = _algorithm(verified.credential_public_key)
        passkey = Passkey(person_id=person_id, credential_id=verified.credential_id,
                          cose_public_key=verified.credential_public_key, public_key_spki=spki, algorithm=algorithm,
                          sign_count=verified.sign_count, label=label, created_at=utcnow())
        db.session.add(passkey)
        db.session.flush()
        trail.append("passkey.registered", f"person:{person_id}", {
            "passkey": passkey.id, "credential_id": b64url(verified.credential_id), "algorithm": algorithm,
            "public_key_sha256": hashlib.sha256(spki).hexdigest()}, actor=person_id)
    return passkey


def _algorithm(cose_public_key):
    from webauthn.helpers.decode_credential_public_key import decode_credential_public_key

    return int(decode_credential_public_key(cose_public_key).alg)


def _sentence(error):
    text = str(error).strip() or type(error).__name__
    return text[0].lower() + text[1:] if text else text


def remove(person, passkey):
    """Remove one of the person's passkeys. Sign-offs made with it stay verifiable (they keep its public key)."""
    _check_may(person)
    if passkey.person_id != person.id:
        raise NotFound("No such passkey")
    passkey_id, person_id, credential_id = passkey.id, person.id, b64url(passkey.credential_id)
    with transaction():
        db.session.execute(delete(Passkey).where(Passkey.id == passkey_id, Passkey.person_id == person_id))
        trail.append("passkey.removed", f"person:{person_id}", {"passkey": passkey_id,
                                                                 "credential_id": credential_id}, actor=person_id)


# --- asserting (a sign-off decision) --------------------------------------------------------------

class AssertionRefused(Exception):
    """An assertion that does not verify; `reason` is a short sentence with no secrets, for the log too."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def check_assertion(person, credential_json, expected_challenge):
    """(passkey, parsed credential, new sign count) when `credential_json` is an assertion by one of `person`'s own
    passkeys over `expected_challenge`, from our origin and RP ID, with a sign count that went up (when not zero);
    AssertionRefused otherwise. Changes nothing."""
    import webauthn
    from webauthn.helpers import parse_authentication_credential_json
    from webauthn.helpers.exceptions import WebAuthnException

    try:
        credential = parse_authentication_credential_json(credential_json)
    except (WebAuthnException, ValueError, TypeError, KeyError):
        raise AssertionRefused("the passkey's answer could not be read") from None
    passkey = db.session.execute(select(Passkey).where(Passkey.credential_id == credential.raw_id)
                                 ).scalar_one_or_none()
    if passkey is None or passkey.person_id != person.id:
        raise AssertionRefused("the passkey used is not one of yours registered here")
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential, expected_challenge=expected_challenge, expected_rp_id=rp_id(),
            expected_origin=origin(), credential_public_key=passkey.cose_public_key,
            credential_current_sign_count=passkey.sign_count, require_user_verification=False)
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise AssertionRefused(_refusal(error)) from None
    return passkey, credential, verified.new_sign_count


def _refusal(error):
    text = str(error)
    for needle, reason in (("challenge", "it was made over another challenge (another decision, version or "
                                         "checkpoint)"),
                           ("origin", "it was made on another website (origin)"),
                           ("RP ID", "it was made for another relying party (RP ID)"),
                           ("sign count", "the passkey's counter did not go up (a copied passkey?)"),
                           ("signature", "its signature does not verify")):
        if needle.lower() in text.lower():
            return reason
    return _sentence(error)


def passkey_required(partnership):
    return bool(partnership and partnership.passkey_required)


def set_passkey_required(by, partnership, required):
    """The partnership setting "Partners must sign with a passkey"; only a facilitator changes it."""
    if by is None or not by.has_role(Role.FACILITATOR) or by.partnership_id != partnership.id:
        raise NotAllowed("Only facilitators change the partnership's settings")
    with transaction():
        partnership.passkey_required = bool(required)
        trail.append("partnership.passkey_required_set", f"partnership:{partnership.id}",
                     {"passkey_required": bool(required)}, actor=by.id)
