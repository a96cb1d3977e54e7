"""Helpers for the browser tests: import them from any room's browser tests.

    from tests.browser.helpers import sign_in, sign_out, assert_no_axe_violations

The fixtures that use them (live_server, browser, page, nojs_page, browser_errors) are in
tests/browser/plugin.py.
"""
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "demo-password-2019"
DEMO_ACCOUNTS = [
    "facilitator@demo.test", "practitioner@demo.test", "vcs@demo.test", "la.partner@demo.test",
    "police.partner@demo.test", "icb.partner@demo.test", "scrutineer@demo.test", "dsl@demo.test",
    "youth.worker@demo.test", "youth-demo",
]

# Debian's Chromium: Playwright cannot download its own browser build here.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium_path():
    return os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium")


# --- signing in and out, through the real forms --------------------------------------------------

def sign_in(page, login, password=DEMO_PASSWORD, next_path=None):
    """Sign in through the login form and wait for the page that follows."""
    page.goto("/login" + (f"?{urlencode({'next': next_path})}" if next_path else ""))
    fill_login_form(page, login, password)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # The button shows once the HTML has arrived; the page's scripts (GOV.UK Frontend, the htmx CSRF header)
    # run a moment later, at "load". A test that types straight away must not race them.
    page.wait_for_load_state("load")


def fill_login_form(page, login, password):
    page.get_by_label("Email address or username").fill(login)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    """Sign out with the header's button: back on the login page, told so."""
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("You have signed out")).to_be_visible()


# --- accessibility --------------------------------------------------------------------------------

def axe_violations(page, tags=AXE_TAGS):
    """axe-core's violations (WCAG 2.2 A and AA rules by default) on the page as it is now."""
    if not AXE_PATH.exists():
        raise AssertionError(f"{AXE_PATH} is missing: run `npm ci` (make setup) to install axe-core")
    if not getattr(page.context, "javascript_enabled", True):
        return _axe_violations_without_javascript(page, tags)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's CSP does not apply to it.
        page.evaluate(_axe_source())
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }""",
        tags,
    )


def _axe_violations_without_javascript(page, tags):
    """axe runs on timers, which never fire where JavaScript is off (it would wait for ever). So the page as
    the browser built it without scripts is shown again, scripts removed, in a JavaScript-enabled page at the
    same address (so its styles load), and axe runs there."""
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.DOTALL | re.IGNORECASE)
    address = page.url.split("#")[0]
    context = page.context.browser.new_context(viewport=page.viewport_size)
    try:
        copy = context.new_page()
        copy.route(lambda url: url.split("#")[0] == address,
                   lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
        copy.goto(address)
        return axe_violations(copy, tags)
    finally:
        context.close()


def format_violations(url, violations):
    lines = [f"axe found {len(violations)} accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            lines.append(f"    at {node['target']}")
            lines.extend(f"      {line}" for line in (node["summary"] or "").splitlines())
    return "\n".join(lines)


def assert_no_axe_violations(page, tags=AXE_TAGS):
    """Fail with a readable list (rule, impact, help, the elements) if axe finds any violation."""
    violations = axe_violations(page, tags)
    if violations:
        raise AssertionError(format_violations(page.url, violations))


@functools.cache
def _axe_source():
    return AXE_PATH.read_text(encoding="utf-8")


# --- console errors and CSP violations --------------------------------------------------------------

# Chromium reports a refused inline script or style on the console, and our init script echoes every
# `securitypolicyviolation` event there too (it runs through DevTools, so the CSP does not block it).
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""
CSP_MARKERS = ("Content Security Policy", "Refused to")


@dataclass
class BrowserErrors:
    """Console errors, CSP violations, uncaught exceptions and 5xx responses seen by a test's pages."""

    errors: list = field(default_factory=list)
    expected_statuses: set = field(default_factory=set)

    def watch(self, page):
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught exception on {page.url}: {error}"))
        page.on("response", self._on_response)
        return page

    def expect_status(self, status):
        """A page the test visits on purpose answers `status` (a 404 page, say): Chromium logs that; allow it."""
        self.expected_statuses.add(status)

    def _on_console(self, message):
        text = message.text
        if message.type != "error" and not any(marker in text for marker in CSP_MARKERS):
            return
        status = re.search(r"status of (\d{3})", text)
        if status and int(status.group(1)) in self.expected_statuses and not any(m in text for m in CSP_MARKERS):
            return
        self.errors.append(f"console {message.type}: {text} ({message.location.get('url', '')})")

    def _on_response(self, response):
        if response.status >= 500 and response.status not in self.expected_statuses:
            self.errors.append(f"server error {response.status} for {response.url}")

    def assert_clean(self):
        """Fail if anything was reported since the last check; then start afresh (expected statuses too)."""
        errors, self.errors, self.expected_statuses = self.errors, [], set()
        assert not errors, "the browser reported errors:\n" + "\n".join(errors)


# --- the live server's data -------------------------------------------------------------------------

def last_email_path(app, to_address):
    """The path of the link in the newest email queued for `to_address` (e.g. '/invitations/<token>')."""
    from sqlalchemy import select

    from app.extensions import db
    from app.mail.models import OutboxMessage

    with app.app_context():
        body = db.session.execute(select(OutboxMessage.body_text).where(OutboxMessage.to_address == to_address)
                                  .order_by(OutboxMessage.id.desc()).limit(1)).scalar_one()
        db.session.remove()
    match = re.search(r"https?://[^/\s]+(/\S+)", body)
    assert match, f"no link in the email to {to_address}:\n{body}"
    return match.group(1)


# --- journeys: two widths, and screenshots to look at ---------------------------------------------------

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 320, "height": 740}  # WCAG 2.2 1.4.10 Reflow: 320 CSS px wide


def snap(page, name):
    """Keep a full-page screenshot of this step when JOURNEY_SCREENSHOTS names a folder (for a person to look at)."""
    folder = os.environ.get("JOURNEY_SCREENSHOTS")
    if folder:
        width = page.viewport_size["width"] if page.viewport_size else 0
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


_WIDER_THAN_THE_PAGE = """() => {
  const width = document.documentElement.clientWidth, found = [];
  for (const element of document.querySelectorAll('body *')) {
    const right = element.getBoundingClientRect().right;
    if (right > width + 1 && !element.closest('[data-scrolls]'))
      found.push(`${element.tagName.toLowerCase()}.${element.className} ends at ${Math.round(right)} px`);
  }
  return found.slice(0, 5);
}"""


def wider_than_the_page(page):
    """'' if the page fits its window's width; else by how much it scrolls sideways and what sticks out."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow <= 0:
        return ""
    return f"{overflow} px too wide: " + "; ".join(page.evaluate(_WIDER_THAN_THE_PAGE))


def assert_fits_width(page):
    """Nothing on the page makes it scroll sideways (WCAG 2.2 1.4.10 Reflow); names what sticks out if it does."""
    wider = wider_than_the_page(page)
    assert not wider, f"{page.url} scrolls sideways at {page.viewport_size['width']} px wide: {wider}"
