"""flask apply-retention [--dry-run]: apply the partnership's retention periods (app/privacy/retention.py).

Run it daily (cron or a systemd timer; `make run` runs it in its background loop). Safe to run often or twice:
what was done is not due again.
"""
import click
from flask import Blueprint

from app.privacy.retention import apply_retention

bp = Blueprint("privacy_cli", __name__, cli_group=None)


@bp.cli.command("apply-retention")
@click.option("--dry-run", is_flag=True, help="Count what is due without changing anything.")
def apply_retention_command(dry_run):
    """Anonymise young people's and the public's accounts, delete expired links, old email texts and ended sessions."""
    counts = apply_retention(dry_run=dry_run)
    label = "due (dry run, nothing changed)" if dry_run else "done"
    click.echo(f"{label}: " + ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in counts.items()))
