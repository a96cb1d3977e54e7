"""What is published is what was consulted on and signed: a working draft's words never reach the public or a
participant, even when an answer points at a section that the working draft is rewriting."""
from datetime import date

import pytest

from app.drafts import services as drafts
from app.partnerships.models import PartnerKind
from app.responses import publishing
from app.responses import services as responses
from app.signoff import services as signoff
from tests.conftest import PASSWORD
from tests.site.test_downloads import crawl

TITLE_MARKER = "UNPUBLISHED-TITLE-R"
BODY_MARKER = "UNPUBLISHED-BODY-R"


@pytest.fixture
def published_with_a_working_draft(closed, facilitator, leads):
    """Version 2 (a section really changed) signed off and published; then version 3 started, that section
    renamed in it to a marker, and an answer amended to point at it (as in the issue)."""
    second = drafts.new_version_from(facilitator, closed.version)
    section = second.sections[0]
    drafts.update_section(facilitator, section, title="Changed after the consultation", body="New words")
    drafts.publish_version(facilitator, second, change_note="After the consultation")
    for item in responses.answered_comments(closed):
        responses.respond(facilitator, closed, outcome="accepted", reason="We changed it", comment=item.comment,
                          changed_section_key=section.key)
    publishing.publish_answers(facilitator, closed)
    request = signoff.request_signoff(facilitator, closed, second, effective_date=date(2027, 4, 1))
    for kind in PartnerKind:
        request = signoff.get_request(request.id)
        signoff.decide(leads[kind], request, signoff.partner_by_id(signoff.authority_of(leads[kind]).partner_id),
                       decision="approved", password=PASSWORD)
    assert signoff.publication_of(second.id) is not None
    third = drafts.new_version_from(facilitator, second)
    drafts.update_section(facilitator, third.sections[0], title=TITLE_MARKER, body=BODY_MARKER)
    assert all(TITLE_MARKER not in s.title for s in responses.later_sections(closed))
    item = responses.answered_comments(closed)[0]
    responses.respond(facilitator, closed, outcome="partly_accepted", reason="We changed part of it",
                      comment=item.comment, changed_section_key=section.key, amendment_reason="Clearer wording")
    assert TITLE_MARKER not in responses.section_titles(closed).values()
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
