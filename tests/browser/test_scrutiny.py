"""Independent scrutiny in Chromium: a scrutineer filters the timeline, downloads the export (which the
standalone verifier passes) and records a finding; the pages pass axe (WCAG 2.2 A and AA)."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.accounts import services as accounts
from app.consultations.demo import load_demo_consultation
from app.drafts.demo import load_demo_drafts
from app.extensions import db
from app.partnerships.services import current_partnership
from tests.browser.helpers import assert_no_axe_violations, sign_in

pytestmark = pytest.mark.browser
VERIFIER = Path(__file__).resolve().parents[2] / "app" / "trail" / "verify_log.py"


@pytest.fixture
def consultation_id(live_server):
    """The demo consultation (made once; later calls find it)."""
    with live_server.app.app_context():
        facilitator = accounts.find_by_login("facilitator@demo.test")
        partnership = current_partnership()
        consultation = load_demo_consultation(partnership, facilitator, {}, load_demo_drafts(partnership, facilitator))
        made = consultation.id
        db.session.remove()
    return made


def test_a_scrutineer_filters_the_timeline_downloads_the_export_and_records_a_finding(
        page, browser_errors, consultation_id, tmp_path):
    sign_in(page, "scrutineer@demo.test")
    page.get_by_role("link", name="Scrutiny", exact=True).click()
    expect(page.get_by_role("heading", name="Independent scrutiny", level=1)).to_be_visible()
    expect(page.get_by_text("OK", exact=True).first).to_be_visible()
    assert_no_axe_violations(page)
    page.locator(f'a[href="/scrutiny/consultations/{consultation_id}"]').click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_label("Kind of action").select_option("vote")
    page.get_by_role("button", name="Filter the timeline").click()
    expect(page).to_have_url(re.compile(r"kind=vote"))
    # The URL changes when the new page starts to arrive: wait for its table before reading the rows.
    expect(page.locator("#timeline-table tbody tr").first).to_be_visible()
    actions = [row.get_attribute("data-action") for row in page.locator("#timeline-table tbody tr").all()]
    assert actions and all(action.startswith("vote.") for action in actions)
    expect(page.locator("#timeline-table tbody tr").first).to_contain_text(re.compile(r"voted “.+” on"))
    seq = page.locator("#timeline-table tbody tr td:nth-child(1)").first.inner_text()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the export (ZIP)").click()
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    result = subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith("OK "), result.stdout

    page.get_by_label("What did you observe?").fill("Few young people voted on this proposal")
    page.get_by_label("What do you recommend? (optional)").fill("Hold a session with the youth council")
    page.get_by_label("High").check()
    page.get_by_label("Log entries it is about (optional)").fill(seq)
    page.get_by_role("button", name="Record the finding").click()
    expect(page.get_by_text("Finding recorded")).to_be_visible()
    expect(page.get_by_text("Few young people voted on this proposal")).to_be_visible()
    expect(page.get_by_role("link", name=f"entry {seq}").first).to_be_visible()
    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", ["/scrutiny/findings", "/scrutiny/yearly"])
def test_the_findings_and_yearly_report_pages_have_no_accessibility_violations(page, browser_errors,
                                                                             consultation_id, path):
    sign_in(page, "scrutineer@demo.test")
    assert page.goto(path).status == 200
    assert_no_axe_violations(page)


def test_a_finding_without_an_observation_shows_the_error_accessibly(page, browser_errors, consultation_id):
    browser_errors.expect_status(400)
    sign_in(page, "scrutineer@demo.test")
    page.goto(f"/scrutiny/consultations/{consultation_id}")
    page.get_by_role("button", name="Record the finding").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_no_axe_violations(page)


def test_the_timeline_filters_work_without_javascript(nojs_page, browser_errors, consultation_id):
    page = nojs_page
    sign_in(page, "scrutineer@demo.test")
    page.goto(f"/scrutiny/consultations/{consultation_id}")
    page.get_by_label("Kind of action").select_option("comment")
    page.get_by_role("button", name="Filter the timeline").click()
    expect(page).to_have_url(re.compile(r"kind=comment"))
    actions = [row.get_attribute("data-action") for row in page.locator("#timeline-table tbody tr").all()]
    assert actions and all(action.startswith("comment.") for action in actions)
    assert_no_axe_violations(page)
