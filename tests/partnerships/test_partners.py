"""Any number of statutory partners, each covering some of the partnership's areas (issue 16)."""
from html import unescape

import pytest

from app.accounts.models import Role
from app.errors import DomainError
from app.partnerships import services
from app.partnerships.models import PartnerKind
from app.trail import services as trail


@pytest.fixture
def tees(partnership, facilitator):
    """The fixture partnership made into Hartlepool and Stockton-on-Tees (its three partners cover both)."""
    services.update_partnership(facilitator, partnership, name=partnership.name,
                                areas=["Hartlepool", "Stockton-on-Tees"], signoff_rule="all_partners")
    return partnership


def _area(partnership, name):
    return next(area for area in partnership.areas if area.name == name)


def test_existing_partners_keep_covering_areas_added_later_only_when_told(db, tees):
    # Renaming "Testshire" away drops its coverage; the new areas are covered by nobody until a facilitator says.
    assert all(partner.areas == [] for partner in tees.statutory_partners)
    assert len(services.coverage_gaps(tees)) == 6


def test_two_councils_each_cover_their_own_area(db, tees, facilitator):
    hartlepool = services.add_statutory_partner(facilitator, tees, name="Hartlepool Borough Council",
                                                kind=PartnerKind.LOCAL_AUTHORITY, areas=[_area(tees, "Hartlepool")])
    stockton = services.add_statutory_partner(facilitator, tees, name="Stockton-on-Tees Borough Council",
                                              kind="local_authority", areas=[_area(tees, "Stockton-on-Tees")])
    assert [a.name for a in hartlepool.areas] == ["Hartlepool"]
    assert [a.name for a in stockton.areas] == ["Stockton-on-Tees"]
    entry = list(trail.iter_entries())[-1]
    assert entry["action"] == "statutory_partner.added" and entry["data"]["areas"] == [_area(tees, "Stockton-on-Tees").id]
    gaps = {(area.name, kind) for area, kind in services.coverage_gaps(tees)}
    assert gaps == {(a, k) for a in ("Hartlepool", "Stockton-on-Tees") for k in (PartnerKind.POLICE, PartnerKind.ICB)}


def test_a_police_force_covers_several_areas_and_its_areas_can_change(db, tees, facilitator):
    police = services.add_statutory_partner(facilitator, tees, name="Cleveland Police", kind="police",
                                            areas=[_area(tees, "Hartlepool")])
    services.set_partner_areas(facilitator, police, list(tees.areas))
    db.session.expire_all()
    assert [a.name for a in police.areas] == ["Hartlepool", "Stockton-on-Tees"]
    assert list(trail.iter_entries())[-1]["action"] == "statutory_partner.areas_changed"


@pytest.mark.parametrize("name,areas,field", [
    ("", None, "name"), ("Testshire Police", None, "name"), ("New ICB", [], "areas")])
def test_adding_a_partner_needs_a_new_name_and_an_area(tees, facilitator, name, areas, field):
    with pytest.raises(DomainError) as error:
        services.add_statutory_partner(facilitator, tees, name=name, kind="icb", areas=areas)
    assert error.value.field == field


def test_a_partner_covers_only_its_own_partnerships_areas(app, tees, facilitator):
    other = services.create_partnership(name="Elsewhere", slug="elsewhere", areas=["Elsewhere"])
    with pytest.raises(DomainError):
        services.add_statutory_partner(facilitator, tees, name="New ICB", kind="icb", areas=other.areas)


def test_a_partner_added_without_areas_covers_them_all(partnership):
    assert all([a.name for a in p.areas] == ["Testshire"] for p in partnership.statutory_partners)


# --- the facilitator's form on /admin/partnership ----------------------------------------------------

@pytest.fixture
def signed_in(facilitator, login):
    login(facilitator)
    return facilitator


def test_a_facilitator_adds_a_partner_and_says_which_areas_it_covers(client, csrf, db, tees, signed_in):
    page = client.get("/admin/partnership").get_data(as_text=True)
    assert "Add a statutory partner" in page and "no police partner covers Hartlepool" in page
    token = csrf(client, "/admin/partnership")
    response = client.post("/admin/partnership/partners", data={
        "csrf_token": token, "partner-name": "Cleveland Police", "partner-kind": "police",
        "partner-areas": [str(a.id) for a in tees.areas]})
    assert response.status_code == 303
    db.session.expire_all()
    police = next(p for p in tees.statutory_partners if p.name == "Cleveland Police")
    assert [a.name for a in police.areas] == ["Hartlepool", "Stockton-on-Tees"]
    page = unescape(client.get("/admin/partnership").get_data(as_text=True))
    assert "Cleveland Police has been added as a statutory partner" in page
    assert "no police partner covers Hartlepool" not in page


@pytest.mark.parametrize("data,field,message", [
    ({"partner-name": ""}, "partner-name", "Enter the statutory partner's name"),
    ({"partner-kind": ""}, "partner-kind", "Choose the kind of statutory partner"),
    ({"partner-areas": []}, "partner-areas", "Choose at least one area this partner covers"),
    ({"partner-name": "Testshire Police"}, "partner-name", "A statutory partner with this name already exists"),
])
def test_the_add_partner_form_shows_mistakes(client, csrf, db, tees, signed_in, data, field, message):
    form = {"partner-name": "Cleveland Police", "partner-kind": "police",
            "partner-areas": [str(tees.areas[0].id)], "csrf_token": csrf(client, "/admin/partnership")}
    form.update(data)
    response = client.post("/admin/partnership/partners", data=form)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and f'href="#{field}"' in html and message in html
    db.session.expire_all()
    assert len(tees.statutory_partners) == 3


def test_a_facilitator_changes_the_areas_a_partner_covers(client, csrf, db, tees, signed_in):
    police = tees.slots[PartnerKind.POLICE]
    path = f"/admin/partnership/partners/{police.id}"
    assert "Areas it covers" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf(client, path),
                                       "partner-areas": [str(_area(tees, "Hartlepool").id)]})
    assert response.status_code == 303
    db.session.expire_all()
    assert [a.name for a in police.areas] == ["Hartlepool"]


def test_only_facilitators_change_partners(client, login, make_person, tees):
    login(make_person(Role.PRACTITIONER))
    assert client.get(f"/admin/partnership/partners/{tees.slots[PartnerKind.POLICE].id}").status_code == 403
