"""flask send-mail: the outbox worker."""
import signal
import time

import click
from flask import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.mail import services as mail

bp = Blueprint("mail", __name__, cli_group=None)


class _Stop:
    """SIGTERM or Ctrl-C: finish the message in hand, then leave quietly (nothing is left in `sending`)."""

    requested = False

    @classmethod
    def request(cls, signum, frame):
        cls.requested = True


@bp.cli.command("send-mail")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
def send_mail(once, interval):
    """Send queued email through SMTP (or print it, with MAIL_BACKEND=console)."""
    if not once:
        _Stop.requested = False
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, _Stop.request)
    reported = set()
    while True:
        try:
            _poll(reported)
        except SQLAlchemyError as error:
            # The database went away (a restart, a dropped connection): say so and try again at the next poll.
            # A message claimed when it happened stays in `sending` and is reported once the database is back,
            # never resent blindly (it may have gone).
            db.session.rollback()
            click.echo(f"the database could not be reached ({type(error).__name__}); trying again", err=True)
            if once:
                raise SystemExit(1)
        if once:
            return
        deadline = time.monotonic() + interval
        while not _Stop.requested and time.monotonic() < deadline:
            time.sleep(min(0.2, interval))
        if _Stop.requested:
            return


def _poll(reported):
    sent, failed = mail.send_due()
    if sent or failed:
        click.echo(f"sent {sent}, failed attempts {failed}")
    for message in mail.stuck():
        if message.id in reported:
            continue
        reported.add(message.id)
        click.echo(f"message {message.id} to {message.to_address} was being sent when a worker stopped; "
                   "check the mail server's log before resending", err=True)
