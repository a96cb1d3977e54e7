"""flask export-log / verify-log."""
import sys

import click
from flask import Blueprint

from app.trail import services as trail

bp = Blueprint("trail", __name__, cli_group=None)


@bp.cli.command("export-log")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
def export_log(file):
    """Write the consultation log to FILE as JSON Lines (streamed, in seq order). '-' is stdout."""
    stream = sys.stdout if file == "-" else open(file, "w", encoding="utf-8", newline="\n")
    count = 0
    try:
        for line in trail.export_lines():
            stream.write(line)
            count += 1
    finally:
        if stream is not sys.stdout:
            stream.close()
    click.echo(f"exported {count} entries", err=True)


@bp.cli.command("verify-log")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
def verify_log(file):
    """Check the log in the database (or an exported FILE): prints OK <count> <head hash>.

    In the database, every log head recorded by a sign-off or publication is checked against the chain too."""
    try:
        count, head = trail.verify_file(file) if file else trail.verify_all()
    except trail.ChainError as error:
        click.echo(f"FAIL at seq {error.seq}: {error.reason}")
        sys.exit(1)
    click.echo(f"OK {count} {head}")
