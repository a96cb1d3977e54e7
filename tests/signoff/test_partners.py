"""Sign-off rules over a five-area partnership with nine statutory partners (the Avon and Somerset footprint)."""
from datetime import date

import pytest

from app.accounts import services as accounts
from app.accounts.models import Role
from app.errors import DomainError, NotAllowed
from app.partnerships import services as partnerships
from app.partnerships.models import PartnerKind
from app.signoff import services
from app.signoff.models import Publication
from tests.conftest import PASSWORD
from tests.signoff.test_services import answer_all

AREAS = ["Bath and North East Somerset", "Bristol", "North Somerset", "Somerset", "South Gloucestershire"]
BNSSG = ["Bristol", "North Somerset", "South Gloucestershire"]
# The fixture's three partners stand for Bristol's council, the force over all five areas and the BNSSG ICB;
# four more councils and two more ICBs make the nine.
FIXTURE_PARTNERS = {PartnerKind.LOCAL_AUTHORITY: ["Bristol"], PartnerKind.POLICE: AREAS, PartnerKind.ICB: BNSSG}
MORE_PARTNERS = [(f"{area} Council", PartnerKind.LOCAL_AUTHORITY, [area]) for area in AREAS if area != "Bristol"] + [
    ("BSW ICB", PartnerKind.ICB, ["Bath and North East Somerset"]),
    ("Somerset ICB", PartnerKind.ICB, ["Somerset"]),
]


def _areas(partnership, names):
    return [area for area in partnership.areas if area.name in names]


def add_partner_with_lead(partnership, facilitator, name, kind, areas):
    partner = partnerships.add_statutory_partner(facilitator, partnership, name=name, kind=kind,
                                                 areas=_areas(partnership, areas))
    lead = accounts.create_account(None, partnership=partnership, display_name=f"{name} lead",
                                   roles=[Role.LEAD_SIGNATORY], password=PASSWORD,
                                   email=f"lead-{partner.id}@example.org", statutory_partner_id=partner.id)
    return partner, lead


@pytest.fixture
def footprint(partnership, facilitator, leads):
    """[(partner, lead)] for the nine partners of a five-area partnership."""
    partnerships.update_partnership(facilitator, partnership, name="Avon and Somerset", areas=AREAS,
                                    signoff_rule="all_partners")
    nine = []
    for kind, areas in FIXTURE_PARTNERS.items():
        partnerships.set_partner_areas(facilitator, partnership.slots[kind], _areas(partnership, areas))
        nine.append((partnership.slots[kind], leads[kind]))
    for name, kind, areas in MORE_PARTNERS:
        nine.append(add_partner_with_lead(partnership, facilitator, name, kind, areas))
    assert partnerships.coverage_gaps(partnership) == []
    return nine


def _rule(partnership, facilitator, rule, quorum=None):
    partnerships.update_partnership(facilitator, partnership, name=partnership.name, areas=AREAS,
                                    signoff_rule=rule, signoff_quorum=quorum)


def _request(closed, facilitator):
    answer_all(closed, facilitator)
    return services.request_signoff(facilitator, closed, closed.version, effective_date=date(2027, 1, 1))


def _approve_all(request, pairs):
    for partner, lead in pairs:
        services.decide(lead, services.get_request(request.id), partner, decision="approved", password=PASSWORD)


def _published(db):
    return db.session.query(Publication).count() == 1


def test_every_partner_of_nine_must_approve_by_default(db, closed, facilitator, footprint):
    request = _request(closed, facilitator)
    assert services.needed(request) == 9
    _approve_all(request, footprint[:-1])
    assert not _published(db)
    _approve_all(request, footprint[-1:])
    assert _published(db)


def test_all_leads_refuses_a_delegate_and_counts_nine_leads(db, closed, facilitator, footprint, partnership):
    _rule(partnership, facilitator, "all_leads")
    somerset_icb, somerset_lead = footprint[-1]
    delegate = accounts.create_account(None, partnership=partnership, display_name="Delegate", password=PASSWORD,
                                       roles=[Role.DELEGATED_SIGNATORY], email="delegate@example.org",
                                       statutory_partner_id=somerset_icb.id, acting_for_id=somerset_lead.id)
    request = _request(closed, facilitator)
    with pytest.raises(NotAllowed):
        services.decide(delegate, request, somerset_icb, decision="approved", password=PASSWORD)
    _approve_all(request, footprint[:-1])
    assert not _published(db)
    _approve_all(request, footprint[-1:])
    assert _published(db)


def test_n_of_m_publishes_at_the_quorum(db, closed, facilitator, footprint, partnership):
    _rule(partnership, facilitator, "n_of_m", 6)
    request = _request(closed, facilitator)
    assert services.needed(request) == 6
    _approve_all(request, footprint[:5])
    assert not _published(db)
    _approve_all(request, footprint[5:6])
    assert _published(db)


def test_every_area_needs_a_council_police_and_icb_approval_in_each_area(db, closed, facilitator, footprint,
                                                                         partnership):
    # A second force covering Bristol (s16E "any part of") need not approve once the first has.
    add_partner_with_lead(partnership, facilitator, "Second Force", PartnerKind.POLICE, ["Bristol"])
    _rule(partnership, facilitator, "every_area")
    request = _request(closed, facilitator)
    by_name = {partner.name: (partner, lead) for partner, lead in footprint}
    _approve_all(request, [pair for name, pair in by_name.items() if name != "Somerset ICB"])
    assert not _published(db)
    waiting = services.areas_waiting(services.get_request(request.id))
    assert [(area.name, kind) for area, kind in waiting] == [("Somerset", PartnerKind.ICB)]
    _approve_all(request, [by_name["Somerset ICB"]])
    assert _published(db)  # nine of ten partners approved: the second force was not needed


def test_every_area_is_not_asked_for_while_an_area_lacks_a_partner(db, closed, facilitator, footprint, partnership):
    partnerships.set_partner_areas(facilitator, partnership.slots[PartnerKind.ICB], _areas(partnership, ["Bristol"]))
    _rule(partnership, facilitator, "every_area")
    answer_all(closed, facilitator)
    with pytest.raises(DomainError) as error:
        services.request_signoff(facilitator, closed, closed.version, effective_date=date(2027, 1, 1))
    assert "no integrated care board partner covers North Somerset" in error.value.message


def test_the_sign_off_pages_show_the_every_area_rule(client, login, db, closed, facilitator, footprint, partnership):
    _rule(partnership, facilitator, "every_area")
    request = _request(closed, facilitator)
    login(facilitator)
    html = client.get(f"/consultations/{closed.id}/signoff").get_data(as_text=True)
    assert "In every area, a local authority, a police force and an integrated care board must approve" in html
    assert "Somerset ICB" in html and "Bristol Council" not in html  # the fixture's council keeps its name
    assert request.id
