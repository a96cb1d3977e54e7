"""Every download a role can reach answers 200 with the right content type, and is logged only when served.

A test-client crawl (no browser: downloads are not pages) over the demo data, signed in as each demo role and as
no one. It follows same-site links and GET forms from every HTML page it reaches (one visit per URL pattern),
reads every response to its last byte (a streamed export fails inside its generator, after the headers), and
fails on any 5xx. A response that is a download (an attachment, or a .csv/.zip/.py/.jsonl path) must be 200 with
the content type its kind calls for.
"""
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from app.demo import DEMO_PASSWORD, load_demo_data
from app.trail import services as trail
from tests.conftest import csrf_token
from tests.site.crawl import SKIP_PATHS, pattern

ROLES = [None, "facilitator@demo.test", "practitioner@demo.test", "la.partner@demo.test", "scrutineer@demo.test",
         "dsl@demo.test", "youth-demo"]
MAX_PAGES = 80
TYPES = {".csv": "text/csv", ".zip": "application/zip", ".py": "text/x-python", ".jsonl": "application/x-ndjson"}


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.found.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get" and attrs.get("action"):
            self.found.append(attrs["action"])


def _same_site(base, href):
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "") or parts.netloc not in ("", "localhost") or SKIP_PATHS.match(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _sign_in(client, login):
    response = client.post("/login", data={"email": login, "password": DEMO_PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 303, f"{login} could not sign in"


def _is_download(path, response):
    return "attachment" in response.headers.get("Content-Disposition", "") or \
        any(urlsplit(path).path.endswith(ext) for ext in TYPES)


def crawl(client, start=("/", "/arrangements"), bodies=False):
    """(pages, downloads): {path: status (or, with bodies, the page's text)} and {path: response} of every URL
    pattern reached."""
    queue, seen, pages, downloads = list(start), set(), {}, {}
    while queue and len(pages) + len(downloads) < MAX_PAGES:
        path = queue.pop(0)
        if pattern(path) in seen:
            continue
        seen.add(pattern(path))
        response = client.get(path)
        body = response.get_data()  # to the last byte: a streamed download fails here, not at its headers
        assert response.status_code < 500, f"{path} answered {response.status_code}"
        if _is_download(path, response):
            downloads[path] = response
            continue
        pages[path] = body.decode("utf-8", "replace") if bodies else response.status_code
        if response.status_code in (301, 302, 303, 307, 308):
            location = _same_site(path, response.headers["Location"])
            queue.extend([location] if location else [])
        elif response.mimetype == "text/html":
            parser = Links()
            parser.feed(body.decode("utf-8"))
            queue.extend(link for link in (_same_site(path, href) for href in parser.found) if link)
    return pages, downloads


@pytest.fixture
def demo(app):
    load_demo_data()


@pytest.mark.parametrize("login", ROLES, ids=lambda login: login or "public")
def test_every_download_a_role_reaches_is_served_whole_with_its_type(app, demo, login):
    client = app.test_client()
    if login:
        _sign_in(client, login)
    before = trail.head()
    _pages, downloads = crawl(client)
    assert downloads, "no download link reached"
    for path, response in downloads.items():
        extension = re.search(r"\.[a-z]+$", urlsplit(path).path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        if extension and extension.group() in TYPES:
            assert response.mimetype == TYPES[extension.group()], f"{path} is {response.mimetype}"
    if login is None:  # anonymous requests never write to the log
        assert trail.head() == before
    if login is None or login == "practitioner@demo.test":
        assert any(path.startswith("/open-data/") for path in downloads)  # the published arrangement's CSV


def test_the_public_open_data_csv_of_the_published_demo_is_served_and_not_logged(app, client, demo):
    html = client.get("/arrangements/thematic-groups").get_data(as_text=True)
    link = re.search(r'href="(/open-data/consultations/\d+\.csv)"', html).group(1)
    before = trail.head()
    response = client.get(link)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "cross-border exploitation" not in text and "exploitation across council boundaries" in text
    assert trail.head() == before


def test_public_open_data_is_rate_limited(app, client, demo):
    from app.scrutiny.routes import OPEN_DATA_LIMIT

    html = client.get("/arrangements/thematic-groups").get_data(as_text=True)
    link = re.search(r'href="(/open-data/consultations/\d+\.csv)"', html).group(1)
    allowed = int(OPEN_DATA_LIMIT.split()[0])
    statuses = [client.get(link).status_code for _ in range(allowed + 1)]
    assert statuses[:allowed] == [200] * allowed and statuses[-1] == 429


def test_a_download_that_fails_is_not_logged_as_served(app, client, login, demo, monkeypatch):
    from app.accounts import services as accounts
    from app.scrutiny import exports
    from app.signoff.models import Publication
    from app.extensions import db

    publication = db.session.query(Publication).one()
    consultation_id = publication.request.consultation_id
    scrutineer = accounts.find_by_login("scrutineer@demo.test")

    def broken(*args, **kwargs):
        yield b"PK"
        raise RuntimeError("the database went away")

    monkeypatch.setattr(exports, "stream_zip", broken)
    client = app.test_client()
    _sign_in(client, "scrutineer@demo.test")
    before = trail.head()
    response = client.get(f"/scrutiny/consultations/{consultation_id}/export.zip")
    with pytest.raises(RuntimeError):
        response.get_data()
    assert trail.head() == before
    assert scrutineer is not None
