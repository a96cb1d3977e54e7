"""Journey: a practitioner suggests new wording, the facilitator accepts it into version 3, and the report shows it.

As the demo's "Proposed working groups" (versions 1 and 2, version 2 consulted on), a draft of its own is made here
through the services, with the demo's "Domestic abuse" text, so that no demo row moves. A practitioner, with
JavaScript on, selects words in the section and suggests new wording for them; with JavaScript off, first types words
that are not in the section (refused on the field, with the error summary), then edits a copy of the whole text. The
facilitator closes the consultation, accepts the first suggestion into version 3 (made there and then) and declines the
second, sees the link back from version 3, publishes version 3 and the answers. The practitioner reads on the report
what became of each, and that version 3 holds the accepted wording. Walked at 1280 px and at 320 px.
"""
import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD
from app.extensions import db
from tests.browser.helpers import DESKTOP, PHONE, sign_in
from tests.journeys import builders

PASSWORD = "a long and unguessable password"
SECTION = "Domestic abuse"
BODY = """The Domestic abuse group would lead the partnership's work for children who live with domestic abuse, or \
who are harmed by abuse in their own relationships as teenagers.

It would:

- oversee the services that support children and the adults who are being abused;
- work jointly with the North Somerset Community Safety Partnership, rather than run a separate group."""
SELECTED = "the adults who are being abused"


def _consultation(live_server, run):
    """Versions 1 and 2 of a draft, version 2 open for consultation to practitioners (as the demo's)."""
    from sqlalchemy import select

    from app.accounts.models import Audience, Person
    from app.consultations import services as consultations
    from app.drafts import services as drafts
    from app.partnerships.services import current_partnership
    from app.timeutil import utcnow

    with live_server.app.app_context():
        fran = db.session.execute(select(Person).where(Person.email == "facilitator@demo.test")).scalar_one()
        draft = drafts.create_draft(fran, current_partnership(), title=f"Proposed working groups {run}")
        first = drafts.working_version(draft)
        drafts.add_section(fran, first, title=SECTION, body="The Domestic abuse group would lead the work.")
        drafts.publish_version(fran, first, change_note="First version")
        second = drafts.new_version_from(fran, first)
        section = second.sections[0]
        drafts.update_section(fran, section, title=SECTION, body=BODY)
        drafts.publish_version(fran, second, change_note="After the partners' workshop")
        now = utcnow()
        consultation = consultations.open_consultation(
            fran, second, title=f"Proposed working groups {run}", audiences=[Audience.PRACTITIONERS.value],
            opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(weeks=6))
        ids = consultation.id, draft.id
        db.session.remove()
    return ids


