"""flask export-log / verify-log / log-tree / log-checkpoint."""
import sys
import time

import click
from flask import Blueprint

from app.trail import checkpoint, services as trail, signing, tree

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
    """Check every entry of the log in the database (or an exported FILE): prints OK <count> <head hash>.

    In the database, every log head recorded by a sign-off or publication is checked against the chain too."""
    try:
        if file:
            count, head = trail.verify_file(file)
        else:
            count, head, _, _ = checkpoint.verify(full=True)  # and remember how far it got
    except trail.ChainError as error:
        click.echo(f"FAIL at seq {error.seq}: {error.reason}")
        sys.exit(1)
    click.echo(f"OK {count} {head}")


@bp.cli.command("verify-log-since")
@click.option("--every", type=float, default=None, help="Keep checking, every this many seconds.")
def verify_log_since(every):
    """Check only the entries added since the last check (run it in the background with --every)."""
    while True:
        try:
            count, head, checked_from, _ = checkpoint.verify()
        except trail.ChainError as error:
            click.echo(f"FAIL at seq {error.seq}: {error.reason}")
            sys.exit(1)
        click.echo(f"OK {count} {head} (checked from seq {checked_from})")
        if every is None:
            return
        time.sleep(every)


@bp.cli.command("log-tree")
@click.option("--check", "check", is_flag=True, required=True, help="Recompute the tree from the entries and compare.")
def log_tree(check):
    """Recompute the log's Merkle tree from its entries and compare every stored node: prints OK <size> <root>."""
    try:
        size, root = tree.check()
    except tree.TreeMismatch as error:
        click.echo(f"FAIL: {error}")
        sys.exit(1)
    click.echo(f"OK {size} {root.hex()}")


@bp.cli.command("log-checkpoint")
@click.option("--key", "show_key", is_flag=True, help="Print the verifier key instead (to publish).")
@click.option("--due", is_flag=True, help="Only for consultations whose closing date has passed since the last "
                                         "run (cron): logs each, then one checkpoint; nothing due, nothing done.")
def log_checkpoint(show_key, due):
    """Sign the log's tree head now and keep it (served at /log/checkpoint); prints the signed note."""
    if show_key:
        click.echo(signing.verifier_key())
        return
    if due:  # issue 20 part 3 (app/witness)
        from app.witness.services import checkpoint_due_closings
        ids, made = checkpoint_due_closings()
        if not ids:
            click.echo("No consultation has reached its closing date since the last run", err=True)
            return
        click.echo(f"{len(ids)} consultation(s) reached their closing date: {', '.join(map(str, ids))}", err=True)
        click.echo(made.note, nl=False)
        return
    click.echo(signing.checkpoint_on_demand().note, nl=False)
