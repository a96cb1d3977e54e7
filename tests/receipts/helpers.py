"""Helpers for the receipts tests: post as a person, get their receipt, change one part of it."""
import base64
import json

from app.consultations.models import Comment
from app.receipts import services as receipts
from app.extensions import db


def comment_receipt(comment, person):
    return receipts.build(receipts.comment_entry(db.session.get(Comment, comment.id), person.id))


def vote_receipt(vote, person):
    return receipts.build(receipts.vote_entry(vote, person.id))


def with_entry(receipt, change):
    """The receipt with its entry changed by `change(entry)`, entry and entry_decoded kept in step (a careful
    forger), so only the proofs can catch it."""
    entry = json.loads(base64.b64decode(receipt["entry"]))
    change(entry)
    body = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return {**receipt, "entry": base64.b64encode(body).decode(), "entry_decoded": entry}
