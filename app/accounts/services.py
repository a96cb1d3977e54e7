"""The rules for people, sessions, invitations and passwords. One function = one transaction."""
import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload

from app.accounts import grants
from app.accounts.models import SIGNATORY_ROLES, AccountToken, AuthSession, Person, Role, RoleGrant
from app.accounts.passwords import check_password, hash_password, needs_rehash
from app.database import transaction
from app.errors import DomainError
from app.extensions import db
from app.mail import services as mail
from app.partnerships.models import StatutoryPartner
from app.timeutil import utcnow
from app.trail import services as trail


def _sha256(value):
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalise_login(value):
    return (value or "").strip().lower()


def find_by_login(login):
    login = normalise_login(login)
    if not login:
        return None
    column = Person.email if "@" in login else Person.username
    return db.session.execute(select(Person).where(func.lower(column) == login)).scalar_one_or_none()


def check_new_password(password, person=None):
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise DomainError(f"Password must be {minimum} characters or more", field="password")
    if len(password) > 256:
        raise DomainError("Password must be 256 characters or fewer", field="password")
    if person is not None and normalise_login(password) in {normalise_login(person.email), normalise_login(person.username)}:
        raise DomainError("Password must not be the same as your email address or username", field="password")


# --- signing in and sessions -------------------------------------------------------------------

def authenticate(login, password):
    """The person whose login and password match, or None. Never says which part was wrong."""
    person = find_by_login(login)
    if person is None or not person.is_active:
        check_password(None, password)  # equal work either way
        return None
    if not check_password(person.password_hash, password):
        return None
    if needs_rehash(person.password_hash):
        with transaction():
            person.password_hash = hash_password(password)
    return person


def start_session(person, user_agent=None):
    """Create a server-side session; returns the secret for the cookie."""
    secret = secrets.token_urlsafe(32)
    with transaction() as session:
        session.add(AuthSession(person_id=person.id, secret_hash=_sha256(secret), user_agent=(user_agent or "")[:200]))
    return secret


# Every signed-in request starts here, so the statement is built once. The person comes in the same statement,
# with their roles and organisation (every page's navigation and access checks ask for them).
_SESSION = (select(AuthSession)
            .options(joinedload(AuthSession.person).options(joinedload(Person.grants), joinedload(Person.organisation)))
            .where(AuthSession.secret_hash == bindparam("secret_hash")))


def load_session(secret):
    """The live AuthSession for this secret, or None if revoked, idle too long or too old."""
    if not secret:
        return None
    auth = db.session.execute(_SESSION, {"secret_hash": _sha256(secret)}).unique().scalar_one_or_none()
    if auth is None or auth.revoked_at is not None:
        return None
    config, now = current_app.config, utcnow()
    if now - auth.last_seen_at > timedelta(minutes=config["SESSION_IDLE_TIMEOUT_MINUTES"]):
        return None
    if now - auth.created_at > timedelta(hours=config["SESSION_ABSOLUTE_LIFETIME_HOURS"]):
        return None
    return auth


def touch_session(auth):
    """Record activity at most once a minute, so reads do not write on every request."""
    now = utcnow()
    if now - auth.last_seen_at > timedelta(minutes=1):
        with transaction() as session:
            session.execute(update(AuthSession).where(AuthSession.id == auth.id).values(last_seen_at=now))


def end_session(secret):
    if not secret:
        return
    with transaction() as session:
        session.execute(update(AuthSession).where(AuthSession.secret_hash == _sha256(secret),
                                                  AuthSession.revoked_at.is_(None)).values(revoked_at=utcnow()))


def _revoke_all(person_id):
    db.session.execute(update(AuthSession).where(AuthSession.person_id == person_id,
                                                 AuthSession.revoked_at.is_(None)).values(revoked_at=utcnow()))


def end_all_sessions(person_id):
    """Every session of this person ends now (a suspended account; inside the caller's transaction)."""
    _revoke_all(person_id)


def active_sessions(person):
    return db.session.execute(select(AuthSession).where(AuthSession.person_id == person.id,
                                                        AuthSession.revoked_at.is_(None))
                              .order_by(AuthSession.created_at.desc())).scalars().all()


# --- invitations and passwords -----------------------------------------------------------------

def _cancel_tokens(person_id, purpose=None):
    """Mark a person's unused links used: a newer reset link or a new password makes older links worthless."""
    query = update(AccountToken).where(AccountToken.person_id == person_id, AccountToken.used_at.is_(None))
    if purpose:
        query = query.where(AccountToken.purpose == purpose)
    db.session.execute(query.values(used_at=utcnow()))


def _new_token(person, purpose, ttl):
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(person_id=person.id, purpose=purpose, token_hash=_sha256(token),
                                expires_at=utcnow() + ttl))
    return token


