"""One bad message never stops the mail worker (issue 14): it is marked failed with the reason, the rest go."""
import pytest
from sqlalchemy import select

from app.database import transaction
from app.mail import services as mail
from app.mail.models import OutboxMessage
from tests.smtp import smtp_settings


@pytest.fixture
def app_config(smtp):
    return smtp_settings(smtp)


def _queue(subject, to="someone@example.org"):
    with transaction():
        return mail.queue(to, subject, "password_reset", person=None, path="/x", minutes=60).id


def _run_worker(runner):
    """`flask send-mail` in a loop, until a test's send_due raises SIGTERM; the signal handlers are put back."""
    import signal

    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        return runner.invoke(args=["send-mail", "--interval", "0.1"])
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def test_a_message_that_cannot_be_built_fails_alone(db, runner, smtp, app):
    good_before = _queue("Reset your password")
    poisoned = _queue("Hdr\r\nBcc: evil@example.org")
    good_after = _queue("Reset your password", to="other@example.org")
    result = runner.invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    rows = {m.id: m for m in db.session.execute(select(OutboxMessage)).scalars()}
    assert rows[good_before].status == rows[good_after].status == "sent"
    assert rows[poisoned].status == "failed" and "ValueError" in rows[poisoned].last_error
    assert sorted(m["To"] for m in smtp.messages) == ["other@example.org", "someone@example.org"]
    assert all("evil" not in str(m) for m in smtp.messages)


def test_an_unexpected_error_while_sending_fails_that_message_only(db, app, smtp, monkeypatch):
    first, second = _queue("One"), _queue("Two")
    real = mail._deliver

    def deliver(email, config):
        if email["Subject"] == "One":
            raise RuntimeError("the library broke")
        real(email, config)

    monkeypatch.setattr(mail, "_deliver", deliver)
    assert mail.send_due() == (1, 1)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, first).status == "failed"
    assert "RuntimeError: the library broke" in db.session.get(OutboxMessage, first).last_error
    assert db.session.get(OutboxMessage, second).status == "sent"


def test_the_worker_leaves_quietly_when_asked_to_stop(app, runner, monkeypatch):
    """SIGTERM or Ctrl-C (make run stopping) ends the loop after the batch in hand, with status 0."""
    import signal

    from app.mail import cli

    def send_due():
        signal.raise_signal(signal.SIGTERM)  # arrives while a batch is being sent
        return 0, 0

    monkeypatch.setattr(mail, "send_due", send_due)
    result = _run_worker(runner)
    assert result.exit_code == 0 and cli._Stop.requested


def test_a_recipient_the_server_refuses_for_good_fails_at_once_and_the_rest_go(db, runner, smtp, app):
    """550 (no such mailbox) will not change by trying again for two days: failed now, with the reason."""
    smtp.handler.unknown_domains.add("gone.example")
    refused = _queue("Reset your password", to="nobody@gone.example")
    good = _queue("Reset your password")
    result = runner.invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    message = db.session.get(OutboxMessage, refused)
    assert (message.status, message.attempts) == ("failed", 1) and "550" in message.last_error
    assert db.session.get(OutboxMessage, good).status == "sent"
    assert [m["To"] for m in smtp.messages] == ["someone@example.org"]


def test_the_worker_outlives_a_database_that_goes_away(app, runner, smtp, db, monkeypatch):
    """A dropped database connection during a poll is reported; the next poll sends what is due."""
    import signal

    from sqlalchemy.exc import OperationalError

    good = _queue("Reset your password")
    real, polls = mail.send_due, []

    def send_due():
        polls.append(1)
        if len(polls) == 1:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
        result = real()
        signal.raise_signal(signal.SIGTERM)
        return result

    monkeypatch.setattr(mail, "send_due", send_due)
    result = _run_worker(runner)
    assert result.exit_code == 0, result.output
    assert "the database could not be reached (OperationalError)" in result.output
    assert len(polls) == 2
    db.session.expire_all()
    assert db.session.get(OutboxMessage, good).status == "sent" and len(smtp.messages) == 1
