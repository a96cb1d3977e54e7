"""Consultation emails through a real SMTP server (aiosmtpd) started for each test."""
import email
import re
import socket
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.accounts.models import Role
from app.consultations import notifications, services
from app.consultations.cli import send_reminders
from app.consultations.models import ConsultationNotice, NotificationSetting
from app.extensions import db as _db
from app.timeutil import utcnow

from tests.fixtures.consultations import assert_log_verifies, log_actions


class Inbox:
    """Collects every message the SMTP server accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos[0], message))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [message for rcpt, message in self.messages if rcpt == address]

    def recipients(self):
        return sorted(rcpt for rcpt, _ in self.messages)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def app_config(inbox):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": inbox.port}


@pytest.fixture
def send_mail(runner):
    def send():
        result = runner.invoke(args=["send-mail", "--once"])
        assert result.exit_code == 0, result.output

    return send


@pytest.fixture
def reminders(runner):
    def run():
        result = runner.invoke(send_reminders)
        assert result.exit_code == 0, result.output
        return result.output

    return run


@pytest.fixture
def audience(make_person):
    """Two practitioners, a voluntary sector partner, a young person, someone who opted out, a facilitator."""
    people = {
        "p1": make_person(Role.PRACTITIONER, email="p1@example.org"),
        "p2": make_person(Role.PRACTITIONER, email="p2@example.org"),
        "vcs": make_person(Role.VCS_PARTNER, email="vcs@example.org"),
        "young": make_person(Role.YOUNG_PERSON),
        "opted_out": make_person(Role.PRACTITIONER, email="quiet@example.org"),
        "dsl": make_person(Role.DSL, email="dsl@example.org"),
    }
    notifications.set_notification_settings(people["opted_out"], consultation_emails=False, reply_emails=True)
    return people


def _body(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def test_the_opening_notice_reaches_each_audience_member_once(app, audience, make_consultation, send_mail,
                                                              reminders, inbox):
    consultation = make_consultation()
    send_mail()
    assert inbox.recipients() == ["p1@example.org", "p2@example.org", "vcs@example.org"]
    message = inbox.to("p1@example.org")[0]
    assert message["Subject"] == "Consultation open: Proposed working groups"
    assert f"http://portal.test/consultations/{consultation.id}" in _body(message)
    # The reminders job runs again and again: nobody is told twice.
    assert reminders() == "opened 0, week before 0, day before 0\n"
    reminders()
    send_mail()
    assert len(inbox.messages) == 3
    assert len(_db.session.scalars(select(ConsultationNotice)).all()) == 3
    assert log_actions().count("notification.queued") == 1
    assert_log_verifies()


def test_a_scheduled_consultation_is_announced_when_it_opens(audience, make_consultation, send_mail, inbox):
    consultation = make_consultation(opens_in=timedelta(days=1), closes_in=timedelta(days=20))
    send_mail()
    assert inbox.messages == []
    assert services.queue_due_notices(now=utcnow() + timedelta(hours=2))["opened"] == 0  # not open yet
    assert services.queue_due_notices(now=consultation.opens_at + timedelta(minutes=5))["opened"] == 3
    send_mail()
    assert inbox.recipients() == ["p1@example.org", "p2@example.org", "vcs@example.org"]


def test_reminders_a_week_and_a_day_before_closing(audience, make_consultation, send_mail, inbox):
    consultation = make_consultation(closes_in=timedelta(days=20))
    end = consultation.closes_at
    assert services.queue_due_notices(now=end - timedelta(days=6))["week_before"] == 3
    assert services.queue_due_notices(now=end - timedelta(days=5))["week_before"] == 0
    assert services.queue_due_notices(now=end - timedelta(hours=20))["day_before"] == 3
    assert services.queue_due_notices(now=end - timedelta(hours=2))["day_before"] == 0
    assert services.queue_due_notices(now=end + timedelta(hours=1)) == {"opened": 0, "week_before": 0,
                                                                      "day_before": 0}
    send_mail()
    subjects = sorted(message["Subject"] for message in inbox.to("vcs@example.org"))
    assert subjects == ["Consultation open: Proposed working groups", "Last day: Proposed working groups",
                        "One week left: Proposed working groups"]
    assert "quiet@example.org" not in inbox.recipients()


def test_a_short_consultation_sends_no_week_reminder(audience, make_consultation):
    consultation = make_consultation(closes_in=timedelta(days=3))
    assert services.queue_due_notices(now=consultation.closes_at - timedelta(days=2))["week_before"] == 0


def test_one_click_unsubscribe_from_the_email_is_honoured(client, audience, make_consultation, send_mail, inbox,
                                                          csrf):
    make_consultation(title="First")
    send_mail()
    link = re.search(r"http://portal\.test(/unsubscribe/\S+)", _body(inbox.to("p2@example.org")[0])).group(1)
    assert "Yes, stop these emails" in client.get(link).get_data(as_text=True)
    assert client.post(link, data={"csrf_token": csrf(client, link)}).status_code == 200
    assert _db.session.get(NotificationSetting, audience["p2"].id).consultation_emails is False
    make_consultation(title="Second")
    send_mail()
    assert [m["Subject"] for m in inbox.to("p2@example.org")] == ["Consultation open: First"]
    assert len(inbox.to("p1@example.org")) == 2


def test_an_author_is_told_about_replies(audience, consultation, send_mail, inbox):
    p1, p2, vcs, young = audience["p1"], audience["p2"], audience["vcs"], audience["young"]
    send_mail()
    inbox.messages.clear()
    top = services.post_comment(p1, consultation, "Who leads this group?")
    services.reply(p1, top, "Adding to my own comment")  # no email to oneself
    reply = services.reply(vcs, top, "The council does")
    services.reply(young, top, "And us?")  # waits for a moderator: announced when approved
    notifications.set_notification_settings(vcs, consultation_emails=True, reply_emails=False)
    services.reply(p2, reply, "Thanks")  # vcs turned reply emails off
    send_mail()
    assert inbox.recipients() == ["p1@example.org"]
    message = inbox.to("p1@example.org")[0]
    assert message["Subject"] == f"New reply to your comment: {consultation.title}"
    assert f"/comments/{top.id}/replies#comment-{reply.id}" in _body(message)
    assert "The council does" not in _body(message)  # the email says who replied, not what
    assert "/unsubscribe/" in _body(message)
    assert_log_verifies()


def test_young_people_and_inactive_accounts_get_no_email(make_person, make_consultation, send_mail, inbox):
    young = make_person(Role.YOUNG_PERSON)
    assert young.email is None
    make_consultation(audiences=["young_people"])
    send_mail()
    assert inbox.messages == []
