#!/usr/bin/env python3
"""Verify an exported consultation log. Standard library only: download it and run it anywhere.

    python verify_log.py log.jsonl
    python verify_log.py export.zip --head <hash from the public page or a sign-off> [--seq N]
    python verify_log.py log.jsonl --checkpoint checkpoint.txt --key <verifier key>   (a checkpoint kept from /log/checkpoint)
    python verify_log.py export.zip --receipt receipt.json [--key <verifier key>]   (a respondent's receipt, issue 20)
    python verify_log.py export.zip --witness emails.txt … --key <verifier key>   (checkpoints emailed to witnesses)
    python verify_log.py --record record.json [--key <verifier key>]   (a published version's record.json)

It checks every entry's hash, the prev_hash links and that seq runs 1, 2, 3 … with
no gaps, and that every log head an entry records (sign-offs, publications) is the
chain's hash at that seq. Given --head, it checks that the log reaches that hash (at
--seq, if given). Given --checkpoint, it checks that the first <size> entries make the
Merkle tree root the checkpoint holds (RFC 9162) and, given --key, that the portal's
key signed it (Ed25519, written out below in pure Python). Given a scrutiny export ZIP, it also checks every row of every CSV
file against the log entries about it (see EXPORT_FILES and the export's README.txt):
a row with no entry, an entry with no row, a row out of order or a cell that differs
from the facts (or the SHA-256 of free text) the log holds is refused, naming the
file, row and column. A text erased at its author's request reads "[removed at the
author's request]" and passes only where the log records the erasure, by the SHA-256
in its body_sha256 column. It prints "OK <count> <head>" (and how many texts were
erased at their authors' request), or one line starting "FAIL", and exits 1.

The format: each line is a JSON object with seq, at, actor, action, subject, data,
prev_hash and hash. hash is the SHA-256 (hex) of the canonical JSON of the other
seven fields: json.dumps(entry, sort_keys=True, separators=(",", ":"),
ensure_ascii=False) encoded as UTF-8. The first prev_hash is 64 zeros.

The portal itself uses this module to write and check its log (app/trail), so the
rules here are the rules there.
"""
import argparse
import base64
import binascii
import csv
import hashlib
import io
import json
import re
import sys
import zipfile

GENESIS_HASH = "0" * 64
FIELDS = ("seq", "at", "actor", "action", "subject", "data", "prev_hash")
TEXT_KEY = "body_sha256"  # the key under which comment entries carry their text's hash
REDACTION_ACTION = "comment.redacted"
# Erasure at the author's request: the text becomes ERASED_MARKER and the entry carries the removed text's SHA-256,
# which the export's body_sha256 column repeats (app/privacy keeps the same marker).
ERASURE_ACTION = "comment.erased"
ERASED_MARKER = "[removed at the author's request]"


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry):
    """SHA-256 hex of the entry without its `hash` field."""
    return hashlib.sha256(entry_bytes(entry)).hexdigest()


def entry_bytes(entry):
    """The bytes an entry's `hash` is the SHA-256 of, and its Merkle tree leaf: the canonical JSON of its seven
    fields (all but `hash`), UTF-8."""
    return canonical({field: entry[field] for field in FIELDS}).encode("utf-8")


# The log is also a Merkle tree (RFC 9162 section 2.1): leaf n-1 is entry seq n, its leaf hash SHA-256(0x00 ‖
# entry_bytes), an interior node SHA-256(0x01 ‖ left ‖ right), split at the largest power of two below the size.
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


class TreeBuilder:
    """The root of a growing tree, keeping only its perfect subtrees (one per bit of the size)."""

    def __init__(self):
        self.size, self.stack = 0, []  # stack: hashes of the perfect subtrees, largest first

    def add(self, leaf):
        self.size += 1
        self.stack.append(leaf)
        size = self.size
        while size % 2 == 0:  # each trailing zero bit of the new size closes one perfect subtree
            right = self.stack.pop()
            self.stack[-1] = node_hash(self.stack[-1], right)
            size //= 2

    def root(self):
        if not self.stack:
            return EMPTY_ROOT
        root = self.stack[-1]
        for left in reversed(self.stack[:-1]):
            root = node_hash(left, root)
        return root


def _valid_hashes(*hashes):
    return all(isinstance(h, bytes) and len(h) == 32 for h in hashes)


