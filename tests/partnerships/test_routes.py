"""The facilitators' pages: people, organisations and the partnership, through their forms."""
from html import unescape

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts import grants
from app.accounts.models import Person, Role, RoleGrantRequest
from app.mail.models import OutboxMessage
from app.partnerships.models import Organisation, PartnerKind
from app.trail import services as trail


@pytest.fixture
def facilitator(make_person, login):
    person = make_person(Role.FACILITATOR, name="Fran Facilitator")
    login(person)
    return person


def _post(client, csrf, path, **data):
    return client.post(path, data=dict(data, csrf_token=csrf(client, path)))


def _person_form(**changes):
    form = {"display_name": "Pat Example", "email": "pat@example.org", "organisation": "None",
            "roles": ["practitioner"], "statutory_partner": "None", "acting_for": "None"}
    form.update(changes)
    return form


def _field_error(response, field_id, message):
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert f'href="#{field_id}"' in html, f"no error summary link to #{field_id}"
    assert message in html


# --- people ------------------------------------------------------------------------------------

def test_invite_a_person(client, csrf, db, facilitator, partnership):
    council = next(o for o in partnership.organisations if o.name == "Testshire Council")
    response = _post(client, csrf, "/admin/people/new", **_person_form(organisation=str(council.id)))
    assert response.status_code == 303 and response.headers["Location"] == "/admin/people"
    people = client.get("/admin/people").get_data(as_text=True)
    assert "Invitation sent to pat@example.org" in people
    assert "Pat Example" in people and "Invited" in people
    person = accounts.find_by_login("pat@example.org")
    assert person.organisation_id == council.id and person.roles == {Role.PRACTITIONER}
    assert db.session.execute(select(OutboxMessage.to_address)).scalars().all() == ["pat@example.org"]


@pytest.mark.parametrize("changes,field,message", [
    ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
    ({"display_name": ""}, "display_name", "Enter the person's full name"),
    ({"roles": []}, "roles", "Choose at least one role"),
    ({"roles": ["lead_signatory"]}, "statutory_partner", "Choose the statutory partner this signatory acts for"),
    ({"roles": ["delegated_signatory"], "statutory_partner": "SLOT"}, "acting_for",
     "Choose the lead safeguarding partner this delegate acts for"),
    ({"roles": ["superuser"]}, "roles", "'superuser' is not a valid choice"),
    ({"organisation": "999999"}, "organisation", "Not a valid choice"),
])
def test_invite_shows_mistakes_on_their_fields(client, csrf, db, facilitator, partnership, changes, field, message):
    slot = partnership.slots[PartnerKind.POLICE]
    changes = {key: (str(slot.id) if value == "SLOT" else value) for key, value in changes.items()}
    response = _post(client, csrf, "/admin/people/new", **_person_form(**changes))
    _field_error(response, field, message)
    assert db.session.execute(select(Person).where(Person.email == "pat@example.org")).first() is None


def test_invite_refuses_an_existing_address(client, csrf, facilitator):
    response = _post(client, csrf, "/admin/people/new", **_person_form(email=facilitator.email.upper()))
    _field_error(response, "email", "already has an account")


def test_invite_a_delegated_signatory(client, csrf, db, facilitator, partnership, make_person):
    lead = make_person(Role.LEAD_SIGNATORY, partner=PartnerKind.POLICE, name="Pat Police")
    slot = partnership.slots[PartnerKind.POLICE]
    page = client.get("/admin/people/new").get_data(as_text=True)
    assert f'<option value="{lead.id}">Pat Police</option>' in page  # leads are offered to act for
    response = _post(client, csrf, "/admin/people/new", **_person_form(
        roles=["delegated_signatory"], statutory_partner=str(slot.id), acting_for=str(lead.id)))
    assert response.status_code == 303
    pat = accounts.find_by_login("pat@example.org")
    assert pat.grants == []  # a signatory waits for their partner's lead to confirm (app/accounts/grants.py)
    [request] = db.session.execute(select(RoleGrantRequest).where(RoleGrantRequest.person_id == pat.id)).scalars()
    grants.confirm(lead, request)
    [grant] = pat.grants
    assert (grant.statutory_partner_id, grant.acting_for_id) == (slot.id, lead.id)


def test_edit_a_person(client, csrf, facilitator, make_person, db):
    person = make_person(Role.PRACTITIONER, name="Old Name")
    page = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert 'value="Old Name"' in page and 'value="practitioner" checked' in page
    response = _post(client, csrf, f"/admin/people/{person.id}", **_person_form(
        display_name="New Name", roles=["practitioner", "youth_worker"], active="y"))
    assert response.status_code == 303
    db.session.expire_all()
    assert person.display_name == "New Name" and person.roles == {Role.PRACTITIONER, Role.YOUTH_WORKER}
    assert person.is_active_account


def test_a_facilitator_cannot_deactivate_themselves(client, csrf, facilitator):
    response = _post(client, csrf, f"/admin/people/{facilitator.id}",
                     **_person_form(display_name="Fran", roles=["facilitator"]))
    _field_error(response, "roles", "You cannot remove your own facilitator role or deactivate yourself")
    assert client.get("/admin/people").status_code == 200