def _queue_invitation(person, by):
    ttl = timedelta(hours=current_app.config["INVITATION_TTL_HOURS"])
    token = _new_token(person, "invitation", ttl)
    mail.queue(person.email, "You are invited to the safeguarding arrangements consultation", "invitation",
               person=person, invited_by=by, path=f"/invitations/{token}", hours=int(ttl.total_seconds() // 3600))
    trail.append("person.invited", f"person:{person.id}", {"organisation": person.organisation_id,
                                                           "roles": sorted(r.value for r in person.roles)}, actor=by.id)


def _check_signatory(person, roles, statutory_partner_id, acting_for_id):
    """A signatory signs for one of the partnership's statutory partners; a delegate for a lead of that partner."""
    with db.session.no_autoflush:
        partner = db.session.get(StatutoryPartner, statutory_partner_id) if statutory_partner_id else None
        if partner is None or partner.partnership_id != person.partnership_id:
            raise DomainError("Choose the statutory partner this signatory acts for", field="statutory_partner")
        if Role.DELEGATED_SIGNATORY not in roles:
            return
        lead = db.session.get(Person, acting_for_id) if acting_for_id else None
        if lead is None or lead is person:
            raise DomainError("Choose the lead safeguarding partner this delegate acts for", field="acting_for")
        if not any(grant.role == Role.LEAD_SIGNATORY.value and grant.statutory_partner_id == partner.id
                   for grant in lead.grants):
            raise DomainError(f"Choose a lead safeguarding partner who signs for {partner.name}", field="acting_for")


def grant_roles(person, roles, statutory_partner_id=None, acting_for_id=None):
    """Replace a person's roles. Signatory roles need their statutory partner (and a delegate, their lead)."""
    roles = {Role(role) for role in roles}
    if roles & SIGNATORY_ROLES:
        _check_signatory(person, roles, statutory_partner_id, acting_for_id)
    person.grants.clear()
    db.session.flush()
    for role in sorted(roles, key=lambda r: r.value):
        signatory = role in SIGNATORY_ROLES
        person.grants.append(RoleGrant(
            role=role.value,
            statutory_partner_id=statutory_partner_id if signatory else None,
            acting_for_id=acting_for_id if role == Role.DELEGATED_SIGNATORY else None,
        ))


def _guarded_roles(by, person, roles, statutory_partner_id, acting_for_id):
    """Check the separation-of-duties rules; split the roles into (held now, waiting for confirmation)."""
    roles = {Role(role) for role in roles}
    grants.check_separation(roles)  # first: it says why, where "not yourself" would only say who
    grants.check_not_self(by, person, roles)
    if roles & SIGNATORY_ROLES:
        _check_signatory(person, roles, statutory_partner_id, acting_for_id)
    return grants.split_roles(person, roles, statutory_partner_id, acting_for_id)


def invite_person(by, *, partnership, display_name, email, organisation, roles, statutory_partner_id=None,
                  acting_for_id=None):
    """Create an account and email a single-use, expiring link to set its password."""
    email = normalise_login(email)
    with transaction() as session:
        if find_by_login(email) is not None:
            raise DomainError("Someone with this email address already has an account", field="email")
        person = Person(partnership_id=partnership.id, organisation_id=organisation.id if organisation else None,
                        display_name=display_name.strip(), email=email)
        session.add(person)
        now, waiting = _guarded_roles(by, person, roles, statutory_partner_id, acting_for_id)
        grant_roles(person, now, statutory_partner_id, acting_for_id)
        session.flush()
        _queue_invitation(person, by)
        grants.request_grants(by, person, waiting, statutory_partner_id, acting_for_id)
        grants.record_direct_grants(by, person, now)
    return person


def resend_invitation(by, person):
    with transaction() as session:
        if person.password_hash is not None:
            raise DomainError("This person has already set their password")
        session.execute(update(AccountToken).where(AccountToken.person_id == person.id,
                                                   AccountToken.purpose == "invitation",
                                                   AccountToken.used_at.is_(None)).values(used_at=utcnow()))
        _queue_invitation(person, by)


def update_person(by, person, *, display_name, organisation, roles, active, statutory_partner_id=None,
                  acting_for_id=None):
    with transaction():
        if person.id == by.id and (not active or Role.FACILITATOR not in roles):
            raise DomainError("You cannot remove your own facilitator role or deactivate yourself", field="roles")
        person.display_name = display_name.strip()
        person.organisation_id = organisation.id if organisation else None
        before = person.roles
        now, waiting = _guarded_roles(by, person, roles, statutory_partner_id, acting_for_id)
        grants.record_removals(by, person, before - {Role(role) for role in roles})
        grant_roles(person, now, statutory_partner_id, acting_for_id)
        grants.request_grants(by, person, waiting, statutory_partner_id, acting_for_id)
        grants.record_direct_grants(by, person, now - before)
        was_active, person.is_active_account = person.is_active_account, active
        if was_active and not active:
            _revoke_all(person.id)
        trail.append("person.updated", f"person:{person.id}",
                     {"organisation": person.organisation_id, "roles": sorted(r.value for r in roles),
                      "active": active}, actor=by.id)
    return waiting  # the roles that wait for a second person's confirmation


def token_person(token, purpose):
    """The AccountToken for a link if it is unused and unexpired, else None."""
    if not token:
        return None
    row = db.session.execute(select(AccountToken).where(AccountToken.token_hash == _sha256(token),
                                                        AccountToken.purpose == purpose)).scalar_one_or_none()
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    return row


def _use_token(token, purpose, password, row=None, refusal="This link has expired or has already been used"):
    row = row or token_person(token, purpose)
    if row is None:
        raise DomainError(refusal, field="password")
    # Mark it used with a guarded UPDATE, so two clicks at once cannot both succeed.
    used = db.session.execute(update(AccountToken).where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
                              .values(used_at=utcnow())).rowcount
    if used != 1:
        raise DomainError(refusal, field="password")
    person = row.person
    check_new_password(password, person)
    person.password_hash = hash_password(password)
    person.password_changed_at = utcnow()
    _revoke_all(person.id)
    _cancel_tokens(person.id)
    return person


def accept_invitation(token, password):
    with transaction():
        person = _use_token(token, "invitation", password)
        trail.append("person.activated", f"person:{person.id}", actor=person.id)
    return person


def request_password_reset(login):
    """Email a reset link if the address belongs to an active account. Says nothing either way."""
    with transaction():
        person = find_by_login(login)
        if person is None or not person.email or not person.is_active_account or person.password_hash is None:
            return
        ttl = timedelta(minutes=current_app.config["PASSWORD_RESET_TTL_MINUTES"])
        _cancel_tokens(person.id, "password_reset")
        token = _new_token(person, "password_reset", ttl)
        mail.queue(person.email, "Reset your password", "password_reset", person=person,
                   path=f"/password/reset/{token}", minutes=int(ttl.total_seconds() // 60))
        trail.append("person.password_reset_requested", f"person:{person.id}")


def reset_password(token, password):
    with transaction():
        person = _use_token(token, "password_reset", password)
        trail.append("person.password_reset", f"person:{person.id}", actor=person.id)
    return person


# --- reset codes: a young person's youth worker hands one over in person (young people have no email) -----

RESET_CODE_REFUSED = ("That username and code do not match, or the code has expired or been used. "
                      "Ask your youth worker for a new code.")


def reset_code_hash(code):
    """Codes are compared without case, spaces or dashes, like invite codes."""
    return _sha256(re.sub(r"[\s\-]", "", (code or "").upper()))


def new_reset_code(person, ttl, now=None):
    """A one-time code to set a new password, cancelling any earlier code or link. Inside a transaction."""
    from app.moderation.services import new_code

    now = now or utcnow()
    db.session.execute(update(AccountToken).where(AccountToken.person_id == person.id,
                                                  AccountToken.purpose == "password_reset",
                                                  AccountToken.used_at.is_(None)).values(used_at=now))
    code = new_code()
    db.session.add(AccountToken(person_id=person.id, purpose="password_reset", token_hash=reset_code_hash(code),
                                created_at=now, expires_at=now + ttl))
    return code


def reset_with_code(username, code, password):
    """Set a new password with a youth worker's reset code. Works once, before it expires, for that username."""
    with transaction():
        person = find_by_login(username) if "@" not in (username or "") else None
        row = db.session.execute(select(AccountToken).where(
            AccountToken.token_hash == reset_code_hash(code), AccountToken.purpose == "password_reset")
        ).scalar_one_or_none()
        if (person is None or row is None or row.person_id != person.id or row.used_at is not None
                or row.expires_at < utcnow() or not person.is_active_account):
            raise DomainError(RESET_CODE_REFUSED, field="code")
        person = _use_token(None, "password_reset", password, row=row, refusal=RESET_CODE_REFUSED)
        trail.append("person.password_reset", f"person:{person.id}", {"by": "reset_code"}, actor=person.id)
    return person


def change_password(person, current_password, new_password):
    """Change a password and end every session of this person (the caller starts a fresh one)."""
    if not check_password(person.password_hash, current_password):
        raise DomainError("Your current password is not correct", field="current_password")
    check_new_password(new_password, person)
    with transaction():
        person.password_hash = hash_password(new_password)
        person.password_changed_at = utcnow()
        _revoke_all(person.id)
        _cancel_tokens(person.id)
        trail.append("person.password_changed", f"person:{person.id}", actor=person.id)


def create_account(by, *, partnership, display_name, roles, password, email=None, username=None, organisation=None,
                   statutory_partner_id=None, acting_for_id=None):
    """An account that can sign in at once (demo data and set-up commands; people are otherwise invited)."""
    check_new_password(password)
    grants.check_separation(roles)
    with transaction() as session:
        person = Person(partnership_id=partnership.id, organisation_id=organisation.id if organisation else None,
                        display_name=display_name, email=normalise_login(email) or None,
                        username=normalise_login(username) or None, password_hash=hash_password(password),
                        password_changed_at=utcnow())
        session.add(person)
        grant_roles(person, roles, statutory_partner_id, acting_for_id)
        session.flush()
        trail.append("person.created", f"person:{person.id}",
                     {"organisation": person.organisation_id, "roles": sorted(r.value for r in roles)},
                     actor=by.id if by else None)
    return person
