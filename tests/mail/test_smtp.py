"""Email through a real SMTP server (aiosmtpd) started by the test: outbox, worker, retries, links.

Nothing is sent from inside a request: the invitation waits in the outbox until
`flask send-mail --once` runs, exactly as the worker beside the web server does.
"""
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from app.accounts import services as account_services
from app.accounts.models import AccountToken, Role
from app.database import transaction
from app.mail import services as mail_services
from app.mail.models import OutboxMessage
from app.timeutil import utcnow
from tests.conftest import PASSWORD
from tests.smtp import smtp_settings

NEW_PASSWORD = "my own long passphrase"


@pytest.fixture
def app_config(smtp):
    return smtp_settings(smtp)


class Clock:
    """Moves the services' idea of now forward, so back-off and expiry need no sleeping."""

    def __init__(self, monkeypatch):
        self.offset = timedelta(0)
        for module in (mail_services, account_services):
            monkeypatch.setattr(module, "utcnow", lambda: utcnow() + self.offset)

    def advance(self, **delta):
        self.offset += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def send_mail(runner):
    result = runner.invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def outbox(db):
    db.session.expire_all()
    return db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


@pytest.fixture
def invite(client, csrf, make_person, login, partnership):
    """A facilitator invites someone through the people page; returns the invitee's email address."""

    def do_invite(email="new.colleague@example.org"):
        login(make_person(Role.FACILITATOR, name="Fran Facilitator"))
        response = client.post("/admin/people/new", data={
            "display_name": "New Colleague", "email": email, "organisation": "None", "roles": ["practitioner"],
            "statutory_partner": "None", "acting_for": "None", "csrf_token": csrf(client, "/admin/people/new")})
        assert response.status_code == 303, response.get_data(as_text=True)
        client.post("/logout", data={"csrf_token": csrf(client, "/accessibility")})
        return email

    return do_invite


def _link(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    return next(word for word in text.split() if word.startswith("http://portal.test/"))


# --- delivery ----------------------------------------------------------------------------------

def test_an_invitation_arrives_exactly_once(db, runner, smtp, invite):
    email = invite()
    assert smtp.messages == []  # the request only wrote to the outbox
    assert "sent 1" in send_mail(runner)
    send_mail(runner)
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == email and message["From"] == "portal@partnership.example"
    assert message["Subject"] == "You are invited to the safeguarding arrangements consultation"
    [stored] = outbox(db)
    assert (stored.status, stored.attempts, stored.last_error) == ("sent", 1, None)
    assert message["Message-ID"].strip() == stored.message_id


def test_an_email_has_plain_text_and_html_parts(runner, smtp, invite):
    invite()
    send_mail(runner)
    [message] = smtp.messages
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    link = _link(message)
    assert link.startswith("http://portal.test/invitations/")
    assert "Dear New Colleague" in plain.get_content() and "Fran Facilitator has invited you" in plain.get_content()
    assert f'href="{link}"' in html.get_content() and "<html" in html.get_content()


def test_a_refused_send_is_retried_with_back_off_and_delivered_once(db, runner, smtp, invite, clock):
    invite()
    smtp.handler.reply = "451 try later"
    assert "failed attempts 1" in send_mail(runner)
    [message] = outbox(db)
    assert (message.status, message.attempts) == ("queued", 1)
    assert "451" in message.last_error
    assert timedelta(seconds=50) < message.next_attempt_at - utcnow() <= timedelta(minutes=1)
    smtp.handler.reply = None
    send_mail(runner)  # not due yet: the back-off holds it
    assert smtp.messages == [] and outbox(db)[0].attempts == 1
    clock.advance(minutes=1, seconds=1)
    send_mail(runner)
    send_mail(runner)
    assert len(smtp.messages) == 1 and smtp.handler.refused == 1
    [message] = outbox(db)
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, None)


def test_a_send_while_the_server_is_down_is_retried_later(db, runner, smtp, invite, clock):
    invite()
    smtp.stop()
    assert "failed attempts 1" in send_mail(runner)
    [message] = outbox(db)
    assert message.status == "queued" and "Connection" in message.last_error
    smtp.start()
    clock.advance(minutes=2)
    send_mail(runner)
    send_mail(runner)
    assert len(smtp.messages) == 1
    assert outbox(db)[0].status == "sent"


def test_back_off_doubles_and_gives_up_after_max_attempts(app, db, runner, smtp, invite, clock):
    app.config["MAIL_MAX_ATTEMPTS"] = 4
    invite()
    smtp.handler.reply = "451 try later"
    waits = []
    for _attempt in range(3):
        send_mail(runner)
        [message] = outbox(db)
        waits.append(round((message.next_attempt_at - clock.offset - utcnow()).total_seconds() / 60))
        clock.advance(hours=1)
    assert waits == [1, 2, 4]
    send_mail(runner)
    [message] = outbox(db)
    assert (message.status, message.attempts) == ("failed", 4)
    smtp.handler.reply = None
    clock.advance(days=1)
    send_mail(runner)
    assert smtp.messages == [] and smtp.handler.refused == 4
    assert outbox(db)[0].status == "failed"


