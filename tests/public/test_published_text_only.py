"""What is published is what was consulted on and signed: a working draft's words never reach the public or a
participant, even when an answer points at a section that the working draft is rewriting."""
from datetime import date

import pytest

from app.accounts.models import Role
from app.drafts import services as drafts
from app.partnerships.models import PartnerKind
from app.responses import services as responses
from app.signoff import services as signoff
from tests.conftest import PASSWORD
from tests.site.test_downloads import crawl

TITLE_MARKER = "UNPUBLISHED-TITLE-R"
BODY_MARKER = "UNPUBLISHED-BODY-R"


@pytest.fixture
def published_with_a_working_draft(closed, facilitator, leads):
    """The consulted version signed off and published; then version 2 started, a section renamed in it, and a
    comment answered as changed in that section."""
    consulted = closed.version
    working = drafts.new_version_from(facilitator, consulted)
    section = working.sections[0]
    drafts.update_section(facilitator, section, title=TITLE_MARKER, body=BODY_MARKER)
    offered = responses.later_sections(closed)
    assert all(TITLE_MARKER not in s.title for s in offered)
    items = responses.answered_comments(closed)
    for item in items:
        responses.respond(facilitator, closed, outcome="accepted", reason="We changed it", comment=item.comment,
                          changed_section_key=section.key)
    assert TITLE_MARKER not in responses.section_titles(closed).values()
    request = signoff.request_signoff(facilitator, closed, consulted, effective_date=date(2027, 4, 1))
    for kind in PartnerKind:
        request = signoff.get_request(request.id)
        signoff.decide(leads[kind], request, signoff.partner_by_id(signoff.authority_of(leads[kind]).partner_id),
                       decision="approved", password=PASSWORD)
    assert signoff.publication_of(consulted.id) is not None
    return closed


def _sign_in(client, person):
    from tests.conftest import csrf_token

    response = client.post("/login", data={"email": person.login_name, "password": PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 303


@pytest.mark.parametrize("who", ["public", "practitioner", "vcs", "young"])
def test_a_working_draft_marker_reaches_no_public_or_participant_page(app, published_with_a_working_draft,
                                                                      practitioner, vcs, young, who):
    client = app.test_client()
    if who != "public":
        _sign_in(client, {"practitioner": practitioner, "vcs": vcs, "young": young}[who])
    consultation = published_with_a_working_draft
    start = ["/arrangements", f"/consultations/{consultation.id}/report", f"/consultations/{consultation.id}"]
    pages = crawl(client, start=start, bodies=True)[0]
    assert any(path.startswith("/arrangements/") for path in pages)
    for path, body in pages.items():
        assert TITLE_MARKER not in body and BODY_MARKER not in body, path


def test_the_section_choice_offers_only_published_sections(app, closed, facilitator):
    working = drafts.new_version_from(facilitator, closed.version)
    drafts.update_section(facilitator, working.sections[0], title=TITLE_MARKER, body="x")
    assert TITLE_MARKER not in {s.title for s in responses.later_sections(closed)}
    assert TITLE_MARKER not in responses.section_titles(closed).values()
    drafts.publish_version(facilitator, working, change_note="Renamed")
    assert TITLE_MARKER in {s.title for s in responses.later_sections(closed)}  # once published, it may be named
