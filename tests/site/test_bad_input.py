"""Bad input is a 4xx, never a 500 (issue 14): URL parameters, query strings and request bodies, fuzzed.

The explicit cases are those an independent test found; the properties extend tests/site/test_forms.py (which
fuzzes form fields) to the parts of a request it left alone: every id in a path, every query-string value, and
a form sent as multipart with its fields as file parts.
"""
import io
import re
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from app.demo import DEMO_PASSWORD, load_demo_data
from tests.site.crawl import SKIP_PATHS, pattern
from tests.site.test_forms import MALFORMED, SKIP_ACTIONS, _discover, _Page

HUGE = "9999999999999999999999999"
EXPLICIT = [
    f"/consultations/{HUGE}", f"/consultations/1?after={HUGE}", f"/consultations/1/comments?after={HUGE}",
    "/consultations/1/comments?after=-5", f"/open-data/consultations/{HUGE}.csv", f"/drafts/{HUGE}",
    f"/scrutiny/consultations/1?after={HUGE}", "/scrutiny/consultations/1?to_day=9999-12-31",
    "/scrutiny/consultations/1?from_day=0001-01-01", "/scrutiny/yearly?from=9999-12-31",
    "/scrutiny/yearly?from=0001-01-01", "/scrutiny/yearly.csv?from=9999-12-31", f"/moderation/comments/{HUGE}",
    f"/signoff/{HUGE}/decide", f"/role-grants/{HUGE}/confirm",
]


@pytest.fixture
def demo(app):
    load_demo_data()
    return app


def _sign_in(client, csrf, login):
    response = client.post("/login", data={"email": login, "password": DEMO_PASSWORD,
                                           "csrf_token": csrf(client, "/login")})
    assert response.status_code == 303


@pytest.mark.parametrize("login", ["scrutineer@demo.test", "facilitator@demo.test", None])
def test_the_reported_inputs_are_refused_without_a_500(login, demo, client, csrf):
    if login:
        _sign_in(client, csrf, login)
    answers = {url: client.get(url).status_code for url in EXPLICIT}
    assert {url: status for url, status in answers.items() if status >= 500} == {}


@pytest.mark.parametrize("entries", [HUGE, "2147483648", "\u00b2", "12, 15"])
def test_finding_entries_out_of_range_are_form_errors(demo, client, csrf, entries):
    _sign_in(client, csrf, "scrutineer@demo.test")
    path = "/scrutiny/consultations/1"
    response = client.post(path + "/findings", data={"entries": entries, "observation": "Seen", "severity": "low",
                                                     "csrf_token": csrf(client, path)})
    assert response.status_code in (200, 303, 400, 409)
    if entries != "12, 15":
        assert "Enter log entry numbers" in response.get_data(as_text=True)


def test_a_closing_day_out_of_range_is_a_form_error(demo, client, csrf):
    _sign_in(client, csrf, "facilitator@demo.test")
    path = "/consultations/1/extend"
    response = client.post(path, data={"closes_day": HUGE, "closes_month": "1", "closes_year": "2027",
                                       "closes_time": "5pm", "csrf_token": csrf(client, "/consultations/1")})
    assert response.status_code < 500


def test_requests_over_the_size_limits_are_refused(demo, app, client, csrf):
    _sign_in(client, csrf, "facilitator@demo.test")
    token = csrf(client, "/drafts")
    big = client.post("/drafts", data={"title": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1), "csrf_token": token})
    assert big.status_code == 413
    many = client.post("/drafts", data={**{f"f{n}": "x" for n in range(app.config["MAX_FORM_PARTS"] + 1)},
                                        "csrf_token": token})
    assert many.status_code == 413


def test_a_comment_sent_as_a_file_part_is_refused_without_a_500(demo, client, csrf):
    _sign_in(client, csrf, "practitioner@demo.test")
    path = "/consultations/1"
    html = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(path + "/comments", content_type="multipart/form-data",
                           data={"c-general-body": (io.BytesIO(b"a comment"), "comment.txt"), "csrf_token": token})
    assert response.status_code < 500


# --- properties: any id in a path, any query-string value, any field as a file part --------------------------

def _get_patterns(client, limit=50):
    """{pattern: a real URL} for the pages reachable from home (GET only)."""
    seen, queue, found = set(), ["/"], {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        key = pattern(path)
        if key in seen:
            continue
        seen.add(key)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        found[key] = path
        parser = _Page()
        parser.feed(response.get_data(as_text=True))
        for href in parser.links:
            target = urlsplit(urljoin("http://localhost" + path, href))
            if target.netloc in ("", "localhost") and not SKIP_PATHS.match(target.path):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


VALUES = st.one_of(MALFORMED, st.integers(min_value=-2**70, max_value=2**70).map(str), st.text(max_size=30),
                   st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", HUGE]))
QUERY_KEYS = ["after", "from", "from_day", "to_day", "kind", "audience", "organisation", "a", "b", "page", "section"]


@pytest.mark.parametrize("login", ["scrutineer@demo.test", "practitioner@demo.test"])
def test_no_url_parameter_or_query_string_causes_a_500(login, demo, client, csrf):
    _sign_in(client, csrf, login)
    urls = sorted(_get_patterns(client).values())
    assert len(urls) >= 5

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(url=st.sampled_from(urls), ids=st.lists(VALUES, min_size=4, max_size=4),
           query=st.dictionaries(st.sampled_from(QUERY_KEYS), VALUES, max_size=3))
    def get_it(url, ids, query):
        parts = urlsplit(url)
        numbers = iter(ids)
        path = re.sub(r"(?<=/)\d+(?=/|\.|$)", lambda m: next(numbers, m.group(0)).replace("/", "%2F") or "0",
                      parts.path)
        target = path + "?" + urlencode(query) if query else path
        status = client.get(target).status_code
        assert status < 500, f"{status} for GET {target}"

    get_it()


@pytest.mark.parametrize("login", ["facilitator@demo.test", "practitioner@demo.test"])
def test_no_form_sent_as_multipart_causes_a_500(login, demo, client, csrf):
    _sign_in(client, csrf, login)
    forms = sorted(_discover(client).values())
    failures = []
    for page, action, form in forms:
        if SKIP_ACTIONS.match(action):
            continue
        data = {"csrf_token": form["csrf"]}
        for n, name in enumerate(form["fields"]):
            value = (form["fields"][name]["options"] or ["a value"])[0]
            data[name] = (io.BytesIO(value.encode()), f"part{n}.txt") if n % 2 == 0 else value
        status = client.post(action, data=data, content_type="multipart/form-data").status_code
        if status >= 500:
            failures.append(f"{status} for multipart POST {action} (found on {page})")
    assert failures == []
