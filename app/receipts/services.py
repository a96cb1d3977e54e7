"""Receipts for respondents (issue 20, part 4): proof that a comment, reply or vote is in the consultation log.

A receipt is JSON holding the respondent's own log entry — exactly the bytes its Merkle leaf hash covers — its
leaf index, an RFC 9162 inclusion proof and a signed checkpoint whose tree holds it. Log entries carry the
SHA-256 of a text, never the text, and name the person only by their account's number (`actor`): a young
person's receipt carries no username, name or email, and nobody's receipt carries anyone else's words.

Anyone can check a receipt (check()): the checkpoint's signature with this portal's keys (current or retired),
the inclusion proof, and that the checkpoint is consistent with today's latest one (the log was not rewritten
since). verify_log.py --receipt does the same offline against an export.
"""
import base64
import binascii
import json
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.database import transaction
from app.extensions import db
from app.converters import DB_INT_MAX
from app.mail import services as mail
from app.timeutil import format_london
from app.trail import signing, tree
from app.trail.models import LogEntry
from app.trail.verify_log import Receipt, ReceiptError, entry_bytes, verify_consistency

FORMAT = "consultation-receipt/1"
COMMENT_ACTIONS = ("comment.posted", "reply.posted")
VOTE_ACTIONS = ("vote.cast", "vote.changed")
RECEIPT_MAX_BYTES = 64 * 1024  # a receipt is ~2 KB; a proof of a billion entries adds ~1.4 KB
CHECKPOINT_REASON = "receipt"  # log_checkpoint_signed.reason of a checkpoint made for a receipt
WHAT = {"comment.posted": "A comment", "reply.posted": "A reply to a comment", "vote.cast": "A vote",
        "vote.changed": "A changed vote"}


def comment_entry(comment, person_id):
    """The log entry that posted `comment`, if `person_id` wrote it (author and actor), else None."""
    if comment.author_id != person_id:
        return None
    return db.session.execute(select(LogEntry).where(
        LogEntry.subject == f"comment:{comment.id}", LogEntry.action.in_(COMMENT_ACTIONS),
        LogEntry.actor == person_id).order_by(LogEntry.seq).limit(1)).scalar_one_or_none()


def vote_entry(vote, person_id):
    """The latest log entry of `vote` (cast, or changed since), if it is `person_id`'s vote, else None."""
    if vote.person_id != person_id:
        return None
    return db.session.execute(select(LogEntry).where(
        LogEntry.subject == f"vote:{vote.id}", LogEntry.action.in_(VOTE_ACTIONS),
        LogEntry.actor == person_id).order_by(LogEntry.seq.desc()).limit(1)).scalar_one_or_none()


def _covering_checkpoint(index):
    """The latest signed checkpoint if its tree holds leaf `index`, otherwise one made now. Inside a service's
    transaction (emailing a receipt) it is made there; otherwise in a transaction of its own."""
    latest = signing.latest()
    if latest is not None and latest.size > index:
        return latest
    with transaction(keep_loaded=True):
        return signing.make_checkpoint(CHECKPOINT_REASON)


def _signer(note):
    """The verifier key (current or retired) that signed `note`."""
    for key in signing.verifier_keys():
        try:
            signing.verify_note(note, [key])
        except ValueError:
            continue
        return key
    raise LookupError("no key of this portal signed the checkpoint")


def build(row):
    """The receipt (a dict) for log entry `row`."""
    entry = row.as_dict()
    entry.pop("hash")
    body = entry_bytes(entry)
    index = row.seq - 1
    checkpoint = _covering_checkpoint(index)
    receipt = {
        "format": FORMAT,
        "origin": signing.origin(),
        "index": index,
        "entry": base64.b64encode(body).decode(),
        "entry_decoded": json.loads(body),
        "inclusion_proof": [base64.b64encode(value).decode() for value in tree.inclusion_proof(index, checkpoint.size)],
        "checkpoint": checkpoint.note,
        "verifier_key": _signer(checkpoint.note),
    }
    if row.action in COMMENT_ACTIONS:
        receipt["text_sha256"] = entry["data"]["body_sha256"]
    return receipt


def to_json(receipt):
    return json.dumps(receipt, indent=2, ensure_ascii=False) + "\n"


