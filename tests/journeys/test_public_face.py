"""Journey: the public, on a phone, reaches everything public from /; a scrutineer reads the trail as sentences.

Someone who is not signed in opens the portal at 320 px (JavaScript on and off): the front door names the
partnership, its areas and partners, lists the published arrangements and the consultations; they open the
published arrangement, which names the partnership, its sign-offs and how to check the record. Nothing scrolls
sideways. A scrutineer then reads the workspace's timeline in words, filters it with GOV.UK date fields, and the
page still fits the phone.
"""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, PHONE, assert_fits_width, assert_no_axe_violations, sign_in, snap

PARTNERSHIP = "North Somerset Safeguarding Children Partnership"


def _person(browser, live_server, browser_errors, viewport, javascript=True):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, java_script_enabled=javascript,
                                  locale="en-GB", timezone_id="Europe/London")
    context.javascript_enabled = javascript  # read by the axe helper
    return browser_errors.watch(context.new_page())


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_public_reaches_everything_public_from_the_front_door_on_a_phone(
        browser, live_server, browser_errors, javascript):
    page = _person(browser, live_server, browser_errors, PHONE, javascript)
    shot = f"public-{'js' if javascript else 'nojs'}"

    page.goto("/")
    expect(page.get_by_role("heading", level=1, name=PARTNERSHIP)).to_be_visible()
    main = page.locator("main")
    for text in ("North Somerset", "Avon and Somerset Police", "Published arrangements", "Consultations open now",
                 "Closed consultations"):
        expect(main).to_contain_text(text)
    expect(page.get_by_role("link", name="sign in", exact=True)).to_be_visible()
    assert_fits_width(page)
    assert_no_axe_violations(page)
    snap(page, f"{shot}-1-front-door")

    main.get_by_role("link", name="Thematic groups", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Thematic groups")).to_be_visible()
    expect(page.locator("main")).to_contain_text(PARTNERSHIP)
    expect(page.get_by_role("heading", name="Signed off by the safeguarding partners")).to_be_visible()
    expect(page.get_by_role("heading", name="Check the record")).to_be_visible()
    assert_fits_width(page)
    assert_no_axe_violations(page)
    snap(page, f"{shot}-2-arrangement")

    page.goto("/")
    # other journeys may have published more arrangements on the shared server: this one's is named after it
    main.get_by_role("link", name=re.compile("What people said and what changed.*Thematic groups")).click()
    expect(page.get_by_role("heading", name="You said, we did")).to_be_visible()
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "320"])
def test_a_scrutineer_reads_the_trail_in_words_and_filters_it_by_day(browser, live_server, browser_errors, viewport):
    page = _person(browser, live_server, browser_errors, viewport)
    sign_in(page, "scrutineer@demo.test")
    expect(page.get_by_text("Each consultation’s trail, to review")).to_be_visible()  # the scrutineer's home
    # (the home lists the ten newest; other tests on this server open more) the workspace lists every one
    page.get_by_role("link", name="The scrutiny workspace").click()
    page.get_by_role("link", name="Thematic groups: consultation").click()
    timeline = page.locator("#timeline-table")
    expect(timeline).to_contain_text(re.compile(r"commented on “.+”"))
    expect(timeline).to_contain_text("published the arrangements")
    expect(timeline.locator(".portal-timeline__what").first).to_be_visible()
    assert not any("comment.posted" in text for text in timeline.locator(".portal-timeline__what").all_inner_texts())
    expect(timeline.locator("code").first).to_be_hidden()  # the codes stay one click away
    timeline.get_by_text("What the log holds").first.click()
    expect(timeline.locator("code").first).to_be_visible()
    expect(page.locator("#responses")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(re.compile(r"(Partnership|Organisation) \d"))
    assert_fits_width(page)
    snap(page, f"scrutiny-1-timeline-{viewport['width']}")

    today = date.today()
    fieldset = page.get_by_role("group", name=re.compile("From"))
    fieldset.get_by_label("Day").fill("31")
    fieldset.get_by_label("Month").fill("2")
    fieldset.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Filter the timeline").click()
    expect(page.get_by_text("The day to start from must be a real date").first).to_be_visible()
    fieldset = page.get_by_role("group", name=re.compile("From"))
    fieldset.get_by_label("Day").fill(str(today.day))
    fieldset.get_by_label("Month").fill(str(today.month))
    page.get_by_role("button", name="Filter the timeline").click()
    expect(page.locator("#timeline-table tbody tr").first).to_be_visible()
    assert_fits_width(page)
    snap(page, f"scrutiny-2-filtered-{viewport['width']}")
    page.context.close()
