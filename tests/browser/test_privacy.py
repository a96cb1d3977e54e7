"""The personal data pages in Chromium: both notices (no sign-in), the record of processing and the settings pass
axe (WCAG 2.2 A and AA) and fit a 320 px screen without scrolling sideways."""
import pytest

from tests.browser.helpers import PHONE, assert_fits_width, assert_no_axe_violations, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("login, path", [
    (None, "/privacy"), (None, "/privacy/young-people"),
    ("facilitator@demo.test", "/admin/data-protection"), ("facilitator@demo.test", "/admin/data-protection/settings"),
    ("practitioner@demo.test", "/my-data"),
])
def test_personal_data_pages_are_accessible_and_fit_a_phone(page, browser_errors, login, path):
    if login:
        sign_in(page, login)
    for viewport in (None, PHONE):
        if viewport:
            page.set_viewport_size(viewport)
        assert page.goto(path).status == 200
        assert_no_axe_violations(page)
    assert_fits_width(page)


def test_the_settings_form_shows_its_errors_in_a_summary_that_leads_to_the_field(page, browser_errors):
    sign_in(page, "facilitator@demo.test")
    page.goto("/admin/data-protection/settings")
    page.get_by_label("Their email address").fill("not an email")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role("link", name="Enter an email address in the correct format, like dpo@example.org").click()
    assert page.evaluate("document.activeElement.id") == "contact_email"
