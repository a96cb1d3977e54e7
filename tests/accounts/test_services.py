"""The rules for people, roles, invitations, passwords and sessions (no HTTP)."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.accounts import services
from app.accounts.models import AccountToken, AuthSession, Person, Role, RoleGrant
from app.database import transaction
from app.errors import DomainError
from app.mail.models import OutboxMessage
from app.partnerships.models import PartnerKind
from app.timeutil import utcnow
from app.trail import services as trail
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase"


def _organisation(partnership, name="Testshire Council"):
    return next(o for o in partnership.organisations if o.name == name)


def _invite(facilitator, partnership, email="new.person@example.org", roles=(Role.PRACTITIONER,), **extra):
    return services.invite_person(facilitator, partnership=partnership, display_name="  New Person ", email=email,
                                  organisation=_organisation(partnership), roles=list(roles), **extra)


def _link_token(message, kind="invitations"):
    return re.search(rf"/{kind}/([A-Za-z0-9_-]+)", message.body_text).group(1)


def _outbox(db):
    return db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


def _log_actions():
    return [entry["action"] for entry in trail.iter_entries()]


# --- inviting ----------------------------------------------------------------------------------

def test_invite_creates_an_account_without_password_and_queues_one_email(db, partnership, facilitator):
    person = _invite(facilitator, partnership, email="New.Person@Example.ORG")
    assert person.email == "new.person@example.org"
    assert person.display_name == "New Person"
    assert person.password_hash is None and not person.is_active
    assert person.roles == {Role.PRACTITIONER}
    [message] = _outbox(db)
    assert message.to_address == "new.person@example.org" and message.status == "queued"
    assert "http://portal.test/invitations/" in message.body_text
    assert services.token_person(_link_token(message), "invitation").person_id == person.id
    entries = list(trail.iter_entries())
    assert entries[-1]["action"] == "person.invited"
    assert entries[-1]["subject"] == f"person:{person.id}" and entries[-1]["actor"] == facilitator.id
    assert entries[-1]["data"] == {"organisation": person.organisation_id, "roles": ["practitioner"]}
    assert "new.person" not in str(entries[-1])  # no personal data in the log


def test_invite_refuses_an_address_that_already_has_an_account(db, partnership, facilitator):
    _invite(facilitator, partnership)
    count_before = trail.head()[0]
    with pytest.raises(DomainError) as error:
        _invite(facilitator, partnership, email="NEW.person@example.org ")
    assert error.value.field == "email"
    assert len(_outbox(db)) == 1
    assert trail.head()[0] == count_before


def test_only_the_token_hash_is_stored(db, partnership, facilitator):
    _invite(facilitator, partnership)
    token = _link_token(_outbox(db)[0])
    stored = db.session.execute(select(AccountToken.token_hash)).scalar_one()
    assert token not in stored and len(stored) == 64


def test_accepting_an_invitation_sets_the_password_once(db, partnership, facilitator):
    person = _invite(facilitator, partnership)
    token = _link_token(_outbox(db)[0])
    accepted = services.accept_invitation(token, NEW_PASSWORD)
    assert accepted.id == person.id and accepted.is_active
    assert services.authenticate("new.person@example.org", NEW_PASSWORD).id == person.id
    assert "person.activated" in _log_actions()
    with pytest.raises(DomainError):
        services.accept_invitation(token, "another good passphrase")
    assert services.authenticate("new.person@example.org", NEW_PASSWORD).id == person.id


def test_an_expired_invitation_cannot_be_accepted(db, partnership, facilitator, monkeypatch):
    _invite(facilitator, partnership)
    token = _link_token(_outbox(db)[0])
    later = utcnow() + timedelta(hours=72, minutes=1)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    assert services.token_person(token, "invitation") is None
    with pytest.raises(DomainError):
        services.accept_invitation(token, NEW_PASSWORD)


def test_a_rejected_password_does_not_use_up_the_invitation(db, partnership, facilitator):
    _invite(facilitator, partnership)
    token = _link_token(_outbox(db)[0])
    with pytest.raises(DomainError) as error:
        services.accept_invitation(token, "short")
    assert error.value.field == "password"
    assert services.accept_invitation(token, NEW_PASSWORD).is_active


def test_an_invitation_link_is_not_a_password_reset_link(db, partnership, facilitator):
    _invite(facilitator, partnership)
    token = _link_token(_outbox(db)[0])
    assert services.token_person(token, "password_reset") is None
    with pytest.raises(DomainError):
        services.reset_password(token, NEW_PASSWORD)


def test_resending_an_invitation_replaces_the_old_link(db, partnership, facilitator):
    person = _invite(facilitator, partnership)
    old = _link_token(_outbox(db)[0])
    services.resend_invitation(facilitator, person)
    messages = _outbox(db)
    assert len(messages) == 2
    new = _link_token(messages[1])
    assert services.token_person(old, "invitation") is None
    assert services.accept_invitation(new, NEW_PASSWORD).id == person.id
    with pytest.raises(DomainError):
        services.resend_invitation(facilitator, person)


# --- passwords ---------------------------------------------------------------------------------

@pytest.mark.parametrize("password,message", [
    ("x" * 11, "12 characters or more"),
    ("x" * 257, "256 characters or fewer"),
])
def test_password_length_rules(app, password, message):
    with pytest.raises(DomainError, match=message) as error:
        services.check_new_password(password)
    assert error.value.field == "password"


def test_a_password_may_not_be_the_login_name(make_person):
    person = make_person(Role.PRACTITIONER, email="someone.long@example.org")
    with pytest.raises(DomainError, match="same as your email"):
        services.check_new_password(" Someone.Long@Example.org", person)
    young = make_person(Role.YOUNG_PERSON, username="skateboarder2009")
    with pytest.raises(DomainError):
        services.check_new_password("SKATEBOARDER2009", young)
    services.check_new_password("x" * 12, person)
    services.check_new_password("x" * 256, person)


def test_passwords_are_stored_as_argon2id(make_person):
    person = make_person()
    assert person.password_hash.startswith("$argon2id$")
    assert PASSWORD not in person.password_hash


def test_change_password_needs_the_current_one_and_ends_every_session(db, make_person):
    person = make_person()
    first, second = services.start_session(person), services.start_session(person)
    with pytest.raises(DomainError) as error:
        services.change_password(person, "not my password", NEW_PASSWORD)
    assert error.value.field == "current_password"
    with pytest.raises(DomainError):
        services.change_password(person, PASSWORD, "short")
    assert services.load_session(first) is not None
    services.change_password(person, PASSWORD, NEW_PASSWORD)
    assert services.load_session(first) is None and services.load_session(second) is None
    assert services.authenticate(person.email, NEW_PASSWORD).id == person.id
    assert services.authenticate(person.email, PASSWORD) is None
    assert _log_actions()[-1] == "person.password_changed"


def test_password_reset_is_emailed_only_to_an_active_account(db, make_person):
    person = make_person()
    services.request_password_reset("nobody@example.org")
    services.request_password_reset("")
    assert _outbox(db) == []
    services.request_password_reset(person.email.upper())
    [message] = _outbox(db)
    assert message.to_address == person.email
    token = _link_token(message, "password/reset")
    assert services.reset_password(token, NEW_PASSWORD).id == person.id
    assert services.authenticate(person.email, NEW_PASSWORD) is not None
    with pytest.raises(DomainError):
        services.reset_password(token, "yet another passphrase")
    assert _log_actions()[-2:] == ["person.password_reset_requested", "person.password_reset"]


def test_no_reset_email_for_deactivated_or_invited_accounts(db, partnership, make_person, facilitator):
    gone = make_person()
    services.update_person(facilitator, gone, display_name=gone.display_name, organisation=gone.organisation,
                           roles=[Role.PRACTITIONER], active=False)
    _invite(facilitator, partnership, email="invited@example.org")
    before = len(_outbox(db))
    services.request_password_reset(gone.email)
    services.request_password_reset("invited@example.org")
    assert len(_outbox(db)) == before


def test_a_password_reset_ends_every_session(make_person, db):
    person = make_person()
    secret = services.start_session(person)
    services.request_password_reset(person.email)
    services.reset_password(_link_token(_outbox(db)[-1], "password/reset"), NEW_PASSWORD)
    assert services.load_session(secret) is None


# --- signing in --------------------------------------------------------------------------------

def test_authenticate_by_email_or_username(make_person):
    person = make_person(email="Mixed.Case@Example.org")
    young = make_person(Role.YOUNG_PERSON, username="youth-one")
    assert services.authenticate("  MIXED.case@example.ORG ", PASSWORD).id == person.id
    assert services.authenticate("Youth-One", PASSWORD).id == young.id


@pytest.mark.parametrize("login,password", [
    ("unknown@example.org", PASSWORD), ("PERSON", "wrong password!"), ("", PASSWORD), ("PERSON", ""),
])
def test_authenticate_fails_without_saying_why(make_person, login, password):
    person = make_person()
    assert services.authenticate(person.email if login == "PERSON" else login, password) is None


def test_invited_and_deactivated_people_cannot_sign_in(db, partnership, make_person, facilitator):
    _invite(facilitator, partnership, email="invited@example.org")
    assert services.authenticate("invited@example.org", "") is None
    assert services.authenticate("invited@example.org", PASSWORD) is None
    gone = make_person()
    services.update_person(facilitator, gone, display_name=gone.display_name, organisation=gone.organisation,
                           roles=[Role.PRACTITIONER], active=False)
    assert services.authenticate(gone.email, PASSWORD) is None


# --- sessions ----------------------------------------------------------------------------------

def _age_session(db, secret, **fields):
    with transaction() as session:
        session.execute(update(AuthSession).where(AuthSession.secret_hash == services._sha256(secret)).values(**fields))


def test_a_session_lives_until_it_ends(make_person):
    person = make_person()
    secret = services.start_session(person, "pytest")
    auth = services.load_session(secret)
    assert auth.person_id == person.id and auth.secret_hash != secret
    assert services.load_session(secret + "x") is None and services.load_session(None) is None
    services.end_session(secret)
    assert services.load_session(secret) is None


def test_idle_sessions_end(app, db, make_person):
    person = make_person()
    secret = services.start_session(person)
    idle = app.config["SESSION_IDLE_TIMEOUT_MINUTES"]
    _age_session(db, secret, last_seen_at=utcnow() - timedelta(minutes=idle - 1))
    assert services.load_session(secret) is not None
    _age_session(db, secret, last_seen_at=utcnow() - timedelta(minutes=idle + 1))
    assert services.load_session(secret) is None


def test_sessions_end_after_their_absolute_lifetime_even_when_active(app, db, make_person):
    person = make_person()
    secret = services.start_session(person)
    hours = app.config["SESSION_ABSOLUTE_LIFETIME_HOURS"]
    _age_session(db, secret, created_at=utcnow() - timedelta(hours=hours, minutes=-1), last_seen_at=utcnow())
    assert services.load_session(secret) is not None
    _age_session(db, secret, created_at=utcnow() - timedelta(hours=hours, minutes=1), last_seen_at=utcnow())
    assert services.load_session(secret) is None


def test_touch_session_records_activity_at_most_once_a_minute(db, make_person):
    person = make_person()
    secret = services.start_session(person)
    seen = utcnow() - timedelta(seconds=30)
    _age_session(db, secret, last_seen_at=seen)
    services.touch_session(services.load_session(secret))
    assert services.load_session(secret).last_seen_at == seen
    _age_session(db, secret, last_seen_at=utcnow() - timedelta(minutes=5))
    services.touch_session(services.load_session(secret))
    assert utcnow() - services.load_session(secret).last_seen_at < timedelta(minutes=1)


def test_deactivating_an_account_ends_its_sessions(make_person, facilitator):
    person = make_person()
    secret = services.start_session(person)
    services.update_person(facilitator, person, display_name=person.display_name, organisation=person.organisation,
                           roles=[Role.PRACTITIONER], active=False)
    assert services.load_session(secret) is None
    assert services.active_sessions(person) == []
    assert _log_actions()[-1] == "person.updated"


def test_a_facilitator_cannot_lock_themselves_out(facilitator):
    for roles, active in [([Role.PRACTITIONER], True), ([Role.FACILITATOR], False)]:
        with pytest.raises(DomainError):
            services.update_person(facilitator, facilitator, display_name="Me", organisation=None,
                                   roles=roles, active=active)
    assert facilitator.has_role(Role.FACILITATOR) and facilitator.is_active_account


# --- accounts and roles ------------------------------------------------------------------------

def test_create_account_can_sign_in_at_once_and_is_logged(partnership):
    person = services.create_account(None, partnership=partnership, display_name="Dana", roles=[Role.DSL],
                                     password=PASSWORD, email="DANA@example.org")
    assert person.email == "dana@example.org" and person.is_active
    assert services.authenticate("dana@example.org", PASSWORD).id == person.id
    entry = list(trail.iter_entries())[-1]
    assert entry["action"] == "person.created" and entry["data"]["roles"] == ["dsl"]


def test_create_account_refuses_a_short_password_before_writing(db, partnership):
    before = trail.head()[0]
    with pytest.raises(DomainError):
        services.create_account(None, partnership=partnership, display_name="Dana", roles=[Role.DSL],
                                password="short", email="dana@example.org")
    assert trail.head()[0] == before
    assert db.session.execute(select(Person).where(Person.email == "dana@example.org")).first() is None


def test_roles_give_audiences(make_person):
    assert make_person(Role.PRACTITIONER).audiences == {"practitioners"}
    assert make_person(Role.VCS_PARTNER).audiences == {"voluntary_and_community"}
    assert make_person(Role.YOUNG_PERSON).audiences == {"young_people"}
    assert make_person(Role.SCRUTINEER).audiences == set()
    dsl = make_person(Role.DSL)
    assert dsl.has_role("dsl") and dsl.has_role(Role.FACILITATOR, Role.DSL) and not dsl.has_role(Role.FACILITATOR)


def test_a_signatory_needs_a_statutory_partner(partnership):
    with pytest.raises(DomainError) as error:
        services.create_account(None, partnership=partnership, display_name="Lee", roles=[Role.LEAD_SIGNATORY],
                                password=PASSWORD, email="lee@example.org")
    assert error.value.field == "statutory_partner"


def test_a_delegate_needs_a_lead(partnership, make_person):
    slot = partnership.slots[PartnerKind.POLICE]
    with pytest.raises(DomainError) as error:
        services.create_account(None, partnership=partnership, display_name="Del", roles=[Role.DELEGATED_SIGNATORY],
                                password=PASSWORD, email="del@example.org", statutory_partner_id=slot.id)
    assert error.value.field == "acting_for"


def test_a_delegate_acts_for_a_lead_of_the_same_statutory_partner(partnership, make_person):
    police_lead = make_person(Role.LEAD_SIGNATORY, partner=PartnerKind.POLICE)
    council_lead = make_person(Role.LEAD_SIGNATORY, partner=PartnerKind.LOCAL_AUTHORITY)
    practitioner = make_person(Role.PRACTITIONER)
    for not_a_fitting_lead in (practitioner, council_lead):
        with pytest.raises(DomainError) as error:
            make_person(Role.DELEGATED_SIGNATORY, partner=PartnerKind.POLICE, acting_for=not_a_fitting_lead)
        assert error.value.field == "acting_for"
    delegate = make_person(Role.DELEGATED_SIGNATORY, partner=PartnerKind.POLICE, acting_for=police_lead)
    [grant] = delegate.grants
    assert grant.acting_for_id == police_lead.id
    assert grant.statutory_partner_id == partnership.slots[PartnerKind.POLICE].id


def test_non_signatory_roles_carry_no_partner(partnership, make_person):
    lead = make_person(Role.LEAD_SIGNATORY)
    person = services.create_account(
        None, partnership=partnership, display_name="Fran", roles=[Role.YOUTH_WORKER, Role.LEAD_SIGNATORY],
        password=PASSWORD, email="fran@example.org", statutory_partner_id=partnership.slots[PartnerKind.ICB].id,
        acting_for_id=lead.id)
    grants = {grant.role: grant for grant in person.grants}
    assert grants["youth_worker"].statutory_partner_id is None and grants["youth_worker"].acting_for_id is None
    assert grants["lead_signatory"].acting_for_id is None


def test_grant_roles_replaces_the_roles(make_person, facilitator):
    person = make_person(Role.PRACTITIONER)
    services.update_person(facilitator, person, display_name="Renamed", organisation=None,
                           roles=[Role.VCS_PARTNER, Role.YOUTH_WORKER], active=True)
    assert person.roles == {Role.VCS_PARTNER, Role.YOUTH_WORKER} and person.display_name == "Renamed"
    assert person.organisation_id is None


def _insert_grant(db, person, **values):
    with pytest.raises(IntegrityError):
        with transaction() as session:
            session.add(RoleGrant(person_id=person.id, **values))
    db.session.rollback()


def test_the_database_refuses_a_signatory_without_a_partner(db, make_person):
    _insert_grant(db, make_person(), role="lead_signatory")


def test_the_database_refuses_a_delegate_without_a_lead(db, partnership, make_person):
    slot = partnership.slots[PartnerKind.POLICE]
    _insert_grant(db, make_person(), role="delegated_signatory", statutory_partner_id=slot.id)


def test_the_database_refuses_a_partner_or_lead_on_other_roles(db, partnership, make_person):
    lead = make_person(Role.LEAD_SIGNATORY)
    slot = partnership.slots[PartnerKind.POLICE]
    _insert_grant(db, make_person(), role="scrutineer", statutory_partner_id=slot.id)
    _insert_grant(db, make_person(), role="lead_signatory", statutory_partner_id=slot.id, acting_for_id=lead.id)


def test_the_database_refuses_unknown_roles_and_duplicate_grants(db, make_person):
    _insert_grant(db, make_person(), role="superuser")
    person = make_person(Role.DSL)
    _insert_grant(db, person, role="dsl")


def test_the_database_refuses_a_person_without_email_or_username(db, partnership):
    with pytest.raises(IntegrityError):
        with transaction() as session:
            session.add(Person(partnership_id=partnership.id, display_name="Nobody"))
    db.session.rollback()


# --- issue 14: older links die ------------------------------------------------------------------------------

def _reset_links(db, person, count):
    for _ in range(count):
        services.request_password_reset(person.email)
    return [_link_token(m, "password/reset") for m in _outbox(db) if m.to_address == person.email][-count:]


def test_a_new_reset_link_cancels_the_older_ones(db, make_person):
    person = make_person()
    older, newer = _reset_links(db, person, 2)
    assert services.token_person(older, "password_reset") is None
    with pytest.raises(DomainError):
        services.reset_password(older, NEW_PASSWORD)
    assert services.reset_password(newer, NEW_PASSWORD).id == person.id


def test_using_a_reset_link_or_changing_the_password_cancels_every_link(db, make_person):
    person = make_person()
    [link] = _reset_links(db, person, 1)
    services.change_password(person, PASSWORD, NEW_PASSWORD)
    assert services.token_person(link, "password_reset") is None
    with pytest.raises(DomainError):
        services.reset_password(link, "yet another passphrase")
    assert services.authenticate(person.email, NEW_PASSWORD) is not None
