"""flask send-reminders: queue the consultation emails that are due (opening, a week and a day before closing).

Run it every few minutes (cron or a systemd timer) next to `flask send-mail`. Each
person gets each notice at most once (a unique constraint), so running it often,
or twice at once, is safe.
"""
import click
from flask import Blueprint

from app.consultations import services

bp = Blueprint("consultations_cli", __name__, cli_group=None)


@bp.cli.command("send-reminders")
def send_reminders():
    """Queue the opening and closing reminders that are due now."""
    counts = services.queue_due_notices()
    click.echo(", ".join(f"{kind.replace('_', ' ')} {count}" for kind, count in counts.items()))
