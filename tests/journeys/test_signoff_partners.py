"""Journey: Hartlepool and Stockton-on-Tees sign off their arrangements as a real combined partnership does.

A facilitator sets up the two councils, Cleveland Police and the ICB as four statutory partners, each covering its
areas; answers 30 comments: finds 29 with search and filters, tags them with a theme in bulk (two pages) and
answers the theme once (copied to each of the 29); answers the last on its own page, seeing its replies and the
reasons given with votes; publishes the answers; asks for sign-off. Stockton's lead returns it with reasons; the facilitator
sees the return on their home page, makes and publishes version 2 and asks again; Stockton's lead sees what
changed since the version they returned; all four approve; the public page shows the four sign-offs.

The shared live server holds North Somerset (one partnership per installation, and other browser tests count its
three partners), so this journey runs on a live server of its own whose database starts with only the partnership,
its facilitator and a closed consultation (made through the services).
"""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import Audience, Role
from app.consultations import services as consultations
from app.drafts import services as drafts
from app.extensions import db
from app.partnerships import services as partnerships
from app.partnerships.models import StatutoryPartner
from app.signoff.models import Publication
from app.timeutil import utcnow
from tests.browser.helpers import DESKTOP, PHONE, assert_fits_width, sign_in, snap
from tests.browser.plugin import serve

PASSWORD = "a long and unguessable password"
FACILITATOR = "fran@tees.example.org"
PARTNERS = [  # name, kind label on the form, areas, the lead's email
    ("Hartlepool Borough Council", "Local authority", ["Hartlepool"], "hartlepool.lead@tees.example.org"),
    ("Stockton-on-Tees Borough Council", "Local authority", ["Stockton-on-Tees"], "stockton.lead@tees.example.org"),
    ("Cleveland Police", "Police", ["Hartlepool", "Stockton-on-Tees"], "police.lead@tees.example.org"),
    ("North East and North Cumbria ICB", "Integrated care board", ["Hartlepool", "Stockton-on-Tees"],
     "icb.lead@tees.example.org"),
]
RETURN_REASONS = "The engine room group must name how Stockton's schools take part."


def _set_up(partnership_name="Hartlepool and Stockton-on-Tees Safeguarding Children Partnership"):
    """The partnership (no statutory partners yet), its facilitator and a closed consultation with 30 comments."""
    partnership = partnerships.create_partnership(name=partnership_name, slug="tees",
                                                  areas=["Hartlepool", "Stockton-on-Tees"])
    facilitator = accounts.create_account(None, partnership=partnership, display_name="Fran Tees",
                                          roles=[Role.FACILITATOR], password=PASSWORD, email=FACILITATOR)
    people = [accounts.create_account(None, partnership=partnership, display_name=f"Practitioner {n}",
                                      roles=[Role.PRACTITIONER], password=PASSWORD,
                                      email=f"practitioner{n}@tees.example.org") for n in range(3)]
    draft = drafts.create_draft(facilitator, partnership, title="Hartlepool and Stockton arrangements")
    working = drafts.working_version(draft)
    for title in ("Executive partnership", "Engine room group"):
        drafts.add_section(facilitator, working, title=title, body=f"The {title.lower()} of both areas.")
    drafts.publish_version(facilitator, working, change_note="First version for consultation")
    now = utcnow()
    consultation = consultations.open_consultation(
        facilitator, working, title="One partnership for two towns", audiences=[Audience.PRACTITIONERS.value],
        opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(weeks=6))
    engine_room = working.sections[1]
    [consultations.post_comment(people[n % 3], consultation, f"Schools need a seat, point {n}.",
                                           section=engine_room) for n in range(29)]
    alone = consultations.post_comment(people[0], consultation, "Will the executive publish its minutes?",
                                       section=working.sections[0])
    consultations.reply(people[1], alone, "Yes please, for practitioners in both towns.")
    consultations.cast_vote(people[2], consultation, working.sections[0], "support_with_changes",
                            "Minutes would help us trust it.")
    consultations.close_early(facilitator, consultation, "Enough responses")
    return consultation.id, alone.id


@pytest.fixture(scope="module")
def tees(request, tmp_path_factory):
    """A live server of this journey's own: (url, app, consultation id, the comment answered alone)."""
    with serve(request, tmp_path_factory, "tees", _set_up) as (base_url, app, ids):
        yield (base_url, app, *ids)


