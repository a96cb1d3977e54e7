"""Journey: the whole trail trusted without trusting the server (issue 20).

A practitioner comments on a consultation and downloads a receipt for it, which the public "Check a receipt" page
accepts. The consultation closes, its answers are published and sign-off is asked for (through the services: other
journeys walk those steps). Each of the three statutory partners' leads registers a passkey (Chromium's virtual
authenticator, through the DevTools protocol) and approves with it; the third approval publishes the arrangement.
The scrutineer's workspace has seen the checkpoints; the scrutineer was emailed each one (delivered to the tests'
SMTP server) and keeps the last. A member of the public opens the published arrangement and presses "Check this
record": every check passes, each partner's passkey signature among them.

Then whoever runs the database rewrites history: the practitioner's comment entry, every later hash and the Merkle
tree, as a hostile operator with the database's keys could, and the portal carries on. Every outside check reports
it: the public page's "Check this record", the practitioner's receipt on "Check a receipt", the scrutineer's
workspace (its alarm), and verify_log.py run offline on the log with the checkpoint the scrutineer kept and with the
receipt.

Walked at 1280 px and at 320 px. Passkeys need a secure context, so the pages are visited as http://localhost.
"""
import json
import re
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.browser.helpers import (CSP_REPORTER, DESKTOP, PHONE, assert_fits_width,
                                   assert_no_axe_violations, sign_in, sign_out, snap)
from tests.browser.plugin import LiveServer, serve
from tests.journeys import builders
from tests.smtp import smtp  # noqa: F401  (a fixture)
from tests.trail.test_append_only import rewrite_from

pytestmark = pytest.mark.browser
VERIFIER = Path(__file__).resolve().parents[2] / "app" / "trail" / "verify_log.py"
PARTNERS = [("la.partner@demo.test", "North Somerset Council"),
            ("police.partner@demo.test", "Avon and Somerset Police"),
            ("icb.partner@demo.test", "Bristol, North Somerset and South Gloucestershire ICB")]
SECTION = "How the partners work together"
WORDS = "Schools should sit on the executive group, not only be told what it decided."


def _load():
    from app.demo import load_demo_data

    load_demo_data()


@pytest.fixture(params=[DESKTOP, PHONE], ids=["1280", "320"])
def portal(request, tmp_path_factory):
    """A live server of this journey's own (its history gets rewritten), visited as localhost; and the viewport."""
    with serve(request, tmp_path_factory, f"transparency{request.param['width']}", _load) as (base_url, app, _):
        yield LiveServer(url=base_url.replace("127.0.0.1", "localhost"), app=app), request.param


def _consultation(server):
    title = f"Arrangements checked by anyone {uuid.uuid4().hex[:6]}"
    consultation_id, _draft_id = builders.open_consultation(
        server, draft_title=title, title=f"Consultation on {title.lower()}",
        sections={SECTION: "An executive group of the three partners meets every two months."},
        audiences=["practitioners"])
    return consultation_id, title


def _to_signoff(server, consultation_id):
    """The facilitator closes the consultation, answers each comment, publishes the answers, asks for sign-off."""
    from datetime import date

    from app.accounts import services as accounts
    from app.consultations import services as consultations
    from app.consultations.models import Consultation
    from app.responses import publishing, services as responses
    from app.signoff import services as signoff

    with server.app.app_context():
        facilitator = accounts.find_by_login(builders.FACILITATOR)
        consultation = db.session.get(Consultation, consultation_id)
        consultations.close_early(facilitator, consultation, "Everyone who needed to has answered")
        for item in responses.answered_comments(consultation):
            responses.respond(facilitator, consultation, comment=item.comment, outcome="accepted",
                              reason="Schools will have a seat on the executive group.")
        publishing.publish_answers(facilitator, consultation)
        request_id = signoff.request_signoff(facilitator, consultation, consultation.version,
                                             effective_date=date.today() + timedelta(days=60)).id
        db.session.remove()
    return request_id


def _context(browser, server, viewport, **options):
    context = browser.new_context(base_url=server.url, viewport=viewport, locale="en-GB",
                                  timezone_id="Europe/London", accept_downloads=True, **options)
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_REPORTER)
    context.javascript_enabled = True
    return context


def _fits(page, viewport, name):
    if viewport == PHONE:
        assert_fits_width(page)
    snap(page, name)


