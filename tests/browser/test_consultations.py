"""Consultations in Chromium: the pages pass axe (WCAG 2.2 A and AA) with no console or CSP errors, and a
practitioner comments, votes, replies and edits with JavaScript on (in place, by htmx) and off (plain forms
and redirects)."""
import re

import pytest
from playwright.sync_api import expect

from app.accounts import services as accounts
from app.consultations.demo import load_demo_consultation
from app.drafts.demo import load_demo_drafts
from app.extensions import db
from app.partnerships.services import current_partnership
from tests.browser.helpers import assert_no_axe_violations, sign_in

pytestmark = pytest.mark.browser
PASSWORD = "a long and unguessable password"


@pytest.fixture
def demo(live_server):
    """The demo consultation (made once; later calls find it): its id, section ids and a thread to reply to."""
    from sqlalchemy import select

    from app.consultations.models import Comment

    with live_server.app.app_context():
        facilitator = accounts.find_by_login("facilitator@demo.test")
        partnership = current_partnership()
        consultation = load_demo_consultation(partnership, facilitator, {},
                                              load_demo_drafts(partnership, facilitator))
        amy = accounts.find_by_login("amy.clarke@demo.test")
        thread = db.session.execute(select(Comment.id).where(Comment.author_id == amy.id, Comment.depth == 0)
                                    .order_by(Comment.id).limit(1)).scalar_one()
        made = {"id": consultation.id, "sections": {s.title: s.id for s in consultation.version.sections},
                "thread": thread}
        db.session.remove()
    return made


PAGES = {
    "index": lambda d: "/consultations",
    "consultation": lambda d: f"/consultations/{d['id']}",
    "comments": lambda d: f"/consultations/{d['id']}/comments",
    "section-comments": lambda d: f"/consultations/{d['id']}/sections/{d['sections']['Domestic abuse']}/comments",
    "thread": lambda d: f"/comments/{d['thread']}/replies",
    "notifications": lambda d: "/account/notifications",
}


@pytest.mark.parametrize("login", ["practitioner@demo.test", "youth-demo", "facilitator@demo.test",
                                   "scrutineer@demo.test"])
@pytest.mark.parametrize("name", PAGES.keys())
def test_consultation_pages_have_no_accessibility_violations(page, browser_errors, demo, login, name):
    sign_in(page, login)
    response = page.goto(PAGES[name](demo))
    assert response.status == 200
    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", ["/consultations/{id}/extend", "/consultations/{id}/close"])
def test_facilitator_pages_have_no_accessibility_violations(page, browser_errors, demo, path):
    sign_in(page, "facilitator@demo.test")
    page.goto(path.format(id=demo["id"]))
    page.get_by_role("button").filter(has_text=re.compile("Extend|Close it now")).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # no reason given
    assert_no_axe_violations(page)


def _section(page, demo, title):
    return page.locator(f"#section-{demo['sections'][title]}")


