"""Journey: a practitioner's comment is answered, but they hear nothing until the answers are published together.

A practitioner comments on a proposal. The facilitator closes the consultation and answers the comment: the answer is
a draft, marked so for the facilitator, and the practitioner sees none yet (the report tells them the answers are not
published). The facilitator publishes the answers: the practitioner receives one email (delivered to the tests' own
SMTP server) and reads the answer on the consultation page. The facilitator changes only the wording: no new email.
Then changes the outcome: a new email says the answer changed. Walked at 1280 px and at 320 px.

The consultation is made here (through the services) on the shared live server, so no demo rows move.
"""
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, PHONE, sign_in, snap
from tests.journeys import builders
from tests.smtp import smtp  # noqa: F401  (a fixture)

PASSWORD = "a long and unguessable password"
SECTION = "Schools in the partnership"


def _consultation(live_server, run):
    """An open consultation of the demo partnership for practitioners, with one section."""
    from app.accounts.models import Audience

    return builders.open_consultation(
        live_server, draft_title=f"Education arrangements {run}", title=f"How schools take part {run}",
        sections={SECTION: "How schools take part in the partnership."},
        audiences=[Audience.PRACTITIONERS.value])[0]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_answers_reach_the_practitioner_only_once_published(browser, browser_errors, live_server, smtp, viewport):
    run = uuid.uuid4().hex[:6]
    shot = "answers"
    consultation_id = _consultation(live_server, run)
    email = live_server.create_account("practitioner", PASSWORD)

    def person(login, password=PASSWORD):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-GB",
                                      timezone_id="Europe/London")
        page = browser_errors.watch(context.new_page())
        sign_in(page, login, password)
        return page

    # The practitioner comments on the proposal.
    priya = person(email)
    priya.goto(f"/consultations/{consultation_id}")
    section = priya.locator("section.portal-section", has=priya.get_by_role("heading", name=re.compile(SECTION)))
    words = f"Every school should have a named safeguarding contact ({run})."
    section.get_by_label(re.compile(f"Your comment on {SECTION}")).fill(words)
    section.get_by_role("button", name="Post comment").click()
    expect(priya.get_by_text(words)).to_be_visible()
    comment_id = int(priya.locator("article.portal-comment", has_text=words).get_attribute("id").split("-")[1])

    # The facilitator closes the consultation and answers the comment: a draft.
    from app.demo import DEMO_PASSWORD as demo_password

    fran = person("facilitator@demo.test", demo_password)
    fran.goto(f"/consultations/{consultation_id}/close")
    fran.get_by_label("Why is it closing early?").fill("The summer term ends.")
    fran.get_by_role("button", name="Close it now").click()
    fran.goto(f"/responses/comments/{comment_id}")
    fran.get_by_label("Partly accepted", exact=True).check()
    fran.get_by_label("Why").fill("Each school will name a contact; academies will follow next year.")
    fran.get_by_role("button", name="Save the answer").click()
    expect(fran.locator(".govuk-notification-banner")).to_contain_text("Your answer has been saved")
    answer = fran.locator(f"#comment-{comment_id}")
    expect(answer).to_contain_text("Draft — not yet published")
    expect(fran.locator("#publication-counts")).to_have_text(
        "1 comment has a draft answer; 0 have their answers published.")
    builders.check(fran, viewport, f"{shot}-1-draft-answer")

    # The practitioner sees no answer yet, and has no email.
    priya.goto(f"/consultations/{consultation_id}")
    mine = priya.locator("#your-answers")
    expect(mine).to_contain_text("The partnership has not published its answer to your comment yet")
    expect(priya.get_by_text("academies will follow next year")).to_have_count(0)
    mine.scroll_into_view_if_needed()
    snap(priya, f"{shot}-2-not-yet")
    priya.goto(f"/consultations/{consultation_id}/report")
    expect(priya.get_by_role("heading", name="The answers are not published yet")).to_be_visible()
    builders.check(priya, viewport, f"{shot}-3-report-not-yet")
    builders.deliver_mail(live_server, smtp)
    assert builders.mail_to(smtp, email) == []

    # The facilitator publishes the answers.
    fran.goto(f"/consultations/{consultation_id}/responses")
    fran.get_by_role("button", name="Publish answers").click()
    expect(fran.locator(".govuk-notification-banner")).to_contain_text("1 answer published")
    expect(fran.locator("#publication-counts")).to_have_text(
        "0 comments have draft answers; 1 has its answer published.")
    expect(fran.get_by_role("button", name="Publish answers")).to_have_count(0)
    expect(fran.get_by_text("Draft — not yet published")).to_have_count(0)
    builders.check(fran, viewport, f"{shot}-4-published")

    # One email; the answer on the consultation page and in the report.
    builders.deliver_mail(live_server, smtp)
    mails = builders.mail_to(smtp, email)
    assert len(mails) == 1 and mails[0]["Subject"].startswith("Your comment has been answered")
    body = mails[0].get_body(preferencelist=("plain",)).get_content()
    assert "Partly accepted" in body and "academies will follow next year" in body and words[:40] in body
    priya.goto(f"/consultations/{consultation_id}")
    mine = priya.locator("#your-answers")
    expect(mine).to_contain_text("academies will follow next year")
    expect(mine).to_contain_text("Partly accepted")
    expect(mine).not_to_contain_text("Draft")
    mine.scroll_into_view_if_needed()
    snap(priya, f"{shot}-5-answer-seen")
    mine.get_by_role("link", name=re.compile("Read every answer")).click()
    expect(priya.locator("main")).to_contain_text("academies will follow next year")
    builders.check(priya, viewport, f"{shot}-6-report")

    # A change of wording alone: no email.
    fran.goto(f"/responses/comments/{comment_id}")
    expect(fran.locator("#answer-state")).to_contain_text("This answer is published")
    builders.check(fran, viewport, f"{shot}-7-change-wording")
    fran.get_by_label("Why").fill("Each school will name a contact by September; academies will follow next year.")
    fran.get_by_role("button", name="Save the answer").click()
    expect(fran.locator(".govuk-notification-banner")).to_contain_text("Your answer has been saved")
    builders.deliver_mail(live_server, smtp)
    assert len(builders.mail_to(smtp, email)) == 1
    priya.goto(f"/consultations/{consultation_id}")
    expect(priya.locator("#your-answers")).to_contain_text("by September")

    # A change of outcome: a new email says so.
    fran.goto(f"/responses/comments/{comment_id}")
    fran.get_by_label("Not accepted", exact=True).check()
    fran.get_by_label("Why").fill("The schools' forum already names a contact for every school.")
    fran.get_by_role("button", name="Save the answer").click()
    builders.deliver_mail(live_server, smtp)
    mails = builders.mail_to(smtp, email)
    assert len(mails) == 2 and mails[-1]["Subject"].startswith("An answer to your comment has changed")
    assert "Not accepted (changed)" in mails[-1].get_body(preferencelist=("plain",)).get_content()
    priya.goto(f"/consultations/{consultation_id}")
    expect(priya.locator("#your-answers")).to_contain_text("Not accepted")
    priya.locator("#your-answers").scroll_into_view_if_needed()
    snap(priya, f"{shot}-8-outcome-changed")
    browser_errors.assert_clean()
