"""Whole-site checks: a crawler signs in as each demo role (and as no one) and checks every page it reaches.

For each page (GET only; same-site links; never /logout; at most MAX_PAGES a role, and URLs that differ only in
ids or query values count as one pattern):
- no 5xx;
- the Content-Security-Policy and the other security headers are there;
- axe-core (WCAG 2.2 A/AA) finds nothing, in Chromium;
- it reflows at 320 CSS px (WCAG 2.2 1.4.10; the same as 400 % zoom of a 1280 px window): nothing makes the page
  scroll sideways (a wide table may scroll inside its own labelled region);
- the Nu HTML Checker (vnu-jar, run once a role over every page collected) reports no errors;
- no page shows content that role must not see: planted markers (a hidden comment, a safeguarding concern,
  a comment waiting for moderation) and young people's usernames.
The crawl discovers pages, so pages added by later work are checked without changing this file.
"""
import json
import re
import shutil
import subprocess
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select, text

from app.accounts.models import Person
from app.consultations import services as consultations
from app.consultations.models import Consultation
from app.demo import load_demo_data
from app.extensions import db as _db
from tests.browser.plugin import serve
from tests.browser.helpers import PHONE, ROOT, axe_violations, format_violations, sign_in, wider_than_the_page
from tests.site.crawl import SKIP_PATHS, pattern

MAX_PAGES = 60
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ANONYMOUS = None
ROLES = [ANONYMOUS, "facilitator@demo.test", "practitioner@demo.test", "vcs@demo.test", "la.partner@demo.test",
         "police.partner@demo.test", "icb.partner@demo.test", "scrutineer@demo.test", "dsl@demo.test", "youth-demo"]
# htmx's hx-* attributes are not in the HTML standard (the checker names each one); everything else counts.
HTMX_ATTRIBUTES = ".*Attribute “hx-[a-z-]+” not allowed on element.*"
YOUNG_USERNAMES = ("youth-demo",)  # youth-demo-2 and -3 share the prefix

# Who may see each planted text. Moderators and scrutineers read moderated text; nobody else may.
MARKERS = {
    "hidden": {"facilitator@demo.test", "scrutineer@demo.test", "dsl@demo.test"},
    "concern": {"facilitator@demo.test", "scrutineer@demo.test", "dsl@demo.test"},
    "pending": {"facilitator@demo.test", "scrutineer@demo.test", "dsl@demo.test"},
    "worry": {"scrutineer@demo.test", "dsl@demo.test"},  # a safeguarding concern's own words
}
# A young person's username: the account's own pages, the facilitators who manage accounts, and the readers of
# safeguarding concerns (app.moderation.services.can_read_concerns), who must be able to identify the child.
USERNAME_ALLOWED = {"youth-demo", "facilitator@demo.test", "dsl@demo.test", "scrutineer@demo.test"}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href") and "download" not in attrs:  # a download is not a page
            self.links.append(attrs["href"])
        if tag in ("a", "form", "button", "div", "span", "li") and attrs.get("hx-get"):
            self.links.append(attrs["hx-get"])
        if tag == "form" and (attrs.get("method") or "get").lower() == "get" and attrs.get("action"):
            self.links.append(attrs["action"])


# --- a live server of our own, so the planted markers do not disturb other browser tests ------------

@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    def load():
        load_demo_data()
        return _plant_markers()

    with serve(request, tmp_path_factory, "site", load) as (base_url, app, markers):
        yield {"url": base_url, "app": app, "markers": markers}


def _plant_markers():
    """Text only some roles may read: comments hidden, raised as a concern and pending; a safeguarding worry."""
    consultation = _db.session.execute(select(Consultation).order_by(Consultation.id)).scalars().first()
    people = {p.login_name: p for p in _db.session.execute(select(Person)).scalars()}
    markers = {}
    for kind, author, status in [("hidden", "tom.reeves@demo.test", "hidden"),
                                 ("concern", "sam.okafor@demo.test", "concern"),
                                 ("pending", "youth-demo-2", None)]:
        marker = f"SITE-MARKER-{kind}-{uuid.uuid4().hex[:12]}"
        comment = consultations.post_comment(people[author], consultation, f"Planted text {marker} for the crawler.")
        comment_id = comment.id
        if status:  # as a moderator's act would leave it (the moderation room may not exist yet)
            _db.session.execute(text("UPDATE comment SET status = :status WHERE id = :id"),
                                {"status": status, "id": comment_id})
            _db.session.commit()
        markers[kind] = marker
    _plant_suggestions(consultation, people, markers["pending"])
    try:  # the moderation room: a young person's own safeguarding worry, for the DSL (and scrutineers) only
        from app.moderation.services import raise_own_worry
    except ImportError:
        return markers
    marker = f"SITE-MARKER-worry-{uuid.uuid4().hex[:12]}"
    raise_own_worry(people["youth-demo-2"], f"Planted worry {marker} for the crawler.")
    markers["worry"] = marker
    return markers


