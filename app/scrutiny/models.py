"""Scrutiny findings and the facilitators' answers to them."""
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow


class Severity(str, enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self):
        return self.value.capitalize()


class Visibility(str, enum.Enum):
    """Who sees a finding: scrutineers only; also facilitators (who answer it); also the public."""

    PRIVATE = "private"
    SHARED = "shared"
    RELEASED = "released"

    @property
    def label(self):
        return {"private": "Private to scrutineers", "shared": "Shared with facilitators",
                "released": "Released publicly"}[self.value]


class Finding(db.Model):
    """What an independent scrutineer found about a consultation, and what they recommend."""

    __tablename__ = "scrutiny_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    observation: Mapped[str] = mapped_column(Text)
    recommendation: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(10))
    entry_seqs: Mapped[str] = mapped_column(String(500), default="")  # log entries it points at: "12,15"
    visibility: Mapped[str] = mapped_column(String(10), default=Visibility.PRIVATE.value)
    created_at = mapped_column(db.DateTime, default=utcnow)
    shared_at = mapped_column(db.DateTime)
    released_at = mapped_column(db.DateTime)

    author = relationship("Person")
    consultation = relationship("Consultation")
    answers = relationship("FindingAnswer", order_by="FindingAnswer.id", back_populates="finding")

    __table_args__ = (
        CheckConstraint("severity IN ('low', 'medium', 'high')", name="severity"),
        CheckConstraint("visibility IN ('private', 'shared', 'released')", name="visibility"),
        Index("ix_scrutiny_finding_visibility", "visibility", "consultation_id"),
    )

    @property
    def seqs(self):
        return [int(seq) for seq in self.entry_seqs.split(",") if seq]

    @property
    def severity_label(self):
        return Severity(self.severity).label

    @property
    def visibility_label(self):
        return Visibility(self.visibility).label


class FindingAnswer(db.Model):
    """A facilitator's answer to a finding."""

    __tablename__ = "scrutiny_finding_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("scrutiny_finding.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(db.DateTime, default=utcnow)

    finding = relationship("Finding", back_populates="answers")
    author = relationship("Person")
