"""Incremental verification of the consultation log (issue 14).

Verifying the whole chain on every scrutiny page view cost about a second at 1,100 entries and grows with the
log. The last verified (seq, hash) is kept in log_checkpoint; a check confirms that entry still carries that
hash, then verifies only the entries after it, and moves the checkpoint on. `full=True` checks every entry.
"""
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.database import transaction
from app.extensions import db
from app.timeutil import utcnow
from app.trail.models import LogCheckpoint, LogEntry
from app.trail.services import ChainError, check_recorded_heads, verify_database
from app.trail.verify_log import GENESIS_HASH


def verify(full=False):
    """(count, head, checked_from, checkpoint) - checked_from is the first seq checked now - or ChainError."""
    checkpoint = None if full else db.session.get(LogCheckpoint, 1)
    after, prev_hash = (checkpoint.seq, checkpoint.hash) if checkpoint and checkpoint.seq else (0, GENESIS_HASH)
    if after:
        stored = db.session.execute(select(LogEntry.hash).where(LogEntry.seq == after)).scalar_one_or_none()
        if stored != prev_hash:
            raise ChainError(after, "this entry no longer has the hash it had when it was last verified")
    count, head = verify_database(after=after, prev_hash=prev_hash)
    check_recorded_heads(count)  # every head a sign-off or publication recorded must still be in the chain
    db.session.rollback()
    _move_to(count, head, full)
    return count, head, after + 1, db.session.get(LogCheckpoint, 1)


def _move_to(seq, hash_, full):
    now = utcnow()
    values = {"seq": seq, "hash": hash_, "verified_at": now}
    if full:
        values["full_verified_at"] = now
    try:
        with transaction() as session:
            if session.get(LogCheckpoint, 1) is None:  # the migration makes the row; a wiped database may not have it
                session.add(LogCheckpoint(id=1, **values))
            else:  # forward only: two checks at once must not move it back
                session.execute(update(LogCheckpoint).where(LogCheckpoint.id == 1, LogCheckpoint.seq <= seq)
                                .values(**values))
    except IntegrityError:  # another check made the row first
        db.session.rollback()