def _make_leads(app):
    """Each partner's lead (invitations are walked in tests/browser; here they can sign in at once)."""
    with app.app_context():
        partnership = partnerships.current_partnership()
        for partner_name, _kind, _areas, email in PARTNERS:
            partner = db.session.execute(select(StatutoryPartner).where(StatutoryPartner.name == partner_name)
                                         ).scalar_one()
            accounts.create_account(None, partnership=partnership, display_name=f"Lead of {partner_name}",
                                    roles=[Role.LEAD_SIGNATORY], password=PASSWORD, email=email,
                                    statutory_partner_id=partner.id)
        db.session.remove()


def _at_phone_width(page, name):
    """The same page at 320 px: nothing scrolls sideways; a screenshot at each width."""
    snap(page, name)
    page.set_viewport_size(PHONE)
    assert_fits_width(page)
    snap(page, name)
    page.set_viewport_size(DESKTOP)


def _decide(page, lead_email, decision, reason=""):
    sign_in(page, lead_email, PASSWORD)
    page.get_by_role("link", name=re.compile(r"Hartlepool and Stockton arrangements, version \d")).first.click()
    page.get_by_label(decision).check()
    if reason:
        page.get_by_label("Reasons (needed if you return it)").fill(reason)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm my decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have")


def test_two_councils_police_and_icb_sign_off_after_a_return(browser, browser_errors, tees):
    base_url, app, consultation_id, alone_id = tees

    def fresh_page():
        context = browser.new_context(base_url=base_url, viewport=DESKTOP, locale="en-GB",
                                      timezone_id="Europe/London")
        return browser_errors.watch(context.new_page())

    # The facilitator sets up the four statutory partners, saying which areas each covers.
    fran = fresh_page()
    sign_in(fran, FACILITATOR, PASSWORD)
    fran.goto("/admin/partnership")
    expect(fran.locator("#coverage-gaps")).to_contain_text("no local authority partner covers Hartlepool")
    for partner_name, kind, areas, _email in PARTNERS:
        form = fran.locator("form", has=fran.get_by_role("button", name="Add statutory partner"))
        form.get_by_label("Statutory partner's name").fill(partner_name)
        form.get_by_label(kind, exact=True).check()
        for area in areas:
            form.get_by_label(area, exact=True).check()
        form.get_by_role("button", name="Add statutory partner").click()
        expect(fran.locator(".govuk-notification-banner")).to_contain_text(f"{partner_name} has been added")
    partners = fran.locator(".govuk-summary-list").first
    expect(partners).to_contain_text("Covers: Hartlepool, Stockton-on-Tees")
    expect(partners).to_contain_text("Covers: Stockton-on-Tees")
    expect(fran.locator("#coverage-gaps")).to_have_count(0)
    _at_phone_width(fran, "tees-1-partners")
    _make_leads(app)

    # 29 comments are found with search and filters, tagged "Schools" in bulk (two pages) and answered once.
    fran.goto(f"/consultations/{consultation_id}/responses")
    expect(fran.get_by_text("30 comments need an answer")).to_be_visible()
    fran.get_by_text("Search and filter the comments").click()
    fran.get_by_label("Search the comments").fill("schools seat")
    fran.get_by_label("Section", exact=True).select_option(label="Engine room group")
    fran.get_by_label("Answered", exact=True).select_option(label="Not answered yet")
    fran.get_by_role("button", name="Show comments").click()
    expect(fran.locator("#found")).to_have_text("29 comments match; page 1 of 2.")
    _at_phone_width(fran, "tees-2-answers-filtered")
    for round_ in range(2):
        boxes = fran.locator("input[name=comments]")
        for n in range(boxes.count()):
            boxes.nth(n).check()
        fran.get_by_label("Or a new theme").fill("Schools")
        fran.get_by_role("button", name="Tag the selected comments").click()
        expect(fran.locator(".govuk-notification-banner")).to_contain_text("tagged with “Schools”")
        if round_ == 0:
            fran.get_by_role("link", name="Next page").click()
            expect(fran.locator("#found")).to_contain_text("page 2 of 2")  # counted only once it has loaded
    fran.goto(f"/consultations/{consultation_id}/themes")
    fran.get_by_role("link", name=re.compile("Schools")).first.click()
    fran.get_by_label("Accepted", exact=True).check()
    fran.get_by_label("Why").fill("Both towns' heads' forums will each have a seat on the engine room group.")
    fran.get_by_role("button", name="Save the answer").click()
    expect(fran.locator(".govuk-notification-banner")).to_contain_text("applied to 29 comments")
    expect(fran.locator("#publication-counts")).to_contain_text("29 comments under this theme have draft answers")
    fran.goto(f"/responses/comments/{alone_id}")
    expect(fran.get_by_text("Yes please, for practitioners in both towns.")).to_be_visible()
    expect(fran.get_by_text("Minutes would help us trust it.")).to_be_visible()
    fran.get_by_label("Accepted", exact=True).check()
    fran.get_by_label("Why").fill("The executive partnership will publish its minutes.")
    fran.get_by_role("button", name="Save the answer").click()
    expect(fran.get_by_text("0 still unanswered")).to_be_visible()

    # Sign-off waits for the answers to be published: they are published together, and each author emailed once.
    fran.goto(f"/consultations/{consultation_id}/signoff")
    expect(fran.locator("#draft-answers")).to_contain_text("31 answers are drafts")
    fran.goto(f"/consultations/{consultation_id}/responses")
    expect(fran.locator("#publication-counts")).to_contain_text("30 comments have draft answers; 0 have")
    fran.get_by_role("button", name="Publish answers").click()
    expect(fran.locator(".govuk-notification-banner")).to_contain_text("31 answers published")
    expect(fran.locator("#publication-counts")).to_contain_text("0 comments have draft answers; 30 have")

    # Sign-off is asked for.
    fran.goto(f"/consultations/{consultation_id}/signoff")
    fran.get_by_label("Date the arrangements take effect").fill("29 9 2027")
    fran.get_by_role("button", name="Ask for sign-off").click()
    expect(fran.locator(".govuk-notification-banner")).to_contain_text("Sign-off has been asked for")

    # Stockton's lead returns it.
    stockton = fresh_page()
    _decide(stockton, PARTNERS[1][3], "Return them to the facilitator", RETURN_REASONS)

    # The facilitator sees the return, with its reasons and next step, on their home page.
    fran.goto("/")
    returned = fran.locator(".portal-returned")
    expect(returned).to_contain_text("Stockton-on-Tees Borough Council")
    expect(returned).to_contain_text(RETURN_REASONS)
    _at_phone_width(fran, "tees-3-home-returned")
    returned.get_by_role("link", name=re.compile("Make a new version of the draft")).click()
    fran.get_by_role("button", name=re.compile("Make version 2 from version 1")).click()
    fran.get_by_label("What changed in this version").fill("The engine room group names Stockton's schools.")
    fran.get_by_role("button", name="Publish version 2").click()
    fran.goto("/")
    fran.locator(".portal-returned").get_by_role("link", name=re.compile("Ask for sign-off again")).click()
    fran.get_by_label("Date the arrangements take effect").fill("29 9 2027")
    fran.get_by_role("button", name="Ask for sign-off").click()
    expect(fran.locator(".govuk-notification-banner")).to_contain_text("Sign-off has been asked for")
    fran.goto("/")
    expect(fran.locator(".portal-returned")).to_have_count(0)

    # Stockton's lead sees what changed since the version they returned, then everyone approves.
    stockton = fresh_page()
    sign_in(stockton, PARTNERS[1][3], PASSWORD)
    stockton.get_by_role("link", name="Hartlepool and Stockton arrangements, version 2").click()
    changed = stockton.get_by_role("link", name=re.compile("What changed since version 1, which Stockton"))
    expect(changed).to_be_visible()
    expect(stockton.get_by_text("The engine room group names Stockton's schools.")).to_be_visible()
    _at_phone_width(stockton, "tees-4-decide-round-2")
    changed.click()
    expect(stockton.locator("main")).to_contain_text("Engine room group")
    for _name, _kind, _areas, email in PARTNERS:
        _decide(fresh_page(), email, "Approve the arrangements")

    # The public page shows all four partners' sign-offs.
    with app.app_context():
        publication = db.session.execute(select(Publication)).scalar_one()
        public_path = f"/arrangements/{publication.slug}/v/{publication.version_number}"
        db.session.remove()
    reader = browser_errors.watch(browser.new_context(base_url=base_url, viewport=DESKTOP).new_page())
    reader.goto(public_path)
    signed = reader.locator("#signed-off")
    for partner_name, *_rest in PARTNERS:
        expect(signed).to_contain_text(partner_name)
    _at_phone_width(reader, "tees-5-public")