def _plant_suggestions(consultation, people, pending_marker):
    """Suggested wording (issue 19), so that its pages are crawled: a published suggestion, and a young person's
    waiting one whose suggested words carry the "pending" marker (nobody but moderators and scrutineers may read
    them)."""
    from app.suggestions import services as suggestions
    from app.suggestions import text as wording

    def unique_words(section):
        words = section.body.split()
        return next(" ".join(words[i:i + 3]) for i in range(len(words) - 2)
                    if len(wording.find(section.body, " ".join(words[i:i + 3]))) == 1)

    for author, section, replacement in [
            ("amy.clarke@demo.test", consultation.version.sections[0], "A wording planted for the crawler"),
            ("youth-demo-3", consultation.version.sections[2], f"Planted words {pending_marker}")]:
        suggestions.suggest(people[author], consultation, section, reason="Planted for the crawler.",
                            passage=unique_words(section), replacement=replacement,
                            made_against=wording.sha256(section.body))


# --- the crawl ------------------------------------------------------------------------------------

def _crawl(page, base_url, problems, pages):
    """Breadth-first from /, one URL per pattern. Fills `pages` with (url, html) of every HTML page."""
    seen, queue = set(), ["/"]
    request = page.context.request
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        key = pattern(path)
        if key in seen:
            continue
        seen.add(key)
        response = request.get(base_url + path, max_redirects=5)
        status = response.status
        final = urlsplit(response.url)
        if status >= 500:
            problems.append(f"{status} for {path}")
            continue
        _check_headers(path, response.headers, problems)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        html = response.text()
        pages.append((final.path + (f"?{final.query}" if final.query else ""), status, html))
        if status == 200:
            page.goto(base_url + path)
            violations = axe_violations(page)
            if violations:
                problems.append(format_violations(path, violations))
            wider = wider_than_the_page(page)
            if wider:
                problems.append(f"{path} scrolls sideways at {PHONE['width']} px: {wider}")
        parser = _Links()
        parser.feed(html)
        for href in parser.links:
            target = urlsplit(urljoin(response.url, href))
            if target.scheme not in ("http", "https") or target.netloc != urlsplit(base_url).netloc:
                continue
            if SKIP_PATHS.match(target.path):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if pattern(link) not in seen:
                queue.append(link)
    return seen


def _check_headers(path, headers, problems):
    csp = headers.get("content-security-policy", "")
    missing = [d for d in ("default-src 'self'", "script-src", "object-src 'none'", "frame-ancestors 'none'",
                           "base-uri 'self'") if d not in csp]
    if missing or "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"weak or missing Content-Security-Policy on {path}: {csp!r}")
    for header, value in [("x-content-type-options", "nosniff"), ("x-frame-options", "DENY"),
                          ("referrer-policy", None)]:
        if header not in headers or (value and headers[header] != value):
            problems.append(f"{header} missing or wrong on {path}: {headers.get(header)!r}")


def _vnu(pages, workdir):
    """Start the Nu HTML Checker over every page collected (one Java process); returns the process."""
    if shutil.which("java") is None:
        pytest.fail("Java is needed for the Nu HTML Checker: run `make browser` (installs default-jre-headless)",
                    pytrace=False)
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR} is missing: run `npm ci` (make setup)", pytrace=False)
    files = {}
    for index, (url, _status, html) in enumerate(pages):
        path = Path(workdir) / f"page{index:03d}.html"
        path.write_text(html, encoding="utf-8")
        files[path.resolve().as_uri()] = url
    process = subprocess.Popen(["java", "-Xss1m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
                                "--filterpattern", HTMX_ATTRIBUTES,
                                *[str(Path(workdir) / f"page{i:03d}.html") for i in range(len(pages))]],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return process, files


def _vnu_errors(process, files):
    _out, err = process.communicate(timeout=300)
    try:
        messages = json.loads(err or "{}").get("messages", [])
    except json.JSONDecodeError:
        return [f"the Nu HTML Checker failed: {err[:2000]}"]
    by_uri = {uri.rsplit("/", 1)[-1]: url for uri, url in files.items()}
    return [f"{by_uri.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))} line {m.get('lastLine')}: "
            f"{m.get('message')} [{m.get('extract', '').strip()[:120]}]"
            for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_every_page_is_sound_valid_accessible_and_guarded(role, site, browser, tmp_path):
    context = browser.new_context(base_url=site["url"], locale="en-GB", timezone_id="Europe/London", viewport=PHONE)
    context.set_default_timeout(15_000)
    problems, pages = [], []
    try:
        page = context.new_page()
        if role:
            sign_in(page, role)
        patterns = _crawl(page, site["url"], problems, pages)
    finally:
        context.close()

    assert len(patterns) >= (3 if role else 2), f"the crawl reached too little: {sorted(patterns)}"
    process, files = _vnu(pages, tmp_path)

    for url, _status, html in pages:
        for kind, marker in site["markers"].items():
            if marker in html and role not in MARKERS[kind]:
                problems.append(f"{role or 'anonymous'} sees the {kind} comment's text on {url}")
        if role not in USERNAME_ALLOWED:
            for username in YOUNG_USERNAMES:
                if re.search(rf"(?<![\w.@-]){re.escape(username)}", html):
                    problems.append(f"{role or 'anonymous'} sees a young person's username ({username}) on {url}")

    problems += _vnu_errors(process, files)
    assert not problems, f"{len(problems)} problem(s) for {role or 'anonymous'} over {len(pages)} pages:\n" + \
        "\n".join(problems)


def test_pattern_groups_urls_that_differ_only_in_ids():
    assert pattern("/consultations/12/comments?after=40") == pattern("/consultations/7/comments?after=3")
    assert pattern("/consultations/12") != pattern("/consultations/12/comments")
    assert pattern("/unsubscribe/abcDEF123456789012345678") == "/unsubscribe/{token}"
