"""Signing in and out, sessions, passwords: the pages as a person uses them."""
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.accounts import services
from app.accounts.models import AuthSession, Role
from app.database import transaction
from app.timeutil import utcnow
from tests.conftest import PASSWORD

LOGIN_ERROR = "Enter a correct email address (or username) and password"
NEW_PASSWORD = "a brand new passphrase"


def _post_login(client, csrf, login, password, path="/login"):
    return client.post(path, data={"email": login, "password": password, "csrf_token": csrf(client, "/login")})


def _main(response, typed=None):
    """The page without the per-request CSRF token and nonce (and without what the person typed)."""
    html = response.get_data(as_text=True)
    if typed:
        html = html.replace(typed, "TYPED")
    html = re.sub(r'(value|content|nonce)="[^"]{20,}"', r'\1="…"', html)
    return html


def _signed_in(client):
    return client.get("/password").status_code == 200


def _set_all_sessions(**values):
    with transaction() as session:
        session.execute(update(AuthSession).values(**values))


# --- signing in --------------------------------------------------------------------------------

def test_sign_in_and_see_home(client, csrf, make_person):
    person = make_person(Role.PRACTITIONER)
    response = _post_login(client, csrf, person.email.upper(), PASSWORD)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert f"Welcome, {person.display_name}" in client.get("/").get_data(as_text=True)


def test_a_young_person_signs_in_with_their_username(client, csrf, make_person):
    make_person(Role.YOUNG_PERSON, username="river-otter")
    assert _post_login(client, csrf, "River-Otter", PASSWORD).status_code == 303
    assert _signed_in(client)


def test_wrong_password_and_unknown_email_get_the_same_clear_error(client, csrf, make_person):
    person = make_person(Role.PRACTITIONER)
    wrong_password = _post_login(client, csrf, person.email, "not the password")
    unknown_email = _post_login(client, csrf, "nobody@example.org", PASSWORD)
    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert LOGIN_ERROR in html
        assert "There is a problem" in html and "<title>Error:" in html
        for hint in ("not registered", "no account", "incorrect password", "wrong password", "does not exist"):
            assert hint not in html.lower()
    # Apart from the typed address, the two answers are the same page.
    assert _main(wrong_password, person.email) == _main(unknown_email, "nobody@example.org")
    assert not _signed_in(client)


def test_an_empty_form_says_what_is_missing(client, csrf):
    html = _post_login(client, csrf, "", "").get_data(as_text=True)
    assert "Enter your email address or username" in html and "Enter your password" in html


def test_invited_and_deactivated_accounts_cannot_sign_in(client, csrf, make_person):
    facilitator = make_person(Role.FACILITATOR)
    person = make_person(Role.PRACTITIONER)
    services.update_person(facilitator, person, display_name=person.display_name, organisation=None,
                           roles=[Role.PRACTITIONER], active=False)
    assert LOGIN_ERROR in _post_login(client, csrf, person.email, PASSWORD).get_data(as_text=True)


def test_the_login_form_needs_its_csrf_token(client, make_person):
    person = make_person(Role.PRACTITIONER)
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)
    response = client.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert not _signed_in(client)


def test_signing_in_gives_a_new_session_cookie(client, csrf, make_person):
    """No session fixation: whatever the browser held before sign-in is not the signed-in session."""
    person = make_person(Role.PRACTITIONER)
    client.get("/login")
    before = client.get_cookie("portal_session").value
    _post_login(client, csrf, person.email, PASSWORD)
    cookie = client.get_cookie("portal_session")
    assert cookie.value != before and cookie.http_only and cookie.same_site == "Lax"


