"""Separation of duties (issue 14): nobody grants themselves a role, facilitators are not also the scrutineer or
a signatory, guarded roles wait for a second entitled person, and every change is announced and kept."""
from html import unescape

import pytest
from sqlalchemy import select

from app.accounts import grants, services as accounts
from app.accounts.models import Role, RoleGrantRequest
from app.errors import DomainError, NotAllowed
from app.mail.models import OutboxMessage
from app.partnerships.models import PartnerKind
from app.trail import services as trail


def _edit(by, person, roles, partner=None, acting_for=None, active=True):
    accounts.update_person(by, person, display_name=person.display_name, organisation=person.organisation,
                           roles=roles, active=active, statutory_partner_id=partner.id if partner else None,
                           acting_for_id=acting_for.id if acting_for else None)


def _pending(db, person):
    return db.session.execute(select(RoleGrantRequest).where(RoleGrantRequest.person_id == person.id,
                                                             RoleGrantRequest.status == "pending")).scalars().all()


def _outbox(db):
    return db.session.execute(select(OutboxMessage.to_address, OutboxMessage.subject)).all()


def test_nobody_gives_themselves_a_role(db, facilitator):
    with pytest.raises(DomainError, match="You cannot give yourself a role"):
        _edit(facilitator, facilitator, [Role.FACILITATOR, Role.DSL])
    db.session.rollback()
    db.session.expire_all()
    assert facilitator.roles == {Role.FACILITATOR} and _pending(db, facilitator) == []


@pytest.mark.parametrize("other", [Role.SCRUTINEER, Role.LEAD_SIGNATORY, Role.DELEGATED_SIGNATORY])
def test_a_facilitator_is_not_also_scrutineer_or_signatory(db, partnership, facilitator, make_person, other):
    person = make_person(Role.FACILITATOR)
    with pytest.raises(DomainError, match="A facilitator cannot also be the independent scrutineer or a signatory"):
        _edit(facilitator, person, [Role.FACILITATOR, other], partner=partnership.slots[PartnerKind.POLICE])


def test_a_signatory_grant_waits_for_that_partners_lead(db, partnership, facilitator, make_person):
    police = partnership.slots[PartnerKind.POLICE]
    police_lead = make_person(Role.LEAD_SIGNATORY, partner=PartnerKind.POLICE, email="lead@police.test")
    council_lead = make_person(Role.LEAD_SIGNATORY, partner=PartnerKind.LOCAL_AUTHORITY)
    person = make_person(Role.PRACTITIONER, email="sam@police.test")
    _edit(facilitator, person, [Role.DELEGATED_SIGNATORY], partner=police, acting_for=police_lead)
    assert person.roles == set()  # not yet
    [request] = _pending(db, person)
    assert not grants.may_confirm(facilitator, request) and not grants.may_confirm(council_lead, request)
    assert not grants.may_confirm(person, request)
    with pytest.raises(NotAllowed):
        grants.confirm(council_lead, request)
    grants.confirm(police_lead, request)
    assert person.roles == {Role.DELEGATED_SIGNATORY} and request.decided_by_id == police_lead.id
    assert "role.granted" in [entry["action"] for entry in trail.iter_entries()]
    told = {address for address, subject in _outbox(db) if "Delegated safeguarding partner" in subject}
    assert {"lead@police.test", council_lead.email, "sam@police.test"} <= told
    with pytest.raises(DomainError, match="already been decided"):
        grants.confirm(police_lead, request)


def test_scrutineer_and_dsl_grants_need_a_lead_partner(db, facilitator, make_person):
    other_facilitator = make_person(Role.FACILITATOR)
    lead = make_person(Role.LEAD_SIGNATORY)
    person = make_person(Role.PRACTITIONER)
    _edit(facilitator, person, [Role.PRACTITIONER, Role.DSL])
    assert person.roles == {Role.PRACTITIONER}
    [request] = _pending(db, person)
    assert not grants.may_confirm(other_facilitator, request)
    grants.confirm(lead, request)
    assert person.roles == {Role.PRACTITIONER, Role.DSL}


def test_removals_take_effect_at_once_and_are_announced(db, facilitator, make_person):
    scrutineer = make_person(Role.SCRUTINEER, email="scrutineer@example.org")
    dsl = make_person(Role.DSL)
    _edit(facilitator, dsl, [Role.PRACTITIONER])
    assert dsl.roles == {Role.PRACTITIONER}
    [removal] = db.session.execute(select(RoleGrantRequest).where(RoleGrantRequest.change == "removal")).scalars()
    assert removal.role == "dsl" and removal.status == "confirmed"
    assert ("scrutineer@example.org", "Role removed: Designated safeguarding lead") in _outbox(db)


