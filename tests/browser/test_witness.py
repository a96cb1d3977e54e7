"""The witness alarm in Chromium (issue 20, part 3): the scrutineer's workspace lists the checkpoints it has seen;
a hostile operator rewrites an early entry (and every later hash and the tree); "Check for new checkpoints" raises
the alarm at the top of the workspace; the export of the rewritten log fails `verify_log.py --witness` with the
checkpoint the scrutineer was emailed; the alarm stays until the scrutineer records what was done. Screenshots at
1280 and 320 px (JOURNEY_SCREENSHOTS=folder)."""
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.consultations.models import Consultation
from app.database import transaction
from app.demo import load_demo_data
from app.extensions import db
from app.mail.models import OutboxMessage
from app.trail import services as trail, signing
from tests.browser.helpers import DESKTOP, PHONE, assert_fits_width, assert_no_axe_violations, sign_in, snap
from tests.browser.plugin import serve
from tests.trail.test_append_only import rewrite_from

pytestmark = pytest.mark.browser
VERIFIER = Path(__file__).resolve().parents[2] / "app" / "trail" / "verify_log.py"
ALARM = "Alarm: the consultation log’s history may have been rewritten"


@pytest.fixture(scope="module")
def portal(request, tmp_path_factory):
    """A server of its own: this test rewrites the log's history."""
    def load():
        from flask import current_app
        # serve() points PORTAL_BASE_URL at the live server after loading; the log's origin (and so the key's
        # name) must stay what it was when the demo's checkpoints were signed, as LOG_ORIGIN keeps it in production.
        current_app.config["LOG_ORIGIN"] = signing.origin()
        load_demo_data()

    with serve(request, tmp_path_factory, "witness", load) as (base_url, app, _loaded):
        yield base_url, app


def _both_widths(page, name):
    snap(page, name)
    page.set_viewport_size(PHONE)
    assert_fits_width(page)
    snap(page, name)
    page.set_viewport_size(DESKTOP)


def test_a_rewritten_history_raises_the_alarm_in_the_scrutineers_workspace(browser, browser_errors, portal,
                                                                            tmp_path):
    base_url, app = portal
    context = browser.new_context(base_url=base_url, viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London")
    page = browser_errors.watch(context.new_page())
    sign_in(page, "scrutineer@demo.test")
    page.goto("/scrutiny")
    expect(page.get_by_role("heading", name="Checkpoints seen")).to_be_visible()
    table = page.locator("#seen-checkpoints")
    expect(table.locator("tbody tr").first).to_contain_text("OK")
    expect(page.get_by_text(ALARM)).to_have_count(0)
    assert table.locator('tbody tr[data-result="consistent"]').count() >= 1
    assert_no_axe_violations(page)
    _both_widths(page, "witness-seen")

    with app.app_context():  # the checkpoint the scrutineer was emailed last, saved from their inbox
        last_size = signing.latest().size
        email = db.session.execute(select(OutboxMessage.body_text).where(
            OutboxMessage.to_address == "scrutineer@demo.test",
            OutboxMessage.subject == f"Consultation log checkpoint {last_size}: keep this email")).scalar_one()
        (tmp_path / "kept.txt").write_text(email, encoding="utf-8")
        vkey = signing.verifier_key()
        # A hostile operator rewrites entry 10, every later hash and the tree, then the portal goes on as usual.
        rewrite_from(db, 10)
        with transaction():
            trail.append("test.after_the_rewrite", "thing:1", {})
        rewritten_size = signing.checkpoint_on_demand().size
        consultation_id = db.session.execute(select(func.min(Consultation.id))).scalar()
        db.session.remove()

    page.get_by_role("button", name="Check for new checkpoints").click()
    alarm = page.locator("#witness-alarm")
    expect(alarm).to_be_visible()
    expect(alarm).to_contain_text(ALARM)
    expect(alarm).to_contain_text(f"The checkpoint of size {rewritten_size}")
    expect(alarm).to_contain_text(f"is not consistent with the one of size {last_size}")
    assert page.locator("#witness-alarm").bounding_box()["y"] < page.get_by_role(
        "heading", name="Independent scrutiny", level=1).bounding_box()["y"]  # at the top of the workspace
    expect(table.locator('tbody tr[data-result="inconsistent"]')).to_contain_text("NOT consistent")
    assert_no_axe_violations(page)
    _both_widths(page, "witness-alarm")
    page.reload()
    expect(page.locator("#witness-alarm")).to_be_visible()  # it stays

    # The export of the rewritten log, checked with the checkpoint the scrutineer kept, reports the rewrite.
    page.goto(f"/scrutiny/consultations/{consultation_id}")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the export (ZIP)").click()
    export = tmp_path / "export.zip"
    download.value.save_as(export)
    result = subprocess.run([sys.executable, str(VERIFIER), str(export), "--witness", str(tmp_path / "kept.txt"),
                             "--key", vkey], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stdout + result.stderr
    assert result.stdout.startswith(f"FAIL at seq {last_size}: the checkpoint of {last_size} entries") \
        and "history rewritten since this checkpoint was made" in result.stdout, result.stdout

    # The scrutineer records what was done: the alarm leaves the top of the page (and stays in the record).
    page.goto("/scrutiny")
    browser_errors.expect_status(400)
    page.get_by_role("button", name="Record what was done").click()
    expect(page.locator(".govuk-error-summary").first).to_contain_text("Enter what was done about the alarm")
    page.get_by_label("What was done about it").fill("The database was restored from the backup of 3 May")
    page.get_by_role("button", name="Record what was done").click()
    expect(page.get_by_text("What was done has been recorded")).to_be_visible()
    expect(page.locator("#witness-alarm")).to_have_count(0)
    context.close()
