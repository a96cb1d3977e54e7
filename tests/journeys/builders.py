"""What several journeys set up the same way, made through the services on the shared live server (so no demo rows
move): an open consultation of the demo partnership, the outbox delivered to the tests' SMTP server, and the
phone-width check that goes with each screenshot."""
from datetime import timedelta

from app.extensions import db
from tests.browser.helpers import PHONE, assert_fits_width, snap
from tests.smtp import smtp_settings

FACILITATOR = "facilitator@demo.test"


def open_consultation(live_server, *, draft_title, title, sections, audiences):
    """Draft `draft_title` with `sections` ({title: body}, in order) published as version 1 and opened for
    consultation to `audiences` (Audience values) by the demo facilitator, from five minutes ago for six weeks.
    Returns (consultation id, draft id)."""
    from sqlalchemy import select

    from app.accounts.models import Person
    from app.consultations import services as consultations
    from app.drafts import services as drafts
    from app.partnerships.services import current_partnership
    from app.timeutil import utcnow

    with live_server.app.app_context():
        facilitator = db.session.execute(select(Person).where(Person.email == FACILITATOR)).scalar_one()
        draft = drafts.create_draft(facilitator, current_partnership(), title=draft_title)
        working = drafts.working_version(draft)
        for section_title, body in sections.items():
            drafts.add_section(facilitator, working, title=section_title, body=body)
        drafts.publish_version(facilitator, working, change_note="For consultation")
        now = utcnow()
        consultation = consultations.open_consultation(
            facilitator, working, title=title, audiences=list(audiences),
            opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(weeks=6))
        ids = consultation.id, draft.id
        db.session.remove()
    return ids


def deliver_mail(live_server, smtp_server):
    """Send the outbox through the tests' SMTP server, as the portal's mail worker does."""
    from app.mail import services as mail

    app = live_server.app
    saved = {key: app.config.get(key) for key in smtp_settings(smtp_server)}
    app.config.update(smtp_settings(smtp_server))
    try:
        with app.app_context():
            while mail.send_due()[0]:
                pass
            db.session.remove()
    finally:
        app.config.update(saved)


def mail_to(smtp_server, address):
    return [message for message in smtp_server.messages if message["To"] == address]


def check(page, viewport, name):
    """A screenshot (JOURNEY_SCREENSHOTS) and, at phone width, no sideways scrolling."""
    if viewport == PHONE:
        assert_fits_width(page)
    snap(page, name)