def test_the_first_lead_comes_from_the_command_line(db, runner, partnership, make_person):
    person = make_person(Role.PRACTITIONER, email="first@council.test")
    result = runner.invoke(args=["grant-first-lead", "first@council.test", "Testshire Council"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert person.roles == {Role.PRACTITIONER, Role.LEAD_SIGNATORY}
    second = make_person(Role.PRACTITIONER, email="second@council.test")
    result = runner.invoke(args=["grant-first-lead", "second@council.test", "Testshire Council"])
    assert result.exit_code != 0 and "already has a lead partner" in result.output
    assert Role.LEAD_SIGNATORY not in second.roles


# --- the pages -----------------------------------------------------------------------------------------------

def _post(client, csrf, path, **data):
    return client.post(path, data=dict(data, csrf_token=csrf(client, path)))


def test_the_form_says_why_a_facilitator_cannot_be_the_scrutineer(client, csrf, login, facilitator):
    login(facilitator)
    path = f"/admin/people/{facilitator.id}"
    response = _post(client, csrf, path, display_name="Fran Facilitator", organisation="None",
                     roles=["facilitator", "scrutineer"], statutory_partner="None", acting_for="None", active="y")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and 'href="#roles"' in html
    assert "A facilitator cannot also be the independent scrutineer or a signatory" in html
    response = _post(client, csrf, path, display_name="Fran Facilitator", organisation="None",
                     roles=["facilitator", "dsl"], statutory_partner="None", acting_for="None", active="y")
    assert "You cannot give yourself a role" in unescape(response.get_data(as_text=True))
    assert facilitator.roles == {Role.FACILITATOR}


def test_only_those_who_may_confirm_are_asked_by_email_and_on_their_home_page(
        client, login, db, partnership, facilitator, make_person):
    police_lead = make_person(Role.LEAD_SIGNATORY, partner=PartnerKind.POLICE, email="lead@police.test",
                              name="Pat Police")
    council_lead = make_person(Role.LEAD_SIGNATORY, partner=PartnerKind.LOCAL_AUTHORITY, email="lead@council.test")
    person = make_person(Role.PRACTITIONER, name="Sam Signer")
    _edit(facilitator, person, [Role.DELEGATED_SIGNATORY], partner=partnership.slots[PartnerKind.POLICE],
          acting_for=police_lead)
    asked = [address for address, subject in _outbox(db) if subject.startswith("A role waits for you to confirm")]
    assert asked == ["lead@police.test"]  # the police's lead alone may confirm a police signatory
    assert [r.person_id for r in grants.waiting_for(police_lead)] == [person.id]
    assert grants.waiting_for(council_lead) == []
    login(police_lead)
    home = unescape(client.get("/").get_data(as_text=True))
    assert "Roles waiting for you to confirm" in home
    assert "Fran Facilitator asked for Sam Signer to be Delegated safeguarding partner (signatory)" in home


def test_a_lead_confirms_on_the_role_grants_page(app, client, csrf, login, db, partnership, facilitator, make_person):
    lead = make_person(Role.LEAD_SIGNATORY, partner=PartnerKind.POLICE)
    person = make_person(Role.PRACTITIONER, name="Sam Signer")
    _edit(facilitator, person, [Role.LEAD_SIGNATORY], partner=partnership.slots[PartnerKind.POLICE])
    [request] = _pending(db, person)
    scrutineer_view = app.test_client()
    login(make_person(Role.SCRUTINEER), target=scrutineer_view)
    page = scrutineer_view.get("/role-grants").get_data(as_text=True)
    assert "Sam Signer" in page and "Confirm Sam Signer" not in page
    login(lead)
    page = client.get("/role-grants").get_data(as_text=True)
    assert "Confirm Sam Signer as Lead safeguarding partner (signatory)" in unescape(page)
    response = client.post(
        f"/role-grants/{request.id}/confirm", data={"csrf_token": csrf(client, "/role-grants")})
    assert response.status_code == 303
    db.session.expire_all()
    assert Role.LEAD_SIGNATORY in person.roles


def test_people_without_a_part_in_roles_cannot_see_the_history(client, login, make_person):
    login(make_person(Role.PRACTITIONER))
    assert client.get("/role-grants").status_code == 403
