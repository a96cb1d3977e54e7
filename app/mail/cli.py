"""flask send-mail: the outbox worker."""
import time

import click
from flask import Blueprint

from app.mail import services as mail

bp = Blueprint("mail", __name__, cli_group=None)


@bp.cli.command("send-mail")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
def send_mail(once, interval):
    """Send queued email through SMTP (or print it, with MAIL_BACKEND=console)."""
    reported = set()
    while True:
        sent, failed = mail.send_due()
        if sent or failed:
            click.echo(f"sent {sent}, failed attempts {failed}")
        for message in mail.stuck():
            if message.id in reported:
                continue
            reported.add(message.id)
            click.echo(f"message {message.id} to {message.to_address} was being sent when a worker stopped; "
                       "check the mail server's log before resending", err=True)
        if once:
            return
        time.sleep(interval)
