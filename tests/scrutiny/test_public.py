"""The published arrangement lists released findings with their answers; open data once it is published."""
from datetime import date, timedelta

import pytest

from app.accounts.models import Role
from app.consultations import services as consultations
from app.partnerships.models import PartnerKind
from app.scrutiny import services
from app.signoff import services as signoff
from tests.conftest import PASSWORD


@pytest.fixture
def published(consultation, facilitator, make_person):
    """The consultation closed, signed off by the three lead partners, and so published."""
    consultations.close_early(facilitator, consultation, "Enough responses")
    request = signoff.request_signoff(facilitator, consultation, consultation.version,
                                      effective_date=date.today() + timedelta(days=30))
    for kind in PartnerKind:
        lead = make_person(Role.LEAD_SIGNATORY, partner=kind)
        partner = signoff.partner_by_id(signoff.authority_of(lead).partner_id)
        signoff.decide(lead, request, partner, decision="approved", password=PASSWORD)
    publication = signoff.publication_of(consultation.version_id)
    assert publication is not None
    return publication


def test_released_findings_and_their_answers_show_on_the_published_arrangement(
        client, consultation, scrutineer, facilitator, published):
    released = services.record_finding(scrutineer, consultation, observation="Released observation",
                                       recommendation="Released recommendation", severity="medium")
    services.set_visibility(scrutineer, released, "shared")
    services.answer_finding(facilitator, released, "The partnership's answer")
    services.set_visibility(scrutineer, released, "released")
    shared = services.record_finding(scrutineer, consultation, observation="Shared only", recommendation="",
                                     severity="low")
    services.set_visibility(scrutineer, shared, "shared")
    services.record_finding(scrutineer, consultation, observation="Private one", recommendation="", severity="high")

    html = client.get(f"/arrangements/{published.slug}").get_data(as_text=True)
    assert "Independent scrutiny" in html
    for text in ("Released observation", "Released recommendation", "The partnership&#39;s answer"):
        assert text in html, text
    assert "Shared only" not in html and "Private one" not in html
    assert f"/open-data/consultations/{consultation.id}.csv" in html


def test_open_data_is_there_once_the_arrangement_is_published(client, consultation, facilitator, practitioner,
                                                              make_person):
    consultations.post_comment(practitioner, consultation, "Open data comment")
    consultations.close_early(facilitator, consultation, "Enough responses")
    assert client.get(f"/open-data/consultations/{consultation.id}.csv").status_code == 404  # closed, not published


def test_open_data_after_publication(client, published, consultation):
    response = client.get(f"/open-data/consultations/{consultation.id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True).startswith("comment_id,consultation_id,section_id")