def verify_inclusion(leaf, index, size, proof, root):
    """Is `leaf` (a leaf hash) at `index` of the tree of `size` with this `root`? RFC 9162 section 2.1.3.2."""
    if not (0 <= index < size) or not _valid_hashes(leaf, root, *proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(size1, size2, root1, root2, proof):
    """Is the tree (size1, root1) the first size1 leaves of (size2, root2)? RFC 9162 section 2.1.4.2, with the
    trivial cases (equal sizes and roots, an empty first tree) taking an empty proof."""
    if not (0 <= size1 <= size2) or not _valid_hashes(*proof):
        return False
    if size1 == size2:
        return not proof and root1 == root2
    if size1 == 0:
        return not proof
    if not proof or not _valid_hashes(root1, root2):
        return False
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # an exact power of two: the first tree is a node of the second
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == root1 and sr == root2 and sn == 0


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


def read_jsonl(stream, strict=False):
    """Entries from JSON Lines. strict (an export's log): no blank lines, every line ends with a newline."""
    for number, line in enumerate(stream, start=1):
        if strict and not line.endswith("\n"):
            raise ChainError(number, f"line {number} does not end with a newline (the file was cut or padded)")
        if not line.strip():
            if strict:
                raise ChainError(number, f"line {number} is blank (the file was padded)")
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


class CheckpointCheck:
    """Is a checkpoint's root the root of the first `size` entries? Its body (origin, size, base64 root) is read;
    its Ed25519 signature is checked when verifier keys are given (--key)."""

    def __init__(self, note, keys=None):
        self.signed_by_key = False
        if keys:  # --key: the signature is checked too (pure-Python Ed25519 below)
            try:
                verify_note(note, keys)
            except NoteError as error:
                raise ChainError(0, str(error)) from None
            self.signed_by_key = True
        lines = note.split("\n")
        try:
            self.origin, self.size = lines[0], int(lines[1])
            self.root = base64.b64decode(lines[2], validate=True)
        except (IndexError, ValueError, binascii.Error):
            raise ChainError(0, "the checkpoint is not origin, size and base64 root hash on three lines") from None
        if self.size < 0 or len(self.root) != 32 or not lines[1].isdigit():
            raise ChainError(0, "the checkpoint is not origin, size and base64 root hash on three lines")
        self.builder = TreeBuilder()

    def __call__(self, entry):
        if self.builder.size < self.size:
            self.builder.add(leaf_hash(entry_bytes(entry)))

    def check(self, count):
        if count < self.size:
            raise ChainError(count + 1, f"the log ends at seq {count}; the checkpoint is of {self.size} entries")
        if self.builder.root() != self.root:
            raise ChainError(self.size, f"the log's first {self.size} entries are not the tree the checkpoint "
                                        "signed (history was rewritten)")


# --- Signed checkpoints: Ed25519 in pure Python (RFC 8032) and the C2SP signed-note format -------------------------
# The standard library has no Ed25519; verification is small enough to write out (RFC 8032 section 5.1.7, the
# reference code of section 6, cofactorless as OpenSSL and Go check it). It takes a few milliseconds per signature.

_P = 2 ** 255 - 19
_L = 2 ** 252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _recover_x(y, sign):
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P:
        return None
    return _P - x if (x & 1) != sign else x


def _decompress(encoded):
    y = int.from_bytes(encoded, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    a_ = (y1 - x1) * (y2 - x2) % _P
    b_ = (y1 + x1) * (y2 + x2) % _P
    c = 2 * t1 * t2 * _D % _P
    d = 2 * z1 * z2 % _P
    e, f, g, h = b_ - a_, d - c, d + c, b_ + a_
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _mul(scalar, point):
    result = (0, 1, 1, 0)
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


_GY = 4 * pow(5, _P - 2, _P) % _P
_G = (_recover_x(_GY, 0), _GY, 1, _recover_x(_GY, 0) * _GY % _P)


def ed25519_verify(public_key, message, signature):
    """True if `signature` (64 bytes) is public_key's (32 bytes) Ed25519 signature of message (bytes)."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a, r = _decompress(public_key), _decompress(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= _L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little") % _L
    return _equal(_mul(s, _G), _add(r, _mul(h, a)))


class NoteError(ValueError):
    """A checkpoint (signed note) that cannot be read or whose signature does not verify: one line for a person."""


EM_DASH = "\u2014"


def parse_verifier_key(key):
    """(name, key id, raw Ed25519 public key) of a signed-note verifier key name+<hex id>+<base64(0x01 ‖ key)>."""
    try:
        name, id_hex, encoded = key.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
        key_id = bytes.fromhex(id_hex)
    except (ValueError, binascii.Error):
        raise NoteError("the verifier key is not name+id+base64 key") from None
    if len(raw) != 33 or raw[0] != 1 or len(key_id) != 4:
        raise NoteError("the verifier key is not an Ed25519 signed-note key")
    if hashlib.sha256(name.encode("utf-8") + b"\n" + raw).digest()[:4] != key_id:
        raise NoteError("the verifier key's id does not match its name and key")
    return name, key_id, raw[1:]


def parse_note(note):
    """(origin, size, root, text, [(name, key id, signature)]) of a checkpoint in the C2SP signed-note format."""
    text, blank, signatures = note.replace("\r\n", "\n").partition("\n\n")
    lines = text.split("\n")
    try:
        origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
    except (IndexError, ValueError, binascii.Error):
        raise NoteError("the checkpoint is not origin, size and base64 root hash on three lines") from None
    if not blank or not origin or not lines[1].isdigit() or len(root) != 32:
        raise NoteError("the checkpoint is not origin, size and base64 root hash on three lines")
    found = []
    for line in signatures.strip("\n").split("\n"):
        name, _, encoded = line.removeprefix(EM_DASH + " ").partition(" ")
        try:
            blob = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise NoteError("a signature line of the checkpoint is not base64") from None
        if not line.startswith(EM_DASH + " ") or len(blob) < 5:
            raise NoteError("a signature line of the checkpoint is not \u2014 name base64")
        found.append((name, blob[:4], blob[4:]))
    return origin, size, root, text + "\n", found


def verify_note(note, verifier_keys):
    """(origin, size, root) of a checkpoint signed by one of verifier_keys (signed-note verifier keys); NoteError
    otherwise. A signature by a key not given is ignored, as the signed-note format says."""
    origin, size, root, text, signatures = parse_note(note)
    keys = {(name, key_id): public for name, key_id, public in map(parse_verifier_key, verifier_keys)}
    for name, key_id, signature in signatures:
        public = keys.get((name, key_id))
        if public is None:
            continue
        if not ed25519_verify(public, text.encode("utf-8"), signature):
            raise NoteError(f"the signature by {name} does not verify: the checkpoint was altered or forged")
        return origin, size, root
    raise NoteError("the checkpoint is signed by none of the keys given")


class TextIndex:
    """Every text hash the log holds for each comment, and which comments were redacted."""

    def __init__(self):
        self.hashes = {}  # "comment:7" -> [(seq, sha256), …] in log order
        self.redacted = {}  # "comment:7" -> seq of the redaction
        self.erased = set()  # "comment:7": erased at its author's request

    def __call__(self, entry):
        subject, data = entry["subject"], entry["data"]
        if entry["action"] == REDACTION_ACTION:
            self.redacted[subject] = entry["seq"]
        elif entry["action"] == ERASURE_ACTION:
            self.erased.add(subject)
        elif isinstance(data, dict) and isinstance(data.get(TEXT_KEY), str):
            self.hashes.setdefault(subject, []).append((entry["seq"], data[TEXT_KEY]))

    def check_current(self, comment_id, text):
        subject = f"comment:{comment_id}"
        logged = self.hashes.get(subject)
        if not logged:
            raise ChainError(0, f"comment {comment_id} is exported but the log never mentions it")
        seq, expected = logged[-1]
        if text in (None, "") and subject in self.redacted or text == ERASED_MARKER and subject in self.erased:
            return
        if text_hash(text or "") != expected:
            raise ChainError(seq, f"the exported text of comment {comment_id} does not match the SHA-256 logged here")

    def check_revision(self, comment_id, text):
        subject = f"comment:{comment_id}"
        logged = self.hashes.get(subject, [])
        if text in (None, "") and subject in self.redacted or text == ERASED_MARKER and subject in self.erased:
            return
        if text_hash(text or "") not in {digest for _, digest in logged}:
            seq = logged[-1][0] if logged else 0
            raise ChainError(seq, f"an earlier text of comment {comment_id} matches no SHA-256 the log holds for it")


# --- Witnesses (issue 20 part 3): checkpoints kept by the partners' leads and the scrutineers ---------------------
#
#     python verify_log.py export.zip --witness saved-email.txt more-checkpoints.txt --key <verifier key>
#
# Each file may be a saved checkpoint email or hold several checkpoints: every signed note in it is found by its
# structure (origin, size, base64 root, a blank line, "— name signature" lines). Each checkpoint's root must be the
# root of the log's first <size> entries; every one that is not is reported, and the exit code is 1.

WITNESS_REWRITTEN = "history rewritten since this checkpoint was made"


def _is_root_line(line):
    try:
        return len(line) == 44 and len(base64.b64decode(line, validate=True)) == 32
    except binascii.Error:
        return False


def find_notes(text):
    """Every checkpoint (signed note) in `text`, as note text, in the order found."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    notes, i = [], 0
    while i + 4 < len(lines):
        if (lines[i] and lines[i + 1].isdigit() and _is_root_line(lines[i + 2]) and lines[i + 3] == ""
                and lines[i + 4].startswith(EM_DASH + " ")):
            end = i + 4
            while end < len(lines) and lines[end].startswith(EM_DASH + " "):
                end += 1
            notes.append("\n".join(lines[i:i + 3]) + "\n\n" + "\n".join(lines[i + 4:end]) + "\n")
            i = end
        else:
            i += 1
    return notes


class WitnessError(ChainError):
    """One or more witnessed checkpoints disagree with the log: `failures` is [(size, line for a person)]."""

    def __init__(self, failures):
        super().__init__(failures[0][0], failures[0][1])
        self.failures = failures


class WitnessCheck:
    """Checks every kept checkpoint against the log in one pass: one tree builder, the root noted at each size."""

    def __init__(self, sources, keys=None):
        """sources: [(file name, text)]; keys: verifier keys (--key), to check each signature too."""
        self.checkpoints, self.keys, seen = [], keys, set()
        for name, text in sources:
            notes = find_notes(text)
            if not notes:
                raise ChainError(0, f"{name} holds no checkpoint (origin, size, root, a blank line, a signature)")
            for note in notes:
                if note in seen:
                    continue
                seen.add(note)
                origin, size, root, _text, _signatures = parse_note(note)
                problem = None
                if keys:
                    try:
                        verify_note(note, keys)
                    except NoteError as error:
                        problem = str(error)
                self.checkpoints.append({"file": name, "origin": origin, "size": size, "root": root,
                                         "problem": problem})
        self.wanted = {checkpoint["size"] for checkpoint in self.checkpoints}
        self.largest = max(self.wanted)
        self.roots = {0: EMPTY_ROOT}
        self.builder = TreeBuilder()

    def __call__(self, entry):
        if self.builder.size < self.largest:
            self.builder.add(leaf_hash(entry_bytes(entry)))
            if self.builder.size in self.wanted:
                self.roots[self.builder.size] = self.builder.root()

    def check(self, count):
        failures = []
        for checkpoint in sorted(self.checkpoints, key=lambda c: c["size"]):
            size, where = checkpoint["size"], f"the checkpoint of {checkpoint['size']} entries in {checkpoint['file']}"
            if checkpoint["problem"]:
                failures.append((size, f"{where}: {checkpoint['problem']}"))
            elif size > count:
                failures.append((count + 1, f"{where}: the log ends at seq {count} ({WITNESS_REWRITTEN}: "
                                            "entries were removed)"))
            elif self.roots.get(size) != checkpoint["root"]:
                failures.append((size, f"{where}: the log's first {size} entries are not the tree it signed "
                                       f"({WITNESS_REWRITTEN})"))
        if failures:
            raise WitnessError(failures)

    def summary(self):
        sizes = ", ".join(str(size) for size in sorted(self.wanted))
        signed = ("each signed with a key given" if self.keys
                  else "signatures not checked: give --key with the portal's verifier key")
        return (f"{len(self.checkpoints)} witnessed checkpoint(s) match the log's first entries "
                f"(sizes {sizes}; {signed})")


class _BothChecks:
    """--checkpoint and --witness together: both see every entry."""

    def __init__(self, *checks):
        self.checks = checks

    def __call__(self, entry):
        for check in self.checks:
            check(entry)

    def check(self, count):
        for check in self.checks:
            check.check(count)


def _witness_from(args, report):
    files = getattr(args, "witness", None)
    if not files:
        return None
    sources = []
    for name in files:
        with open(name, encoding="utf-8", errors="replace") as stream:
            sources.append((name, stream.read()))
    try:
        witness = WitnessCheck(sources, getattr(args, "key", None))
    except NoteError as error:
        raise ChainError(0, f"a witnessed checkpoint cannot be read: {error}") from None
    if report is not None:
        report["witness"] = witness
    return witness


# --- the scrutiny export: every row of every file bound to the log ------------------------------------

MANIFEST = "manifest.json"
EXPORT_FORMAT = "scrutiny-export/3"  # 3: formal responses, suggested wording, workshops (issue 19)
WITHHELD = re.compile(r"\[withheld: safeguarding concern \d+\]")
COMMENT_COLUMNS = ["comment_id", "consultation_id", "section_id", "parent_id", "thread_id", "depth", "status",
                   "author", "audience", "created_at", "edited_at", "withdrawn_at", "body", "body_sha256"]
# Every file of a scrutiny export and its columns, in order. Columns not bound to the log (times, people's
# labels) are listed in UNBOUND; every other cell is checked.
EXPORT_FILES = {
    "comments.csv": COMMENT_COLUMNS,
    "replies.csv": COMMENT_COLUMNS,
    "comment_revisions.csv": ["comment_id", "revision_id", "written_at", "replaced_at", "body", "body_sha256"],
    "votes.csv": ["vote_id", "consultation_id", "section_id", "voter", "audience", "choice", "reason", "created_at",
                  "updated_at"],
    "themes.csv": ["id", "consultation_id", "name", "created_by_id", "created_at"],
    "responses.csv": ["id", "consultation_id", "comment_id", "theme_id", "outcome", "reason", "changed_section_key",
                      "by_id", "created_at", "updated_at"],
    "moderation_acts.csv": ["id", "comment_id", "act", "reason_code", "reason", "by_id", "at"],
    "signoff_requests.csv": ["id", "consultation_id", "version_id", "status", "rule", "quorum", "effective_date",
                             "waiver_reason", "unanswered", "version_hash", "requested_by_id", "requested_at",
                             "closed_at"],
    "signoffs.csv": ["id", "request_id", "statutory_partner_id", "signatory_id", "acting_for_id", "decision",
                     "reason", "version_hash", "log_seq", "log_head", "decided_at"],
    "publications.csv": ["id", "request_id", "version_id", "slug", "version_number", "effective_date", "log_seq",
                         "log_head", "published_at"],
    "findings.csv": ["id", "consultation_id", "author_id", "severity", "entry_seqs", "visibility", "observation",
                     "recommendation", "created_at"],
    # Submitted formal responses from organisations (issue 19): drafts are never exported.
    "org_responses.csv": ["id", "consultation_id", "organisation_id", "lead_id", "co_author_ids", "submitted_at",
                          "body", "body_sha256"],
    "suggestions.csv": ["suggestion_id", "comment_id", "consultation_id", "section_id", "section_key", "passage_start",
                        "passage_end", "passage", "replacement", "replacement_sha256", "section_sha256",
                        "version_hash", "supporters", "outcome", "final_text", "applied_version_id",
                        "decided_by_id", "created_at", "decided_at"],
    "suggestion_supports.csv": ["support_id", "suggestion_id", "supporter", "audience", "status", "created_at",
                                "withdrawn_at"],
    # Workshop and paper sessions entered by staff (issue 19): each bound to its workshop.recorded entry; their
    # contributions are rows of comments.csv, by the session's group voice.
    "workshop_sessions.csv": ["id", "consultation_id", "held_on", "organisation_id", "group_name", "participants",
                              "method", "audience", "voice_id", "recorded_by_id", "recorded_at"],
}
# The format that added a file: an export in an older format has no such file, and is checked without it.
ADDED_IN = {"org_responses.csv": 3, "workshop_sessions.csv": 3, "suggestions.csv": 3, "suggestion_supports.csv": 3}
FORMATS = {f"scrutiny-export/{number}": number for number in (2, 3)}
# A comment author's own words, withheld, redacted or erased with the comment (each with its <column>_sha256 beside).
WITHHOLDABLE = ("body", "replacement")
UNBOUND = {"created_at", "edited_at", "withdrawn_at", "written_at", "replaced_at", "updated_at", "at",
           "requested_at", "closed_at", "decided_at", "published_at", "author", "voter", "submitted_at", "supporter",
           "recorded_at"}
EXPORT_NAMES = {MANIFEST, "README.txt", "log.jsonl", *EXPORT_FILES}
MODERATION_ACTS = {"comment.approved": "approved", "comment.hidden": "hidden", "comment.rejected": "rejected",
                   "comment.restored": "restored", "concern.raised": "concern"}
STATUS_AFTER = {"comment.approved": "published", "comment.hidden": "hidden", "comment.rejected": "hidden",
                "comment.restored": "published", "comment.withdrawn": "withdrawn", "concern.raised": "concern",
                # held for a moderator after a report; back in the queue after the DSL finds it is not a disclosure
                "comment.held": "pending", "concern.not_disclosure": "pending"}
# The act a moderator's approval of a flagged comment records, with their name, after they confirm they read it.
CONFIRMED_NOT_HARM = "Read and confirmed it does not disclose harm"


SUGGESTION_DECISIONS = ("suggestion.accepted", "suggestion.accepted_with_changes", "suggestion.declined")
SUGGESTION_ACTIONS = ("suggestion.made", "suggestion.supported", "suggestion.support_withdrawn", *SUGGESTION_DECISIONS)
# The entries an export's rows are checked against (and response.*); others are not kept.
ROW_ACTIONS = {*SUGGESTION_ACTIONS, "comment.posted", "reply.posted", "comment.edited", "comment.redacted", "comment.withdrawn",
               ERASURE_ACTION, "person.erased",
               *MODERATION_ACTS, *STATUS_AFTER, "vote.cast", "vote.changed", "theme.created", "signoff.requested",
               "signoff.waiver_recorded", "signoff.superseded", "signoff.approved", "signoff.returned",
               "arrangement.published", "finding.recorded", "finding.shared", "finding.released",
               "org_response.submitted", "workshop.recorded"}


class ExportError(Exception):
    """A file of the export disagrees with the log: names the file, row (1 = the header) and column."""

    def __init__(self, name, row, column, reason):
        where = name + (f" row {row}" if row else "") + (f" column {column}" if column else "")
        super().__init__(f"{where}: {reason}")


def _s(value):
    """A fact as the CSV writes it: None is empty, True/False are True/False, numbers in decimal."""
    return "" if value is None else str(value)


class Sha:
    """A cell whose SHA-256 the log holds (free text: the log never keeps the words)."""

    def __init__(self, digest):
        self.digest = digest

    def accepts(self, cell):
        return text_hash(cell) == self.digest

    def __str__(self):
        return f"text with SHA-256 {self.digest}"


class Expected:
    """One row's facts, from the log entries about it."""

    def __init__(self, seq):
        self.seq, self.cells = seq, {}

    def set(self, **cells):
        self.cells.update(cells)
        return self


def _ident(subject, kind):
    """'comment:7' -> '7' (as the CSV writes it), or None for another kind of subject."""
    prefix = kind + ":"
    return subject[len(prefix):] if isinstance(subject, str) and subject.startswith(prefix) else None


class Ledger:
    """Reads the log once (as on_entry) and keeps what each exported row must say: per file, key -> Expected,
    in the order the rows were made (which is the order the export lists them)."""

    def __init__(self, rows=True):
        self.rows = rows  # False: a log alone, checked for its recorded heads only (memory stays small)
        self.entries = []  # (seq, actor, action, subject, data) of the kinds of entry an export is checked against
        self.hashes = bytearray()  # the hash of every entry, 32 bytes each: recorded heads are checked against it

    def __call__(self, entry):
        self.hashes += bytes.fromhex(entry["hash"])
        data = entry["data"] if isinstance(entry["data"], dict) else {}
        action = entry["action"]
        if "log_head" in data or (self.rows and (action in ROW_ACTIONS or str(action).startswith("response."))):
            self.entries.append((entry["seq"], entry["actor"], action, entry["subject"], data))

    def hash_at(self, seq):
        if not isinstance(seq, int) or seq < 1 or seq * 32 > len(self.hashes):
            return None
        return self.hashes[(seq - 1) * 32:seq * 32].hex()

    def check_recorded_heads(self):
        """An entry that records a log head (a sign-off, a publication) must record the chain as it was."""
        for seq, _actor, action, _subject, data in self.entries:
            if "log_head" in data and self.hash_at(data.get("log_seq")) != data["log_head"]:
                raise ChainError(seq, f"{action} records log head {data['log_head']} at seq {data.get('log_seq')}, "
                                      "which is not the chain's hash there")

    def expectations(self, consultation):
        """({file: {key: Expected}}, redacted comment ids) for one consultation's export."""
        rows = Expectations(_s(consultation))
        for seq, actor, action, subject, data in self.entries:
            rows.read(seq, actor, action, subject, data)
        rows.files["replies.csv"] = {key: row for key, row in rows.files["comments.csv"].items()
                                     if row.cells["parent_id"]}
        rows.forgive_erased_vote_reasons()
        return rows.files, rows.redacted, rows.erased


class Expectations:
    """What each row of one consultation's export must say, built entry by entry in log order."""

    def __init__(self, cid):
        self.cid, self.redacted, self.requests = cid, set(), set()
        self.erased, self.erased_people, self.voters = set(), set(), {}  # erasure at the author's request
        self.files = {name: {} for name in EXPORT_FILES}
        self.comments, self.votes = self.files["comments.csv"], self.files["votes.csv"]

    def read(self, seq, actor, action, subject, data):
        about = _s(data.get("consultation")) == self.cid
        if action == "person.erased":
            self.erased_people.add(_ident(subject, "person"))
        for handler in (self._comment, self._moderation, self._vote, self._theme, self._response, self._signoff,
                        self._finding, self._org_response, self._suggestion, self._workshop):
            handler(seq, actor, action, subject, data, about)

    def _comment(self, seq, actor, action, subject, data, about):
        comment = _ident(subject, "comment")
        if action in ("comment.posted", "reply.posted") and about and comment:
            self.comments[comment] = Expected(seq).set(
                comment_id=comment, consultation_id=self.cid, section_id=_s(data.get("section")),
                parent_id=_s(data.get("parent")), thread_id=_s(data.get("thread", comment)),
                depth=_s(data.get("depth", 0)), status=_s(data.get("status")), audience=_s(data.get("audience")),
                body=Sha(data.get("body_sha256")))
        elif comment in self.comments and action == "comment.edited":
            row = self.comments[comment]
            row.cells["body"] = Sha(data.get("body_sha256"))
            if "status" in data:
                row.cells["status"] = _s(data["status"])
            if "revision" in data:
                self.files["comment_revisions.csv"][_s(data["revision"])] = Expected(seq).set(
                    comment_id=comment, revision_id=_s(data["revision"]), body=Sha(data.get("previous_body_sha256")))
        elif comment in self.comments and action == "comment.redacted":
            self.redacted.add(comment)
        elif comment in self.comments and action == ERASURE_ACTION:
            self.erased.add(comment)

    def forgive_erased_vote_reasons(self):
        """An erased person's vote reasons are emptied (the log keeps their SHA-256 and records the erasure)."""
        for vote, row in self.votes.items():
            if self.voters.get(vote) in self.erased_people and isinstance(row.cells.get("reason"), Sha):
                row.cells["reason"] = ErasedOrSha(row.cells["reason"].digest)

    def _moderation(self, seq, actor, action, subject, data, about):
        target = _s(data.get("comment")) if action.startswith("concern.") else _ident(subject, "comment")
        if target not in self.comments:
            return
        if action == "concern.not_disclosure" and "status" not in data:
            return  # the DSL's review of a concern whose comment had already left it: no change of status
        if action in STATUS_AFTER:
            self.comments[target].cells["status"] = STATUS_AFTER[action]
        if action == "concern.raised" and data.get("source") == "signal":
            return  # opened by the harm-signal word list, not by a person: no moderation act row
        if action in MODERATION_ACTS:
            cells = {"comment_id": target, "act": MODERATION_ACTS[action], "by_id": _s(actor),
                     "reason_code": _s(data.get("reason_code"))}
            if action == "comment.restored":
                cells["reason"] = Sha(data.get("reason_sha256"))
            elif action == "comment.approved" and data.get("confirmed_not_harm"):
                cells["reason"] = CONFIRMED_NOT_HARM
            elif action in ("comment.approved", "concern.raised"):
                cells["reason"] = ""
            # A hidden or rejected comment's act keeps the moderator's words; the log hashes them with the reason's
            # label, so that cell is not checked (the README says so).
            acts = self.files["moderation_acts.csv"]
            acts[len(acts) + 1] = Expected(seq).set(**cells)

    def _vote(self, seq, actor, action, subject, data, about):
        vote = _ident(subject, "vote")
        if action in ("vote.cast", "vote.changed") and vote and (about or vote in self.votes):
            row = self.votes.setdefault(vote, Expected(seq))
            self.voters[vote] = _s(actor)
            row.set(vote_id=vote, consultation_id=self.cid, section_id=_s(data.get("section")),
                    audience=_s(data.get("audience")), choice=_s(data.get("choice")))
            if "reason_sha256" in data:
                row.cells["reason"] = Sha(data["reason_sha256"])

    def _theme(self, seq, actor, action, subject, data, about):
        if action == "theme.created" and about:
            theme = _ident(subject, "theme")
            self.files["themes.csv"][theme] = Expected(seq).set(
                id=theme, consultation_id=self.cid, name=Sha(data.get("name_sha256")), created_by_id=_s(actor))

    def _response(self, seq, actor, action, subject, data, about):
        """response.given, .revised and .amended: the row holds the answer as it stands after the last one.
        response.published (issue 18) changes no bound column (published_at is a time), so it sets nothing."""
        if action == "response.published":
            return
        if action.startswith("response.") and about and "response" in data:
            row = self.files["responses.csv"].setdefault(_s(data["response"]), Expected(seq))
            row.set(id=_s(data["response"]), consultation_id=self.cid, comment_id=_s(_ident(subject, "comment")),
                    theme_id=_s(_ident(subject, "theme")), outcome=_s(data.get("outcome")),
                    reason=Sha(data.get("reason_sha256")), changed_section_key=_s(data.get("changed_section")),
                    by_id=_s(actor))

    def _signoff(self, seq, actor, action, subject, data, about):
        request = _ident(subject, "signoff_request")
        requests = self.files["signoff_requests.csv"]
        if action == "signoff.requested" and about and request:
            requests[request] = Expected(seq).set(
                id=request, consultation_id=self.cid, version_id=_s(data.get("version")), status="open",
                rule=_s(data.get("rule")), quorum=_s(data.get("quorum")),
                effective_date=_s(data.get("effective_date")), waiver_reason="",
                unanswered=_s(data.get("unanswered")), version_hash=_s(data.get("version_hash")),
                requested_by_id=_s(actor))
        elif request in requests:
            if action == "signoff.waiver_recorded":
                requests[request].cells["waiver_reason"] = Sha(data.get("reason_sha256"))
            elif action in ("signoff.superseded", "signoff.returned"):
                requests[request].cells["status"] = "returned"
            if action in ("signoff.approved", "signoff.returned"):
                partner = _s(data.get("partner"))
                self.files["signoffs.csv"][(request, partner)] = Expected(seq).set(
                    request_id=request, statutory_partner_id=partner, signatory_id=_s(actor),
                    acting_for_id=_s(data.get("acting_for")), decision=action.split(".")[1],
                    reason=Sha(data["reason_sha256"]) if "reason_sha256" in data else "",
                    version_hash=_s(data.get("version_hash")), log_seq=_s(data.get("log_seq")),
                    log_head=_s(data.get("log_head")))
        elif action == "arrangement.published" and _s(data.get("request")) in requests:
            requests[_s(data["request"])].cells["status"] = "published"
            publication = _ident(subject, "publication")
            row = self.files["publications.csv"][publication] = Expected(seq).set(
                id=publication, request_id=_s(data["request"]), version_id=_s(data.get("version")),
                slug=_s(data.get("slug")), effective_date=_s(data.get("effective_date")),
                log_seq=_s(data.get("log_seq")), log_head=_s(data.get("log_head")))
            if "version_number" in data:  # entries since issue 13 carry it; older ones leave it unchecked
                row.cells["version_number"] = _s(data["version_number"])

    def _finding(self, seq, actor, action, subject, data, about):
        finding, findings = _ident(subject, "scrutiny_finding"), self.files["findings.csv"]
        if action == "finding.recorded" and about and finding:
            findings[finding] = Expected(seq).set(
                id=finding, consultation_id=self.cid, author_id=_s(actor), severity=_s(data.get("severity")),
                entry_seqs=",".join(map(str, data.get("entries") or [])), visibility="private",
                observation=Sha(data.get("observation_sha256")),
                recommendation=Sha(data.get("recommendation_sha256")))
        elif finding in findings and action in ("finding.shared", "finding.released"):
            findings[finding].cells["visibility"] = action.split(".")[1]


    def _org_response(self, seq, actor, action, subject, data, about):
        """org_response.submitted: the one entry a submitted formal response has, holding its text's SHA-256."""
        response = _ident(subject, "org_response")
        if action == "org_response.submitted" and about and response:
            self.files["org_responses.csv"][response] = Expected(seq).set(
                id=response, consultation_id=self.cid, organisation_id=_s(data.get("organisation")),
                lead_id=_s(actor), co_author_ids=",".join(str(i) for i in data.get("co_authors") or []),
                body=Sha(data.get("body_sha256")))

    def _suggestion(self, seq, actor, action, subject, data, about):
        """Suggested wording (issue 19): the row as made, its supporters counted, its decision; each support's row."""
        suggestion, rows = _ident(subject, "suggestion"), self.files["suggestions.csv"]
        if action == "suggestion.made" and about and suggestion:
            rows[suggestion] = Expected(seq).set(
                suggestion_id=suggestion, comment_id=_s(data.get("comment")), consultation_id=self.cid,
                section_id=_s(data.get("section")), section_key=_s(data.get("section_key")),
                passage_start=_s(data.get("passage_start")), passage_end=_s(data.get("passage_end")),
                passage=Sha(data.get("passage_sha256")), replacement=Sha(data.get("replacement_sha256")),
                section_sha256=_s(data.get("section_sha256")), version_hash=_s(data.get("version_hash")),
                supporters=0, outcome="", final_text="", applied_version_id="", decided_by_id="")
        elif suggestion in rows:
            row, supports = rows[suggestion], self.files["suggestion_supports.csv"]
            support = _s(data.get("support"))
            if action == "suggestion.supported":
                supports.setdefault(support, Expected(seq)).set(support_id=support, suggestion_id=suggestion,
                                                                audience=_s(data.get("audience")), status="supporting")
                row.cells["supporters"] += 1
            elif action == "suggestion.support_withdrawn" and support in supports:
                supports[support].cells["status"] = "withdrawn"
                row.cells["supporters"] -= 1
            elif action in SUGGESTION_DECISIONS:
                final = data.get("final_sha256")
                row.set(outcome=_s(data.get("outcome")), final_text=Sha(final) if final else "",
                        applied_version_id=_s(data.get("version")), decided_by_id=_s(actor))

    def _workshop(self, seq, actor, action, subject, data, about):
        session = _ident(subject, "workshop_session")
        if action == "workshop.recorded" and about and session:
            self.files["workshop_sessions.csv"][session] = Expected(seq).set(
                id=session, consultation_id=self.cid, held_on=_s(data.get("held_on")),
                organisation_id=_s(data.get("organisation")), group_name=Sha(data.get("group_sha256")),
                participants=_s(data.get("participants")), method=_s(data.get("method")),
                audience=_s(data.get("audience")), voice_id=_s(data.get("voice")), recorded_by_id=_s(actor))


def _row_key(name, index, row):
    if name == "moderation_acts.csv":
        return index  # the log names no act ids: the n-th act row is the n-th moderation entry
    if name == "signoffs.csv":
        return (row["request_id"], row["statutory_partner_id"])
    column = EXPORT_FILES[name][0] if name != "comment_revisions.csv" else "revision_id"
    return row[column]


class ErasedOrSha(Sha):
    """Free text its author's erasure may have emptied: the logged SHA-256, or nothing at all."""

    def accepts(self, cell):
        return cell == "" or super().accepts(cell)


def _check_text(name, number, column, cell, expected, row, redacted, erased=frozenset()):
    """Free text: its SHA-256 must be the logged one. A comment under a safeguarding concern is withheld as a marker
    (always so once its text was redacted), and so are the words its suggestion proposes: then the <column>_sha256
    column beside it carries the check."""
    own_words = column in WITHHOLDABLE
    digest_name = f"{column}_sha256"
    digest_column = row.get(digest_name) if own_words else None
    if own_words and cell == ERASED_MARKER and row.get("comment_id") in erased:
        if digest_column != expected.digest:
            raise ExportError(name, number, digest_name, "does not match the SHA-256 logged for this text")
        return
    if own_words and row.get("comment_id") in redacted:
        # Its text moved to the safeguarding record: the export writes the concern's marker, nothing else.
        if not WITHHELD.fullmatch(cell):
            raise ExportError(name, number, column, "a redacted comment's text must read [withheld: safeguarding "
                              "concern N]")
        if digest_column not in (text_hash(""), expected.digest):
            raise ExportError(name, number, digest_name, "does not match the SHA-256 logged for this text")
        return
    if own_words and WITHHELD.fullmatch(cell):
        if digest_column != expected.digest:
            raise ExportError(name, number, digest_name, "does not match the SHA-256 logged for this text")
        return
    if not expected.accepts(cell):
        raise ExportError(name, number, column, "the text does not match the SHA-256 logged for it")
    if digest_column is not None and digest_column != expected.digest:
        raise ExportError(name, number, digest_name, "does not match the SHA-256 logged for this text")


def check_file(name, stream, expected, redacted, erased=frozenset()):
    """Every row must have its log entry, say what the entries say, in order; every entry must have its row."""
    reader = csv.reader(stream, strict=True)
    header = next(reader, None)
    if header != EXPORT_FILES[name]:
        raise ExportError(name, 1, None, f"the header should be {','.join(EXPORT_FILES[name])}")
    keys, index, last_id = list(expected), 0, 0
    for index, cells in enumerate(reader, start=1):
        number = index + 1
        if len(cells) != len(header):
            raise ExportError(name, number, None, f"has {len(cells)} cells, not {len(header)}")
        row = dict(zip(header, cells))
        if header[0] == "id":  # rows are listed by id: ids the log does not name must still rise
            if not cells[0].isdigit() or int(cells[0]) <= last_id:
                raise ExportError(name, number, "id", "ids must rise from row to row")
            last_id = int(cells[0])
        key = _row_key(name, index, row)
        if key not in expected:
            raise ExportError(name, number, header[0], "no log entry records this row")
        if index > len(keys) or keys[index - 1] != key:
            raise ExportError(name, number, header[0], "this row is out of place (rows follow the log's order)")
        want = expected[key]
        for column in header:
            if column in want.cells and column not in UNBOUND and f"{column}@{name}" not in UNBOUND:
                value, cell = want.cells[column], row[column]
                if isinstance(value, Sha):
                    _check_text(name, number, column, cell, value, row, redacted, erased)
                elif cell != _s(value):
                    raise ExportError(name, number, column, f"says {cell!r}; the log (seq {want.seq}) says "
                                                            f"{_s(value)!r}")
    missing = len(keys) - index
    if missing > 0:
        first = expected[keys[len(keys) - missing]]
        raise ExportError(name, None, None, f"{missing} row(s) missing: the log records one at seq {first.seq}")


def _manifest(archive):
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except KeyError:
        raise ExportError(MANIFEST, None, None, "missing: this is not a scrutiny export") from None
    except ValueError:
        raise ExportError(MANIFEST, None, None, "is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") not in FORMATS \
            or not isinstance(manifest.get("consultation"), int) or isinstance(manifest.get("consultation"), bool):
        raise ExportError(MANIFEST, None, None, f"should name the format {EXPORT_FORMAT} and a consultation id")
    return manifest


def _format_number(archive):
    """The format the manifest names, if it can be read (else the newest: _manifest says what is wrong)."""
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except (KeyError, ValueError):
        return FORMATS[EXPORT_FORMAT]
    return FORMATS.get(manifest.get("format") if isinstance(manifest, dict) else None, FORMATS[EXPORT_FORMAT])


def files_of(number):
    """The CSV files of an export in format `number`."""
    return [name for name in EXPORT_FILES if ADDED_IN.get(name, 2) <= number]


def check_names(archive):
    names = archive.namelist()
    if len(names) != len(set(names)):
        raise ExportError(sorted(n for n in names if names.count(n) > 1)[0], None, None, "appears twice in the ZIP")
    expected = {MANIFEST, "README.txt", "log.jsonl", *files_of(_format_number(archive))}
    unknown, missing = sorted(set(names) - expected), sorted(expected - set(names))
    if unknown:
        raise ExportError(unknown[0], None, None, "is not a file of a scrutiny export")
    if missing:
        raise ExportError(missing[0], None, None, "is missing from the ZIP")


def verify_export(archive, head=None, head_seq=None, report=None, checkpoint=None):
    """Check a scrutiny export ZIP: the chain, the heads it records, and every row of every CSV file."""
    manifest = _manifest(archive) if MANIFEST in archive.namelist() else None
    check_names(archive)
    manifest = manifest or _manifest(archive)
    head_check = HeadCheck(head, head_seq) if head else None
    ledger = Ledger()

    def on_entry(entry):
        ledger(entry)
        if head_check:
            head_check(entry)
        if checkpoint:
            checkpoint(entry)

    count, last = verify_entries(read_jsonl(_open_text(archive, "log.jsonl"), strict=True), on_entry)
    if head_check:
        head_check.check(count)
    if checkpoint:
        checkpoint.check(count)
    ledger.check_recorded_heads()
    files, redacted, erased = ledger.expectations(manifest["consultation"])
    for name in files_of(FORMATS[manifest["format"]]):
        check_file(name, _open_text(archive, name), files[name], redacted, erased)
    if report is not None:
        report["erased"] = sum(1 for row in csv.DictReader(_open_text(archive, "comments.csv"))
                               if row["body"] == ERASED_MARKER and row["comment_id"] in erased)
    for name in ("signoffs.csv", "publications.csv"):  # the heads recorded in the rows, against the chain
        for number, row in enumerate(csv.DictReader(_open_text(archive, name)), start=2):
            seq = int(row["log_seq"]) if row["log_seq"].isdigit() else None
            if ledger.hash_at(seq) != row["log_head"]:
                raise ExportError(name, number, "log_head", f"is not the chain's hash at seq {row['log_seq']}")
    return count, last


def verify(log_stream, head=None, head_seq=None, comments=None, revisions=None, checkpoint=None):
    """Verify a log (and optionally exported texts). Returns (count, head); raises ChainError."""
    head_check = HeadCheck(head, head_seq) if head else None
    texts = TextIndex() if (comments is not None or revisions is not None) else None
    ledger = Ledger(rows=False)
    hooks = [hook for hook in (head_check, texts, ledger, checkpoint) if hook is not None]

    def on_entry(entry):
        for hook in hooks:
            hook(entry)

    count, last = verify_entries(read_jsonl(log_stream), on_entry)
    if head_check:
        head_check.check(count)
    if checkpoint:
        checkpoint.check(count)
    ledger.check_recorded_heads()
    if texts:
        for row in csv.DictReader(comments) if comments is not None else ():
            texts.check_current(row["comment_id"], row.get("body"))
        for row in csv.DictReader(revisions) if revisions is not None else ():
            texts.check_revision(row["comment_id"], row.get("body"))
    return count, last


# --- receipts for respondents (issue 20, part 4) ---------------------------------------------------------------
# A receipt (JSON, format consultation-receipt/1) holds one entry's exact bytes (base64), its leaf index, an
# inclusion proof (base64 hashes) and a signed checkpoint. `--receipt FILE` checks it against the log given: the
# entry at its index is the receipt's entry, the log's first <size> entries make the checkpoint's root, and the
# proof leads from the entry to that root. The portal's "Check a receipt" page uses the same Receipt class.

RECEIPT_FORMAT = "consultation-receipt/1"
RECEIPT_FIELDS = ("format", "origin", "index", "entry", "entry_decoded", "inclusion_proof", "checkpoint",
                  "verifier_key")
MAX_PROOF_HASHES = 64  # a tree of 2**64 leaves needs no more


class ReceiptError(Exception):
    """A receipt that is malformed or does not verify: its message is one line for the person holding it."""


def _b64(value, what):
    if not isinstance(value, str):
        raise ReceiptError(f"The receipt's {what} is not base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ReceiptError(f"The receipt's {what} is not valid base64") from None


class Receipt:
    """A receipt's parts, checked for shape and for agreeing with each other (not yet with any log)."""

    def __init__(self, receipt):
        if not isinstance(receipt, dict):
            raise ReceiptError("This is not a receipt: a receipt is a JSON object")
        if receipt.get("format") != RECEIPT_FORMAT:
            raise ReceiptError(f"This is not a consultation receipt (its format is not {RECEIPT_FORMAT})")
        missing = [name for name in RECEIPT_FIELDS if name not in receipt]
        if missing:
            raise ReceiptError(f"The receipt has no {missing[0]}: it is incomplete")
        index = receipt["index"]
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise ReceiptError("The receipt's index is not a whole number (0 or more)")
        self.index, self.origin = index, receipt["origin"]
        self.bytes = _b64(receipt["entry"], "entry")
        try:
            entry = json.loads(self.bytes.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ReceiptError("The receipt's entry is not a log entry (not JSON)") from None
        if not isinstance(entry, dict) or sorted(entry) != sorted(FIELDS) or not isinstance(entry.get("data"), dict):
            raise ReceiptError("The receipt's entry is not a log entry (it lacks the fields every entry has)")
        if receipt["entry_decoded"] != entry:
            raise ReceiptError("The receipt's entry_decoded differs from its entry: the receipt was changed")
        if entry["seq"] != index + 1:
            raise ReceiptError(f"The receipt's index ({index}) is not its entry's place in the log (its entry "
                               f"says seq {entry['seq']!r}; index = seq - 1): the receipt was changed")
        if "text_sha256" in receipt and receipt["text_sha256"] != entry["data"].get(TEXT_KEY):
            raise ReceiptError("The receipt's text_sha256 is not the SHA-256 its entry holds: the receipt was changed")
        self.entry, self.leaf = entry, leaf_hash(self.bytes)
        proof = receipt["inclusion_proof"]
        if not isinstance(proof, list) or len(proof) > MAX_PROOF_HASHES:
            raise ReceiptError(f"The receipt's inclusion_proof is not a list of at most {MAX_PROOF_HASHES} hashes")
        self.proof = [_b64(value, "inclusion_proof") for value in proof]
        if not _valid_hashes(*self.proof):
            raise ReceiptError("The receipt's inclusion_proof holds something that is not a SHA-256 hash")
        if not isinstance(receipt["checkpoint"], str) or not isinstance(receipt["verifier_key"], str):
            raise ReceiptError("The receipt's checkpoint and verifier_key must be text")
        self.note, self.verifier_key = receipt["checkpoint"], receipt["verifier_key"]
        try:
            body = CheckpointCheck(self.note)
        except ChainError:
            raise ReceiptError("The receipt's checkpoint is not origin, size and base64 root hash on three lines") from None
        if body.origin != self.origin:
            raise ReceiptError("The receipt's checkpoint is of another log than the receipt's origin")
        self.size, self.root = body.size, body.root
        self.key_name = next((line[2:].split(" ", 1)[0] for line in self.note.split("\n\n", 1)[-1].splitlines()
                              if line.startswith("\u2014 ")), "")

    def check_inclusion(self, size=None, root=None):
        """The proof leads from the entry to the root of the checkpoint's tree (size, root: as verified)."""
        size = self.size if size is None else size
        root = self.root if root is None else root
        if self.index >= size:
            raise ReceiptError(f"The checkpoint's tree ({size} entries) does not reach the receipt's entry "
                               f"(index {self.index})")
        if not verify_inclusion(self.leaf, self.index, size, self.proof, root):
            raise ReceiptError("The inclusion proof does not lead from this entry to the checkpoint's root: "
                               "the entry, its index or the proof was changed")


def check_receipt_shape(receipt):
    return Receipt(receipt)


def read_receipt(path):
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read(1024 * 1024 + 1)
    except (OSError, UnicodeDecodeError) as error:
        raise ReceiptError(f"Cannot read the receipt ({type(error).__name__})") from None
    try:
        return Receipt(json.loads(text))
    except ValueError as error:
        if isinstance(error, ReceiptError):
            raise
        raise ReceiptError("The receipt is not valid JSON") from None


def _receipt_signature(check, keys=None):
    """The checkpoint's Ed25519 signature: with the receipt's own verifier key, and (--key) with the key given."""
    try:
        verify_note(check.receipt.note, [check.receipt.verifier_key])
    except NoteError as error:
        raise ReceiptError(f"The receipt's checkpoint does not verify with its verifier key ({error})") from None
    if not keys:
        return ("signed with the receipt's own verifier key: compare it with the portal's published key, or give "
                "--key")
    try:
        verify_note(check.receipt.note, keys)
    except NoteError as error:
        raise ReceiptError(f"The receipt's checkpoint is not signed by the key given ({error})") from None
    return "signed with the key given"


class ReceiptCheck(CheckpointCheck):
    """--receipt: the receipt's own checks, then against the log: the entry at its index is the receipt's entry,
    and the log's first <size> entries make the root its checkpoint holds."""

    def __init__(self, receipt):
        self.receipt = receipt
        receipt.check_inclusion()
        self.origin, self.size, self.root, self.builder = receipt.origin, receipt.size, receipt.root, TreeBuilder()
        self.leaf_found, self.signed_by_key = None, False

    def __call__(self, entry):
        if entry["seq"] == self.receipt.index + 1:
            self.leaf_found = leaf_hash(entry_bytes(entry))
        super().__call__(entry)

    def check(self, count):
        seq = self.receipt.index + 1
        if self.leaf_found is None:
            raise ChainError(count + 1, f"the log ends at seq {count}; the receipt's entry is seq {seq}")
        if self.leaf_found != self.receipt.leaf:
            raise ChainError(seq, "the log's entry here is not the receipt's entry")
        try:
            super().check(count)
        except ChainError as error:
            raise ChainError(error.seq, error.reason.replace("the checkpoint", "the receipt's checkpoint")) from None


def _open_text(archive, name):
    return io.TextIOWrapper(archive.open(name), encoding="utf-8", newline="")


def _run(args, report=None):
    checkpoint = None
    if getattr(args, "checkpoint", None):
        with open(args.checkpoint, encoding="utf-8") as stream:
            checkpoint = CheckpointCheck(stream.read(), getattr(args, "key", None))
        if report is not None:
            report["checkpoint"] = checkpoint
    if getattr(args, "receipt", None):  # issue 20, part 4: a respondent's receipt, checked against this log
        checkpoint = ReceiptCheck(read_receipt(args.receipt))
        if report is not None:
            report["receipt"] = checkpoint
            report["signature"] = _receipt_signature(checkpoint, getattr(args, "key", None))
    witness = _witness_from(args, report)  # issue 20 part 3: --witness
    if witness is not None:
        checkpoint = witness if checkpoint is None else _BothChecks(checkpoint, witness)
    if zipfile.is_zipfile(args.log):
        with zipfile.ZipFile(args.log) as archive:
            return verify_export(archive, args.head, args.seq, report, checkpoint)
    with open(args.log, encoding="utf-8") as log:
        comments = open(args.comments, encoding="utf-8", newline="") if args.comments else None
        revisions = open(args.revisions, encoding="utf-8", newline="") if args.revisions else None
        try:
            return verify(log, args.head, args.seq, comments, revisions, checkpoint)
        finally:
            for stream in (comments, revisions):
                if stream is not None:
                    stream.close()


# --- "Check this record": a published version checked offline from its record.json (issue 20, part 6) -----------
# python verify_log.py --record record.json [--key <verifier key>]: every check the page's "Check this record" makes
# (static/js/record-check.js), without trusting the portal. record.json is /arrangements/<slug>/v/<n>/record.json.
# ECDSA P-256 (the partners' passkeys) in pure Python below; Ed25519 (the checkpoints) is ed25519_verify above.

P256_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
          0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)
# The only SubjectPublicKeyInfo DER prefixes a passkey's key can have here (DER is canonical, so a prefix test is a
# full parse): id-ecPublicKey with prime256v1 and an uncompressed point, or id-Ed25519.
P256_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")
ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
COSE_ES256, COSE_EDDSA = -7, -8


def _jacobian_double(point):
    x, y, z = point
    if not y or not z:
        return (0, 1, 0)
    p = P256_P
    delta, gamma = z * z % p, y * y % p
    beta, alpha = x * gamma % p, 3 * (x - delta) * (x + delta) % p  # a = -3
    x3 = (alpha * alpha - 8 * beta) % p
    z3 = ((y + z) ** 2 - gamma - delta) % p
    y3 = (alpha * (4 * beta - x3) - 8 * gamma * gamma) % p
    return (x3, y3, z3)


def _jacobian_add(first, second):
    if not first[2]:
        return second
    if not second[2]:
        return first
    p = P256_P
    x1, y1, z1 = first
    x2, y2, z2 = second
    z1z1, z2z2 = z1 * z1 % p, z2 * z2 % p
    u1, u2 = x1 * z2z2 % p, x2 * z1z1 % p
    s1, s2 = y1 * z2 * z2z2 % p, y2 * z1 * z1z1 % p
    if u1 == u2:
        return _jacobian_double(first) if s1 == s2 else (0, 1, 0)
    h, r = (u2 - u1) % p, (s2 - s1) % p
    h2 = h * h % p
    h3, u1h2 = h * h2 % p, u1 * h2 % p
    x3 = (r * r - h3 - 2 * u1h2) % p
    y3 = (r * (u1h2 - x3) - s1 * h3) % p
    return (x3, y3, h * z1 * z2 % p)


def _on_p256(x, y):
    return 0 <= x < P256_P and 0 <= y < P256_P and (y * y - (x ** 3 - 3 * x + P256_B)) % P256_P == 0


def p256_point(spki_der):
    """(x, y) of a P-256 public key given as SubjectPublicKeyInfo DER; ValueError if it is not one."""
    if len(spki_der) != 91 or not spki_der.startswith(P256_SPKI_PREFIX) or spki_der[26] != 4:
        raise ValueError("the public key is not an uncompressed P-256 key (SubjectPublicKeyInfo DER)")
    x, y = int.from_bytes(spki_der[27:59], "big"), int.from_bytes(spki_der[59:], "big")
    if not _on_p256(x, y):
        raise ValueError("the public key is not a point on P-256")
    return x, y


def der_signature(der):
    """(r, s) of an ECDSA signature in DER (SEQUENCE of two INTEGERs, strictly minimal); ValueError otherwise."""
    def integer(at):
        if at + 2 > len(der) or der[at] != 2:
            raise ValueError("the signature is not DER: an INTEGER was expected")
        length = der[at + 1]
        body = der[at + 2:at + 2 + length]
        if length == 0 or length > 33 or len(body) != length or body[0] & 0x80 \
                or (length > 1 and body[0] == 0 and not body[1] & 0x80):
            raise ValueError("the signature is not DER: an INTEGER is malformed")
        return int.from_bytes(body, "big"), at + 2 + length

    if len(der) < 8 or der[0] != 0x30 or der[1] != len(der) - 2:
        raise ValueError("the signature is not DER: not one SEQUENCE of its length")
    r, at = integer(2)
    s, at = integer(at)
    if at != len(der):
        raise ValueError("the signature is not DER: bytes after the two INTEGERs")
    return r, s


def p256_verify(public_point, message, r, s):
    """True if (r, s) is an ECDSA P-256 / SHA-256 signature of `message` by the key at public_point (x, y)."""
    n = P256_N
    if not (0 < r < n and 0 < s < n) or not _on_p256(*public_point):
        return False
    e = int.from_bytes(hashlib.sha256(message).digest(), "big")
    w = pow(s, -1, n)
    u1, u2 = e * w % n, r * w % n
    g, q = (*P256_G, 1), (*public_point, 1)
    both = _jacobian_add(g, q)
    result = (0, 1, 0)
    for bit in range(max(u1.bit_length(), u2.bit_length()) - 1, -1, -1):  # Shamir's trick: u1 G + u2 Q at once
        result = _jacobian_double(result)
        pick = (u1 >> bit & 1, u2 >> bit & 1)
        if pick == (1, 1):
            result = _jacobian_add(result, both)
        elif pick == (1, 0):
            result = _jacobian_add(result, g)
        elif pick == (0, 1):
            result = _jacobian_add(result, q)
    x, _, z = result
    if not z:
        return False
    return x * pow(z * z, -1, P256_P) % P256_P % n == r


def p256_verify_der(spki_der, message, der):
    """ECDSA P-256 / SHA-256 with the key as SPKI DER and the signature as DER (what WebAuthn gives)."""
    r, s = der_signature(der)
    return p256_verify(p256_point(spki_der), message, r, s)


class RecordError(Exception):
    """A record that is malformed or fails a check: one line for a person."""


def b64url_decode(text):
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def assertion_challenge(checkpoint, decision, partner, version_hash):
    """What a partner's passkey signed over (issue 20, part 5): SHA-256 of the canonical JSON of these four."""
    return hashlib.sha256(canonical({"checkpoint": checkpoint, "decision": decision, "partner": partner,
                                     "version": version_hash}).encode("utf-8")).digest()


ASSERTION_FIELDS = ("partner", "decision", "person_name", "decided_at", "credential_id", "public_key", "algorithm",
                    "authenticator_data", "client_data_json", "signature", "challenge", "version_hash", "checkpoint",
                    "rp_id", "origin")


def check_assertion(assertion, version_hash, keys):
    """Check one partner's passkey assertion over this version; RecordError naming what fails."""
    from urllib.parse import urlsplit

    if not isinstance(assertion, dict) or any(field not in assertion for field in ASSERTION_FIELDS):
        raise RecordError("a partner's signature is missing some of its fields")
    who = f"{assertion['partner']}'s signature"
    try:
        public_key = base64.b64decode(assertion["public_key"], validate=True)
        auth_data = b64url_decode(assertion["authenticator_data"])
        client_bytes = b64url_decode(assertion["client_data_json"])
        signature = b64url_decode(assertion["signature"])
        client = json.loads(client_bytes.decode("utf-8"))
        host = urlsplit(assertion["origin"]).hostname or ""
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, AttributeError):
        raise RecordError(f"{who} is malformed (base64 or client data JSON)") from None
    if assertion["version_hash"] != version_hash:
        raise RecordError(f"{who} is over another version (content hash {assertion['version_hash']})")
    try:
        verify_note(assertion["checkpoint"], keys)
    except (NoteError, TypeError, AttributeError):
        raise RecordError(f"{who}: the checkpoint the partner was shown is not signed by the portal's key") from None
    challenge = assertion_challenge(assertion["checkpoint"], assertion["decision"], assertion["partner"],
                                    version_hash)
    if assertion["challenge"] != challenge.hex():
        raise RecordError(f"{who}: its challenge is not SHA-256 of (checkpoint, decision, partner, version)")
    if not isinstance(client, dict) or client.get("type") != "webauthn.get":
        raise RecordError(f"{who}: the client data is not of a passkey sign-in (webauthn.get)")
    if client.get("challenge") != base64.urlsafe_b64encode(challenge).decode().rstrip("="):
        raise RecordError(f"{who}: the passkey signed another challenge")
    if client.get("origin") != assertion["origin"] or not (host == assertion["rp_id"]
                                                           or host.endswith("." + str(assertion["rp_id"]))):
        raise RecordError(f"{who}: made on another site (origin {client.get('origin')})")
    if len(auth_data) < 37 or auth_data[:32] != hashlib.sha256(str(assertion["rp_id"]).encode("utf-8")).digest():
        raise RecordError(f"{who}: the authenticator data is not for {assertion['rp_id']}")
    if not auth_data[32] & 1:
        raise RecordError(f"{who}: the authenticator did not see the person present")
    signed = auth_data + hashlib.sha256(client_bytes).digest()
    try:
        if assertion["algorithm"] == COSE_ES256:
            valid = p256_verify_der(public_key, signed, signature)
        elif assertion["algorithm"] == COSE_EDDSA:
            if len(public_key) != 44 or not public_key.startswith(ED25519_SPKI_PREFIX):
                raise ValueError("the public key is not an Ed25519 key (SubjectPublicKeyInfo DER)")
            valid = len(signature) == 64 and ed25519_verify(public_key[12:], signed, signature)
        else:
            raise ValueError(f"algorithm {assertion['algorithm']} is neither ES256 (-7) nor EdDSA (-8)")
    except ValueError as error:
        raise RecordError(f"{who}: {error}") from None
    if not valid:
        raise RecordError(f"{who} does not verify with the partner's public key")
    return f"{assertion['partner']}: {assertion['decision']} by {assertion['person_name']}, signed with their passkey"


def _hashes(values, what):
    if values is None:
        raise RecordError(f"the portal gave no {what}: its log no longer holds the tree a kept checkpoint signed "
                          "(cut short or rewritten)")
    if not isinstance(values, list):
        raise RecordError(f"the record's {what} is not a list")
    try:
        return [base64.b64decode(value, validate=True) for value in values]
    except (binascii.Error, TypeError, ValueError):
        raise RecordError(f"the record's {what} is not base64 hashes") from None


def _field(record, *path, kind=str):
    value = record
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise RecordError(f"the record has no {'.'.join(path)}")
    return value


def check_record(record, keys=None):
    """Every check of "Check this record", in its order. Returns the lines that passed; RecordError at the first
    that fails. keys: verifier keys to trust (default: the ones the record names)."""
    if not isinstance(record, dict) or record.get("format") != "arrangement-record/1":
        raise RecordError("this is not a record.json of a published arrangement (format arrangement-record/1)")
    keys = keys or _field(record, "verifier_keys", kind=list)
    origin = _field(record, "origin")
    passed = []
    heads = {}
    for name, words in (("publication_checkpoint", "the checkpoint made at publication"),
                        ("latest_checkpoint", "today's checkpoint")):
        try:
            note_origin, size, root = verify_note(_field(record, name, "note"), keys)
        except NoteError as error:
            raise RecordError(f"{words}: {error}") from None
        if note_origin != origin or size != _field(record, name, "size", kind=int):
            raise RecordError(f"{words} is not of this log ({note_origin}) or not of the size the record says")
        heads[name] = (size, root)
        passed.append(f"{words} (size {size}) is signed by the portal's key")
    (size1, root1), (size2, root2) = heads["publication_checkpoint"], heads["latest_checkpoint"]
    consistency = _hashes(record.get("consistency_proof"), "consistency proof")
    if not verify_consistency(size1, size2, root1, root2, consistency):
        raise RecordError(f"today's checkpoint does not extend the one made at publication: the log's history was "
                          f"rewritten (consistency {size1} -> {size2} fails)")
    passed.append(f"the log at publication (size {size1}) is the start of today's log (size {size2}): nothing "
                  "before was changed")
    try:
        data = base64.b64decode(_field(record, "entry", "bytes"), validate=True)
        entry = json.loads(data.decode("utf-8"))
    except (binascii.Error, ValueError):
        raise RecordError("the publication entry is not base64 of JSON") from None
    index = _field(record, "entry", "index", kind=int)
    if not verify_inclusion(leaf_hash(data), index, size1, _hashes(record.get("inclusion_proof"), "inclusion proof"),
                            root1):
        raise RecordError(f"the publication entry is not entry {index + 1} of the checkpoint made at publication")
    passed.append(f"the publication entry is entry {index + 1} of the log that checkpoint signed")
    version_hash = _field(record, "arrangement", "version_hash")
    if not isinstance(entry, dict) or canonical(entry).encode("utf-8") != data \
            or entry.get("action") != "arrangement.published" or entry.get("seq") != index + 1 \
            or not isinstance(entry.get("data"), dict) or entry["data"].get("version_hash") != version_hash \
            or entry["data"].get("slug") != _field(record, "arrangement", "slug") \
            or entry["data"].get("version_number") != _field(record, "arrangement", "version_number", kind=int):
        raise RecordError("the entry is not the publication of this version (arrangement.published with its "
                          "content hash)")
    passed.append(f"the entry publishes this version (content hash {version_hash})")
    signatures = record.get("signatures")
    if not isinstance(signatures, list):
        raise RecordError("the record's signatures is not a list")
    for assertion in signatures:
        passed.append(check_assertion(assertion, version_hash, keys))
    if not signatures:
        passed.append("no partner signed with a passkey (their sign-off was by password)")
    return passed


def check_record_file(path, keys=None):
    """--record: print OK and each check passed, or one FAIL line; the exit status."""
    try:
        with open(path, encoding="utf-8") as stream:
            record = json.load(stream)
        passed = check_record(record, keys)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(f"FAIL: cannot read the record ({type(error).__name__}: {error})".splitlines()[0])
        return 1
    except (RecordError, NoteError) as error:
        print(f"FAIL: {error}".splitlines()[0])
        return 1
    except Exception as error:  # whatever a damaged record does: one line, never a traceback
        print(f"FAIL: the record is damaged ({type(error).__name__}: {error})".splitlines()[0])
        return 1
    print(f"OK every check passed ({len(passed)})")
    for line in passed:
        print(f"  {line}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description="Verify an exported consultation log.")
    parser.add_argument("log", nargs="?", help="log.jsonl, or the scrutiny export ZIP that holds it")
    parser.add_argument("--record", help="a published version's record.json: check it as \"Check this record\" does")
    parser.add_argument("--head", help="a head hash the log must reach (from the public page or a sign-off)")
    parser.add_argument("--seq", type=int, help="the seq at which --head must be found")
    parser.add_argument("--comments", help="comments CSV (comment_id, body) to check against the log")
    parser.add_argument("--revisions", help="comment revisions CSV (comment_id, body) to check against the log")
    parser.add_argument("--checkpoint", help="a checkpoint (from /log/checkpoint): the log's first <size> entries "
                                             "must make its Merkle tree root")
    parser.add_argument("--key", action="append", help="the portal's verifier key (README, /log/keys, the published "
                                                       "arrangement): the checkpoint's signature must verify with it "
                                                       "(repeat for retired keys)")
    parser.add_argument("--receipt", help="a respondent's receipt (JSON): its entry, inclusion proof and signed "
                                          "checkpoint must agree with this log (and, given --key, that key signed it)")
    parser.add_argument("--witness", nargs="+", action="extend", metavar="FILE",
                        help="checkpoints kept by witnesses (saved checkpoint emails, one or more a file): each "
                             "must be the root of the log's first <size> entries; every one that is not is reported")
    args = parser.parse_args(argv)
    if args.record:  # "Check this record", offline (issue 20, part 6)
        return check_record_file(args.record, getattr(args, "key", None))
    if not args.log:
        parser.error("give a log (log.jsonl or export.zip), or --record record.json")
    if args.seq is not None and not args.head:
        parser.error("--seq needs --head")
    if args.receipt and args.checkpoint:
        parser.error("give --checkpoint or --receipt, not both")
    report = {}
    try:
        count, last = _run(args, report)
    except WitnessError as error:  # every witnessed checkpoint that disagrees, one line each
        for seq, reason in error.failures:
            print(f"FAIL at seq {seq}: {reason}")
        return 1
    except ChainError as error:
        print(f"FAIL at seq {error.seq}: {error.reason}")
        return 1
    except ExportError as error:
        print(f"FAIL in {error}")
        return 1
    except ReceiptError as error:
        print(f"FAIL: {error}")
        return 1
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile, csv.Error) as error:
        print(f"FAIL: cannot read the export ({type(error).__name__}: {error})".splitlines()[0])
        return 1
    except Exception as error:  # whatever a damaged file does, one line and exit 1, never a traceback
        print(f"FAIL: the export is damaged ({type(error).__name__}: {error})".splitlines()[0])
        return 1
    print(f"OK {count} {last}")
    if report.get("checkpoint"):
        checkpoint = report["checkpoint"]
        signed = ("signed with the key given" if checkpoint.signed_by_key
                  else "its signature not checked: give --key with the portal's verifier key")
        print(f"the checkpoint's root is the tree of the first {checkpoint.size} entries ({checkpoint.origin}; {signed})")
    if report.get("receipt"):
        receipt = report["receipt"].receipt
        print(f"the receipt's entry (seq {receipt.index + 1}, {receipt.entry['action']} {receipt.entry['subject']}) "
              f"is in the log and in the tree of its checkpoint ({receipt.size} entries); {report['signature']}")
    if report.get("witness"):
        print(report["witness"].summary())
    if report.get("erased"):
        print(f"{report['erased']} comment text(s) erased at their authors' request: the log keeps their SHA-256")
    return 0


if __name__ == "__main__":
    sys.exit(main())
