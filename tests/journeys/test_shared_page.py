"""Journey (issue 15): two practitioners read one consultation page, drawn once for their kind of reader, and each
sees only what is theirs.

Ann, with JavaScript on, comments on the whole draft and votes "Support" on its section. Bob, with JavaScript off,
opens the page after her: he reads her comment as anyone would (with "Report", without "(you)", "Edit", "Withdraw"
or her receipt) and her vote is not ticked on his form. He votes "Oppose" and comments himself. Ann opens the page
again: her own comment is hers ("(you)", "Withdraw", "Download a receipt"), his is not, and her form still says
"Support". Cy, who wrote neither, opens the page before they come back, so the page they are served is the one drawn
for him, with their own comments drawn in for each. Walked at 1280 px and at 320 px.
"""
import uuid

import pytest
from playwright.sync_api import expect

from app.accounts.models import Audience
from tests.browser.helpers import DESKTOP, PHONE, sign_in
from tests.journeys import builders

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable password"
SECTION = "Early help"


def _comment(page, text):
    return page.locator(".portal-comment").filter(has_text=text)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_two_readers_share_a_page_and_each_sees_only_their_own(browser, browser_errors, live_server, viewport):
    run = uuid.uuid4().hex[:6]
    shot = f"shared-page-{'phone' if viewport == PHONE else 'desktop'}"
    consultation_id, _draft = builders.open_consultation(
        live_server, draft_title=f"Shared page {run}", title=f"Shared page {run}",
        sections={SECTION: "Help for families before things get worse."}, audiences=[Audience.PRACTITIONERS.value])
    url = f"/consultations/{consultation_id}"

    def person(javascript):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-GB",
                                      timezone_id="Europe/London", java_script_enabled=javascript)
        page = browser_errors.watch(context.new_page())
        sign_in(page, live_server.create_account("practitioner", PASSWORD), PASSWORD)
        return page

    ann_words, bob_words = f"Ann's view {run}: schools first.", f"Bob's view {run}: health visitors first."
    ann = person(javascript=True)
    ann.goto(url)
    general = ann.locator("#general")
    general.get_by_label("Your comment on the whole draft").fill(ann_words)
    general.get_by_role("button", name="Post comment").click()
    expect(_comment(ann, ann_words)).to_contain_text("(you)")
    section = ann.locator(".portal-section").filter(has=ann.get_by_role("heading", name=SECTION))
    section.get_by_label("Support", exact=True).check()
    section.get_by_role("button", name="Save your vote").click()
    expect(section.get_by_role("button", name="Change your vote")).to_be_visible()
    builders.check(ann, viewport, f"{shot}-1-ann")

    bob = person(javascript=False)
    bob.goto(url)
    hers = _comment(bob, ann_words)
    expect(hers).to_be_visible()
    expect(hers).not_to_contain_text("(you)")
    expect(hers.get_by_role("link", name="Report")).to_be_visible()
    for name in ("Edit", "Withdraw", "Download a receipt"):
        expect(hers.get_by_role("link", name=name)).to_have_count(0)
    section = bob.locator(".portal-section").filter(has=bob.get_by_role("heading", name=SECTION))
    expect(section.get_by_label("Support", exact=True)).not_to_be_checked()
    expect(section.get_by_role("button", name="Save your vote")).to_be_visible()
    builders.check(bob, viewport, f"{shot}-2-bob-reads")
    section.get_by_label("Oppose", exact=True).check()
    section.get_by_role("button", name="Save your vote").click()
    bob.locator("#general").get_by_label("Your comment on the whole draft").fill(bob_words)
    bob.locator("#general").get_by_role("button", name="Post comment").click()
    expect(_comment(bob, bob_words)).to_contain_text("(you)")
    expect(_comment(bob, ann_words)).not_to_contain_text("(you)")
    builders.check(bob, viewport, f"{shot}-3-bob-commented")

    # Cy, who wrote neither, opens the page first: the drawing made for him is the one Ann and Bob are then served,
    # with their own comments drawn for them.
    cy = person(javascript=True)
    cy.goto(url)
    for words in (ann_words, bob_words):
        expect(_comment(cy, words)).not_to_contain_text("(you)")
        expect(_comment(cy, words).get_by_role("link", name="Report")).to_be_visible()
    builders.check(cy, viewport, f"{shot}-4-cy-reads")
    bob.goto(url)
    expect(_comment(bob, bob_words)).to_contain_text("(you)")
    expect(_comment(bob, bob_words).get_by_role("link", name="Withdraw")).to_be_visible()
    expect(_comment(bob, ann_words)).not_to_contain_text("(you)")

    ann.goto(url)
    mine, his = _comment(ann, ann_words), _comment(ann, bob_words)
    expect(mine).to_contain_text("(you)")
    expect(mine.get_by_role("link", name="Withdraw")).to_be_visible()
    expect(mine.get_by_role("link", name="Download a receipt")).to_be_visible()
    expect(his).not_to_contain_text("(you)")
    expect(his.get_by_role("link", name="Withdraw")).to_have_count(0)
    section = ann.locator(".portal-section").filter(has=ann.get_by_role("heading", name=SECTION))
    expect(section.get_by_label("Support", exact=True)).to_be_checked()
    expect(section.get_by_label("Oppose", exact=True)).not_to_be_checked()
    builders.check(ann, viewport, f"{shot}-5-ann-again")
