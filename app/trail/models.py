import json

from sqlalchemy import CheckConstraint, DateTime, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class LogEntry(db.Model):
    """One event in the consultation log. Rows are never updated or deleted (database triggers refuse it)."""

    __tablename__ = "log_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))  # ISO 8601 UTC, kept as the exact hashed text
    actor: Mapped[int | None] = mapped_column(Integer, index=True)  # a person id; no FK so the log stands alone
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(128), index=True)
    data_json: Mapped[str] = mapped_column("data", Text)  # canonical JSON object
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (CheckConstraint("seq > 0", name="seq_positive"),)

    def as_dict(self):
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "data": json.loads(self.data_json),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


class LogCheckpoint(db.Model):
    """The last entry the chain was verified up to (one row): a check starts after it, not from seq 1.

    Only moves forward. Entries before it are not checked again on each view: the append-only triggers keep them,
    and the whole chain is checked again on demand (the scrutiny workspace, `flask verify-log`).
    """

    __tablename__ = "log_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    verified_at = mapped_column(DateTime)
    full_verified_at = mapped_column(DateTime)  # the last check of every entry

    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)


class MerkleNode(db.Model):
    """The hash of one perfect subtree of the log's Merkle tree (RFC 9162): 2**level leaves from leaf
    index * 2**level (leaf i is entry seq i + 1). Written by append() in the entry's transaction; never changed
    (database triggers refuse it). Any root or proof is built from O(log n) of these (app/trail/merkle.py)."""

    __tablename__ = "merkle_node"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))

    __table_args__ = (
        CheckConstraint("level >= 0 AND level < 63", name="level_range"),
        CheckConstraint('"index" >= 0', name="index_positive"),
        CheckConstraint("length(hash) = 32", name="hash_length"),
    )


class SignedCheckpoint(db.Model):
    """A signed tree head (C2SP tlog-checkpoint in a signed note) as it was published: kept, never changed, so
    a witness can fetch any one again and ask for a consistency proof from it (app/trail/signing.py)."""

    __tablename__ = "log_checkpoint_signed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(Integer, unique=True)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(64))  # the log action that asked for it, or "on demand"
    made_at = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("size >= 0", name="size_positive"),
        CheckConstraint("length(root) = 32", name="root_length"),
    )
