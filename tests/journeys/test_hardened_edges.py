"""Separation of duties and hardened edges (issue 14), walked in Chromium by visible text and accessible names:

- a facilitator tries to make themselves the independent scrutineer and is told why they cannot;
- a facilitator makes a colleague a delegated signatory for the police, which waits until the police's lead
  partner confirms it on the Roles page; the scrutineer reads the history;
- the scrutineer asks for the whole consultation log to be checked again.

The demo facilitator's own roles are never changed (the error stops it); the colleague is made for this test.
"""
import re
import uuid

import pytest
from playwright.sync_api import expect

from app.accounts import services as accounts
from app.accounts.models import Role
from app.extensions import db
from app.partnerships.services import current_partnership
from tests.browser.helpers import (
    DEMO_PASSWORD,
    DESKTOP,
    PHONE,
    assert_fits_width,
    assert_no_axe_violations,
    sign_in,
    sign_out,
    snap,
)

pytestmark = pytest.mark.browser
SEPARATION = "A facilitator cannot also be the independent scrutineer or a signatory"


@pytest.mark.parametrize("viewport, javascript", [(DESKTOP, True), (PHONE, False)], ids=["desktop", "phone-nojs"])
def test_a_facilitator_cannot_make_themselves_the_scrutineer(page, nojs_page, browser_errors, viewport, javascript):
    page = page if javascript else nojs_page
    page.set_viewport_size(viewport)
    sign_in(page, "facilitator@demo.test")
    page.goto("/admin/people")
    page.get_by_role("link", name="Fran Facilitator").click()
    expect(page.get_by_role("heading", name="Fran Facilitator")).to_be_visible()
    page.get_by_label("Independent scrutineer").check()
    page.get_by_role("button", name="Save changes").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(SEPARATION)
    expect(summary).to_contain_text("nobody may check their own")
    expect(page).to_have_title(re.compile("^Error: "))
    summary.get_by_role("link", name=re.compile(SEPARATION)).click()  # the summary leads to the roles
    assert_fits_width(page)
    assert_no_axe_violations(page)
    snap(page, "facilitator-cannot-be-scrutineer")

    page.goto("/admin/people")
    row = page.get_by_role("row", name=re.compile("Fran Facilitator"))
    expect(row).not_to_contain_text("Independent scrutineer")  # nothing changed


@pytest.fixture
def colleague(live_server):
    """A practitioner of the demo council, made for this test: (display name, email)."""
    name, email = f"Casey Colleague {uuid.uuid4().hex[:4]}", f"casey-{uuid.uuid4().hex[:8]}@example.org"
    with live_server.app.app_context():
        partnership = current_partnership()
        council = next(o for o in partnership.organisations if o.name == "Avon and Somerset Constabulary")
        accounts.create_account(None, partnership=partnership, display_name=name, roles=[Role.PRACTITIONER],
                                password=DEMO_PASSWORD, email=email, organisation=council)
        db.session.remove()
    return name, email


def _open_roles(page):
    """The Roles item of the service navigation (behind the Menu button on a phone)."""
    # On a phone the Menu button shows once GOV.UK Frontend has started the navigation: wait for that, or a busy
    # machine races it (the link is then hidden in the folded menu).
    page.wait_for_load_state("load")
    navigation = page.locator("[data-module='govuk-service-navigation']")
    if navigation.count() and getattr(page.context, "javascript_enabled", True):
        expect(navigation.first).to_have_attribute("data-govuk-service-navigation-init", re.compile(".*"))
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    page.get_by_role("link", name="Roles", exact=True).first.click()
    expect(page.get_by_role("heading", name="Roles and who confirmed them")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_lead_partner_confirms_a_signatory_grant(page, browser_errors, colleague, viewport):
    name, _email = colleague
    page.set_viewport_size(viewport)
    sign_in(page, "facilitator@demo.test")
    page.goto("/admin/people")
    page.get_by_role("link", name=name).click()
    page.get_by_label("Delegated safeguarding partner (signatory)").check()
    page.get_by_label("Statutory partner they sign for").select_option(label="Avon and Somerset Police")
    page.get_by_label("Lead safeguarding partner they act for").select_option(label="Pat Police")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text(re.compile("starts once another entitled person confirms it"))).to_be_visible()
    _open_roles(page)
    waiting = page.locator(".govuk-summary-card", has_text=name)
    expect(waiting).to_contain_text("Asked by Fran Facilitator")
    expect(waiting.get_by_role("button")).to_have_count(0)  # the person who asked cannot confirm
    snap(page, "grant-waiting-facilitator")
    sign_out(page)

    sign_in(page, "police.partner@demo.test")
    _open_roles(page)
    confirm = page.get_by_role("button", name=f"Confirm {name} as Delegated safeguarding partner (signatory)")
    expect(confirm).to_be_visible()
    assert_fits_width(page)
    assert_no_axe_violations(page)
    snap(page, "grant-waiting-lead")
    confirm.click()
    expect(page.get_by_text(f"{name} now holds the role Delegated safeguarding partner (signatory)")).to_be_visible()
    history = page.get_by_role("table", name="History of grants and removals")
    expect(history.get_by_role("row", name=re.compile(name)).first).to_contain_text("Pat Police")
    snap(page, "grant-confirmed-lead")
    sign_out(page)

    sign_in(page, "scrutineer@demo.test")
    _open_roles(page)
    row = page.get_by_role("table", name="History of grants and removals").get_by_role("row", name=re.compile(name))
    expect(row.first).to_contain_text("Fran Facilitator")
    expect(page.get_by_role("button", name=re.compile("^Confirm"))).to_have_count(0)  # the scrutineer watches
    assert_fits_width(page)
    snap(page, "grant-history-scrutineer")


def test_the_scrutineer_checks_every_entry_again(page, browser_errors):
    sign_in(page, "scrutineer@demo.test")
    page.goto("/scrutiny")
    expect(page.get_by_role("heading", name="The consultation log")).to_be_visible()
    page.get_by_role("link", name="Check every entry again").click()
    expect(page.get_by_text("every hash and link checked now")).to_be_visible()
    # the chain's own "OK" (the workspace also tags each checkpoint it has seen OK)
    expect(page.locator("dl", has_text="Verified now").get_by_text("OK", exact=True)).to_be_visible()
    snap(page, "log-checked-in-full")
