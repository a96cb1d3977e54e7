"""The "You said, we did" journey in Chromium: close a consultation, answer its comment, ask for sign-off,
three statutory partners approve with their passwords, and the public page (signed out) shows the log head.

The live server is shared by the whole browser session, so this test makes its own draft and consultation
(through the services, in the live server's app context) instead of closing the demo one.
"""
import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.accounts import services as accounts
from app.consultations import services as consultations
from app.drafts import services as drafts
from app.extensions import db
from app.partnerships.services import current_partnership
from app.timeutil import utcnow
from tests.browser.helpers import (
    DEMO_PASSWORD,
    assert_no_axe_violations,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.browser
SIGNATORIES = ["la.partner@demo.test", "police.partner@demo.test", "icb.partner@demo.test"]


@pytest.fixture
def open_consultation(live_server):
    """An open consultation of a new draft with one practitioner's comment: (consultation id, draft title)."""
    title = f"Arrangements for sign-off {uuid.uuid4().hex[:6]}"
    with live_server.app.app_context():
        facilitator = accounts.find_by_login("facilitator@demo.test")
        draft = drafts.create_draft(facilitator, current_partnership(), title=title)
        version = draft.versions[0]
        drafts.add_section(facilitator, version, title="How the partners work together",
                           body="An **executive group** of the three partners meets twice a year.")
        drafts.publish_version(facilitator, version)
        now = utcnow()
        consultation = consultations.open_consultation(
            facilitator, version, title=f"Consultation on {title}", audiences=["practitioners"],
            opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=7))
        practitioner = accounts.find_by_login("practitioner@demo.test")
        consultations.post_comment(practitioner, consultation, "Schools should be at the table.")
        made = (consultation.id, title)
        db.session.remove()
    return made


def _request_id(live_server, consultation_id):
    from app.consultations.models import Consultation
    from app.signoff.services import requests_for_consultation

    with live_server.app.app_context():
        request_id = requests_for_consultation(db.session.get(Consultation, consultation_id))[0].id
        db.session.remove()
    return request_id


def _logged_hash(live_server, seq):
    from app.trail import services as trail

    with live_server.app.app_context():
        found = next(entry["hash"] for entry in trail.iter_entries() if entry["seq"] == seq)
        db.session.remove()
    return found


def test_close_respond_sign_off_and_publish(page, browser_errors, live_server, open_consultation):
    consultation_id, title = open_consultation
    sign_in(page, "facilitator@demo.test")

    # Close.
    page.goto(f"/consultations/{consultation_id}/close")
    page.get_by_label("Why is it closing early?").fill("We have heard enough to decide.")
    page.get_by_role("button", name="Close it now").click()
    expect(page.locator("#unanswered-count")).to_contain_text("1 comment still unanswered")
    assert_no_axe_violations(page)

    # Respond: tag with a new theme, then answer.
    page.get_by_role("link", name="Answer comments").click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name=re.compile("Answer or tag")).click()
    page.get_by_label("Or a new theme").fill("Schools")
    page.get_by_role("button", name="Tag with this theme").click()
    expect(page.get_by_text("Tagged with “Schools”")).to_be_visible()
    page.get_by_label("Accepted", exact=True).check()
    page.get_by_label("Why").fill("Schools now sit on the executive group.")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Save the answer").click()
    expect(page.get_by_text("0 still unanswered")).to_be_visible()
    page.get_by_role("button", name="Publish answers").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("published")
    page.goto(f"/consultations/{consultation_id}/report")
    expect(page.get_by_text("Schools now sit on the executive group.")).to_be_visible()
    assert_no_axe_violations(page)

    # Ask for sign-off.
    page.goto(f"/consultations/{consultation_id}/signoff")
    page.get_by_label("Date the arrangements take effect").fill("29 9 2027")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Ask for sign-off").click()
    expect(page.get_by_text("Waiting for decisions")).to_be_visible()
    sign_out(page)
    request_id = _request_id(live_server, consultation_id)

    # Three approvals, each with the signatory's password.
    for number, login in enumerate(SIGNATORIES):
        sign_in(page, login)
        page.get_by_role("link", name=re.compile(re.escape(title))).first.click()
        expect(page).to_have_url(re.compile(f"/signoff/{request_id}/decide$"))
        if number == 0:
            assert_no_axe_violations(page)
        page.get_by_label("Approve the arrangements").check()
        page.get_by_label("Your password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Confirm my decision").click()
        expect(page.get_by_text("You have approved")).to_be_visible()
        sign_out(page)

    # The public page, signed out.
    page.goto("/arrangements")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_text("29 September 2027").first).to_be_visible()
    expect(page.get_by_text("Schools now sit on the executive group.")).to_be_visible()
    head = page.locator("#log-head").inner_text().strip()
    command = page.locator("#verify-command code").inner_text()
    seq = int(re.search(r"--seq (\d+)", command).group(1))
    assert head == _logged_hash(live_server, seq)  # what `verify-log` reaches at that seq
    assert_no_axe_violations(page)
