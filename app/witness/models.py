"""What the witnesses hold. Every table is append-only (migration 0014_witness_checkpoints): it is a record."""
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class SeenResult(str, enum.Enum):
    FIRST = "first"  # the first checkpoint the workspace saw: signature and root checked, nothing to be consistent with
    CONSISTENT = "consistent"  # proved consistent with the last good one seen
    INCONSISTENT = "inconsistent"  # a rewritten history: the alarm
    ROOT_MISMATCH = "root_mismatch"  # its signed root is not the root the tree has now at its size: the alarm
    BAD_SIGNATURE = "bad_signature"  # not signed by a key of this portal: the alarm

    @property
    def good(self):
        return self in (SeenResult.FIRST, SeenResult.CONSISTENT)

    @property
    def label(self):
        return {"first": "First seen", "consistent": "Consistent",
                "inconsistent": "NOT consistent", "root_mismatch": "NOT the tree's root now",
                "bad_signature": "Signature does not verify"}[self.value]


def _values(enum_class):
    return ", ".join(f"'{member.value}'" for member in enum_class)


class CheckpointEmail(db.Model):
    """A checkpoint emailed to one witness (a partner's lead or a scrutineer): at most once each."""

    __tablename__ = "witness_checkpoint_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("log_checkpoint_signed.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    # no foreign key: erasing a person deletes their emails (app/privacy), while this record of what was sent stays
    outbox_message_id: Mapped[int | None] = mapped_column(Integer)
    queued_at = mapped_column(db.DateTime, nullable=False)

    __table_args__ = (UniqueConstraint("checkpoint_id", "person_id"),)


class SeenCheckpoint(db.Model):
    """A checkpoint the scrutineer's workspace has seen, with the root as it was then and what the check found."""

    __tablename__ = "witness_seen_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(Integer, unique=True)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(64))
    made_at = mapped_column(db.DateTime, nullable=False)  # when the portal signed it
    seen_at = mapped_column(db.DateTime, nullable=False)
    seen_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    result: Mapped[str] = mapped_column(String(20))
    compared_with_size: Mapped[int | None] = mapped_column(Integer)  # the last good one seen before it

    seen_by = relationship("Person")

    __table_args__ = (
        CheckConstraint(f"result IN ({_values(SeenResult)})", name="result"),
        CheckConstraint("size >= 0", name="size_positive"),
        CheckConstraint("length(root) = 32", name="root_length"),
    )

    @property
    def outcome(self):
        return SeenResult(self.result)


class WitnessAlarm(db.Model):
    """A checkpoint that disagrees with an earlier one (or with the tree): shown at the top of the workspace until
    a scrutineer records how it was dealt with (AlarmDealtWith)."""

    __tablename__ = "witness_alarm"

    id: Mapped[int] = mapped_column(primary_key=True)
    raised_at = mapped_column(db.DateTime, nullable=False)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    earlier_size: Mapped[int | None] = mapped_column(Integer)
    earlier_made_at = mapped_column(db.DateTime)
    later_size: Mapped[int] = mapped_column(Integer)
    later_made_at = mapped_column(db.DateTime)
    later_root: Mapped[bytes | None] = mapped_column(LargeBinary(32))  # accepted as the new baseline once dealt with
    later_note: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)

    dealt_with = relationship("AlarmDealtWith", uselist=False, lazy="selectin")


class AlarmDealtWith(db.Model):
    """What a scrutineer recorded was done about an alarm: the alarm leaves the top of the workspace."""

    __tablename__ = "witness_alarm_dealt_with"

    id: Mapped[int] = mapped_column(primary_key=True)
    alarm_id: Mapped[int] = mapped_column(ForeignKey("witness_alarm.id"), unique=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    at = mapped_column(db.DateTime, nullable=False)
    note: Mapped[str] = mapped_column(Text)

    by = relationship("Person")
