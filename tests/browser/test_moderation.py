"""Young people and moderation in Chromium: a young person joins with a code, reads the plain-language summary,
comments and sees it waiting; a moderator approves it. Every page passes axe (WCAG 2.2 A and AA)."""
import re
import uuid

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.moderation.demo import DEMO_CODE, load_demo_moderation
from app.partnerships.services import current_partnership
from tests.browser.helpers import assert_no_axe_violations, sign_in, sign_out

pytestmark = pytest.mark.browser
PASSWORD = "a long and unguessable password"


@pytest.fixture
def demo_code(live_server):
    with live_server.app.app_context():
        load_demo_moderation(current_partnership(), {})  # idempotent: the demo invite code
        db.session.remove()
    return DEMO_CODE


def test_a_young_person_joins_comments_and_a_moderator_approves(page, browser_errors, demo_code):
    username = f"otter-{uuid.uuid4().hex[:6]}"
    text = f"Please explain this in words for teenagers (note {uuid.uuid4().hex[:8]})"

    page.goto("/join")
    expect(page.get_by_text("A moderator reads every comment first")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Your code").fill("NSYC-DEMO-2018")  # a wrong code first
    page.get_by_label("Choose a username").fill(username)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type your password again").fill(PASSWORD)
    page.get_by_label(re.compile("I have read the rules")).check()
    page.get_by_role("button", name="Join").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("We do not recognise that code")
    assert_no_axe_violations(page)

    page.get_by_label("Your code").fill(demo_code.lower())
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type your password again").fill(PASSWORD)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", name="You have joined")).to_be_visible()
    expect(page.get_by_text("0800 1111")).to_be_visible()
    assert_no_axe_violations(page)

    page.goto("/")
    page.locator("h2:has-text('Consultations open to you') + ul a").first.click()
    section = page.locator("section.portal-section", has=page.get_by_role("heading", name=re.compile("Domestic abuse")))
    expect(section.locator(".portal-plain-summary")).to_be_visible()
    details = section.locator("details", has_text="Read the full proposal")
    expect(details).to_be_visible()
    assert not details.evaluate("d => d.open")  # the full text is one click away
    details.locator("summary").click()
    assert details.evaluate("d => d.open")
    assert_no_axe_violations(page)

    section.get_by_label(re.compile("Your comment on Domestic abuse")).fill(text)
    section.get_by_role("button", name="Post comment").click()
    expect(section.get_by_text("A moderator will check it before anyone else can see it").first).to_be_visible()
    expect(section.locator(".portal-comment", has_text=text)).to_contain_text("Waiting for a moderator")
    expect(page.get_by_role("link", name="I’m worried about something")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="I’m worried about something").click()
    expect(page.get_by_text("We will not keep it secret", exact=False)).to_be_visible()
    assert_no_axe_violations(page)
    sign_out(page)

    sign_in(page, "facilitator@demo.test")
    expect(page.locator("#moderation-waiting")).to_be_visible()
    page.goto("/moderation")
    item = page.locator(".portal-queue__item", has_text=text)
    expect(item).to_contain_text("A member of North Somerset Youth Council")
    expect(item).not_to_contain_text(username)
    assert_no_axe_violations(page)
    item.get_by_role("link", name=re.compile("Reject, or raise a concern")).click()
    expect(page.get_by_role("heading", name=re.compile("Moderate comment"))).to_be_visible()
    assert_no_axe_violations(page)
    page.go_back()
    page.locator(".portal-queue__item", has_text=text).get_by_role("button", name=re.compile("Approve")).click()
    expect(page.get_by_text("The comment has been published")).to_be_visible()
    expect(page.locator(".portal-queue__item", has_text=text)).to_have_count(0)
    sign_out(page)

    sign_in(page, "practitioner@demo.test")
    page.locator("h2:has-text('Consultations open to you') + ul a").first.click()
    comment = page.locator(".portal-comment", has_text=text)
    expect(comment).to_contain_text("A member of North Somerset Youth Council")
    expect(comment).not_to_contain_text(username)


@pytest.mark.parametrize("login, path", [("dsl@demo.test", "/concerns"), ("scrutineer@demo.test", "/moderation"),
                                         ("facilitator@demo.test", "/moderation/invite-codes")])
def test_moderation_pages_have_no_accessibility_violations(page, browser_errors, login, path):
    sign_in(page, login)
    assert page.goto(path).status == 200
    assert_no_axe_violations(page)