def test_a_message_left_sending_by_a_crashed_worker_is_reported_not_resent(db, runner, smtp, invite):
    invite()
    with transaction() as session:
        session.execute(update(OutboxMessage).values(status="sending", attempts=1,
                                                     claimed_at=utcnow() - timedelta(minutes=30)))
    result = runner.invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0
    assert "was being sent when a worker stopped" in result.output
    assert smtp.messages == []


# --- the set-password link ---------------------------------------------------------------------

def test_the_invitation_link_works_once(client, csrf, runner, smtp, invite):
    email = invite()
    send_mail(runner)
    path = urlsplit(_link(smtp.messages[0])).path
    page = client.get(path)
    assert page.status_code == 200 and "Set your password" in page.get_data(as_text=True)
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                       "csrf_token": csrf(client, path)})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Welcome, New Colleague" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf(client, "/accessibility")})
    again = client.get(path)
    assert again.status_code == 410
    assert "This link has expired or has already been used" in again.get_data(as_text=True)
    token = csrf(client, "/login")
    assert client.post(path, data={"password": "a different passphrase", "confirm": "a different passphrase",
                                   "csrf_token": token}).status_code == 410
    assert account_services.authenticate(email, NEW_PASSWORD) is not None


def test_the_invitation_link_expires(client, csrf, runner, smtp, invite, clock):
    invite()
    send_mail(runner)
    path = urlsplit(_link(smtp.messages[0])).path
    clock.advance(hours=71)
    assert client.get(path).status_code == 200
    clock.advance(hours=1, minutes=1)
    response = client.get(path)
    assert response.status_code == 410
    assert "Ask the partnership's business unit to send you a new invitation" in response.get_data(as_text=True)


def test_a_new_invitation_replaces_the_old_link(client, csrf, runner, smtp, invite, make_person, login, db):
    email = invite()
    send_mail(runner)
    person = account_services.find_by_login(email)
    login(make_person(Role.FACILITATOR))
    response = client.post(f"/admin/people/{person.id}/resend",
                           data={"csrf_token": csrf(client, f"/admin/people/{person.id}")})
    assert response.status_code == 303
    send_mail(runner)
    first, second = (urlsplit(_link(m)).path for m in smtp.messages)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


# --- forgotten password ------------------------------------------------------------------------

def _ask_for_reset(client, csrf, email):
    return client.post("/password/forgotten", data={"email": email, "csrf_token": csrf(client, "/password/forgotten")})


def test_forgotten_password_emails_only_a_known_address(client, csrf, runner, smtp, make_person):
    person = make_person(Role.PRACTITIONER)
    known = _ask_for_reset(client, csrf, person.email)
    unknown = _ask_for_reset(client, csrf, "stranger@example.org")
    assert known.status_code == unknown.status_code == 200
    for response in (known, unknown):
        assert "If the address you entered belongs to an account" in response.get_data(as_text=True)
    send_mail(runner)
    assert [m["To"] for m in smtp.messages] == [person.email]
    assert smtp.messages[0]["Subject"] == "Reset your password"


def test_the_reset_link_works_once_and_ends_other_sessions(app, client, csrf, runner, smtp, make_person, login):
    person = make_person(Role.PRACTITIONER)
    elsewhere = app.test_client()
    login(person, target=elsewhere)
    _ask_for_reset(client, csrf, person.email)
    send_mail(runner)
    path = urlsplit(_link(smtp.messages[0])).path
    assert path.startswith("/password/reset/")
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                       "csrf_token": csrf(client, path)})
    assert response.status_code == 303
    assert client.get("/password").status_code == 200
    assert elsewhere.get("/password").status_code == 302
    assert client.get(path).status_code == 410
    assert account_services.authenticate(person.email, NEW_PASSWORD) is not None
    assert account_services.authenticate(person.email, PASSWORD) is None


def test_the_reset_link_expires(client, csrf, runner, smtp, make_person, clock, db):
    person = make_person(Role.PRACTITIONER)
    _ask_for_reset(client, csrf, person.email)
    send_mail(runner)
    path = urlsplit(_link(smtp.messages[0])).path
    clock.advance(minutes=61)
    assert client.get(path).status_code == 410
    clock.offset = timedelta(0)
    with transaction() as session:  # or, without a clock: the stored expiry has passed
        session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get(path).status_code == 410
