"""Answers are frozen once sign-off is asked for: a later change is an amendment with a reason, logged, shown
with the earlier wording, and the partners who had already decided are emailed. An answer that says a section
changed must point at a real change in the version to be signed."""
import argparse
import html as html_lib
import re
from datetime import date

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.demo import DEMO_PASSWORD, load_demo_data
from app.drafts import services as drafts
from app.errors import DomainError
from app.extensions import db
from app.mail.models import OutboxMessage
from app.responses import publishing
from app.responses import services as responses
from app.signoff import services as signoff
from app.signoff.models import Publication
from app.trail import services as trail
from app.trail import verify_log
from tests.conftest import csrf_token

PARTNERS = ("la.partner@demo.test", "police.partner@demo.test", "icb.partner@demo.test")


@pytest.fixture
def published(app):
    load_demo_data()
    publication = db.session.query(Publication).one()
    return publication.request.consultation


def _facilitator():
    return accounts.find_by_login("facilitator@demo.test")


def test_after_sign_off_a_change_without_a_reason_is_refused(published):
    item = responses.answered_comments(published)[0]
    before = trail.head()
    with pytest.raises(DomainError) as refused:
        responses.respond(_facilitator(), published, outcome="not_accepted", reason="Changed our minds",
                          comment=item.comment)
    assert refused.value.field == "amendment_reason"
    with pytest.raises(DomainError):
        responses.create_theme(_facilitator(), published, "A late theme")
    assert trail.head() == before


def test_an_amendment_is_logged_shown_with_the_earlier_wording_and_told_to_the_partners(app, client, published,
                                                                                         tmp_path):
    item = responses.answered_comments(published)[0]
    earlier = item.response.reason
    responses.respond(_facilitator(), published, outcome="partly_accepted", reason="Only part of it, in the end",
                      comment=item.comment, amendment_reason="The police could not staff it")
    entry = list(trail.iter_entries())[-1]
    assert entry["action"] == "response.amended"
    assert entry["data"]["amendment_reason_sha256"] == trail.text_hash("The police could not staff it")
    assert entry["data"]["previous_outcome"] == "accepted" and entry["data"]["outcome"] == "partly_accepted"
    page = html_lib.unescape(client.get("/arrangements/thematic-groups").get_data(as_text=True))
    assert re.search(r"Amended on \d{1,2} \w+ \d{4}, after sign-off:</strong> The police could not staff it", page)
    details = page[page.index("The police could not staff it"):]
    assert "<details" in details[:400] and earlier in details[:1500]
    assert "Only part of it, in the end" in page
    sent = db.session.execute(select(OutboxMessage.to_address, OutboxMessage.subject)).all()
    told = {to for to, subject in sent if subject.startswith("An answer was amended after sign-off")}
    assert told == set(PARTNERS)
    # The export still verifies: the amended answer's row matches its response.amended entry.
    scrutineer = app.test_client()
    scrutineer.post("/login", data={"email": "scrutineer@demo.test", "password": DEMO_PASSWORD,
                                    "csrf_token": csrf_token(scrutineer, "/login")})
    path = tmp_path / "export.zip"
    path.write_bytes(scrutineer.get(f"/scrutiny/consultations/{published.id}/export.zip").get_data())
    assert verify_log._run(argparse.Namespace(log=str(path), head=None, seq=None))[0] > 0


def test_the_public_page_links_a_changed_answer_to_its_section_in_the_final_version(app, client, closed, facilitator,
                                                                                   leads):
    from app.partnerships.models import PartnerKind
    from tests.conftest import PASSWORD

    second = drafts.new_version_from(facilitator, closed.version)
    section = second.sections[0]
    for item in responses.answered_comments(closed):
        responses.respond(facilitator, closed, outcome="accepted", reason="We changed it", comment=item.comment,
                          changed_section_key=section.key)
    publishing.publish_answers(facilitator, closed)
    drafts.publish_version(facilitator, second, change_note="Nothing changed, in fact")
    with pytest.raises(DomainError, match="the same as the consulted version"):
        signoff.request_signoff(facilitator, closed, second, effective_date=date(2027, 4, 1))
    client.post("/login", data={"email": facilitator.login_name, "password": PASSWORD,
                                "csrf_token": csrf_token(client, "/login")})
    page = client.get(f"/consultations/{closed.id}/signoff").get_data(as_text=True)
    assert 'id="unchanged-sections"' in page
    assert 'id="unchanged-sections"' in client.get(f"/consultations/{closed.id}/report").get_data(as_text=True)
    third = drafts.new_version_from(facilitator, second)
    drafts.update_section(facilitator, third.sections[0], title="Changed for real", body="New words")
    drafts.publish_version(facilitator, third, change_note="The change")
    request = signoff.request_signoff(facilitator, closed, third, effective_date=date(2027, 4, 1))
    for kind in PartnerKind:
        request = signoff.get_request(request.id)
        signoff.decide(leads[kind], request, signoff.partner_by_id(signoff.authority_of(leads[kind]).partner_id),
                       decision="approved", password=PASSWORD)
    publication = signoff.publication_of(third.id)
    page = app.test_client().get(f"/arrangements/{publication.slug}").get_data(as_text=True)
    assert f'href="/arrangements/{publication.slug}/v/{third.number}#section-{section.key}"' in page
    assert "Changed in the final version" in page
