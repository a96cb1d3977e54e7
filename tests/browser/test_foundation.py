"""The foundation as a person meets it in Chromium: signing in as each demo account, every page passing axe
(WCAG 2.2 A and AA) with no console or CSP errors, the forms working with JavaScript off, GOV.UK error
summaries and the skip link, and the partnership's own look (no GOV.UK brand)."""
import re
import uuid

import pytest
from playwright.sync_api import expect

from app.accounts import services as accounts
from app.accounts.models import Role
from app.demo import ACCOUNTS
from app.extensions import db
from app.partnerships.services import current_partnership
from tests.browser.helpers import (DEMO_ACCOUNTS, assert_no_axe_violations, axe_violations, fill_login_form,
                                   format_violations, last_email_path, sign_in, sign_out)

pytestmark = pytest.mark.browser

# The section of the home page each role should find there.
ROLE_SECTIONS = {
    "Manage the partnership": {Role.FACILITATOR},
    "Consultations open to you": {Role.PRACTITIONER, Role.VCS_PARTNER, Role.YOUNG_PERSON},
    "Sign-off": {Role.LEAD_SIGNATORY, Role.DELEGATED_SIGNATORY},
    "Independent scrutiny": {Role.SCRUTINEER},
    "Safeguarding concerns": {Role.DSL},
}
DEMO = {login: (name, roles) for login, name, _organisation, roles, _slot in ACCOUNTS}
NEW_PASSWORD = "a brand new passphrase for the browser"


# --- each demo account ---------------------------------------------------------------------------

@pytest.mark.parametrize("login", DEMO_ACCOUNTS)
def test_each_demo_account_signs_in_to_a_home_page_for_their_role(page, login):
    name, roles = DEMO[login]
    sign_in(page, login)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Welcome, {name}")
    for role in roles:
        expect(page.get_by_text("You are signed in as:")).to_contain_text(role.label)
    for section, section_roles in ROLE_SECTIONS.items():
        heading = page.get_by_role("heading", level=2, name=section, exact=True)
        expect(heading).to_have_count(1 if section_roles & set(roles) else 0)
    people_link = page.get_by_role("navigation").get_by_role("link", name="People", exact=True)
    expect(people_link).to_have_count(1 if Role.FACILITATOR in roles else 0)
    assert_no_axe_violations(page)

    sign_out(page)
    page.goto("/password")  # the session is over: a signed-in page now asks to sign in
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fpassword$"))
    page.goto("/")  # and home is the public front door again
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()


# --- every page: axe and no console or CSP errors --------------------------------------------------

def _visit(path, status=200):
    def go(page, live_server, browser_errors):
        if status != 200:
            browser_errors.expect_status(status)
        response = page.goto(path)
        assert response.status == status, f"{path} answered {response.status}"
    return go


def _submit(button):
    def go(page, live_server, browser_errors):
        page.get_by_role("button", name=button).click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
    return go


def _wrong_password(page, live_server, browser_errors):
    page.goto("/login")
    fill_login_form(page, "practitioner@demo.test", "not the password")
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _forgotten_password_sent(page, live_server, browser_errors):
    page.goto("/password/forgotten")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()


def _open_person(page, live_server, browser_errors):
    page.goto("/admin/people")
    page.get_by_role("link", name="Priya Practitioner").click()
    expect(page).to_have_url(re.compile(r"/admin/people/\d+$"))


def _wrong_current_password(page, live_server, browser_errors):
    page.goto("/password")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("different")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _invitation_link(page, live_server, browser_errors):
    email = f"invitee-{uuid.uuid4().hex[:8]}@example.org"
    with live_server.app.app_context():
        partnership = current_partnership()
        facilitator = accounts.find_by_login("facilitator@demo.test")
        accounts.invite_person(facilitator, partnership=partnership, display_name="Ivy Invitee", email=email,
                               organisation=partnership.organisations[0], roles=[Role.PRACTITIONER])
        db.session.remove()
    page.goto(last_email_path(live_server.app, email))
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()


def _reset_link(page, live_server, browser_errors):
    email = live_server.create_account()
    with live_server.app.app_context():
        accounts.request_password_reset(email)
        db.session.remove()
    page.goto(last_email_path(live_server.app, email))
    expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()


