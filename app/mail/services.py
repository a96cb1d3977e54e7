"""Queue email in the caller's transaction; send it from the worker."""
import secrets
import smtplib
import sys
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from sqlalchemy import select, update

from app.database import transaction
from app.extensions import db
from app.mail.models import OutboxMessage
from app.timeutil import utcnow


def queue(to_address, subject, template, **context):
    """Add an email to the outbox, rendered from templates/mail/<template>.txt and .html.

    Call it inside the service's transaction(), so the email exists exactly
    when the change that caused it does.
    """
    context.setdefault("portal_name", current_app.config["PORTAL_NAME"])
    context.setdefault("base_url", current_app.config["PORTAL_BASE_URL"].rstrip("/"))
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or "localhost"
    message = OutboxMessage(
        message_id=make_msgid(idstring=secrets.token_hex(8), domain=domain),
        to_address=to_address,
        subject=subject,
        body_text=render_template(f"mail/{template}.txt", **context),
        body_html=render_template(f"mail/{template}.html", subject=subject, **context),
    )
    db.session.add(message)
    db.session.flush()
    return message


def _backoff(attempts):
    """1, 2, 4 … minutes, at most an hour."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def _claim(limit):
    """Mark up to `limit` due messages as sending, so no other worker takes them."""
    now = utcnow()
    with transaction() as session:
        query = (select(OutboxMessage.id)
                 .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
                 .order_by(OutboxMessage.id).limit(limit))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = session.execute(query).scalars().all()
        if ids:
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                            .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1))
    return ids


def _build(message, sender):
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def _deliver(email, config):
    if config["MAIL_BACKEND"] == "console":
        print(f"----- email -----\n{email}\n-----------------", file=sys.stdout, flush=True)
        return
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT_SECONDS"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def send_due(limit=100):
    """Send what is due once. Returns (sent, failed_attempts).

    One bad message never stops the others: a message that cannot even be built (a bad header value, a
    template error) is marked failed at once with the reason; a failure talking to the server is tried again
    later; anything else unexpected while sending marks that message failed and moves on.
    """
    config = current_app.config
    sent = failed = 0
    for message_id in _claim(limit):
        try:
            message = db.session.get(OutboxMessage, message_id)
            email = _build(message, config["MAIL_DEFAULT_SENDER"])
        except Exception as error:  # noqa: BLE001 - whatever it is, this message alone is lost
            db.session.rollback()
            _record_failure(message_id, error, retry=False)
            failed += 1
            continue
        try:
            _deliver(email, config)
        except (smtplib.SMTPException, OSError) as error:
            _record_failure(message_id, error, retry=not _permanent(error))
            failed += 1
            continue
        except Exception as error:  # noqa: BLE001
            _record_failure(message_id, error, retry=False)
            failed += 1
            continue
        with transaction():
            message = db.session.get(OutboxMessage, message_id)
            message.status, message.sent_at, message.last_error = "sent", utcnow(), None
        sent += 1
    return sent, failed


def _permanent(error):
    """True when trying again cannot help: the server refused every recipient, the sender or the message
    with a 5xx code (no such mailbox, say). A 4xx answer, a dropped connection or a server that is down is
    tried again later."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())  # none at all: no recipient
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return error.smtp_code >= 500
    return False


def _record_failure(message_id, error, retry):
    with transaction():
        message = db.session.get(OutboxMessage, message_id)
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if not retry or message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            message.status = "failed"
        else:
            message.status = "queued"
            message.next_attempt_at = utcnow() + _backoff(message.attempts)


def stuck(older_than=timedelta(minutes=10)):
    """Messages a crashed worker left in `sending`: they need a person to decide."""
    cutoff = utcnow() - older_than
    return db.session.execute(
        select(OutboxMessage).where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < cutoff)
    ).scalars().all()