def test_resend_an_invitation(client, csrf, db, facilitator, partnership):
    _post(client, csrf, "/admin/people/new", **_person_form())
    person = accounts.find_by_login("pat@example.org")
    response = client.post(f"/admin/people/{person.id}/resend",
                           data={"csrf_token": csrf(client, f"/admin/people/{person.id}")})
    assert response.status_code == 303
    assert "A new invitation has been sent" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(db.session.execute(select(OutboxMessage)).all()) == 2


def test_resend_is_refused_once_the_password_is_set(client, csrf, facilitator, make_person):
    person = make_person(Role.PRACTITIONER)
    response = client.post(f"/admin/people/{person.id}/resend",
                           data={"csrf_token": csrf(client, f"/admin/people/{person.id}")})
    assert response.status_code == 303
    assert "already set their password" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_people_of_another_partnership_are_not_found(client, facilitator, db):
    from app.partnerships import services as partnerships

    other = partnerships.create_partnership(name="Elsewhere", slug="elsewhere", areas=["Elsewhere"])
    stranger = accounts.create_account(None, partnership=other, display_name="Stranger", roles=[Role.PRACTITIONER],
                                       password="a long enough password", email="stranger@example.org")
    assert client.get(f"/admin/people/{stranger.id}").status_code == 404
    assert "Stranger" not in client.get("/admin/people").get_data(as_text=True)


# --- organisations -----------------------------------------------------------------------------

def test_add_an_organisation(client, csrf, facilitator, partnership, db):
    response = _post(client, csrf, "/admin/organisations", name="Weston College", kind="education_or_childcare",
                     statutory_partner="None")
    assert response.status_code == 303
    page = client.get("/admin/organisations").get_data(as_text=True)
    assert "Weston College has been added" in page
    assert "Designated education or childcare agency" in page
    assert trail.verify_database()[0] == trail.head()[0]


def test_an_organisation_joins_only_a_matching_statutory_partner(client, csrf, facilitator, partnership, db):
    police = partnership.slots[PartnerKind.POLICE]
    response = _post(client, csrf, "/admin/organisations", name="Testshire Fire", kind="relevant_agency",
                     statutory_partner=str(police.id))
    _field_error(response, "statutory_partner", "Only a police can join Testshire Police")
    assert db.session.execute(select(Organisation).where(Organisation.name == "Testshire Fire")).first() is None
    response = _post(client, csrf, "/admin/organisations", name="Transport Police", kind="police",
                     statutory_partner=str(police.id))
    assert response.status_code == 303
    assert "Transport Police" in client.get("/admin/partnership").get_data(as_text=True)


@pytest.mark.parametrize("data,field,message", [
    ({"name": "", "kind": "police"}, "name", "Enter the organisation's name"),
    ({"name": "Somewhere"}, "kind", "Choose the kind of organisation"),
    ({"name": "Testshire Police", "kind": "police"}, "name", "already exists"),
])
def test_organisation_form_mistakes(client, csrf, facilitator, partnership, data, field, message):
    response = _post(client, csrf, "/admin/organisations", statutory_partner="None", **data)
    _field_error(response, field, message)


# --- the partnership ---------------------------------------------------------------------------

def test_update_the_partnership(client, csrf, facilitator, partnership, db):
    page = client.get("/admin/partnership").get_data(as_text=True)
    assert 'value="Test Safeguarding Children Partnership"' in page and "Testshire</textarea>" in page
    response = _post(client, csrf, "/admin/partnership", name="Tees Partnership",
                     areas="Hartlepool\r\nStockton-on-Tees\r\n", signoff_rule="n_of_m", signoff_quorum="2")
    assert response.status_code == 303
    db.session.expire_all()
    assert partnership.name == "Tees Partnership"
    assert [a.name for a in partnership.areas] == ["Hartlepool", "Stockton-on-Tees"]
    assert (partnership.signoff_rule, partnership.signoff_quorum) == ("n_of_m", 2)
    assert "The partnership&#39;s details have been saved" in client.get("/admin/partnership").get_data(as_text=True)


@pytest.mark.parametrize("data,field,message", [
    ({"signoff_rule": "n_of_m", "signoff_quorum": "4"}, "signoff_quorum", "Enter a number of partners from 1 to 3"),
    ({"signoff_rule": "n_of_m", "signoff_quorum": ""}, "signoff_quorum", "Enter a number of partners from 1 to 3"),
    ({"signoff_rule": "n_of_m", "signoff_quorum": "two"}, "signoff_quorum", "Not a valid integer value"),
    ({"signoff_rule": "", "signoff_quorum": ""}, "signoff_rule", "Choose a sign-off rule"),
    ({"signoff_rule": "all_partners", "areas": " \r\n "}, "areas", "Enter at least one local authority area"),
    ({"signoff_rule": "all_partners", "areas": "A\r\na"}, "areas", "Each area must be listed once"),
    ({"signoff_rule": "all_partners", "name": ""}, "name", "Enter the partnership's name"),
])
def test_partnership_form_mistakes(client, csrf, facilitator, partnership, db, data, field, message):
    form = {"name": "Tees", "areas": "Hartlepool"}
    form.update(data)
    response = _post(client, csrf, "/admin/partnership", **form)
    _field_error(response, field, message)
    db.session.expire_all()
    assert partnership.name == "Test Safeguarding Children Partnership"