@pytest.mark.parametrize("target,lands_on", [
    ("/admin/people", "/admin/people"),
    ("/password?x=1", "/password?x=1"),
    ("//evil.example", "/"),
    ("//evil.example/path", "/"),
    ("https://evil.example", "/"),
    ("https://evil.example/login", "/"),
    ("/\\evil.example", "/"),
    ("\\\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("/\t/evil.example", "/"),  # browsers drop the tab and go to //evil.example
    ("/\n/evil.example", "/"),
    ("", "/"),
])
def test_next_only_leads_to_same_site_paths(client, csrf, make_person, target, lands_on):
    person = make_person(Role.FACILITATOR)
    response = client.post("/login", query_string={"next": target},
                           data={"email": person.email, "password": PASSWORD, "csrf_token": csrf(client, "/login")})
    assert response.status_code == 303
    assert response.headers["Location"] == lands_on


def test_a_protected_page_sends_you_to_login_and_back(client, csrf, make_person):
    person = make_person(Role.FACILITATOR)
    response = client.get("/admin/organisations")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=%2Fadmin%2Forganisations"
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'action="/login?next=/admin/organisations"' in login_page
    response = _post_login(client, csrf, person.email, PASSWORD, path="/login?next=%2Fadmin%2Forganisations")
    assert response.headers["Location"] == "/admin/organisations"


# --- rate limiting (memory storage; Redis in test_rate_limit_redis.py) -------------------------

def test_the_sixth_failure_in_a_minute_is_refused(client, csrf, make_person):
    person = make_person(Role.PRACTITIONER)
    for attempt in range(5):
        assert _post_login(client, csrf, person.email, f"wrong {attempt}").status_code == 200
    refused = _post_login(client, csrf, person.email, "wrong again")
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    # Even the right password waits until the minute is up.
    assert _post_login(client, csrf, person.email, PASSWORD).status_code == 429
    assert client.get("/login").status_code == 200  # reading the page is not limited


def test_successful_sign_ins_are_not_counted_as_failures(client, csrf, make_person):
    person = make_person(Role.PRACTITIONER)
    for _ in range(6):
        assert _post_login(client, csrf, person.email, PASSWORD).status_code == 303
        client.post("/logout", data={"csrf_token": csrf(client, "/accessibility")})
    for attempt in range(5):
        assert _post_login(client, csrf, person.email, f"wrong {attempt}").status_code == 200
    assert _post_login(client, csrf, person.email, "wrong").status_code == 429


def test_the_limit_is_per_address(app, csrf, make_person):
    person = make_person(Role.PRACTITIONER)
    here, there = app.test_client(), app.test_client()
    for attempt in range(6):
        _post_login(here, csrf, person.email, f"wrong {attempt}")
    assert _post_login(here, csrf, person.email, "wrong").status_code == 429
    there.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert _post_login(there, csrf, person.email, PASSWORD).status_code == 303


# --- sessions end on the server ----------------------------------------------------------------

def test_logout_ends_the_session_on_the_server(client, csrf, make_person, login):
    login(make_person(Role.PRACTITIONER))
    old_cookie = client.get_cookie("portal_session").value
    assert _signed_in(client)
    response = client.post("/logout", data={"csrf_token": csrf(client, "/accessibility")})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "You have signed out" in client.get("/login").get_data(as_text=True)
    client.set_cookie("portal_session", old_cookie)  # someone kept a copy of the cookie
    response = client.get("/password")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_password_change_ends_other_sessions_but_not_this_one(app, csrf, make_person, login):
    person = make_person(Role.PRACTITIONER)
    mine, elsewhere = app.test_client(), app.test_client()
    login(person, target=mine)
    login(person, target=elsewhere)
    response = mine.post("/password", data={"current_password": PASSWORD, "password": NEW_PASSWORD,
                                            "confirm": NEW_PASSWORD, "csrf_token": csrf(mine, "/password")})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "You have been signed out everywhere else" in mine.get("/").get_data(as_text=True)
    assert _signed_in(mine)
    assert elsewhere.get("/password").status_code == 302
    assert services.authenticate(person.email, NEW_PASSWORD) is not None


def test_change_password_shows_each_mistake(client, csrf, make_person, login):
    person = make_person(Role.PRACTITIONER)
    login(person)
    cases = [
        ({"current_password": "wrong", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
         "Your current password is not correct"),
        ({"current_password": PASSWORD, "password": "short", "confirm": "short"}, "12 characters or more"),
        ({"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": "different"}, "do not match"),
        ({"current_password": PASSWORD, "password": person.email, "confirm": person.email}, "same as your email"),
    ]
    for data, message in cases:
        response = client.post("/password", data=dict(data, csrf_token=csrf(client, "/password")))
        assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert services.authenticate(person.email, PASSWORD) is not None
    assert _signed_in(client)


def test_idle_sessions_end(app, client, make_person, login):
    login(make_person(Role.PRACTITIONER))
    idle = app.config["SESSION_IDLE_TIMEOUT_MINUTES"]
    _set_all_sessions(last_seen_at=utcnow() - timedelta(minutes=idle - 2))
    assert _signed_in(client)  # activity moves last_seen_at on
    _set_all_sessions(last_seen_at=utcnow() - timedelta(minutes=idle + 1))
    assert client.get("/password").status_code == 302


@pytest.mark.parametrize("app_config", [{"SESSION_IDLE_TIMEOUT_MINUTES": 5, "SESSION_ABSOLUTE_LIFETIME_HOURS": 1}])
def test_session_limits_are_configurable(app, client, make_person, login):
    login(make_person(Role.PRACTITIONER))
    _set_all_sessions(last_seen_at=utcnow() - timedelta(minutes=6))
    assert client.get("/password").status_code == 302
    login(make_person(Role.PRACTITIONER))
    _set_all_sessions(created_at=utcnow() - timedelta(minutes=61), last_seen_at=utcnow())
    assert client.get("/password").status_code == 302


def test_sessions_end_after_their_absolute_lifetime_however_active(app, client, make_person, login):
    login(make_person(Role.PRACTITIONER))
    hours = app.config["SESSION_ABSOLUTE_LIFETIME_HOURS"]
    _set_all_sessions(created_at=utcnow() - timedelta(hours=hours) + timedelta(minutes=1))
    assert _signed_in(client)
    _set_all_sessions(created_at=utcnow() - timedelta(hours=hours, minutes=1), last_seen_at=utcnow())
    assert client.get("/password").status_code == 302


def test_a_deactivated_accounts_sessions_end(app, csrf, make_person, login):
    facilitator, person = make_person(Role.FACILITATOR), make_person(Role.PRACTITIONER, name="Sam Example")
    admin, theirs = app.test_client(), app.test_client()
    login(facilitator, target=admin)
    login(person, target=theirs)
    assert _signed_in(theirs)
    response = admin.post(f"/admin/people/{person.id}", data={
        "display_name": "Sam Example", "organisation": "None", "roles": ["practitioner"],
        "statutory_partner": "None", "acting_for": "None",
        "csrf_token": csrf(admin, f"/admin/people/{person.id}")})  # "active" unticked
    assert response.status_code == 303
    assert theirs.get("/password").status_code == 302
    assert LOGIN_ERROR in _post_login(theirs, csrf, person.email, PASSWORD).get_data(as_text=True)


# --- links by email: invitation and password reset (with real SMTP in tests/mail) --------------

def test_forgotten_password_page_says_the_same_for_any_address(client, csrf, make_person):
    person = make_person(Role.PRACTITIONER)
    answers = [client.post("/password/forgotten",
                           data={"email": email, "csrf_token": csrf(client, "/password/forgotten")})
               for email in (person.email, "nobody@example.org")]
    assert [a.status_code for a in answers] == [200, 200]
    assert _main(answers[0]) == _main(answers[1])
    assert "Check your email" in answers[0].get_data(as_text=True)


def test_a_dead_set_password_link_gets_410(client):
    for path in ("/invitations/nonsense", "/password/reset/nonsense"):
        response = client.get(path)
        assert response.status_code == 410
        assert "This link has expired or has already been used" in response.get_data(as_text=True)


# --- issue 14: limits per account and route as well as per address -----------------------------------------

def test_one_persons_mistakes_do_not_lock_out_another_at_the_same_address(app, csrf, make_person):
    mistaken, other = make_person(Role.PRACTITIONER), make_person(Role.PRACTITIONER)
    here = app.test_client()
    for attempt in range(6):
        _post_login(here, csrf, mistaken.email, f"wrong {attempt}")
    assert _post_login(here, csrf, mistaken.email, PASSWORD).status_code == 429
    assert _post_login(app.test_client(), csrf, other.email, PASSWORD).status_code == 303


def test_an_address_has_its_own_wider_limit(app, csrf, make_person):
    app.config["ADDRESS_FAILURES_PER_MINUTE"] = 7
    client = app.test_client()
    codes = [_post_login(client, csrf, f"nobody{n}@example.org", "wrong").status_code for n in range(8)]
    assert codes == [200] * 7 + [429]


def _change_password(client, csrf, current):
    return client.post("/password", data={"current_password": current, "password": "a brand new passphrase",
                                          "confirm": "a brand new passphrase",
                                          "csrf_token": csrf(client, "/password")}).status_code


def test_the_current_password_check_is_limited_like_sign_in(app, csrf, login, make_person):
    guesser, colleague = make_person(Role.PRACTITIONER), make_person(Role.PRACTITIONER)
    client = app.test_client()
    login(guesser, target=client)
    codes = [_change_password(client, csrf, f"guess {n}") for n in range(6)]
    assert codes == [200] * 5 + [429]
    other = app.test_client()
    login(colleague, target=other)
    assert _change_password(other, csrf, "one honest mistake") == 200  # not locked out by the guesser


def _timed_reset_request(client, csrf, address):
    token = csrf(client, "/password/forgotten")
    started = time.monotonic()
    response = client.post("/password/forgotten", data={"email": address, "csrf_token": token})
    assert response.status_code == 200
    return time.monotonic() - started, re.search(r"<h1.*?</h1>", response.get_data(as_text=True), re.S).group(0)


def test_forgotten_password_answers_alike_for_known_and_unknown_addresses(app, csrf, make_person):
    app.config["PASSWORD_RESET_ANSWER_SECONDS"] = 0.3
    person = make_person(Role.PRACTITIONER)
    known = [_timed_reset_request(app.test_client(), csrf, person.email) for _ in range(3)]
    unknown = [_timed_reset_request(app.test_client(), csrf, f"nobody{n}@example.org") for n in range(3)]
    assert {html for _, html in known} == {html for _, html in unknown}
    slowest_known, fastest_unknown = max(t for t, _ in known), min(t for t, _ in unknown)
    assert fastest_unknown >= 0.3 and slowest_known - fastest_unknown < 0.1
