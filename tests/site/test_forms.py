"""Every form, fuzzed: random, oversized, malformed and missing values never cause a 500, and a rejected form
stores nothing.

The forms are found by crawling the demo site with the Flask test client, signed in as the facilitator and as a
practitioner (GET only, same-site links, never /logout, one URL per pattern). Each <form method="post"> keeps its
CSRF token (and the names of its fields); hypothesis chooses the other values. After each POST:
- the status is not 5xx;
- if the form was re-rendered with errors (200, 400, 409, 422) — or refused (403, 404) — no table gained or lost a
  row and the consultation log's head did not move; a 303 redirect (accepted) may change data.
"""
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import inspect, text

from app.demo import DEMO_PASSWORD, load_demo_data
from app.trail import services as trail
from tests.site.crawl import SKIP_PATHS, pattern

MAX_PAGES = 60
EXAMPLES_PER_FORM = 6
# Forms that end the session or sign in: fuzzing them tests the rate limiter, not the form (covered elsewhere).
SKIP_ACTIONS = re.compile(r"^/(logout|login)\b")
REJECTED = {200, 400, 403, 404, 409, 413, 422, 429}  # 429: /password is limited like sign-in (issue 14)


class _Page(HTMLParser):
    """Links and POST forms (action, fields with their kind and options) of one page."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.links.append(attrs["href"])
        elif tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self._form = {"action": attrs.get("action") or "", "fields": {}, "csrf": None}
                self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select", "button"):
            name = attrs.get("name")
            if not name:
                return
            kind = attrs.get("type", "text") if tag == "input" else tag
            if name == "csrf_token":
                self._form["csrf"] = attrs.get("value")
                return
            field = self._form["fields"].setdefault(name, {"kind": kind, "options": []})
            if tag == "select":
                self._select = field
            elif kind in ("radio", "checkbox", "submit", "hidden") or tag == "button":
                if attrs.get("value") is not None:
                    field["options"].append(attrs["value"])
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _discover(client):
    """Breadth-first crawl: {action pattern: (page path, action, fields)} for every POST form found."""
    seen, queue, forms = set(), ["/"], {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if pattern(path) in seen:
            continue
        seen.add(pattern(path))
        response = client.get(path, follow_redirects=True)
        assert response.status_code < 500, f"{response.status_code} for GET {path}"
        if "text/html" not in response.content_type:
            continue
        parser = _Page()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            action = urlsplit(urljoin("http://localhost" + path, form["action"])).path
            if form["csrf"] and not SKIP_ACTIONS.match(action):
                forms.setdefault(pattern(action), (path, action, form))
        for href in parser.links:
            target = urlsplit(urljoin("http://localhost" + path, href))
            if target.netloc not in ("", "localhost") or SKIP_PATHS.match(target.path):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return forms


MALFORMED = st.sampled_from(["", " ", "-1", "0", "99999999999999999999", "1e309", "NaN", "2026-13-45", "31/02/2026",
                             "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "\u202e\u0000x",
                             "null", "[]", "{}", "🙂" * 10, "a\r\nb", "%00", "https://evil.example/"])


def _value(field):
    options = [o for o in field["options"] if o is not None]
    choices = [st.text(max_size=40), MALFORMED, st.text(min_size=5_000, max_size=20_000, alphabet="ab c\n"),
               st.integers(min_value=-2**63, max_value=2**63).map(str)]
    if options:
        choices = [st.sampled_from(options)] * 3 + choices
    return st.one_of(*choices)


def _form_data(fields):
    """A dict of field -> value or list of values; a field may be missing altogether."""
    strategies = {}
    for name, field in fields.items():
        value = _value(field)
        if field["kind"] == "checkbox":
            value = st.lists(value, max_size=3)
        strategies[name] = st.one_of(st.none(), value)
    return st.fixed_dictionaries(strategies).map(lambda d: {k: v for k, v in d.items() if v is not None})


def _snapshot(db):
    """Row counts of every table and the log's head: what a rejected form must leave alone."""
    tables = sorted(inspect(db.engine).get_table_names())
    query = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM \"{t}\"" for t in tables)
    counts = dict(db.session.execute(text(query)).all())
    db.session.rollback()
    return counts, trail.head()


@pytest.fixture
def demo(app):
    load_demo_data()
    return app


def _sign_in(client, csrf, login):
    response = client.post("/login", data={"email": login, "password": DEMO_PASSWORD,
                                           "csrf_token": csrf(client, "/login")})
    assert response.status_code == 303


@pytest.mark.slow
@pytest.mark.parametrize("login", ["facilitator@demo.test", "practitioner@demo.test"])
def test_no_form_fails_or_stores_a_rejected_post(login, demo, db, client, csrf):
    _sign_in(client, csrf, login)
    forms = _discover(client)
    assert len(forms) >= 3, f"too few forms found: {sorted(forms)}"
    failures = []

    for key, (page, action, form) in sorted(forms.items()):
        @settings(max_examples=EXAMPLES_PER_FORM, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(data=_form_data(form["fields"]))
        def post_it(data):
            before = _snapshot(db)
            response = client.post(action, data={**data, "csrf_token": form["csrf"]})
            status = response.status_code
            assert status < 500, f"{status} for POST {action} with {data!r}"
            if status in REJECTED:
                after = _snapshot(db)
                assert after == before, f"POST {action} answered {status} but stored something: {data!r}"
            else:
                assert status in (302, 303), f"unexpected {status} for POST {action} with {data!r}"

        try:
            post_it()
        except AssertionError as error:
            failures.append(f"{key} (found on {page}): {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