# Every page that exists, grouped by who looks at it (one sign-in per group keeps the suite fast).
PAGES = {
    None: {
        "login": [_visit("/login")],
        "login-empty": [_visit("/login"), _submit("Sign in")],
        "login-wrong-password": [_wrong_password],
        "forgotten-password": [_visit("/password/forgotten")],
        "forgotten-password-empty": [_visit("/password/forgotten"), _submit("Send the link")],
        "forgotten-password-sent": [_forgotten_password_sent],
        "accessibility-statement": [_visit("/accessibility")],
        "invitation-link": [_invitation_link],
        "invitation-link-empty": [_submit("Set password and sign in")],
        "invitation-expired": [_visit(f"/invitations/{'x' * 43}", status=410)],
        "reset-link": [_reset_link],
        "reset-expired": [_visit(f"/password/reset/{'x' * 43}", status=410)],
        "not-found": [_visit("/no-such-page", status=404)],
    },
    "practitioner@demo.test": {
        "home": [_visit("/")],
        "forbidden": [_visit("/admin/people", status=403)],
        "change-password": [_visit("/password")],
        "change-password-errors": [_wrong_current_password],
        "accessibility-statement": [_visit("/accessibility")],
    },
    "facilitator@demo.test": {
        "home": [_visit("/")],
        "people": [_visit("/admin/people")],
        "invite-person": [_visit("/admin/people/new")],
        "invite-person-empty": [_submit("Send invitation")],
        "person": [_open_person],
        "organisations": [_visit("/admin/organisations")],
        "organisations-empty": [_submit("Add organisation")],
        "partnership": [_visit("/admin/partnership")],
    },
}


@pytest.mark.parametrize("login", PAGES, ids=lambda login: login or "signed-out")
def test_every_page_has_no_accessibility_violations_or_console_errors(page, live_server, browser_errors, login):
    if login:
        sign_in(page, login)
    problems = []
    for name, steps in PAGES[login].items():
        for step in steps:
            step(page, live_server, browser_errors)
        violations = axe_violations(page)
        if violations:
            problems.append(f"[{name}] " + format_violations(page.url, violations))
        try:
            browser_errors.assert_clean()
        except AssertionError as error:
            problems.append(f"[{name}] {error}")
    assert not problems, "\n\n".join(problems)


# --- GOV.UK patterns: error summary, skip link --------------------------------------------------------

def test_wrong_password_shows_an_error_summary_that_leads_to_the_field(page):
    page.goto("/login")
    fill_login_form(page, "practitioner@demo.test", "not the password")

    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus there so screen readers announce it
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    link = summary.get_by_role("link", name="Enter a correct email address (or username) and password")
    expect(link).to_have_attribute("href", "#email")
    expect(page.locator("#email-error")).to_contain_text("Enter a correct email address (or username) and password")
    expect(page.get_by_label("Email address or username")).to_have_attribute("aria-describedby", re.compile("email-error"))
    expect(page.get_by_label("Email address or username")).to_have_value("practitioner@demo.test")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")

    link.click()
    expect(page.get_by_label("Email address or username")).to_be_focused()

    # The same words when the account does not exist: nothing says which part was wrong.
    fill_login_form(page, "nobody@demo.test", "not the password")
    expect(page.locator("#email-error")).to_contain_text("Enter a correct email address (or username) and password")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


@pytest.mark.parametrize("login", [None, "facilitator@demo.test"], ids=["signed-out", "signed-in"])
def test_skip_link_is_the_first_thing_to_focus_and_skips_to_the_content(page, login):
    if login:
        sign_in(page, login)
    else:
        page.goto("/login")
    # GOV.UK Frontend marks the skip link once its script has started; only then does Enter move the focus.
    expect(page.locator("[data-govuk-skip-link-init]")).to_have_count(1)
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_have_attribute("href", "#main-content")
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()


# --- with JavaScript off --------------------------------------------------------------------------------

def _assert_javascript_is_off(page):
    # GOV.UK Frontend's script marks the body when it runs; with JavaScript off it never does.
    expect(page.locator("body")).not_to_have_class(re.compile("govuk-frontend-supported"))


def test_without_javascript_a_facilitator_invites_a_person_who_then_sets_a_password(nojs_page, live_server):
    page = nojs_page
    sign_in(page, "facilitator@demo.test")
    _assert_javascript_is_off(page)

    page.get_by_role("navigation").get_by_role("link", name="People", exact=True).click()
    page.get_by_role("button", name="Invite a person").click()  # a link styled as a button
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the person's full name")
    assert_no_axe_violations(page)  # the form as it is without JavaScript, errors and all

    email = f"nojs-{uuid.uuid4().hex[:8]}@example.org"
    page.get_by_label("Full name").fill("Noah No-Script")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Organisation").select_option(label="Weston College")
    page.get_by_label("Practitioner", exact=True).check()
    page.get_by_role("button", name="Send invitation").click()

    expect(page).to_have_url(re.compile(r"/admin/people$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Invitation sent to {email}")
    row = page.get_by_role("row").filter(has_text="Noah No-Script")
    expect(row).to_contain_text("Weston College")
    expect(row).to_contain_text("Invited")
    sign_out(page)

    page.goto(last_email_path(live_server.app, email))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your password has been set")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Noah No-Script")
    sign_out(page)
    sign_in(page, email, NEW_PASSWORD)


