"""Passkeys in Chromium with a virtual authenticator (Chrome DevTools Protocol): a lead safeguarding partner
registers a passkey, approves a sign-off with it, and the stored assertion verifies, until it is tampered with.

WebAuthn refuses IP-address RP IDs, so these pages are visited as http://localhost:<port> (a secure context),
on the shared live server.
"""
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.accounts import services as accounts
from app.consultations import services as consultations
from app.drafts import services as drafts
from app.extensions import db
from app.partnerships.services import current_partnership
from app.responses import publishing
from app.responses import services as responses
from app.signoff import services as signoff
from app.timeutil import utcnow
from tests.browser.helpers import CSP_REPORTER, assert_no_axe_violations, sign_in

pytestmark = pytest.mark.browser
VERIFY_LOG = Path(__file__).resolve().parents[2] / "app" / "trail" / "verify_log.py"
SHOTS = os.environ.get("PASSKEY_SCREENSHOTS")  # a folder: keep a screenshot of each page at 1280 and 320 px


def _localhost(live_server):
    return live_server.url.replace("127.0.0.1", "localhost")


def _new_context(browser, live_server, **options):
    context = browser.new_context(base_url=_localhost(live_server), locale="en-GB", timezone_id="Europe/London",
                                  **options)
    context.set_default_timeout(10_000)
    context.add_init_script(CSP_REPORTER)
    context.javascript_enabled = options.get("java_script_enabled", True)
    return context


@pytest.fixture
def local_page(browser, live_server, browser_errors):
    context = _new_context(browser, live_server)
    yield browser_errors.watch(context.new_page())
    context.close()


@pytest.fixture
def local_nojs_page(browser, live_server, browser_errors):
    context = _new_context(browser, live_server, java_script_enabled=False)
    yield browser_errors.watch(context.new_page())
    context.close()


@pytest.fixture
def signoff_request(live_server):
    """An open sign-off request for a new draft (closed, answered, answers published): (request id, title)."""
    title = f"Arrangements for passkeys {uuid.uuid4().hex[:6]}"
    with live_server.app.app_context():
        facilitator = accounts.find_by_login("facilitator@demo.test")
        draft = drafts.create_draft(facilitator, current_partnership(), title=title)
        version = draft.versions[0]
        drafts.add_section(facilitator, version, title="How the partners work together",
                           body="An executive group of the three partners meets twice a year.")
        drafts.publish_version(facilitator, version)
        now = utcnow()
        consultation = consultations.open_consultation(
            facilitator, version, title=f"Consultation on {title}", audiences=["practitioners"],
            opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=7))
        practitioner = accounts.find_by_login("practitioner@demo.test")
        consultations.post_comment(practitioner, consultation, "Schools should be at the table.")
        consultations.close_early(facilitator, consultation, "Enough heard")
        for item in responses.answered_comments(consultation):
            responses.respond(facilitator, consultation, comment=item.comment, outcome="accepted", reason="Done")
        publishing.publish_answers(facilitator, consultation)
        request = signoff.request_signoff(facilitator, consultation, consultation.version,
                                          effective_date=date(2027, 9, 29))
        made = (request.id, title)
        db.session.remove()
    return made


def _virtual_authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    found = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True}})
    return cdp, found["authenticatorId"]


def _shots(page, name):
    """Screenshots at 1280 and 320 px (kept when PASSKEY_SCREENSHOTS names a folder); the page must not scroll
    sideways at 320 px (WCAG 1.4.10 reflow)."""
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)
        if width == 320:
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    page.set_viewport_size({"width": 1280, "height": 900})


def _stored_assertion(live_server, request_id):
    from app.signoff.assertions import as_published
    from app.signoff.models import SignOffAssertion

    with live_server.app.app_context():
        row = db.session.query(SignOffAssertion).filter_by(request_id=request_id).one()
        published = as_published(row)
        db.session.remove()
    return published


