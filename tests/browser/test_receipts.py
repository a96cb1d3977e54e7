"""Receipts in Chromium (issue 20, part 4): a practitioner comments, downloads the receipt and checks it on the
public "Check a receipt" page, with JavaScript on (htmx) and off; the page passes axe at 1280 and 320 px wide."""
import json
import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, PHONE, assert_fits_width, assert_no_axe_violations, sign_in, snap
from tests.browser.plugin import _context
from tests.browser.test_consultations import demo  # noqa: F401  (the demo consultation fixture)

pytestmark = pytest.mark.browser
PASSWORD = "a long and unguessable password"
SECTION = "Communications"


def _comment_and_download(page, live_server, demo, words, tmp_path):  # noqa: F811
    sign_in(page, live_server.create_account("practitioner", PASSWORD), PASSWORD)
    page.goto(f"/consultations/{demo['id']}")
    # A section no other browser test reads: each section opens with its newest three threads (shared demo data).
    section = page.locator(f"#section-{demo['sections'][SECTION]}")
    section.get_by_label(f"Your comment on {SECTION}").fill(words)
    section.get_by_role("button", name="Post comment").click()
    link = page.get_by_role("link", name="Download your receipt")
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    receipt = json.loads(path.read_text(encoding="utf-8"))
    assert receipt["format"] == "consultation-receipt/1" and words not in path.read_text(encoding="utf-8")
    mine = section.locator("article", has_text=words)
    expect(mine.get_by_role("link", name="Download a receipt for your comment")).to_be_visible()
    return path, receipt


def _snap(page, name, errors):
    """helpers.snap. With JavaScript on, Chromium resizing the page for a screenshot makes htmx set an inline style,
    which the CSP refuses (also seen in tests/journeys/test_personal_data.py, never in a walk without screenshots):
    in a run that takes screenshots (JOURNEY_SCREENSHOTS) that one refusal is forgiven; every other error counts."""
    if not os.environ.get("JOURNEY_SCREENSHOTS"):
        return
    snap(page, name)
    page.wait_for_timeout(300)  # the console message arrives a moment later
    errors.errors = [e for e in errors.errors if "inline style" not in e and "style-src-attr blocked inline" not in e]
    errors.assert_clean()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_practitioner_downloads_a_receipt_and_checks_it(browser, live_server, browser_errors, demo, tmp_path,  # noqa: F811
                                                          javascript):
    context = _context(browser, live_server, java_script_enabled=javascript, accept_downloads=True)
    try:
        page = browser_errors.watch(context.new_page())
        words = f"Receipts please ({'with' if javascript else 'without'} JavaScript)."
        path, receipt = _comment_and_download(page, live_server, demo, words, tmp_path)
        page.get_by_role("button", name="Sign out").click()  # the check needs no sign-in

        page.goto("/")
        page.get_by_role("link", name="Check a receipt").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check a receipt")
        if javascript:
            page.evaluate("window.notReloaded = true")
        page.get_by_label("Upload your receipt file").set_input_files(str(path))
        page.get_by_role("button", name="Check the receipt").click()
        answer = page.locator("#receipt-result")
        expect(answer.get_by_role("heading")).to_have_text("Your entry is in the consultation log")
        expect(answer).to_contain_text("A comment")
        expect(answer).to_contain_text(f"Number {receipt['index'] + 1} in the log")
        expect(answer).to_contain_text(re.compile(r"Still in today’s log\s*Yes"))
        if javascript:
            assert page.evaluate("window.notReloaded === true")  # answered in place, by htmx
            expect(answer).to_be_focused()
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            assert_fits_width(page)
            assert_no_axe_violations(page)
            _snap(page, f"receipt-check-{'js' if javascript else 'nojs'}", browser_errors)

        # A tampered receipt, pasted: one clear line in the error summary.
        receipt["index"] += 1
        page.get_by_label("Or paste the receipt’s text").fill(json.dumps(receipt))
        page.get_by_role("button", name="Check the receipt").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("is not its entry's place in the log")
        expect(summary.locator("li")).to_have_count(1)
        expect(page.locator("#receipt-result")).to_have_count(0)
        if javascript:
            expect(summary).to_be_focused()
        else:
            expect(page).to_have_title(re.compile(r"^Error: Check a receipt"))
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            assert_no_axe_violations(page)
            _snap(page, f"receipt-refused-{'js' if javascript else 'nojs'}", browser_errors)
    finally:
        context.close()
