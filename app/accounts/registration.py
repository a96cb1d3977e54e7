"""Parents, carers and the public register themselves (issue 17). One function = one transaction.

They give an email address, say whether they are a parent or carer or a member of the public, and choose a password.
Nothing else: their display name is that choice ("A parent or carer", "A member of the public"), so no page, report
or export can show more of them. They take part only once they have followed the link we email (an AccountToken
with purpose 'email_confirmation'); until then they can sign in and read, not comment or vote.

Nobody learns from registering whether an address already has an account: the answer is the same page either way,
and the address's owner gets an email instead of a second account.
"""
import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import PUBLIC_NAMES, AccountToken, Person, Role, TokenPurpose
from app.accounts.passwords import hash_password
from app.accounts.services import _new_token, _sha256, check_new_password, find_by_login, grant_roles, normalise_login
from app.database import transaction
from app.errors import DomainError
from app.extensions import db
from app.mail import services as mail
from app.partnerships.services import current_partnership
from app.timeutil import utcnow
from app.trail import services as trail

CONFIRMATION = TokenPurpose.EMAIL_CONFIRMATION.value
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(email):
    email = normalise_login(email)
    if not email:
        raise DomainError("Enter your email address", field="email")
    if len(email) > 254 or not _EMAIL.match(email):
        raise DomainError("Enter an email address in the correct format, like name@example.com", field="email")
    return email


def _ttl():
    return timedelta(hours=current_app.config["EMAIL_CONFIRMATION_TTL_HOURS"])


def _queue_confirmation(person, template="email_confirmation"):
    """A fresh link, cancelling any earlier one (inside the caller's transaction)."""
    db.session.execute(update(AccountToken).where(AccountToken.person_id == person.id,
                                                  AccountToken.purpose == CONFIRMATION,
                                                  AccountToken.used_at.is_(None)).values(used_at=utcnow()))
    token = _new_token(person, CONFIRMATION, _ttl())
    mail.queue(person.email, "Confirm your email address", template, path=f"/register/confirm/{token}",
               hours=int(_ttl().total_seconds() // 3600))


def _check_kind(kind):
    if kind not in PUBLIC_NAMES:
        raise DomainError("Choose whether you are a parent or carer or a member of the public", field="kind")


def _check_password(password, email):
    check_new_password(password)
    if normalise_login(password) == normalise_login(email or ""):
        raise DomainError("Password must not be the same as your email address", field="password")


def problems(email, kind, password):
    """Every rule the answers break, at once (the form shows them all together), as DomainErrors."""
    found = []
    for check, args in ((check_email, (email,)), (_check_kind, (kind,)), (_check_password, (password or "", email))):
        try:
            check(*args)
        except DomainError as error:
            found.append(error)
    return found


def register(email, kind, password):
    """Register a member of the public and email them a link to confirm their address.

    Returns the new Person, or None when the address already has an account: its owner is emailed (a new link if
    they never confirmed), and the caller answers exactly as for a new registration.
    """
    email = check_email(email)
    _check_kind(kind)
    _check_password(password, email)
    partnership = current_partnership()
    password_hash = hash_password(password)  # for a known address too: the same work either way
    try:
        with transaction() as session:
            existing = find_by_login(email)
            if existing is not None:
                _tell_owner(existing)
                return None
            person = Person(partnership_id=partnership.id, display_name=PUBLIC_NAMES[kind], email=email,
                            password_hash=password_hash, password_changed_at=utcnow())
            session.add(person)
            grant_roles(person, [Role.PUBLIC])
            session.flush()
            _queue_confirmation(person)
            trail.append("person.registered", f"person:{person.id}", {"roles": [Role.PUBLIC.value], "kind": kind},
                         actor=person.id)
    except IntegrityError:  # the same address registered twice at once: the other one won
        db.session.rollback()
        return None
    return person


def _tell_owner(person):
    """Someone registered with an address that has an account: tell its owner, not the person registering."""
    if person.awaits_confirmation and person.is_active_account:
        _queue_confirmation(person, "email_confirmation_again")
    else:
        mail.queue(person.email, "You already have an account", "already_registered", path="/login",
                   reset_path="/password/forgotten")
    trail.append("person.registration_repeated", f"person:{person.id}")


def resend_confirmation(email):
    """A new confirmation link if the address belongs to a registration not yet confirmed. Says nothing either way."""
    with transaction():
        person = find_by_login(email) if "@" in (email or "") else None
        if person is None or not person.awaits_confirmation or not person.is_active_account:
            return
        _queue_confirmation(person)
        trail.append("person.confirmation_resent", f"person:{person.id}")


def confirmation_token(token, now=None):
    """The unused, unexpired confirmation link's AccountToken, or None."""
    if not token:
        return None
    row = db.session.execute(select(AccountToken).where(AccountToken.token_hash == _sha256(token),
                                                           AccountToken.purpose == CONFIRMATION)).scalar_one_or_none()
    if row is None or row.used_at is not None or row.expires_at < (now or utcnow()):
        return None
    return row


def confirm_email(token, now=None):
    """Follow the emailed link: the address is confirmed and its owner may take part. Works once, before it expires."""
    now = now or utcnow()
    refusal = "This link has expired or has already been used"
    with transaction():
        row = confirmation_token(token, now)
        if row is None or not row.person.is_active_account:
            raise DomainError(refusal)
        # A guarded UPDATE, so two clicks at once cannot both succeed.
        used = db.session.execute(update(AccountToken).where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
                                  .values(used_at=now)).rowcount
        if used != 1:
            raise DomainError(refusal)
        person = row.person
        person.email_confirmed_at = now
        trail.append("person.email_confirmed", f"person:{person.id}", actor=person.id)
    return person
