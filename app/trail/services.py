"""Writing, reading and checking the consultation log."""
import hashlib
import json
from json.encoder import encode_basestring
from datetime import datetime, timezone

from sqlalchemy import select

from app.database import _in_transaction
from app.extensions import db
from app.trail import tree
from app.trail.verify_log import (GENESIS_HASH, ChainError, canonical, entry_bytes, entry_hash, leaf_hash, read_jsonl,
                                  text_hash, verify_entries)
from app.trail.models import LogEntry

__all__ = ["append", "head", "iter_entries", "verify_database", "verify_all", "records_heads", "verify_file",
           "ChainError", "text_hash"]

# Functions that yield (what, seq, head) for every log head recorded outside the log (sign-offs, publications):
# registered by the rooms that keep them, so this package imports none of them.
_head_records = []
# Entries that record the log head they were made over, in their data (log_seq, log_head).
HEAD_RECORDING_ACTIONS = ("signoff.approved", "signoff.returned", "arrangement.published")

class LogDataError(ValueError):
    pass


def _check_data(value, path="data"):
    """Log data holds identifiers and facts: no floats (their JSON text is not stable), string keys."""
    if isinstance(value, float):
        raise LogDataError(f"{path} is a float; log data may not hold floats")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise LogDataError(f"{path} has a non-string key {key!r}")
            _check_data(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check_data(item, f"{path}[{index}]")
    elif not isinstance(value, (str, int, bool, type(None))):
        raise LogDataError(f"{path} is a {type(value).__name__}; use str, int, bool, list or dict")


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def append(action, subject, data=None, actor=None):
    """Append one entry in the current service transaction (see app.database.transaction).

    Appends are serialised: transaction() has already taken PostgreSQL's advisory
    write lock, or SQLite's write lock with BEGIN IMMEDIATE. So two writers can
    never read the same head and fork the chain.
    """
    if not _in_transaction.get():
        raise RuntimeError("trail.append() must run inside app.database.transaction()")
    data = dict(data or {})
    _check_data(data)
    session = db.session
    last = session.execute(select(LogEntry.seq, LogEntry.hash).order_by(LogEntry.seq.desc()).limit(1)).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS_HASH)
    entry = {
        "seq": seq,
        "at": now_iso(),
        "actor": actor,
        "action": action,
        "subject": subject,
        "data": data,
        "prev_hash": prev_hash,
    }
    body = entry_bytes(entry)  # the chain hash is SHA-256 of these bytes, and they are the Merkle tree's leaf
    row = LogEntry(
        seq=seq,
        at=entry["at"],
        actor=actor,
        action=action,
        subject=subject,
        data_json=canonical(data),
        prev_hash=prev_hash,
        hash=hashlib.sha256(body).hexdigest(),
    )
    session.add(row)
    session.flush()
    tree.add_leaf(seq - 1, leaf_hash(body))
    for hook in _after_append:
        hook(action)
    return row


# Functions called with the action of each entry appended, in its transaction (app/trail/signing.py asks for a
# signed checkpoint at the end of a transaction that appended certain actions).
_after_append = []


def head():
    """(count, head hash) of the log as stored now."""
    last = db.session.execute(select(LogEntry.seq, LogEntry.hash).order_by(LogEntry.seq.desc()).limit(1)).first()
    return (last.seq, last.hash) if last else (0, GENESIS_HASH)


def iter_entries(batch=5000):
    """Every entry as a dict, in seq order, streamed in batches so memory stays flat."""
    columns = (LogEntry.seq, LogEntry.at, LogEntry.actor, LogEntry.action, LogEntry.subject,
               LogEntry.data_json, LogEntry.prev_hash, LogEntry.hash)
    after = 0
    while True:
        rows = db.session.execute(
            select(*columns).where(LogEntry.seq > after).order_by(LogEntry.seq).limit(batch)
        ).all()
        if not rows:
            return
        for seq, at, actor, action, subject, data_json, prev_hash, hash_ in rows:
            yield {
                "seq": seq, "at": at, "actor": actor, "action": action, "subject": subject,
                "data": json.loads(data_json), "prev_hash": prev_hash, "hash": hash_,
            }
        after = rows[-1][0]