def _rewrite_stored_decision(live_server, request_id):
    """Change the stored row's decision past the append-only trigger (the database owner can)."""
    from sqlalchemy import text

    update = text("UPDATE signoff_assertion SET decision = 'returned' WHERE request_id = :id")
    with live_server.app.app_context():
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SET LOCAL session_replication_role = replica"))
                connection.execute(update, {"id": request_id})
            else:
                connection.execute(text("DROP TRIGGER signoff_assertion_no_update"))
                connection.execute(update, {"id": request_id})
                connection.execute(text("""CREATE TRIGGER signoff_assertion_no_update BEFORE UPDATE ON
                    signoff_assertion BEGIN SELECT RAISE(ABORT, 'signoff_assertion is append-only: UPDATE refused');
                    END"""))
        db.session.remove()


def _verify_row(live_server, request_id):
    from app.signoff.assertions import verify_stored
    from app.signoff.models import SignOffAssertion

    with live_server.app.app_context():
        try:
            verify_stored(db.session.query(SignOffAssertion).filter_by(request_id=request_id).one())
        finally:
            db.session.remove()


def test_register_a_passkey_approve_with_it_then_tampering_fails(local_page, live_server, signoff_request):
    from app.signoff.assertions import verify_stored

    page = local_page
    request_id, title = signoff_request
    cdp, authenticator_id = _virtual_authenticator(page)
    sign_in(page, "police.partner@demo.test")

    page.goto("/passkeys")
    expect(page.get_by_role("heading", name="Your passkeys", level=1)).to_be_visible()
    expect(page.get_by_text("Adding a passkey needs JavaScript")).to_be_hidden()
    assert_no_axe_violations(page)
    page.get_by_label("Name this passkey").fill("Police laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Passkey “Police laptop” added")
    expect(page.locator(".portal-passkeys .govuk-summary-list__key")).to_have_text("Police laptop")
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1
    _shots(page, "passkeys")
    assert_no_axe_violations(page)

    page.goto(f"/signoff/{request_id}/decide")
    expect(page.get_by_text("Signing with a passkey needs JavaScript")).to_be_hidden()
    checkpoint = page.locator(".portal-checkpoint").inner_text()
    assert re.match(r"^localhost:\d+/consultation-log\n\d+\n", checkpoint) or "consultation-log" in checkpoint
    _shots(page, "decide")
    assert_no_axe_violations(page)
    page.get_by_label("Approve the arrangements").check()
    page.get_by_role("button", name="Sign my decision with my passkey").click()
    expect(page.get_by_text("You have approved")).to_be_visible()

    page.goto("/passkeys")
    expect(page.locator(".portal-passkeys .govuk-summary-list__row")).to_contain_text("Last used")

    stored = _stored_assertion(live_server, request_id)
    assert stored["partner"] == "Avon and Somerset Police" or stored["partner"]
    assert stored["rp_id"] == "localhost" and stored["origin"] == _localhost(live_server)
    assert stored["decision"] == "approved" and stored["algorithm"] in (-7, -8)
    verify_stored(stored)  # Chromium's own signature checks out from the stored fields
    for field, value in [("decision", "returned"), ("version_hash", "0" * 64), ("partner", "Someone else"),
                         ("checkpoint", stored["checkpoint"] + " "), ("origin", "http://127.0.0.1")]:
        with pytest.raises(ValueError):
            verify_stored({**stored, field: value})
    _verify_row(live_server, request_id)  # the row as stored checks out too
    _rewrite_stored_decision(live_server, request_id)  # as an operator with the database's keys could
    with pytest.raises(ValueError, match="challenge"):
        _verify_row(live_server, request_id)
    signature = bytearray(stored["signature"].encode())
    signature[-2] = ord("A") if signature[-2] != ord("A") else ord("B")
    with pytest.raises(ValueError):
        verify_stored({**stored, "signature": signature.decode()})


def test_without_javascript_the_pages_say_so_and_keep_the_password(local_nojs_page, signoff_request):
    page = local_nojs_page
    request_id, _title = signoff_request
    sign_in(page, "icb.partner@demo.test")
    page.goto("/passkeys")
    expect(page.get_by_text("Adding a passkey needs JavaScript")).to_be_visible()
    expect(page.get_by_role("button", name="Add a passkey")).to_be_hidden()
    assert_no_axe_violations(page)
    page.goto(f"/signoff/{request_id}/decide")
    expect(page.get_by_text("You have no passkey yet")).to_be_visible()
    expect(page.get_by_label("Your password", exact=True)).to_be_visible()
    assert_no_axe_violations(page)