def test_taking_part_with_javascript_updates_the_page_in_place(page, browser_errors, live_server, demo):
    sign_in(page, live_server.create_account("practitioner", PASSWORD), PASSWORD)
    page.goto(f"/consultations/{demo['id']}")
    page.evaluate("window.notReloaded = true")
    section = _section(page, demo, "Domestic abuse")

    # An empty comment: the error shows inline, and nothing is lost.
    section.get_by_role("button", name="Post comment").click()
    expect(section.locator(".govuk-error-message")).to_contain_text("Enter your comment")
    text = "Schools should hear about incidents in the holidays too."
    section.get_by_label("Your comment on Domestic abuse").fill(text)
    section.get_by_role("button", name="Post comment").click()
    expect(section.get_by_text("Schools should hear about incidents in the holidays too.")).to_be_visible()
    expect(section.get_by_role("heading", name=re.compile(r"Comments on Domestic abuse \(\d+\)"))).not_to_have_text(
        "Comments on Domestic abuse (0)")
    expect(page.locator("#consultation-status")).to_have_text("Your comment has been posted")
    expect(section.get_by_role("button", name="Post comment")).to_be_focused()  # htmx kept the focus by id

    caption = section.locator(".portal-tally__table caption")
    before = int(re.search(r"\((\d+)\)", caption.inner_text()).group(1))
    section.get_by_label("Support with changes", exact=True).check()
    section.get_by_label("Why? (optional)").fill("Include the holidays")
    section.get_by_role("button", name="Save your vote").click()
    expect(caption).to_have_text(f"Votes on Domestic abuse ({before + 1})")
    expect(page.locator("#consultation-status")).to_have_text("Your vote on Domestic abuse has been saved")
    expect(section.get_by_role("button", name="Change your vote")).to_be_visible()

    section.get_by_role("link", name="Reply to Sergeant Amy Clarke").click()
    section.get_by_label("Your reply to Sergeant Amy Clarke").fill("Agreed: weekends matter most.")
    section.get_by_role("button", name="Post reply").click()
    thread = page.locator(f"#thread-{demo['thread']}")
    expect(thread.get_by_text("Agreed: weekends matter most.")).to_be_visible()
    expect(thread.get_by_text("Our family support workers see the same gap", exact=False)).to_be_visible()

    mine = section.locator("article", has_text="Schools should hear about incidents")
    mine.get_by_role("link", name="Edit your comment").click()
    section.get_by_label("Change your comment", exact=True).fill(
        "Schools should hear about incidents at weekends and in the holidays.")
    section.get_by_role("button", name="Save changes").click()
    edited = section.locator("article", has_text="at weekends and in the holidays")
    expect(edited.get_by_text("Edited", exact=True)).to_be_visible()
    assert page.evaluate("window.notReloaded === true")  # every step was swapped in place
    assert_no_axe_violations(page)


def test_taking_part_without_javascript_posts_and_comes_back(nojs_page, browser_errors, live_server, demo):
    page = nojs_page
    sign_in(page, live_server.create_account("practitioner", PASSWORD), PASSWORD)
    page.goto(f"/consultations/{demo['id']}")
    section = _section(page, demo, "Domestic abuse")
    section.get_by_role("button", name="Post comment").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your comment")

    section = _section(page, demo, "Domestic abuse")
    section.get_by_label("Your comment on Domestic abuse").fill("Tell the school nurse as well.")
    section.get_by_role("button", name="Post comment").click()
    expect(page).to_have_url(re.compile(rf"/consultations/{demo['id']}#comment-\d+$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your comment has been posted")

    section = _section(page, demo, "Domestic abuse")
    section.get_by_label("Oppose", exact=True).check()
    section.get_by_role("button", name="Save your vote").click()
    expect(page).to_have_url(re.compile(rf"#section-{demo['sections']['Domestic abuse']}$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your vote on Domestic abuse")
    expect(_section(page, demo, "Domestic abuse").get_by_role("button", name="Change your vote")).to_be_visible()

    # The page opens with each section's newest three threads; the older ones are a link away.
    expect(_section(page, demo, "Domestic abuse").get_by_role("link", name="Reply to Sergeant Amy Clarke")).to_have_count(0)
    _section(page, demo, "Domestic abuse").get_by_role("link", name="Show more comments").click()
    expect(page).to_have_url(re.compile(r"/comments\?after=\d+$"))
    page.get_by_role("link", name="Reply to Sergeant Amy Clarke").click()
    expect(page).to_have_url(re.compile(r"/comments/\d+/reply$"))
    page.get_by_label("Your reply to Sergeant Amy Clarke").fill("What about half term?")
    page.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(re.compile(rf"/comments/{demo['thread']}/replies#comment-\d+$"))
    expect(page.get_by_text("What about half term?")).to_be_visible()
    assert_no_axe_violations(page)


def test_a_reply_on_its_own_page_with_javascript_lands_on_the_thread_with_a_banner(page, browser_errors,
                                                                                     live_server, demo):
    """The reply page's form posts plainly even with JavaScript on: the person sees their reply and a success
    banner, and the form with their words is gone (so nobody posts the same reply twice)."""
    sign_in(page, live_server.create_account("practitioner", PASSWORD), PASSWORD)
    page.goto(f"/comments/{demo['thread']}/reply")
    words = "Could the group meet in the school holidays too?"
    page.get_by_label("Your reply to Sergeant Amy Clarke").fill(words)
    page.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(re.compile(rf"/comments/{demo['thread']}/replies#comment-\d+$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your reply has been posted")
    expect(page.get_by_text(words)).to_be_visible()
    expect(page.get_by_label("Your reply to Sergeant Amy Clarke")).to_have_count(0)
