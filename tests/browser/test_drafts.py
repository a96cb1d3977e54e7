"""Drafts in Chromium: every drafts page passes axe (WCAG 2.2 A and AA) with no console or CSP errors, and a
facilitator moves a section with JavaScript on (in place, by htmx) and off (a plain form and a redirect)."""
import re
import uuid

import pytest
from playwright.sync_api import expect

from app.accounts import services as accounts
from app.drafts import services as drafts
from app.drafts.demo import load_demo_drafts
from app.drafts.models import Topic
from app.extensions import db
from app.partnerships.services import current_partnership
from tests.browser.helpers import assert_no_axe_violations, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_drafts(live_server):
    """The demo drafts (made once; later calls find them) as {name: draft id}."""
    with live_server.app.app_context():
        facilitator = accounts.find_by_login("facilitator@demo.test")
        made = {name: draft.id for name, draft in load_demo_drafts(current_partnership(), facilitator).items()}
        db.session.remove()
    return made


@pytest.fixture
def working_draft(live_server):
    """A draft of its own for the test, with three sections in a working version 1; returns its id."""
    with live_server.app.app_context():
        facilitator = accounts.find_by_login("facilitator@demo.test")
        draft = drafts.create_draft(facilitator, current_partnership(), title=f"Browser draft {uuid.uuid4().hex[:6]}")
        for title, topic in (("Alpha group", Topic.TRAINING), ("Bravo group", Topic.USE_OF_DATA),
                             ("Charlie group", Topic.PRACTICE_REVIEWS)):
            drafts.add_section(facilitator, draft.versions[0], title=title, body=f"What the **{title}** does.",
                               plain_summary="In short.", topics=[topic])
        draft_id = draft.id
        db.session.remove()
    return draft_id


def _section_titles(page):
    return page.locator("#sections h3").all_inner_texts()


PAGES = {
    "index": lambda ids: "/drafts",
    "draft-published": lambda ids: f"/drafts/{ids['working_groups']}",
    "version": lambda ids: f"/drafts/{ids['working_groups']}/v/2",
    "compare": lambda ids: f"/drafts/{ids['working_groups']}/compare?a=1&b=2",
    "compare-bad": lambda ids: f"/drafts/{ids['working_groups']}/compare?a=x&b=2",
    "draft-working": lambda ids: f"/drafts/{ids['working']}",
    "new-section": lambda ids: f"/drafts/{ids['working']}/v/1/sections/new",
}


@pytest.mark.parametrize("login", ["facilitator@demo.test", "scrutineer@demo.test"])
@pytest.mark.parametrize("name", PAGES.keys())
def test_drafts_pages_have_no_accessibility_violations(page, browser_errors, demo_drafts, working_draft, login, name):
    ids = {**demo_drafts, "working": working_draft}
    facilitator = login.startswith("facilitator")
    expected = 400 if name == "compare-bad" else 200 if facilitator or name not in (
        "draft-working", "new-section") else 404 if name == "draft-working" else 403
    if expected != 200:
        browser_errors.expect_status(expected)
    sign_in(page, login)
    response = page.goto(PAGES[name](ids))
    assert response.status == expected
    assert_no_axe_violations(page)
    browser_errors.assert_clean()


def test_section_form_errors_pass_axe(page, browser_errors, working_draft):
    sign_in(page, "facilitator@demo.test")
    page.goto(f"/drafts/{working_draft}/v/1/sections/new")
    page.get_by_role("button", name="Add section").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_no_axe_violations(page)


def test_moving_a_section_with_javascript_updates_the_list_in_place(page, browser_errors, working_draft):
    sign_in(page, "facilitator@demo.test")
    page.goto(f"/drafts/{working_draft}")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Move up “Charlie group”").click()
    expect(page.locator("#sections h3").nth(1)).to_have_text("2. Charlie group")
    assert _section_titles(page) == ["1. Alpha group", "2. Charlie group", "3. Bravo group"]
    assert page.evaluate("window.notReloaded === true")  # swapped in place, no new page
    expect(page.locator("#sections-status")).to_have_text("“Charlie group” moved up")
    # Focus stays on the button the person pressed (htmx restores it by id after the swap).
    expect(page.get_by_role("button", name="Move up “Charlie group”")).to_be_focused()
    assert_no_axe_violations(page)
    page.reload()
    assert _section_titles(page) == ["1. Alpha group", "2. Charlie group", "3. Bravo group"]


def test_moving_a_section_without_javascript_posts_and_comes_back(nojs_page, browser_errors, working_draft):
    page = nojs_page
    sign_in(page, "facilitator@demo.test")
    page.goto(f"/drafts/{working_draft}")
    page.get_by_role("button", name="Move down “Alpha group”").click()
    expect(page).to_have_url(re.compile(rf"/drafts/{working_draft}#section-\d+$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("“Alpha group” moved down")
    assert _section_titles(page) == ["1. Bravo group", "2. Alpha group", "3. Charlie group"]


def test_compare_marks_changes_without_relying_on_colour(page, browser_errors, demo_drafts):
    sign_in(page, "scrutineer@demo.test")
    page.goto(f"/drafts/{demo_drafts['working_groups']}/compare")
    page.get_by_label("Earlier version").select_option("1")
    page.get_by_label("Later version").select_option("2")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"compare\?a=1&b=2$"))
    renamed = page.locator("section", has=page.get_by_role("heading", name=re.compile("practice reviews")))
    expect(renamed.locator(".govuk-tag")).to_have_text("Changed")
    deleted = renamed.locator("del").first
    assert deleted.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
    assert renamed.locator("ins").first.evaluate("e => getComputedStyle(e).textDecorationLine") == "underline"
    expect(deleted).to_contain_text("[start of removal] Serious Case Reviews")