def export_lines():
    """The log as JSON Lines: one canonical entry (with its hash) a line."""
    for entry in iter_entries():
        yield canonical(entry) + "\n"


def verify_database(batch=20000, after=0, prev_hash=GENESIS_HASH):
    """(count, head hash), or ChainError naming the first bad seq. `after`, `prev_hash`: start after an entry
    already verified (app/trail/checkpoint.py), checking only what was added since.

    The same checks as verify_entries(iter_entries()), faster (bench/: ≥ 100,000 entries/s): rows are read
    with the database driver's cursor in keyset batches, and, as the data column is stored as canonical JSON,
    each entry's canonical text is put together from the columns without parsing and re-serialising the data.
    Only if that text's hash differs is the entry checked the slow way, so a row whose stored JSON is not
    canonical is judged exactly as before.
    """
    expected_prev, count = prev_hash, after
    sha256, string = hashlib.sha256, encode_basestring
    marker = "?" if db.session.get_bind().dialect.paramstyle == "qmark" else "%s"
    query = ("SELECT seq, at, actor, action, subject, data, prev_hash, hash FROM log_entry "
             f"WHERE seq > {marker} ORDER BY seq LIMIT {int(batch)}")
    cursor = db.session.connection().connection.cursor()
    try:
        while True:
            cursor.execute(query, (count,))
            rows = cursor.fetchall()
            if not rows:
                return count, expected_prev
            for seq, at, actor, action, subject, data_json, prev_hash, hash_ in rows:
                if seq != count + 1:
                    raise ChainError(count + 1, f"expected seq {count + 1}, found {seq!r}")
                if prev_hash != expected_prev:
                    raise ChainError(seq, "prev_hash does not match the hash of the entry before")
                body = (f'{{"action":{string(action)},"actor":{"null" if actor is None else int(actor)},'
                        f'"at":{string(at)},"data":{data_json},"prev_hash":{string(prev_hash)},"seq":{seq},'
                        f'"subject":{string(subject)}}}')
                if sha256(body.encode("utf-8")).hexdigest() != hash_:
                    try:
                        data = json.loads(data_json)
                    except ValueError:
                        raise ChainError(seq, "hash does not match the entry's content") from None
                    entry = {"seq": seq, "at": at, "actor": actor, "action": action, "subject": subject,
                             "data": data, "prev_hash": prev_hash}
                    if entry_hash(entry) != hash_:
                        raise ChainError(seq, "hash does not match the entry's content")
                expected_prev, count = hash_, seq
    finally:
        cursor.close()


def verify_file(path):
    with open(path, encoding="utf-8") as stream:
        return verify_entries(read_jsonl(stream))


def records_heads(function):
    """Decorator: `function()` yields (what, seq, head) for log heads recorded outside the log."""
    _head_records.append(function)
    return function


def _hash_at(seq):
    return db.session.execute(select(LogEntry.hash).where(LogEntry.seq == seq)).scalar_one_or_none()


def check_recorded_heads(count):
    """Every head recorded in sign-offs and publications, and in the entries that record one, is the chain's
    hash at its seq, and the entry recording it (the next one) is there: a chain rewritten from before one, or
    cut short, fails here even when it is a valid chain on its own."""
    recorded = [(what, seq, head_) for function in _head_records for what, seq, head_ in function()]
    entries = db.session.execute(select(LogEntry.seq, LogEntry.action, LogEntry.data_json)
                                 .where(LogEntry.action.in_(HEAD_RECORDING_ACTIONS)).order_by(LogEntry.seq)).all()
    for seq, action, data_json in entries:
        data = json.loads(data_json)
        recorded.append((f"entry {seq} ({action})", data.get("log_seq"), data.get("log_head")))
    for what, seq, head_ in recorded:
        if not isinstance(seq, int) or seq >= count:
            raise ChainError(count + 1, f"{what} records the log head at seq {seq}, but the log ends at seq {count}")
        if _hash_at(seq) != head_:
            raise ChainError(seq, f"{what} records the log head {head_} here; the chain says otherwise "
                                  "(history was rewritten)")


def verify_all():
    """verify_database(), then every recorded head against the chain. (count, head) or ChainError."""
    count, last = verify_database()
    check_recorded_heads(count)
    return count, last
