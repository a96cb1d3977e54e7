"""The rules for the partnership, its areas, organisations, statutory partners and sign-off rule."""
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.database import transaction
from app.errors import DomainError
from app.partnerships import services
from app.partnerships.models import (Organisation, OrganisationKind, Partnership, PartnerKind, SignOffRule,
                                     StatutoryPartnerMember)
from app.trail import services as trail


def _last_entry():
    return list(trail.iter_entries())[-1]


def _update(facilitator, partnership, **changes):
    fields = dict(name=partnership.name, areas=[a.name for a in partnership.areas],
                  signoff_rule=partnership.signoff_rule, signoff_quorum=partnership.signoff_quorum)
    fields.update(changes)
    services.update_partnership(facilitator, partnership, **fields)


def test_a_new_partnership_has_its_areas_and_the_default_rule(app):
    partnership = services.create_partnership(name="Hartlepool and Stockton-on-Tees", slug="tees",
                                              areas=["Hartlepool", "Stockton-on-Tees"])
    assert [a.name for a in partnership.areas] == ["Hartlepool", "Stockton-on-Tees"]
    assert partnership.signoff_rule == SignOffRule.ALL_PARTNERS.value and partnership.signoff_quorum is None
    assert services.current_partnership().id == partnership.id
    entry = _last_entry()
    assert entry["action"] == "partnership.created"
    assert entry["data"] == {"name": "Hartlepool and Stockton-on-Tees", "areas": ["Hartlepool", "Stockton-on-Tees"]}


def test_the_fixture_partnership_has_three_statutory_partners(partnership):
    kinds = [p.kind for p in partnership.statutory_partners]
    assert kinds == ["local_authority", "police", "icb"]
    for partner in partnership.statutory_partners:
        assert [o.kind for o in partner.organisations] == [partner.kind]


# --- organisations -----------------------------------------------------------------------------

def test_add_an_organisation(partnership, facilitator):
    organisation = services.add_organisation(facilitator, partnership, name="  Weston College ",
                                             kind=OrganisationKind.EDUCATION_OR_CHILDCARE)
    assert organisation.name == "Weston College" and organisation.statutory_partner is None
    assert organisation.kind_label == "Designated education or childcare agency"
    entry = _last_entry()
    assert entry["action"] == "organisation.added" and entry["actor"] == facilitator.id
    assert entry["data"] == {"name": "Weston College", "kind": "education_or_childcare", "statutory_partner": None}


def test_organisation_names_are_unique_in_a_partnership(partnership, facilitator):
    before = trail.head()[0]
    with pytest.raises(DomainError) as error:
        services.add_organisation(facilitator, partnership, name="Testshire Police ", kind=OrganisationKind.POLICE)
    assert error.value.field == "name"
    assert trail.head()[0] == before


def test_a_statutory_partner_slot_may_hold_several_organisations_of_its_kind(db, partnership, facilitator):
    police = partnership.slots[PartnerKind.POLICE]
    second = services.add_organisation(facilitator, partnership, name="British Transport Police",
                                       kind=OrganisationKind.POLICE, statutory_partner=police)
    db.session.expire_all()
    assert second.statutory_partner.id == police.id
    assert sorted(o.name for o in police.organisations) == ["British Transport Police", "Testshire Police"]
    assert _last_entry()["data"]["statutory_partner"] == police.id


@pytest.mark.parametrize("kind", [k for k in OrganisationKind if k.value != "police"])
def test_only_a_matching_kind_joins_a_statutory_partner(db, partnership, facilitator, kind):
    police = partnership.slots[PartnerKind.POLICE]
    before = trail.head()[0]
    with pytest.raises(DomainError) as error:
        services.add_organisation(facilitator, partnership, name="Wrong kind", kind=kind, statutory_partner=police)
    assert error.value.field == "statutory_partner"
    assert "Only a police" in error.value.message
    assert db.session.execute(select(Organisation).where(Organisation.name == "Wrong kind")).first() is None
    assert trail.head()[0] == before


@pytest.mark.parametrize("partner_kind,organisation_kind", [
    (PartnerKind.LOCAL_AUTHORITY, OrganisationKind.LOCAL_AUTHORITY),
    (PartnerKind.POLICE, OrganisationKind.POLICE),
    (PartnerKind.ICB, OrganisationKind.ICB),
])
def test_each_statutory_partner_takes_its_own_kind(partnership, facilitator, partner_kind, organisation_kind):
    slot = partnership.slots[partner_kind]
    organisation = services.add_organisation(facilitator, partnership, name="Another body", kind=organisation_kind,
                                             statutory_partner=slot)
    assert organisation.statutory_partner.id == slot.id


def test_an_organisation_belongs_to_at_most_one_statutory_partner(db, partnership):
    council = next(o for o in partnership.organisations if o.name == "Testshire Council")
    with pytest.raises(IntegrityError):
        with transaction() as session:
            session.add(StatutoryPartnerMember(statutory_partner_id=partnership.slots[PartnerKind.ICB].id,
                                               organisation_id=council.id))
    db.session.rollback()


