"""The record of a published version, for checking it without trusting the portal (issue 20, part 6).

record.json holds everything "Check this record" (static/js/record-check.js) and `verify_log.py --record` need,
and nothing they must take on trust: the `arrangement.published` entry's exact leaf bytes, the checkpoint signed
when it was published with the inclusion proof of the entry in it, today's checkpoint with a consistency proof
from the first, the portal's verifier keys, and the partners' passkey assertions. Reading only: nothing here writes.
"""
import base64

from sqlalchemy import select

from app.extensions import db
from app.signoff import assertions
from app.trail import signing, tree
from app.trail.models import LogEntry, SignedCheckpoint
from app.trail.verify_log import entry_bytes

FORMAT = "arrangement-record/1"


class NoRecord(LookupError):
    """The publication cannot be checked yet (no entry, or no checkpoint covers it): a one-line reason."""


def _b64(values):
    return [base64.b64encode(value).decode() for value in values]


def _proof(make, *sizes):
    """A proof as base64 hashes, or None when the stored tree no longer reaches a kept checkpoint's size (the log
    was cut short under it): the checks then say so, rather than the portal failing with a 500."""
    try:
        return _b64(make(*sizes))
    except (LookupError, ValueError):
        return None


def publication_entry(publication):
    entry = db.session.execute(select(LogEntry).where(LogEntry.action == "arrangement.published",
                                                      LogEntry.subject == f"publication:{publication.id}")
                               .order_by(LogEntry.seq).limit(1)).scalar_one_or_none()
    if entry is None:
        raise NoRecord("the log has no arrangement.published entry for this version")
    return entry


def checkpoint_at_publication(seq):
    """The checkpoint made in the publication's transaction: the first one that covers its entry."""
    found = db.session.execute(select(SignedCheckpoint).where(SignedCheckpoint.size >= seq)
                               .order_by(SignedCheckpoint.size).limit(1)).scalar_one_or_none()
    if found is None:
        raise NoRecord("no signed checkpoint covers this publication yet")
    return found


def record(publication):
    """The record as a JSON-ready dict (see README, "Check this record")."""
    entry = publication_entry(publication)
    first = checkpoint_at_publication(entry.seq)
    latest = signing.latest()
    index = entry.seq - 1
    return {
        "format": FORMAT,
        "origin": signing.origin(),
        "verifier_keys": signing.verifier_keys(),
        "arrangement": {"slug": publication.slug, "version_number": publication.version_number,
                        "version_hash": publication.version.content_hash},
        "entry": {"index": index, "bytes": base64.b64encode(entry_bytes(entry.as_dict())).decode()},
        "publication_checkpoint": {"size": first.size, "note": first.note},
        "inclusion_proof": _proof(tree.inclusion_proof, index, first.size),
        "latest_checkpoint": {"size": latest.size, "note": latest.note},
        "consistency_proof": _proof(tree.consistency_proof, first.size, latest.size),
        "signatures": list(assertions.published_assertions(publication)),
    }