def _select(page, words):
    """Select `words` in the section's text, as a person does with the mouse, and let go of the button."""
    page.evaluate("""(words) => {
        const body = document.querySelector('.portal-section__body');
        const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(words);
            if (at >= 0) {
                const range = document.createRange();
                range.setStart(node, at + 2);  // part-way into the first word: it is widened to whole words
                range.setEnd(node, at + words.length);
                const selection = window.getSelection();
                selection.removeAllRanges();
                selection.addRange(range);
                body.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                return;
            }
        }
        throw new Error('words not found: ' + words);
    }""", words)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_suggested_wording_goes_into_version_3_and_the_report(browser, browser_errors, live_server, viewport):
    run = uuid.uuid4().hex[:6]
    shot = f"suggested-wording-{'phone' if viewport == PHONE else 'desktop'}"
    consultation_id, draft_id = _consultation(live_server, run)
    email = live_server.create_account("practitioner", PASSWORD)

    def person(login, password=PASSWORD, javascript=True):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-GB",
                                      timezone_id="Europe/London", java_script_enabled=javascript)
        page = browser_errors.watch(context.new_page())
        sign_in(page, login, password)
        return page

    # With JavaScript: select words in the proposal; the link takes them to the suggest page.
    priya = person(email)
    priya.goto(f"/consultations/{consultation_id}")
    _select(priya, SELECTED)
    link = priya.get_by_role("link", name=f"Suggest new wording for “{SELECTED}”")
    expect(link).to_be_visible()
    builders.check(priya, viewport, f"{shot}-1-selected")
    link.click()
    expect(priya.get_by_role("heading", name=f"Suggest new wording for “{SECTION}”")).to_be_visible()
    expect(priya.get_by_label("The words you want to change")).to_have_value(SELECTED)
    priya.get_by_label("Your wording").fill("the adults, most often their mothers, who are being abused")
    priya.get_by_label("Why do you suggest this wording?").first.fill(
        "Most children we see live with a mother who is being abused: say so.")
    builders.check(priya, viewport, f"{shot}-2-suggest-form")
    priya.get_by_role("button", name="Send your suggestion").first.click()
    expect(priya.locator(".govuk-notification-banner")).to_contain_text(f"Your suggestion for “{SECTION}” has been saved")
    card = priya.locator(".portal-suggestion").first
    expect(card.locator("ins")).to_contain_text("most often their mothers")
    expect(card).to_contain_text("inserted:")  # read out by screen readers, hidden on screen
    builders.check(priya, viewport, f"{shot}-3-tracked-change")

    # Without JavaScript: words that are not in the section are refused on the field; an edited copy works.
    plain = person(email, javascript=False)
    plain.goto(f"/consultations/{consultation_id}")
    plain.get_by_role("link", name=f"Suggest new wording for “{SECTION}”").click()
    plain.get_by_label("The words you want to change").fill("work together with the police")
    plain.get_by_label("Your wording").fill("work with the police")
    plain.get_by_label("Why do you suggest this wording?").first.fill("Shorter")
    plain.get_by_role("button", name="Send your suggestion").first.click()
    summary = plain.locator(".govuk-error-summary")
    expect(summary).to_contain_text("These words are not in the section’s text as written, as whole words")
    builders.check(plain, viewport, f"{shot}-4-refused")
    copy = plain.get_by_label("The section’s text, with your change made in it")
    copy.fill(copy.input_value().replace("work jointly with", "work closely with"))
    plain.get_by_label("Why do you suggest this wording?").nth(1).fill("Jointly sounds like a merger.")
    plain.get_by_role("button", name="Send your suggestion").nth(1).click()
    expect(plain.locator(".govuk-notification-banner")).to_contain_text("has been saved")
    expect(plain.locator(".portal-suggestion del").filter(has_text="jointly")).to_be_visible()
    builders.check(plain, viewport, f"{shot}-5-edited-copy")

    # The facilitator closes the consultation, accepts the first into version 3 and declines the second.
    fran = person("facilitator@demo.test", DEMO_PASSWORD)
    fran.goto(f"/consultations/{consultation_id}/close")
    fran.get_by_label("Why is it closing early?").fill("The partners meet next week.")
    fran.get_by_role("button", name="Close it now").click()
    fran.goto(f"/consultations/{consultation_id}/suggestions")
    expect(fran.get_by_text("2 suggestions for new wording; 2 still to decide.")).to_be_visible()
    fran.get_by_role("link", name=re.compile(r"^Decide on suggestion")).first.click()
    expect(fran.locator("#destination")).to_contain_text("a new version 3")
    fran.get_by_label("Accept: the suggested wording goes into the draft").check()
    fran.get_by_label("Why", exact=True).fill("We agree: most children live with an abused mother.")
    builders.check(fran, viewport, f"{shot}-6-decide")
    fran.get_by_role("button", name="Save the decision").click()
    expect(fran.locator(".govuk-notification-banner")).to_contain_text("accepted into version 3")
    fran.get_by_role("link", name=re.compile(r"^Decide on suggestion")).first.click()
    fran.get_by_label("Decline: the draft keeps its wording").check()
    fran.get_by_label("Why", exact=True).fill("Jointly is the word the two partnerships agreed.")
    fran.get_by_role("button", name="Save the decision").click()
    expect(fran.locator(".govuk-notification-banner")).to_contain_text("declined")
    builders.check(fran, viewport, f"{shot}-7-decided")

    # Version 3 holds the wording, with a link back to the suggestion; publish it and the answers.
    fran.goto(f"/drafts/{draft_id}")
    expect(fran.get_by_text("New wording from suggestion")).to_be_visible()
    fran.get_by_label("What changed in this version").fill("Suggested wording accepted")
    fran.get_by_role("button", name="Publish version 3").click()
    fran.goto(f"/drafts/{draft_id}/v/3")
    expect(fran.locator(".portal-draft-section__body")).to_contain_text("most often their mothers")
    fran.goto(f"/consultations/{consultation_id}/responses")
    fran.get_by_role("button", name="Publish answers").click()
    expect(fran.locator(".govuk-notification-banner")).to_contain_text("2 answers published")
    fran.goto(f"/consultations/{consultation_id}/signoff")
    expect(fran.locator("#accepted-suggestions")).to_contain_text("Contains it")
    builders.check(fran, viewport, f"{shot}-8-signoff")

    # The practitioner reads on the report what became of each suggestion.
    priya.goto(f"/consultations/{consultation_id}/report")
    report = priya.locator("#suggested-wording")
    expect(report).to_contain_text("1 accepted, 0 accepted with changes, 1 declined")
    expect(report).to_contain_text("We agree: most children live with an abused mother.")
    expect(report).to_contain_text("In the final version (version 3).")
    expect(report).to_contain_text("Jointly is the word the two partnerships agreed.")
    builders.check(priya, viewport, f"{shot}-9-report")
