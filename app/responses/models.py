"""Themes that group comments, and the partnership's answers to comments and themes ("You said, we did")."""
import enum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow


class Outcome(str, enum.Enum):
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    NOT_ACCEPTED = "not_accepted"
    ALREADY_COVERED = "already_covered"

    @property
    def label(self):
        return OUTCOME_LABELS[self.value]

    @property
    def plain(self):
        """The outcome in plain words, for young people's pages (reading age about 11)."""
        return {"accepted": "We changed the plan because of this",
                "partly_accepted": "We changed part of the plan because of this",
                "not_accepted": "We did not change the plan, and here is why",
                "already_covered": "The plan already does this"}[self.value]


OUTCOME_LABELS = {"accepted": "Accepted", "partly_accepted": "Partly accepted", "not_accepted": "Not accepted",
                  "already_covered": "Already covered"}


class Theme(db.Model):
    """A theme a facilitator groups comments under while analysing a consultation."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at = mapped_column(db.DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("consultation_id", "name"),)


class CommentTheme(db.Model):
    """A comment tagged with a theme."""

    __tablename__ = "comment_theme"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"), primary_key=True, index=True)
    tagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    tagged_at = mapped_column(db.DateTime, default=utcnow)


class Response(db.Model):
    """The partnership's answer to one comment or to a whole theme (exactly one of the two)."""

    __tablename__ = "response"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), unique=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    # The section (by its key, stable across versions) of the next version that changed because of this.
    changed_section_key: Mapped[str | None] = mapped_column(String(32))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at = mapped_column(db.DateTime, default=utcnow)
    updated_at = mapped_column(db.DateTime, default=utcnow)
    # NULL: a draft, seen only by facilitators and the scrutineer; its author has not been told (issue 18).
    published_at = mapped_column(db.DateTime, nullable=True)
    # A comment's answer copied from this theme's answer and not changed by hand since (issue 16): saving the theme's
    # answer again updates it; answering the comment on its own page clears it.
    from_theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"), index=True)

    theme = relationship("Theme", foreign_keys=[theme_id])
    amendments = relationship("ResponseAmendment", order_by="ResponseAmendment.id", back_populates="response")

    __table_args__ = (
        CheckConstraint("(comment_id IS NULL) != (theme_id IS NULL)", name="one_subject"),
        CheckConstraint("outcome IN ('accepted', 'partly_accepted', 'not_accepted', 'already_covered')",
                        name="outcome"),
        CheckConstraint("length(reason) > 0", name="has_reason"),
        Index("ix_response_consultation_outcome", "consultation_id", "outcome"),
    )

    @property
    def outcome_enum(self):
        return Outcome(self.outcome)

    @property
    def is_published(self):
        return self.published_at is not None


class ResponseAmendment(db.Model):
    """An answer changed after sign-off was asked for: the wording it replaced, and why it changed."""

    __tablename__ = "response_amendment"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), index=True)
    previous_outcome: Mapped[str | None] = mapped_column(String(20))  # None: the comment had no answer before
    previous_reason: Mapped[str | None] = mapped_column(Text)
    previous_changed_section_key: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)  # why it was amended after sign-off
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    amended_at = mapped_column(db.DateTime, default=utcnow, nullable=False)

    response = relationship("Response", back_populates="amendments")

    __table_args__ = (CheckConstraint("length(reason) > 0", name="has_reason"),)

    @property
    def previous_outcome_label(self):
        return OUTCOME_LABELS.get(self.previous_outcome or "", "Not answered")
