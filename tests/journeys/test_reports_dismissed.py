"""Journey: a practitioner reports a comment; a moderator reads it, keeps it and dismisses the report with a
reason; the practitioner reads why on their home page (issue 16). Walked with JavaScript on at 1280 px and with
JavaScript off at 320 px. The author and the reporter are made for this test, so demo people are not changed.
"""
import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import Role
from app.consultations import services as consultations
from app.consultations.models import Consultation
from app.extensions import db
from app.partnerships.services import current_partnership
from app.timeutil import utcnow
from tests.browser.helpers import DEMO_PASSWORD, DESKTOP, PHONE, assert_fits_width, sign_in, snap

pytestmark = pytest.mark.browser
REASON = "It disagrees with the plan, politely: that is what a consultation is for."


@pytest.fixture
def reported_comment(live_server):
    """A practitioner's comment on an open demo consultation, and another practitioner to report it."""
    tag = uuid.uuid4().hex[:6]
    with live_server.app.app_context():
        partnership = current_partnership()
        council = next(o for o in partnership.organisations if o.name == "North Somerset Council")
        author, reporter = (accounts.create_account(
            None, partnership=partnership, display_name=f"{name} {tag}", roles=[Role.PRACTITIONER],
            password=DEMO_PASSWORD, email=f"{name.split()[0].lower()}-{tag}@example.org", organisation=council)
            for name in ("Alex Author", "Rae Reporter"))
        now = utcnow()
        consultation = next(c for c in db.session.execute(select(Consultation).order_by(Consultation.id)).scalars()
                            if c.opens_at <= now < c.closes_at)
        text = f"The executive group meets too rarely to lead anything ({tag})."
        comment = consultations.post_comment(author, consultation, text)
        found = (consultation.id, comment.id, text, reporter.email, author.display_name)
        db.session.remove()
    return found


@pytest.mark.parametrize("javascript, viewport", [(True, DESKTOP), (False, PHONE)], ids=["js-1280", "nojs-320"])
def test_a_report_is_dismissed_with_a_reason_the_reporter_reads(browser, live_server, browser_errors,
                                                                 reported_comment, javascript, viewport):
    consultation_id, comment_id, text, reporter_email, author_name = reported_comment
    shot = f"report-dismissed-{'js' if javascript else 'nojs'}"

    def person():
        context = browser.new_context(base_url=live_server.url, viewport=viewport, java_script_enabled=javascript,
                                      locale="en-GB", timezone_id="Europe/London")
        return browser_errors.watch(context.new_page())

    # The reporter finds the comment and reports it as unkind.
    reporter = person()
    sign_in(reporter, reporter_email)
    reporter.goto(f"/consultations/{consultation_id}#comment-{comment_id}")
    reporter.get_by_role("link", name=f"Report the comment by {author_name}").click()
    reporter.get_by_label("It is unkind, rude or bullying").check()
    reporter.get_by_label(re.compile("Tell the moderator more")).fill("It is dismissive of the executive.")
    reporter.get_by_role("button", name="Send report").click()
    expect(reporter.locator(".govuk-notification-banner")).to_contain_text("A moderator will look at this comment")

    # The facilitator reads it in the queue, keeps it, and dismisses the report with a reason.
    moderator = person()
    sign_in(moderator, "facilitator@demo.test")
    moderator.goto("/moderation")
    moderator.get_by_role("link", name=f"Decide about reported comment {comment_id}").click()
    expect(moderator.get_by_text("It is dismissive of the executive.")).to_be_visible()
    moderator.get_by_role("button", name="Dismiss the reports").click()  # no reason yet
    expect(moderator.locator(".govuk-error-message").first).to_contain_text("Enter why the comment can stay")
    moderator.get_by_label(re.compile("Why the comment can stay")).fill(REASON)
    moderator.get_by_role("button", name="Dismiss the reports").click()
    expect(moderator.locator(".govuk-notification-banner")).to_contain_text("The reports have been dismissed")
    expect(moderator.get_by_text(re.compile(f"dismissed by Fran Facilitator .*{re.escape(REASON)}"))).to_be_visible()
    expect(moderator.get_by_role("button", name="Dismiss the reports")).to_have_count(0)
    if viewport == PHONE:
        assert_fits_width(moderator)
    snap(moderator, f"{shot}-moderator")
    moderator.goto("/moderation")
    expect(moderator.get_by_role("link", name=f"Decide about reported comment {comment_id}")).to_have_count(0)

    # The reporter reads why on their home page; the comment is still there for everyone.
    reporter.goto("/")
    message = reporter.locator(".portal-notice", has_text="the comment you reported")
    expect(message).to_contain_text("kept it published")
    expect(message).to_contain_text(REASON)
    if viewport == PHONE:
        assert_fits_width(reporter)
    snap(reporter, f"{shot}-reporter-home")
    message.get_by_role("link", name="the comment you reported").click()
    expect(reporter.get_by_text(text)).to_be_visible()
