""""Check this record" in Chromium (issue 20, part 6): a member of the public opens the published arrangement and
presses the button; their browser checks the portal's checkpoint signatures, the log's consistency, the publication
entry's inclusion and every partner's passkey signature with WebCrypto, and says so in words. Partners' assertions
are made here with keys the test holds; then the database's owner rewrites history (entries, hashes and Merkle
tree) and the same button reports it. Without JavaScript the page says how to check offline."""
import pytest
from playwright.sync_api import expect

from app.database import transaction
from app.extensions import db
from app.demo import load_demo_data
from app.signoff import assertions
from app.signoff.models import Publication
from app.trail import services as trail, signing
from tests.browser.helpers import DESKTOP, PHONE, assert_fits_width, assert_no_axe_violations, snap
from tests.browser.plugin import LiveServer, _context, serve
from tests.public.record_helpers import PARTNER_NAMES, assertions_for
from tests.trail.test_append_only import rewrite_from

pytestmark = pytest.mark.browser
PAGE = "/arrangements/thematic-groups"


def _load():
    load_demo_data()
    return db.session.query(Publication).filter_by(slug="thematic-groups").one().log_seq


@pytest.fixture(scope="module")
def portal(request, tmp_path_factory):
    """A live server of this journey's own (its history gets rewritten): (LiveServer, the publication's seq)."""
    with serve(request, tmp_path_factory, "recordcheck", _load) as (base_url, app, published_seq):
        # (serve() now pins it too) serve() points PORTAL_BASE_URL at the live server after the demo's checkpoints were signed under the test
        # origin; the log's origin (and key name) must stay what it was, as it does in a real deployment.
        app.config["LOG_ORIGIN"] = "portal.test/consultation-log"
        yield LiveServer(url=base_url, app=app), published_seq


@pytest.fixture
def page_on(browser, portal, browser_errors):
    context = _context(browser, portal[0])
    yield browser_errors.watch(context.new_page())
    context.close()


@pytest.fixture
def nojs_page_on(browser, portal, browser_errors):
    context = _context(browser, portal[0], java_script_enabled=False)
    yield browser_errors.watch(context.new_page())
    context.close()


def _check(page):
    page.get_by_role("button", name="Check this record").click()
    result = page.locator("[data-record-check-result]")
    expect(result.get_by_role("heading")).to_be_visible()
    return result


def _at_both_widths(page, name):
    page.locator("#record-check").scroll_into_view_if_needed()
    snap(page, name)
    assert_fits_width(page)
    page.set_viewport_size(PHONE)
    assert_fits_width(page)
    snap(page, name)
    page.set_viewport_size(DESKTOP)


def test_without_javascript_the_page_says_how_to_check_offline(nojs_page_on):
    page = nojs_page_on
    page.set_viewport_size(DESKTOP)
    page.goto(PAGE)
    expect(page.get_by_role("button", name="Check this record")).to_be_hidden()
    expect(page.get_by_text("python3 verify_log.py --record record.json")).to_be_visible()
    link = page.get_by_role("link", name="this version’s record (record.json)")
    assert link.get_attribute("href") == "/arrangements/thematic-groups/v/1/record.json"
    _at_both_widths(page, "recordcheck-01-no-javascript")


def test_the_browser_checks_the_record_and_every_check_passes(page_on):
    page = page_on
    page.set_viewport_size(DESKTOP)
    page.goto(PAGE)
    result = _check(page)
    expect(result.get_by_role("heading", name="Every check passed")).to_be_visible()
    text = result.inner_text()
    assert "Failed" not in text
    for words in ("The checkpoint made at publication", "Today's checkpoint", "carries the portal's signature",
                  "nothing before was changed", "The publication entry is entry", "The entry publishes this version",
                  "No partner signed this version with a passkey"):
        assert words in text, text
    assert result.get_attribute("aria-live") == "polite"
    assert_no_axe_violations(page)
    _at_both_widths(page, "recordcheck-02-every-check-passed")


