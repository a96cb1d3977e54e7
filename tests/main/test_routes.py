"""The home page, the health check, and the security headers every response carries."""
import re

import pytest

from app import create_app
from app.accounts.models import Role
from config import TestConfig
from tests.main.test_access import ROUTES

PAGES = sorted({path for method, path, _endpoint, _access in ROUTES if method == "GET" and path != "/healthz"})


def _csp(response):
    return dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))


def _check_headers(response, where):
    csp = response.headers.get("Content-Security-Policy", "")
    assert csp, where
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert response.headers["X-Frame-Options"] == "DENY", where
    assert response.headers["X-Content-Type-Options"] == "nosniff", where
    assert response.headers["Referrer-Policy"], where
    directives = _csp(response)
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'", where
    assert directives["style-src"] == "'self'", where


def _check_nonce(response, where):
    """script-src allows one nonce, and the page's only inline script carries it."""
    html = response.get_data(as_text=True)
    nonces = re.findall(r"'nonce-([^']+)'", _csp(response)["script-src"])
    assert len(nonces) == 1, where
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    inline = [(attributes, body) for attributes, body in scripts if "src=" not in attributes]
    assert len(inline) == 1, where
    assert f'nonce="{nonces[0]}"' in inline[0][0], where
    assert not re.search(r"\son[a-z]+=", html), f"{where}: an inline event handler"
    assert " style=" not in html, f"{where}: an inline style attribute"
    return nonces[0]


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed out", "facilitator"])
def test_every_page_has_strict_security_headers(client, make_person, login, signed_in):
    other = make_person(Role.PRACTITIONER)
    if signed_in:
        login(make_person(Role.FACILITATOR))
    for path in PAGES:
        path = path.format(id=other.id)
        response = client.get(path)
        _check_headers(response, path)
        if response.status_code == 200 and response.mimetype == "text/html":
            _check_nonce(response, path)


def test_error_pages_and_json_have_the_headers_too(client, make_person, login):
    _check_headers(client.get("/healthz"), "/healthz")
    assert "nonce" not in client.get("/healthz").headers["Content-Security-Policy"]
    login(make_person(Role.PRACTITIONER))
    for path, status in (("/admin/people", 403), ("/no-such-page", 404)):
        response = client.get(path)
        assert response.status_code == status
        _check_headers(response, path)
        _check_nonce(response, path)


def test_each_response_gets_a_fresh_nonce(client):
    first, second = client.get("/login"), client.get("/login")
    assert _check_nonce(first, "1") != _check_nonce(second, "2")


def test_signed_in_pages_are_not_cached(client, make_person, login):
    login(make_person(Role.PRACTITIONER))
    assert client.get("/").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("role,sees,does_not_see", [
    (Role.FACILITATOR, "Manage the partnership", "Sign-off"),
    (Role.PRACTITIONER, "Consultations open to you", "Manage the partnership"),
    (Role.VCS_PARTNER, "Consultations open to you", "Sign-off"),
    (Role.YOUNG_PERSON, "Consultations open to you", "Manage the partnership"),
    (Role.LEAD_SIGNATORY, "Sign-off", "Consultations open to you"),
    (Role.SCRUTINEER, "Independent scrutiny", "Manage the partnership"),
    (Role.DSL, "Safeguarding concerns", "Manage the partnership"),
])
def test_home_fits_the_role(client, make_person, login, role, sees, does_not_see):
    person = make_person(role)
    login(person)
    html = client.get("/").get_data(as_text=True)
    assert f"Welcome, {person.display_name}" in html
    headings = re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', html)  # the home page's sections
    assert sees in headings and does_not_see not in headings
    assert ("/admin/people" in html) == (role == Role.FACILITATOR)


def test_the_accessibility_statement_is_public_and_linked_from_every_page(client):
    assert client.get("/accessibility").status_code == 200
    assert 'href="/accessibility"' in client.get("/login").get_data(as_text=True)


# --- /healthz ----------------------------------------------------------------------------------

def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2",
    "sqlite:////nonexistent-directory/portal.sqlite3",
])
def test_healthz_is_503_with_a_reason_when_the_database_is_unreachable(url):
    unhealthy = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    response = unhealthy.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error"
    assert body["database"].startswith("unreachable") and len(body["database"]) > len("unreachable")
    # The page still works as a page: the error handler does not need the database either.
    assert unhealthy.test_client().get("/accessibility").status_code == 200


def test_pages_and_assets_are_sent_compressed_to_browsers_that_ask(client):
    import brotli

    page = client.get("/accessibility", headers={"Accept-Encoding": "br, gzip"})
    assert page.headers["Content-Encoding"] == "br" and "Accept-Encoding" in page.headers["Vary"]
    assert b"<html" in brotli.decompress(page.get_data())
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]  # the security headers stay
    css = client.get("/static/dist/portal.css", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert css.headers.get("Content-Encoding") == "br" and b"govuk" in brotli.decompress(css.get_data())
    plain = client.get("/accessibility")
    assert "Content-Encoding" not in plain.headers and b"<html" in plain.get_data()
