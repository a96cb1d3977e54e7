"""Published arrangements: public (no sign-in), the head hash, and earlier versions kept."""
from datetime import date

from app.drafts import services as drafts
from app.partnerships.models import PartnerKind
from app.responses import publishing
from app.responses import services as responses
from app.signoff import services as signoff
from tests.conftest import PASSWORD


def _publish(closed, facilitator, leads, partnership, version, effective=date(2027, 1, 1)):
    request = signoff.request_signoff(facilitator, closed, version, effective_date=effective, waiver_reason="Deadline")
    for kind in PartnerKind:
        signoff.decide(leads[kind], request, partnership.slots[kind], decision="approved", password=PASSWORD)
    return request.publication


def test_the_public_page_needs_no_sign_in_and_shows_what_was_signed(client, closed, facilitator, leads, partnership):
    responses.respond(facilitator, closed, comment=responses.answered_comments(closed)[0].comment,
                      outcome="accepted", reason="We added schools.")
    publishing.publish_answers(facilitator, closed)
    publication = _publish(closed, facilitator, leads, partnership, closed.version)
    assert publication.slug == "proposed-working-groups"
    response = client.get("/arrangements/proposed-working-groups")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert "Early Intervention" in html and "<strong>multi-agency</strong>" in html  # Markdown rendered
    assert "1 January 2027" in html  # effective date
    for kind in PartnerKind:
        assert leads[kind].display_name in html
    assert "You said, we did" in html and "We added schools." in html and "A practitioner" in html
    assert "Priya Practitioner" not in html  # no names on the public page
    assert publication.log_head in html
    assert f"python3 verify_log.py export.zip --head {publication.log_head} --seq {publication.log_seq}" in html
    assert "proposed-working-groups" in client.get("/arrangements").get_data(as_text=True)


def test_earlier_published_versions_stay_available(client, closed, facilitator, leads, partnership):
    first = _publish(closed, facilitator, leads, partnership, closed.version)
    new = drafts.new_version_from(facilitator, closed.version)
    drafts.update_section(facilitator, new.sections[0], title="Early Help", body="Renamed.")
    drafts.publish_version(facilitator, new, change_note="Renamed")
    second = _publish(closed, facilitator, leads, partnership, new, effective=date(2028, 4, 1))
    assert second.slug == first.slug
    latest = client.get(f"/arrangements/{first.slug}").get_data(as_text=True)
    assert "Early Help" in latest and "Version 2" in latest
    old = client.get(f"/arrangements/{first.slug}/v/1").get_data(as_text=True)
    assert "This is an earlier version" in old and "Early Intervention" in old


def test_unknown_arrangements_are_not_found(client):
    assert client.get("/arrangements/nothing-here").status_code == 404
    assert client.get("/arrangements/nothing-here/v/1").status_code == 404
    assert "No arrangements have been published yet" in client.get("/arrangements").get_data(as_text=True)


def test_the_front_door_shows_the_public_the_partnership_its_arrangements_and_consultations(app, client):
    from app.demo import load_demo_data

    load_demo_data()
    html = client.get("/").get_data(as_text=True)
    assert "North Somerset Safeguarding Children Partnership" in html
    assert "Avon and Somerset Police" in html and "North Somerset Council" in html
    assert 'href="/arrangements/thematic-groups"' in html  # a published arrangement
    assert "Proposed working groups" in html and "Open until" in html  # the open consultation, title only
    assert "What people said and what changed" in html  # a closed one, with its outcome
    assert 'href="/login"' in html and 'href="/join"' in html
    assert "Priya" not in html  # no comment or person is shown here
    arrangement = client.get("/arrangements/thematic-groups").get_data(as_text=True)
    assert "North Somerset Safeguarding Children Partnership" in arrangement