def test_without_javascript_changing_a_password_shows_errors_then_works(nojs_page, live_server):
    page = nojs_page
    old_password = "the old long password for tests"
    email = live_server.create_account(password=old_password)
    sign_in(page, email, old_password)
    _assert_javascript_is_off(page)
    page.get_by_role("link", name="Change password").click()

    page.get_by_role("button", name="Change password").click()
    summary = page.locator(".govuk-error-summary")
    expect(page).to_have_title(re.compile(r"^Error: "))
    for field, message in [("current_password", "Enter your current password"),
                           ("password", "Enter a new password"), ("confirm", "Enter the new password again")]:
        expect(summary.get_by_role("link", name=message)).to_have_attribute("href", f"#{field}")
        expect(page.locator(f"#{field}-error")).to_contain_text(message)
    assert_no_axe_violations(page)

    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(summary.get_by_role("link", name="Your current password is not correct")).to_have_attribute(
        "href", "#current_password")

    page.get_by_label("Current password").fill(old_password)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your password has been changed")

    sign_out(page)
    fill_login_form(page, email, old_password)
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # the old password no longer works
    fill_login_form(page, email, NEW_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    sign_out(page)


# --- the partnership's look, not GOV.UK's -----------------------------------------------------------

def test_the_service_has_its_own_look_not_the_gov_uk_brand(page):
    fonts = []
    page.on("request", lambda request: fonts.append(request.url) if request.resource_type == "font" else None)
    sign_in(page, "facilitator@demo.test")

    assert "GDS Transport" not in page.evaluate("getComputedStyle(document.body).fontFamily")
    for text in (page.get_by_role("heading", level=1), page.locator(".govuk-body").first):
        assert text.evaluate("e => getComputedStyle(e).fontFamily").startswith("system-ui")  # the system font stack
    font_faces = page.evaluate("""[...document.styleSheets].flatMap(sheet => [...sheet.cssRules])
        .filter(rule => rule instanceof CSSFontFaceRule).map(rule => rule.style.fontFamily)""")
    assert not [face for face in font_faces if "GDS Transport" in face]
    assert fonts == []

    header = page.locator("header.govuk-template__header")
    expect(header.locator(".govuk-generic-header")).to_have_count(1)
    expect(header.locator(".govuk-header, .govuk-header__logotype, svg")).to_have_count(0)  # no crown, no logotype
    expect(header.get_by_role("link", name="Safeguarding arrangements consultation")).to_be_visible()
    expect(header).not_to_contain_text("GOV.UK")
    assert page.locator(".govuk-generic-header").evaluate("e => getComputedStyle(e).backgroundColor") == \
        "rgb(11, 94, 87)"
    expect(page.locator("footer")).not_to_contain_text("Crown copyright")
    expect(page.locator("footer").get_by_role("link", name="Accessibility statement")).to_be_visible()
    expect(page).to_have_title(re.compile(r"Safeguarding arrangements consultation$"))


# --- the harness itself ------------------------------------------------------------------------------

def test_the_harness_reports_csp_violations_and_console_errors(page, browser_errors):
    """If a template ever adds an inline style or script, the page's test fails: this proves the net is there."""
    page.route("**/harness-probe", lambda route: route.fulfill(
        status=200, content_type="text/html",
        headers={"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'"},
        body='<!doctype html><html lang="en"><title>probe</title><p style="color: red">inline style</p>'
             '<script>console.log("inline script ran")</script>'))
    page.goto("/harness-probe")
    expect(page.get_by_text("inline style")).to_be_visible()
    page.evaluate("console.error('an error from the page')")

    reported = "\n".join(browser_errors.errors)
    assert re.search(r"inline style .*Content Security Policy", reported)  # Chromium's own console message
    assert re.search(r"inline script .*Content Security Policy", reported)
    assert "Content Security Policy violation: style-src" in reported  # from the securitypolicyviolation event
    assert "an error from the page" in reported
    with pytest.raises(AssertionError, match="the browser reported errors"):
        browser_errors.assert_clean()  # reports them once, then starts afresh for the teardown check
