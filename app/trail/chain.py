"""The log's hashing rules, in the standard library only.

An entry is a JSON object with the fields seq, at, actor, action, subject,
data and prev_hash. Its hash is the SHA-256 (hex) of its canonical JSON:
keys sorted, no spaces, UTF-8, non-ASCII kept as is. The first entry's
prev_hash is 64 zeros; every later one holds the hash of the entry before it.
"""
import hashlib
import json

GENESIS_HASH = "0" * 64
FIELDS = ("seq", "at", "actor", "action", "subject", "data", "prev_hash")


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry):
    """SHA-256 hex of the entry without its `hash` field."""
    body = {field: entry[field] for field in FIELDS}
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def text_hash(text):
    """What the log keeps of free text (a comment, a reason): its SHA-256, never the words."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ChainError(Exception):
    def __init__(self, seq, reason):
        super().__init__(f"seq {seq}: {reason}")
        self.seq = seq
        self.reason = reason


def verify_entries(entries):
    """Check a stream of entries (dicts, in order). Returns (count, head_hash); raises ChainError."""
    expected_prev = GENESIS_HASH
    count = 0
    for entry in entries:
        expected_seq = count + 1
        seq = entry.get("seq")
        if seq != expected_seq:
            raise ChainError(expected_seq, f"expected seq {expected_seq}, found {seq!r}")
        missing = [f for f in (*FIELDS, "hash") if f not in entry]
        if missing:
            raise ChainError(seq, f"missing fields {', '.join(missing)}")
        if entry["prev_hash"] != expected_prev:
            raise ChainError(seq, "prev_hash does not match the hash of the entry before")
        if entry_hash(entry) != entry["hash"]:
            raise ChainError(seq, "hash does not match the entry's content")
        expected_prev = entry["hash"]
        count = seq
    return count, expected_prev