def test_partners_passkey_signatures_are_checked_in_the_browser(page_on, portal, monkeypatch):
    server, _ = portal
    with server.app.app_context():
        publication = db.session.query(Publication).filter_by(slug="thematic-groups").one()
        made = assertions_for(publication, signing.latest().note, server.url, "127.0.0.1")
        db.session.remove()
    monkeypatch.setattr(assertions, "published_assertions", lambda publication: made)
    page = page_on
    page.goto(PAGE)
    result = _check(page)
    expect(result.get_by_role("heading", name="Every check passed")).to_be_visible()
    for name in PARTNER_NAMES:  # ES256, ES256 and EdDSA; one name is not ASCII (canonical JSON as Python's)
        expect(result.get_by_text(f"{name}: approved by")).to_be_visible()
    _at_both_widths(page, "recordcheck-03-partners-signatures")

    # One partner's signature altered: that check fails, plainly, and the rest still pass.
    forged = [dict(made[0], signature=made[0]["signature"][:-4] + ("AAAA" if not made[0]["signature"].endswith(
        "AAAA") else "BBBB")), *made[1:]]
    monkeypatch.setattr(assertions, "published_assertions", lambda publication: forged)
    page.get_by_role("button", name="Check this record").click()
    expect(result.get_by_role("heading", name="1 check failed: do not rely on this record")).to_be_visible()
    expect(result.get_by_text(f"{PARTNER_NAMES[0]}'s signature failed")).to_be_visible()
    expect(result.get_by_text(f"{PARTNER_NAMES[1]}: approved by")).to_be_visible()


def test_the_browsers_canonical_json_is_pythons_byte_for_byte(page_on):
    """The challenge a partner's passkey signed is hashed over Python's canonical JSON; the browser rebuilds it. Keys
    sort by code point (U+FFFF before U+1F600, unlike a UTF-16 sort); non-ASCII stays raw; controls are escaped."""
    from app.trail.verify_log import canonical

    value = {"\U0001F600": 1, "\uffff": [True, None, -3], "partner": "Avon and Somerset — ‘Heddlu’ é\u2028",
             "b": "tab\t, quote \", back\\slash, nul \x00, bell \x07, del \x7f, \U0001F600", "a": {"z": "", "y": 0}}
    page = page_on
    page.goto(PAGE)
    from_browser = page.evaluate(
        "async (value) => (await import('/static/dist/record-check.js')).canonical(value)", value)
    assert from_browser == canonical(value)


def test_a_browser_without_ed25519_is_told_to_check_offline_not_that_the_record_failed(page_on):
    page = page_on
    page.add_init_script("""(() => {
      const importKey = crypto.subtle.importKey.bind(crypto.subtle);
      crypto.subtle.importKey = (format, key, algorithm, ...rest) => algorithm && algorithm.name === "Ed25519"
        ? Promise.reject(new DOMException("Ed25519 is not supported", "NotSupportedError"))
        : importKey(format, key, algorithm, ...rest);
    })();""")
    page.goto(PAGE)
    result = _check(page)
    expect(result.get_by_role("heading", name="Some checks could not be made in this browser")).to_be_visible()
    expect(result.get_by_text("could not be checked in this browser").first).to_be_visible()
    assert "Failed" not in result.inner_text()


# Last: it rewrites this module's server's history.
def test_after_history_is_rewritten_the_browser_check_reports_it(page_on, portal):
    server, published_seq = portal
    page = page_on
    page.goto(PAGE)
    expect(_check(page).get_by_role("heading", name="Every check passed")).to_be_visible()
    with server.app.app_context():
        with transaction():  # the log moves on after the publication, and a checkpoint is signed (and kept)
            trail.append("test.event", "thing:1", {"n": 1})
        signing.checkpoint_on_demand()
        # the database's owner rewrites an early entry, every later hash and the Merkle tree
        rewrite_from(db, published_seq - 10)
        db.session.remove()
    page.reload()
    result = _check(page)
    expect(result.get_by_role("heading", name="do not rely on this record")).to_be_visible()
    text = result.inner_text()
    assert "Failed: The publication entry check failed" in text, text
    assert "Failed: The history check failed" in text and "its history was rewritten" in text, text
    assert "Passed: The checkpoint made at publication" in text  # the portal's old signatures still verify …
    _at_both_widths(page, "recordcheck-04-history-rewritten")