def _verify_log(*args):
    done = subprocess.run([sys.executable, str(VERIFIER), *map(str, args)], capture_output=True, text=True,
                          timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout


def test_a_rewritten_history_is_caught_by_the_public_the_respondent_and_the_scrutineer(
        browser, browser_errors, portal, smtp, tmp_path):  # noqa: F811
    server, viewport = portal
    consultation_id, title = _consultation(server)
    shot = f"transparency-{viewport['width']}"

    # A practitioner comments and keeps a receipt, which the public "Check a receipt" page accepts.
    context = _context(browser, server, viewport)
    page = browser_errors.watch(context.new_page())
    sign_in(page, "practitioner@demo.test")
    page.goto(f"/consultations/{consultation_id}")
    section = page.get_by_role("region", name=re.compile(re.escape(SECTION)))
    section.get_by_label(f"Your comment on {SECTION}").fill(WORDS)
    section.get_by_role("button", name="Post comment").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your receipt").click()
    receipt_path = tmp_path / "receipt.json"
    download.value.save_as(receipt_path)
    receipt = json.loads(receipt_path.read_text(encoding="utf-8"))
    assert receipt["entry_decoded"]["action"] == "comment.posted" and WORDS not in receipt_path.read_text()
    _fits(page, viewport, f"{shot}-1-commented")
    sign_out(page)
    page.get_by_role("link", name="Check a receipt").click()
    page.get_by_label("Upload your receipt file").set_input_files(str(receipt_path))
    page.get_by_role("button", name="Check the receipt").click()
    answer = page.locator("#receipt-result")
    expect(answer.get_by_role("heading")).to_have_text("Your entry is in the consultation log")
    expect(answer).to_contain_text(re.compile(r"Still in today’s log\s*Yes"))
    _fits(page, viewport, f"{shot}-2-receipt-checked")
    context.close()

    request_id = _to_signoff(server, consultation_id)

    # Each statutory partner's lead registers a passkey and approves with it: the third approval publishes.
    for login, _partner in PARTNERS:
        context = _context(browser, server, viewport)
        page = browser_errors.watch(context.new_page())
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
            "isUserVerified": True}})
        sign_in(page, login)
        page.goto("/passkeys")
        page.get_by_label("Name this passkey").fill("Work laptop")
        page.get_by_role("button", name="Add a passkey").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Passkey “Work laptop” added")
        page.goto(f"/signoff/{request_id}/decide")
        expect(page.locator(".portal-checkpoint")).to_contain_text("consultation-log")
        _fits(page, viewport, f"{shot}-3-decide-{login.split('.')[0]}")
        page.get_by_label("Approve the arrangements").check()
        page.get_by_role("button", name="Sign my decision with my passkey").click()
        expect(page.get_by_text("You have approved")).to_be_visible()
        context.close()

    # The scrutineer's workspace has seen every checkpoint, all consistent; their inbox holds the last one.
    context = _context(browser, server, viewport)
    scrutineer = browser_errors.watch(context.new_page())
    sign_in(scrutineer, "scrutineer@demo.test")
    scrutineer.goto("/scrutiny")
    expect(scrutineer.get_by_role("heading", name="Checkpoints seen")).to_be_visible()
    expect(scrutineer.locator("#witness-alarm")).to_have_count(0)
    expect(scrutineer.locator('#seen-checkpoints tbody tr[data-result="inconsistent"]')).to_have_count(0)
    builders.deliver_mail(server, smtp)
    kept = [m for m in builders.mail_to(smtp, "scrutineer@demo.test")
            if re.match(r"Consultation log checkpoint \d+: keep this email", m["Subject"])]
    assert kept, "the scrutineer was emailed no checkpoint"
    kept_sizes = sorted(int(re.search(r"checkpoint (\d+)", m["Subject"]).group(1)) for m in kept)
    last = next(m for m in kept if f"checkpoint {kept_sizes[-1]}:" in m["Subject"])
    body = last.get_body(preferencelist=("plain",)).get_content() if last.is_multipart() else last.get_content()
    (tmp_path / "kept.txt").write_text(body, encoding="utf-8")
    with server.app.app_context():
        from app.trail import signing

        verifier_key = signing.verifier_key()
        db.session.remove()

    # Anyone: the published arrangement's "Check this record" passes, each partner's passkey signature with it.
    public = browser_errors.watch(_context(browser, server, viewport).new_page())
    public.goto("/arrangements")
    public.get_by_role("link", name=title).click()
    arrangement_url = public.url
    public.get_by_role("button", name="Check this record").click()
    result = public.locator("[data-record-check-result]")
    expect(result.get_by_role("heading", name="Every check passed")).to_be_visible()
    for _login, partner in PARTNERS:
        expect(result).to_contain_text(re.compile(rf"{re.escape(partner)}[^\n]*: approved by"))
    assert "Failed" not in result.inner_text()
    assert_no_axe_violations(public)
    _fits(public, viewport, f"{shot}-4-record-checked")

    # Whoever runs the database rewrites the practitioner's entry, every later hash and the tree; the portal goes on.
    with server.app.app_context():
        from app.database import transaction
        from app.trail import services as trail, signing

        rewrite_from(db, receipt["index"] + 1)
        with transaction():
            trail.append("test.after_the_rewrite", "thing:1", {})
        signing.checkpoint_on_demand()
        db.session.remove()

    # The public page's check reports it ...
    public.goto(arrangement_url)
    public.get_by_role("button", name="Check this record").click()
    result = public.locator("[data-record-check-result]")
    expect(result.get_by_role("heading", name=re.compile("do not rely on this record"))).to_be_visible()
    expect(result).to_contain_text("its history was rewritten")
    _fits(public, viewport, f"{shot}-5-record-fails")

    # ... so does the practitioner's receipt ...
    public.goto("/receipts/check")
    public.get_by_label("Upload your receipt file").set_input_files(str(receipt_path))
    public.get_by_role("button", name="Check the receipt").click()
    answer = public.locator("#receipt-result")
    expect(answer).to_contain_text(re.compile(r"Still in today’s log\s*No"))
    _fits(public, viewport, f"{shot}-6-receipt-fails")

    # ... the scrutineer's workspace raises the alarm ...
    scrutineer.goto("/scrutiny")
    alarm = scrutineer.locator("#witness-alarm")
    expect(alarm).to_be_visible()
    expect(alarm).to_contain_text("history may have been rewritten")
    assert_no_axe_violations(scrutineer)
    _fits(scrutineer, viewport, f"{shot}-7-alarm")

    # ... and verify_log.py, offline, with the checkpoint the scrutineer kept and with the receipt.
    log = tmp_path / "log.jsonl"
    with server.app.app_context():
        from app.trail import services as trail

        log.write_text("".join(f"{line}\n" for line in trail.export_lines()), encoding="utf-8")
        db.session.remove()
    code, output = _verify_log(log, "--witness", tmp_path / "kept.txt", "--key", verifier_key)
    assert code == 1 and "history rewritten since this checkpoint was made" in output, output
    code, output = _verify_log(log, "--receipt", receipt_path)
    assert code == 1 and output.startswith("FAIL"), output