def test_the_database_refuses_unknown_kinds(db, partnership):
    with pytest.raises(IntegrityError):
        with transaction() as session:
            session.add(Organisation(partnership_id=partnership.id, name="Odd", kind="charity"))
    db.session.rollback()
    with pytest.raises(ValueError):
        services.add_statutory_partner(None, partnership, name="Fire", kind="fire")


def test_add_a_statutory_partner(partnership, facilitator):
    partner = services.add_statutory_partner(facilitator, partnership, name="Second Police Force",
                                             kind=PartnerKind.POLICE)
    assert partner.kind_label == "Police"
    assert _last_entry()["action"] == "statutory_partner.added"


# --- the partnership's details -----------------------------------------------------------------

def test_update_the_name_and_areas(db, partnership, facilitator):
    _update(facilitator, partnership, name=" Testshire and Exampleton Partnership ",
            areas=[" Exampleton ", "", "Testshire", "Newtown"])
    db.session.expire_all()
    assert partnership.name == "Testshire and Exampleton Partnership"
    assert [a.name for a in partnership.areas] == ["Exampleton", "Newtown", "Testshire"]
    entry = _last_entry()
    assert entry["action"] == "partnership.updated" and entry["actor"] == facilitator.id
    assert entry["data"]["areas"] == ["Exampleton", "Testshire", "Newtown"]
    _update(facilitator, partnership, areas=["Newtown"])
    db.session.expire_all()
    assert [a.name for a in partnership.areas] == ["Newtown"]


def test_an_area_can_be_renamed_by_case(db, partnership, facilitator):
    _update(facilitator, partnership, areas=["TESTSHIRE"])
    db.session.expire_all()
    assert [a.name for a in partnership.areas] == ["TESTSHIRE"]


@pytest.mark.parametrize("areas,message", [
    ([], "at least one"), (["", "  "], "at least one"), (["Testshire", "testshire "], "once"),
])
def test_areas_must_be_given_once_each(db, partnership, facilitator, areas, message):
    before = trail.head()[0]
    with pytest.raises(DomainError, match=message) as error:
        _update(facilitator, partnership, areas=areas)
    assert error.value.field == "areas"
    db.session.expire_all()
    assert [a.name for a in partnership.areas] == ["Testshire"]
    assert trail.head()[0] == before


@pytest.mark.parametrize("quorum", [1, 2, 3])
def test_n_of_m_takes_a_quorum_from_one_to_the_number_of_partners(db, partnership, facilitator, quorum):
    _update(facilitator, partnership, signoff_rule="n_of_m", signoff_quorum=quorum)
    db.session.expire_all()
    assert (partnership.signoff_rule, partnership.signoff_quorum) == ("n_of_m", quorum)
    assert _last_entry()["data"]["signoff_quorum"] == quorum


@pytest.mark.parametrize("quorum", [None, 0, -1, 4])
def test_n_of_m_refuses_a_quorum_out_of_bounds(db, partnership, facilitator, quorum):
    with pytest.raises(DomainError, match="from 1 to 3") as error:
        _update(facilitator, partnership, signoff_rule="n_of_m", signoff_quorum=quorum)
    assert error.value.field == "signoff_quorum"
    db.session.expire_all()
    assert partnership.signoff_rule == "all_partners"


def test_a_fourth_partner_raises_the_upper_bound(db, partnership, facilitator):
    services.add_statutory_partner(facilitator, partnership, name="Second ICB", kind=PartnerKind.ICB)
    db.session.expire_all()
    _update(facilitator, partnership, signoff_rule="n_of_m", signoff_quorum=4)
    assert partnership.signoff_quorum == 4


@pytest.mark.parametrize("rule", ["all_partners", "all_leads"])
def test_other_rules_keep_no_quorum(db, partnership, facilitator, rule):
    _update(facilitator, partnership, signoff_rule="n_of_m", signoff_quorum=2)
    _update(facilitator, partnership, signoff_rule=rule, signoff_quorum=2)
    db.session.expire_all()
    assert (partnership.signoff_rule, partnership.signoff_quorum) == (rule, None)


def test_an_unknown_rule_is_refused(partnership, facilitator):
    with pytest.raises(ValueError):
        _update(facilitator, partnership, signoff_rule="majority")


@pytest.mark.parametrize("rule,quorum", [("n_of_m", None), ("n_of_m", 0), ("all_partners", 2), ("unanimous", None)])
def test_the_database_holds_the_signoff_rule(db, partnership, rule, quorum):
    with pytest.raises(IntegrityError):
        with transaction() as session:
            session.add(Partnership(name=f"Other {rule} {quorum}", slug="other", signoff_rule=rule,
                                    signoff_quorum=quorum))
    db.session.rollback()


def test_the_partnership_needs_a_name(partnership, facilitator):
    with pytest.raises(DomainError) as error:
        _update(facilitator, partnership, name="  ")
    assert error.value.field == "name"
