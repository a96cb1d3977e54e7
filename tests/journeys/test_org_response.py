"""Journey: a charity prepares and submits one formal response to a consultation, with a colleague.

The lead (JavaScript on) starts the charity's formal response from the consultation page and adds a colleague as
co-author. The colleague (JavaScript off) finds the draft on the consultation page, writes the charity's comment on a
proposal and saves. The lead, whose page was opened before that save, writes the overall statement and saves: the
portal refuses to overwrite the colleague's work and shows "Someone else saved this: here is theirs", keeping the
lead's words in the form. The lead puts both together and submits. The lead's receipt (delivered to the tests' own
SMTP server) holds the full text and the log entry's seq and hash; the consultation page shows "Response from
<charity>" in a block of its own, and the start button has gone. Walked at 1280 px and at 320 px.
"""
import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.browser.helpers import DESKTOP, PHONE, assert_no_axe_violations, sign_in
from tests.journeys import builders
from tests.smtp import smtp  # noqa: F401  (a fixture)

PASSWORD = "a long and unguessable password"
CHARITY = "Voluntary Action North Somerset"
FIRST, SECOND = "Early help for families", "Listening to children"


def _consultation_and_people(live_server, run):
    """An open consultation for the voluntary sector, and two people of the charity (the lead and a colleague)."""
    from sqlalchemy import select

    from app.accounts import services as accounts
    from app.accounts.models import Audience, Person, Role
    from app.consultations import services as consultations
    from app.drafts import services as drafts
    from app.partnerships.models import Organisation
    from app.partnerships.services import current_partnership
    from app.timeutil import utcnow

    with live_server.app.app_context():
        partnership = current_partnership()
        facilitator = db.session.execute(select(Person).where(Person.email == "facilitator@demo.test")).scalar_one()
        draft = drafts.create_draft(facilitator, partnership, title=f"Family help arrangements {run}")
        working = drafts.working_version(draft)
        drafts.add_section(facilitator, working, title=FIRST, body="A single front door for early help.")
        drafts.add_section(facilitator, working, title=SECOND, body="Children's views in every review.")
        drafts.publish_version(facilitator, working, change_note="For consultation")
        now = utcnow()
        consultation = consultations.open_consultation(
            facilitator, working, title=f"Help for families {run}", audiences=[Audience.VOLUNTARY_AND_COMMUNITY.value],
            opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(weeks=6))
        charity = db.session.execute(select(Organisation).where(Organisation.name == CHARITY)).scalar_one()
        emails = {}
        for key, name in (("lead", f"Lena Lead {run}"), ("colleague", f"Colm Colleague {run}")):
            emails[key] = f"{key}-{run}@charity.example.org"
            accounts.create_account(None, partnership=partnership, display_name=name, roles=[Role.VCS_PARTNER],
                                    password=PASSWORD, email=emails[key], organisation=charity)
        consultation_id = consultation.id
        db.session.remove()
    return consultation_id, emails


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_charity_prepares_and_submits_one_formal_response(browser, browser_errors, live_server, smtp, viewport):
    run = uuid.uuid4().hex[:6]
    shot = f"org-response"
    consultation_id, emails = _consultation_and_people(live_server, run)

    def person(login, javascript=True):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-GB",
                                      timezone_id="Europe/London", java_script_enabled=javascript)
        context.javascript_enabled = javascript  # read by the axe helper
        page = browser_errors.watch(context.new_page())
        sign_in(page, login, PASSWORD)
        return page

    # The lead starts the charity's response and adds a colleague.
    lena = person(emails["lead"])
    lena.goto(f"/consultations/{consultation_id}")
    block = lena.locator("#formal-responses")
    expect(block).to_contain_text("0 formal responses submitted")
    block.get_by_role("button", name=f"Start a formal response for {CHARITY}").click()
    expect(lena.get_by_role("heading", level=1)).to_have_text(f"{CHARITY}’s formal response")
    expect(lena.locator(".govuk-notification-banner")).to_contain_text("Only you and the co-authors you add")
    lena.get_by_label("Add a co-author from your organisation").select_option(label=f"Colm Colleague {run}")
    lena.get_by_role("button", name="Add co-author").click()
    expect(lena.locator(".govuk-notification-banner")).to_contain_text(f"Colm Colleague {run} can now see and edit")
    expect(lena.locator("#co-authors")).to_contain_text(f"Colm Colleague {run} (co-author)")
    builders.check(lena, viewport, f"{shot}-1-started")
    draft_url = lena.url.split("#")[0]

    # The colleague, without JavaScript, finds the draft and writes the charity's comment on the first proposal.
    colm = person(emails["colleague"], javascript=False)
    colm.goto(f"/consultations/{consultation_id}")
    colm.locator("#your-formal-response").get_by_role("link", name=f"{CHARITY}’s formal response").click()
    expect(colm.get_by_text("Only Lena Lead")).to_be_visible()
    expect(colm.get_by_role("button", name="Submit the response")).to_have_count(0)  # only the lead submits
    colleague_words = f"One front door works only if it is open in the evenings ({run})."
    colm.get_by_label(f"1. {FIRST}").fill(colleague_words)
    colm.get_by_role("button", name="Save draft").click()
    expect(colm.locator(".govuk-notification-banner")).to_contain_text("Your draft has been saved")
    builders.check(colm, viewport, f"{shot}-2-co-author-saved")

    # The lead's page was opened before that save: saving over it is refused, with the colleague's text shown.
    overall = f"The charity supports the proposals, with the changes below ({run})."
    lena.get_by_label("Overall statement").fill(overall)
    lena.get_by_role("button", name="Save draft").click()
    expect(lena.locator(".govuk-error-summary")).to_contain_text("saved this response after you opened it")
    theirs = lena.locator("#their-version")
    expect(theirs.get_by_role("heading", name="Someone else saved this: here is theirs")).to_be_visible()
    expect(theirs).to_contain_text(colleague_words)
    expect(lena.get_by_label("Overall statement")).to_have_value(overall)  # the lead's words are kept
    assert_no_axe_violations(lena)
    builders.check(lena, viewport, f"{shot}-3-someone-else-saved")

    # The lead puts both together and submits.
    lena.get_by_label(f"1. {FIRST}").fill(colleague_words)
    lena.get_by_label(f"2. {SECOND}").fill(f"Ask children after every review, not once a year ({run}).")
    lena.get_by_role("button", name="Submit the response").click()
    expect(lena.locator(".govuk-notification-banner")).to_contain_text(f"{CHARITY}’s formal response has been submitted")
    block = lena.locator("#formal-responses")
    response = block.locator("article", has=lena.get_by_role("heading", name=f"Response from {CHARITY}"))
    expect(response).to_contain_text(colleague_words)
    expect(response).to_contain_text(overall)
    expect(block).to_contain_text("1 formal response submitted")
    expect(block.get_by_role("button", name=re.compile("Start a formal response"))).to_have_count(0)
    response.scroll_into_view_if_needed()
    builders.check(lena, viewport, f"{shot}-4-submitted")
    seq = int(re.search(r"log records it as entry (\d+)", lena.locator(".govuk-notification-banner").inner_text()).group(1))

    # The receipt: the full text, with the log entry's seq and hash.
    builders.deliver_mail(live_server, smtp)
    mails = builders.mail_to(smtp, emails["lead"])
    assert len(mails) == 1 and mails[0]["Subject"].startswith("Your formal response has been submitted")
    body = mails[0].get_body(preferencelist=("plain",)).get_content()
    assert colleague_words in body and overall in body and f"entry {seq}:" in body
    from app.trail import services as trail

    with live_server.app.app_context():
        entry = next(e for e in trail.iter_entries() if e["seq"] == seq)
        db.session.remove()
    assert entry["action"] == "org_response.submitted" and entry["hash"] in body
    assert entry["data"]["body_sha256"] in body and colleague_words not in str(entry)
    assert builders.mail_to(smtp, emails["colleague"]) == []

    # The colleague sees it submitted, and can no longer change it.
    colm.goto(draft_url)
    expect(colm.get_by_role("heading", level=1)).to_have_text(f"Response from {CHARITY}")
    expect(colm.get_by_role("button", name="Save draft")).to_have_count(0)
    colm.goto(f"/consultations/{consultation_id}")
    expect(colm.locator("#formal-responses").get_by_role("heading", name=f"Response from {CHARITY}")).to_be_visible()
    expect(colm.locator("#your-formal-response")).to_have_count(0)
    colm.locator("#formal-responses").scroll_into_view_if_needed()
    builders.check(colm, viewport, f"{shot}-5-seen-by-colleague")
    browser_errors.assert_clean()
