import json

from sqlalchemy import CheckConstraint, DateTime, Integer, String, Text
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
