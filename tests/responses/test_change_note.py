"""A version's change note is shown to consultees on the consultation page and on the compare page (issue 16)."""
from datetime import timedelta
import re
from html import unescape

from app.accounts.models import Audience
from app.consultations import services as consultations
from app.drafts import services as drafts
from app.timeutil import utcnow

def _text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", unescape(response.get_data(as_text=True))))


NOTE = "Serious Case Reviews renamed to local child safeguarding practice reviews."


def test_consultees_see_the_change_note_of_the_version_they_are_asked_about(app, client, login, make_version,
                                                                            facilitator, practitioner):
    first = make_version()
    second = drafts.new_version_from(facilitator, first)
    drafts.publish_version(facilitator, second, change_note=NOTE)
    now = utcnow()
    consultation = consultations.open_consultation(
        facilitator, second, title="Version 2 out for comment", audiences=[Audience.PRACTITIONERS.value],
        opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(weeks=2))
    login(practitioner)
    page = client.get(f"/consultations/{consultation.id}")
    assert f"What changed in version 2: {NOTE}" in _text(page)
    client = app.test_client()  # the compare page is for those who read drafts: here, the facilitator
    login(facilitator, target=client)
    assert f"What changed in version 2: {NOTE}" in _text(client.get(f"/drafts/{first.draft_id}/compare?a=1&b=2"))
    assert NOTE not in _text(client.get(f"/drafts/{first.draft_id}/compare?a=1&b=1"))
