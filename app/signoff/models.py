"""Sign-off of a final version by the statutory partners, and its publication."""
import enum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow


class RequestStatus(str, enum.Enum):
    OPEN = "open"  # waiting for the partners' decisions
    RETURNED = "returned"  # a partner returned it: back to the facilitator
    PUBLISHED = "published"  # the rule was met


class Decision(str, enum.Enum):
    APPROVED = "approved"
    RETURNED = "returned"


class SignOffRequest(db.Model):
    """A facilitator's request that the statutory partners sign off one published (final) version."""

    __tablename__ = "signoff_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=RequestStatus.OPEN.value)
    rule: Mapped[str] = mapped_column(String(20))  # the partnership's rule when asked (it may change later)
    quorum: Mapped[int | None] = mapped_column(Integer)
    effective_date = mapped_column(Date, nullable=False)
    waiver_reason: Mapped[str | None] = mapped_column(Text)  # why sign-off was asked with comments unanswered
    unanswered: Mapped[int] = mapped_column(Integer, default=0)  # comments without an answer when asked
    version_hash: Mapped[str] = mapped_column(String(64))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    requested_at = mapped_column(db.DateTime, default=utcnow)
    closed_at = mapped_column(db.DateTime)

    version = relationship("DraftVersion")
    consultation = relationship("Consultation")
    signoffs = relationship("SignOff", order_by="SignOff.id", back_populates="request")
    publication = relationship("Publication", uselist=False, back_populates="request")

    __table_args__ = (
        CheckConstraint("status IN ('open', 'returned', 'published')", name="status"),
        CheckConstraint("unanswered = 0 OR waiver_reason IS NOT NULL", name="waived"),
        # One open request per version at a time.
        Index("uq_signoff_request_open", "version_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )


class SignOff(db.Model):
    """One statutory partner's decision on a request: one per partner per request (a database constraint)."""

    __tablename__ = "signoff"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("signoff_request.id"))
    statutory_partner_id: Mapped[int] = mapped_column(ForeignKey("statutory_partner.id"))
    signatory_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    acting_for_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))  # the lead, when a delegate decides
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    version_hash: Mapped[str] = mapped_column(String(64))
    log_seq: Mapped[int] = mapped_column(Integer)
    log_head: Mapped[str] = mapped_column(String(64))
    decided_at = mapped_column(db.DateTime, default=utcnow)

    request = relationship("SignOffRequest", back_populates="signoffs")
    statutory_partner = relationship("StatutoryPartner")
    signatory = relationship("Person", foreign_keys=[signatory_id])
    acting_for = relationship("Person", foreign_keys=[acting_for_id])

    __table_args__ = (
        UniqueConstraint("request_id", "statutory_partner_id"),
        CheckConstraint("decision IN ('approved', 'returned')", name="decision"),
        CheckConstraint("decision = 'approved' OR length(reason) > 0", name="return_has_reason"),
    )


class Publication(db.Model):
    """A signed-off version made public at /arrangements/<slug>/v/<version number>."""

    __tablename__ = "publication"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("signoff_request.id"), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id"), unique=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft_arrangement.id"), index=True)
    slug: Mapped[str] = mapped_column(String(120))
    version_number: Mapped[int] = mapped_column(Integer)
    effective_date = mapped_column(Date, nullable=False)
    log_seq: Mapped[int] = mapped_column(Integer)  # the log head when the rule was met
    log_head: Mapped[str] = mapped_column(String(64))
    published_at = mapped_column(db.DateTime, default=utcnow)

    request = relationship("SignOffRequest", back_populates="publication")
    version = relationship("DraftVersion")

    __table_args__ = (UniqueConstraint("slug", "version_number"),)


class SignOffAssertion(db.Model):
    """The WebAuthn assertion a partner's signatory decided with (issue 20, part 5): everything needed to check
    it again without the portal (app/signoff/assertions.py: verify_stored). Append-only (database triggers)."""

    __tablename__ = "signoff_assertion"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("signoff_request.id"), index=True)
    signoff_id: Mapped[int] = mapped_column(ForeignKey("signoff.id"), unique=True)
    statutory_partner_id: Mapped[int] = mapped_column(ForeignKey("statutory_partner.id"))
    partner: Mapped[str] = mapped_column(String(200))  # the partner's name as signed over in the challenge
    decision: Mapped[str] = mapped_column(String(10))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    credential_id: Mapped[bytes] = mapped_column(LargeBinary)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # SPKI DER
    algorithm: Mapped[int] = mapped_column(Integer)
    authenticator_data: Mapped[bytes] = mapped_column(LargeBinary)
    client_data_json: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    challenge: Mapped[bytes] = mapped_column(LargeBinary(32))
    version_hash: Mapped[str] = mapped_column(String(64))
    checkpoint: Mapped[str] = mapped_column(Text)
    rp_id: Mapped[str] = mapped_column(String(253))
    origin: Mapped[str] = mapped_column(String(300))
    created_at = mapped_column(db.DateTime, default=utcnow)

    signoff = relationship("SignOff")
    person = relationship("Person")

    __table_args__ = (
        CheckConstraint("decision IN ('approved', 'returned')", name="decision"),
        CheckConstraint("algorithm IN (-7, -8)", name="algorithm"),
        CheckConstraint("length(challenge) = 32", name="challenge_length"),
    )
