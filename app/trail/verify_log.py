#!/usr/bin/env python3
"""Verify an exported consultation log. Standard library only: download it and run it anywhere.

    python verify_log.py log.jsonl
    python verify_log.py export.zip --head <hash from the public page or a sign-off> [--seq N]

It checks every entry's hash, the prev_hash links and that seq runs 1, 2, 3 … with
no gaps. Given --head, it checks that the log reaches that hash (at --seq, if
given). Given an export ZIP (or --comments/--revisions CSV files), it checks each
exported comment text against the SHA-256 its log entries carry; a missing text
passes only where the log records a redaction, and the text "[removed at the
author's request]" only where it records an erasure. It prints "OK <count> <head>"
(and how many exported texts were erased at their authors' request) or names
the first entry that fails and exits 1.

The format: each line is a JSON object with seq, at, actor, action, subject, data,
prev_hash and hash. hash is the SHA-256 (hex) of the canonical JSON of the other
seven fields: json.dumps(entry, sort_keys=True, separators=(",", ":"),
ensure_ascii=False) encoded as UTF-8. The first prev_hash is 64 zeros.

The portal itself uses this module to write and check its log (app/trail), so the
rules here are the rules there.
"""
import argparse
import csv
import hashlib
import io
import json
import sys
import zipfile

GENESIS_HASH = "0" * 64
FIELDS = ("seq", "at", "actor", "action", "subject", "data", "prev_hash")
TEXT_KEY = "body_sha256"  # the key under which comment entries carry their text's hash
REDACTION_ACTION = "comment.redacted"
# Erasure at the author's request: the text becomes ERASED_MARKER and the entry carries the removed text's SHA-256,
# which must be the last one the log holds for that comment (app/privacy keeps the same marker).
ERASURE_ACTION = "comment.erased"
ERASED_MARKER = "[removed at the author's request]"


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


def verify_entries(entries, on_entry=None):
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
        if on_entry is not None:
            on_entry(entry)
        expected_prev = entry["hash"]
        count = seq
    return count, expected_prev


def read_jsonl(stream):
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as error:
            raise ChainError(number, f"line {number} is not valid JSON ({error.msg})") from None
        if not isinstance(entry, dict):
            raise ChainError(number, f"line {number} is not a JSON object")
        yield entry


class HeadCheck:
    """Does the log reach a given head hash (at a given seq)?"""

    def __init__(self, head, seq=None):
        self.head, self.seq, self.found_at = head.lower(), seq, None

    def __call__(self, entry):
        if entry["hash"] == self.head and self.found_at is None:
            self.found_at = entry["seq"]

    def check(self, count):
        if self.found_at is None:
            if self.seq is not None and count < self.seq:
                raise ChainError(count + 1, f"the log ends at seq {count}; the head {self.head} is at seq {self.seq}")
            raise ChainError(self.seq or count + 1, f"the log never reaches the head {self.head}")
        if self.seq is not None and self.found_at != self.seq:
            raise ChainError(self.seq, f"the head {self.head} is at seq {self.found_at}, not {self.seq}")


class TextIndex:
    """Every text hash the log holds for each comment, and which comments were redacted."""

    def __init__(self):
        self.hashes = {}  # "comment:7" -> [(seq, sha256), …] in log order
        self.redacted = {}  # "comment:7" -> seq of the redaction
        self.erased = {}  # "comment:7" -> (seq, SHA-256 of the text removed) of the erasure
        self.erased_seen = set()  # comments whose exported text is the erasure marker

    def __call__(self, entry):
        subject, data = entry["subject"], entry["data"]
        if entry["action"] == REDACTION_ACTION:
            self.redacted[subject] = entry["seq"]
        elif entry["action"] == ERASURE_ACTION and isinstance(data, dict):
            self.erased[subject] = (entry["seq"], data.get("erased_sha256"))
        elif isinstance(data, dict) and isinstance(data.get(TEXT_KEY), str):
            self.hashes.setdefault(subject, []).append((entry["seq"], data[TEXT_KEY]))

    def check_current(self, comment_id, text):
        subject = f"comment:{comment_id}"
        logged = self.hashes.get(subject)
        if not logged:
            raise ChainError(0, f"comment {comment_id} is exported but the log never mentions it")
        seq, expected = logged[-1]
        if text in (None, "") and subject in self.redacted:
            return
        if text == ERASED_MARKER and subject in self.erased:
            erased_seq, erased_hash = self.erased[subject]
            if erased_hash not in (None, expected):
                raise ChainError(erased_seq, f"the erasure of comment {comment_id} names a text the log never held")
            self.erased_seen.add(subject)
            return
        if text_hash(text or "") != expected:
            raise ChainError(seq, f"the exported text of comment {comment_id} does not match the SHA-256 logged here")

    def check_revision(self, comment_id, text):
        subject = f"comment:{comment_id}"
        logged = self.hashes.get(subject, [])
        if text in (None, "") and subject in self.redacted:
            return
        if text == ERASED_MARKER and subject in self.erased:
            return
        if text_hash(text or "") not in {digest for _, digest in logged}:
            seq = logged[-1][0] if logged else 0
            raise ChainError(seq, f"an earlier text of comment {comment_id} matches no SHA-256 the log holds for it")