def filename(receipt):
    return f"receipt-{receipt['entry_decoded']['subject'].replace(':', '-')}-entry-{receipt['index'] + 1}.json"


def email_receipt(person, row, what):
    """Queue the receipt for entry `row` to `person` (if they have an email address), in the caller's
    transaction: the email exists exactly when the entry does. `what`: "comment", "reply" or "vote"."""
    if not person.email or not current_app.config.get("RECEIPT_EMAILS", True):
        return None
    receipt = build(row)
    return mail.queue(person.email, f"Your receipt: your {what} is in the consultation log", "receipt",
                      person=person, what=what, receipt_json=to_json(receipt), receipt=receipt,
                      check_path="/receipts/check")


# --- checking a receipt ---------------------------------------------------------------------------------------

class CheckResult:
    """What a valid receipt shows, in words (templates/receipts/check.html)."""

    def __init__(self, receipt, title, todays_size, why_not):
        entry = receipt.entry
        self.entry, self.seq, self.at = entry, entry["seq"], entry["at"]
        self.checkpoint_size, self.key_name = receipt.size, receipt.key_name
        self.what = WHAT.get(entry["action"], entry["action"])
        self.consultation_id, self.consultation_title = entry["data"].get("consultation"), title
        self.text_sha256 = entry["data"].get("body_sha256")
        self.choice = entry["data"].get("choice")
        self.in_todays_log, self.todays_size, self.why_not = why_not is None, todays_size, why_not
        try:
            self.at_text = format_london(datetime.strptime(entry["at"], "%Y-%m-%dT%H:%M:%S.%fZ"))
        except (TypeError, ValueError):
            self.at_text = str(entry["at"])


def parse(text):
    """The receipt (verify_log.Receipt), or ReceiptError with one line saying what is wrong."""
    if len(text.encode("utf-8")) > RECEIPT_MAX_BYTES:
        raise ReceiptError(f"A receipt is at most {RECEIPT_MAX_BYTES // 1024} KB: this is too large to be one")
    if not text.strip():
        raise ReceiptError("Upload your receipt file or paste its text")
    try:
        data = json.loads(text)
    except ValueError:
        raise ReceiptError("The receipt is not valid JSON: paste or upload the whole file, unchanged") from None
    return Receipt(data)


def check(text):
    """Check a receipt's text against this portal: CheckResult, or ReceiptError (one line). Writes nothing."""
    receipt = parse(text)
    if receipt.origin != signing.origin():
        raise ReceiptError(f"The receipt is from another log ({receipt.origin[:100]}), not this portal's")
    try:
        size, root = signing.verify_note(receipt.note)
    except (ValueError, binascii.Error, IndexError, TypeError):
        raise ReceiptError("The checkpoint's signature does not verify with this portal's keys: "
                           "the receipt was changed") from None
    receipt.check_inclusion(size, root)
    kept = signing.at_size(size)
    if kept is not None and bytes(kept.root) != root:
        raise ReceiptError(f"This portal signed a different tree at size {size}: its history was rewritten")
    latest = signing.latest()
    return CheckResult(receipt, _title(receipt.entry), latest.size if latest else 0, _not_today(size, root, latest))


def _not_today(size, root, latest):
    """None if today's latest checkpoint is proved consistent with the receipt's (so the entry is still in
    today's log), else why not."""
    if latest is None or latest.size < size:
        return "today's log is shorter than the receipt's checkpoint"
    try:
        proof = tree.consistency_proof(size, latest.size)
        today = tree.root(latest.size)
    except LookupError:
        return "today's log has no tree for the receipt's checkpoint"
    if not verify_consistency(size, latest.size, root, bytes(latest.root), proof):
        return "today's log does not extend the tree the receipt's checkpoint signed: its history was rewritten"
    if today != bytes(latest.root):
        return "today's log no longer makes the tree its latest checkpoint signed: its history was rewritten"
    return None


def _title(entry):
    from app.consultations.models import Consultation

    consultation_id = entry["data"].get("consultation")
    if not isinstance(consultation_id, int) or isinstance(consultation_id, bool) or not 0 < consultation_id <= DB_INT_MAX:
        return None
    consultation = db.session.get(Consultation, consultation_id)
    return consultation.title if consultation is not None else None