def test_the_published_page_lists_the_passkey_signature(local_page, live_server, signoff_request, tmp_path):
    """Police approve with a passkey, the other two partners with their passwords: the public page shows the
    police's credential and public key fingerprint, with the full values behind "Full signature"."""
    from tests.browser.helpers import DEMO_PASSWORD, sign_out

    page = local_page
    request_id, title = signoff_request
    _virtual_authenticator(page)
    sign_in(page, "police.partner@demo.test")
    page.goto("/passkeys")
    page.get_by_label("Name this passkey").fill("Police phone")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("added")
    page.goto(f"/signoff/{request_id}/decide")
    page.get_by_label("Approve the arrangements").check()
    page.get_by_role("button", name="Sign my decision with my passkey").click()
    expect(page.get_by_text("You have approved")).to_be_visible()
    sign_out(page)
    for login in ("la.partner@demo.test", "icb.partner@demo.test"):
        sign_in(page, login)
        page.goto(f"/signoff/{request_id}/decide")
        page.get_by_label("Approve the arrangements").check()
        page.get_by_label("Your password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Confirm my decision").click()
        expect(page.get_by_text("You have approved")).to_be_visible()
        sign_out(page)
    stored = _stored_assertion(live_server, request_id)
    page.goto("/arrangements")
    page.get_by_role("link", name=title).click()
    signature = page.locator(".portal-passkey-signature")
    expect(signature).to_have_count(1)
    expect(signature).to_contain_text(stored["credential_id"][:16])
    page.get_by_text("Full signature of Avon and Somerset Police").click()
    expect(page.locator(".portal-passkey-fields")).to_contain_text(stored["public_key"])
    page.locator("#signed-off").scroll_into_view_if_needed()
    _shots(page, "published")
    assert_no_axe_violations(page)

    # The real assertion, not a test-made one, passes "Check this record" (issue 20, part 6) in the browser ...
    page.get_by_role("button", name="Check this record").click()
    result = page.locator("[data-record-check-result]")
    expect(result.get_by_role("heading", name="Every check passed")).to_be_visible()
    expect(result.get_by_text("Avon and Somerset Police: approved by")).to_be_visible()
    # ... and offline, with verify_log.py on the record.json.
    record = page.request.get(page.url.rstrip("/") + "/v/1/record.json" if "/v/" not in page.url
                              else page.url + "/record.json")
    assert record.ok, record.status
    path = tmp_path / "record.json"
    path.write_bytes(record.body())
    done = subprocess.run([sys.executable, str(VERIFY_LOG), "--record", str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "Avon and Somerset Police" in done.stdout, done.stdout + done.stderr


def test_the_partnership_setting_is_on_the_partnership_page(local_page):
    page = local_page
    sign_in(page, "facilitator@demo.test")
    page.goto("/admin/partnership#passkeys")
    expect(page.get_by_label("Partners must sign with a passkey")).not_to_be_checked()
    _shots(page, "setting")
    assert_no_axe_violations(page)


def test_the_pages_canonical_json_is_the_logs(local_page):
    """passkeys.js recomputes the challenge with JSON.stringify over the keys in sorted order: for any text (quotes,
    controls, non-ASCII, the checkpoint's em dash) that is byte for byte the log's canonical JSON."""
    from app.trail.verify_log import canonical

    page = local_page
    page.goto("/login")
    value = {"checkpoint": "origin\n5\nAAAA=\n\n\u2014 key Zm9v\n", "decision": "approved",
             "partner": "Bristol, North Somerset & South Glos ICB \u201cé\u201d \"q\" \\ \t\u0001\u007f\u2028",
             "version": "ab" * 32}
    text = page.evaluate("v => JSON.stringify({checkpoint: v.checkpoint, decision: v.decision, partner: v.partner, "
                         "version: v.version})", value)
    assert text == canonical(value)