def _csv_rows(stream):
    return csv.DictReader(stream)


def verify(log_stream, head=None, head_seq=None, comments=None, revisions=None, report=None):
    """Verify a log (and optionally exported texts). Returns (count, head); raises ChainError.

    `report`, a dict if given, receives "erased": how many exported comments were erased at their authors' request.
    """
    head_check = HeadCheck(head, head_seq) if head else None
    texts = TextIndex() if (comments is not None or revisions is not None) else None
    hooks = [hook for hook in (head_check, texts) if hook is not None]

    def on_entry(entry):
        for hook in hooks:
            hook(entry)

    count, last = verify_entries(read_jsonl(log_stream), on_entry if hooks else None)
    if head_check:
        head_check.check(count)
    if texts:
        for row in _csv_rows(comments) if comments is not None else ():
            texts.check_current(row["comment_id"], row.get("body"))
        for row in _csv_rows(revisions) if revisions is not None else ():
            texts.check_revision(row["comment_id"], row.get("body"))
        if report is not None:
            report["erased"] = len(texts.erased_seen)
    return count, last


def _open_text(archive, name):
    if name not in archive.namelist():
        return None
    return io.TextIOWrapper(archive.open(name), encoding="utf-8", newline="")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Verify an exported consultation log.")
    parser.add_argument("log", help="log.jsonl, or the scrutiny export ZIP that holds it")
    parser.add_argument("--head", help="a head hash the log must reach (from the public page or a sign-off)")
    parser.add_argument("--seq", type=int, help="the seq at which --head must be found")
    parser.add_argument("--comments", help="comments CSV (comment_id, body) to check against the log")
    parser.add_argument("--revisions", help="comment revisions CSV (comment_id, body) to check against the log")
    args = parser.parse_args(argv)
    if args.seq is not None and not args.head:
        parser.error("--seq needs --head")

    report = {}
    try:
        if zipfile.is_zipfile(args.log):
            with zipfile.ZipFile(args.log) as archive:
                log = _open_text(archive, "log.jsonl")
                if log is None:
                    raise ChainError(0, "the ZIP holds no log.jsonl")
                count, last = verify(log, args.head, args.seq, _open_text(archive, "comments.csv"),
                                     _open_text(archive, "comment_revisions.csv"), report)
        else:
            with open(args.log, encoding="utf-8") as log:
                comments = open(args.comments, encoding="utf-8", newline="") if args.comments else None
                revisions = open(args.revisions, encoding="utf-8", newline="") if args.revisions else None
                try:
                    count, last = verify(log, args.head, args.seq, comments, revisions, report)
                finally:
                    for stream in (comments, revisions):
                        if stream is not None:
                            stream.close()
    except ChainError as error:
        print(f"FAIL at seq {error.seq}: {error.reason}")
        return 1
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile, KeyError) as error:
        print(f"FAIL: cannot read the export ({error})")
        return 1
    print(f"OK {count} {last}")
    if report.get("erased"):
        print(f"{report['erased']} comment text(s) erased at their authors' request: the log keeps their SHA-256")
    return 0


if __name__ == "__main__":
    sys.exit(main())
