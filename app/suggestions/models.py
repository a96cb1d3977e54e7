"""Suggested wording and its supporters."""
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow


class SuggestionOutcome(str, enum.Enum):
    ACCEPTED = "accepted"
    ACCEPTED_WITH_CHANGES = "accepted_with_changes"
    DECLINED = "declined"

    @property
    def label(self):
        return {"accepted": "Accepted", "accepted_with_changes": "Accepted with changes",
                "declined": "Declined"}[self.value]

    @property
    def answer_outcome(self):
        """The outcome of the answer in "You said, we did" (app/responses) this decision gives its comment."""
        return {"accepted": "accepted", "accepted_with_changes": "partly_accepted",
                "declined": "not_accepted"}[self.value]

    @property
    def accepts(self):
        return self is not SuggestionOutcome.DECLINED


OUTCOMES = [outcome.value for outcome in SuggestionOutcome]


class Suggestion(db.Model):
    """Suggested wording: a participant's replacement for a passage of a section under consultation.

    Its reason is its comment (comment_id): moderated, screened for possible disclosures, replied to and answered like
    any comment. The passage is where it stood in the section's text (characters passage_start to passage_end of the
    Markdown body), and section_sha256 / version_hash the text and version it was made against. A facilitator's
    decision (outcome) puts the final wording into the next working version of the draft (applied_section_id).
    """

    __tablename__ = "suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), unique=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    section_key: Mapped[str] = mapped_column(String(32))
    passage_start: Mapped[int] = mapped_column(Integer)
    passage_end: Mapped[int] = mapped_column(Integer)
    passage: Mapped[str] = mapped_column(Text)
    replacement: Mapped[str] = mapped_column(Text)
    section_sha256: Mapped[str] = mapped_column(String(64))  # the section's text the passage was found in
    version_hash: Mapped[str] = mapped_column(String(64))  # the consulted version's content hash
    support_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    outcome: Mapped[str | None] = mapped_column(String(25))
    final_text: Mapped[str | None] = mapped_column(Text)  # the wording accepted (the replacement, or as changed)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at = mapped_column(db.DateTime)
    applied_version_id: Mapped[int | None] = mapped_column(ForeignKey("draft_version.id"))
    applied_section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"))
    erased_sha256: Mapped[str | None] = mapped_column(String(64))  # the replacement's, once erased (app/privacy)
    created_at = mapped_column(db.DateTime, default=utcnow)

    comment = relationship("Comment")
    section = relationship("Section", foreign_keys=[section_id])
    applied_version = relationship("DraftVersion", foreign_keys=[applied_version_id])

    __table_args__ = (
        CheckConstraint("passage_start >= 0 AND passage_end > passage_start", name="passage_place"),
        CheckConstraint("outcome IS NULL OR outcome IN (" + ", ".join(f"'{o}'" for o in OUTCOMES) + ")",
                        name="outcome"),
        CheckConstraint("(outcome IS NULL) = (decided_at IS NULL)", name="decided_when"),
        CheckConstraint("(final_text IS NOT NULL) = (outcome IS NOT NULL AND outcome != 'declined')",
                        name="final_text_when_accepted"),
        CheckConstraint("support_count >= 0", name="support_count"),
        Index("ix_suggestion_consultation_section", "consultation_id", "section_id"),
        Index("ix_suggestion_applied_version", "applied_version_id"),
    )

    @property
    def outcome_enum(self):
        return SuggestionOutcome(self.outcome) if self.outcome else None


class SuggestionSupport(db.Model):
    """A person's support for a suggestion: one each (a database constraint); support withdrawn is kept, dated."""

    __tablename__ = "suggestion_support"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestion.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    audience: Mapped[str | None] = mapped_column(String(30))
    created_at = mapped_column(db.DateTime, default=utcnow)
    withdrawn_at = mapped_column(db.DateTime)

    __table_args__ = (UniqueConstraint("suggestion_id", "person_id"),)

    @property
    def status(self):
        return "withdrawn" if self.withdrawn_at is not None else "supporting"


def screened_text(connection, comment):
    """What app/moderation screens with a comment's own text: the replacement its suggestion proposes (the author's
    words too). Read through the flush's connection, as the comment is being written."""
    from sqlalchemy import select

    if comment.id is None:
        return []
    return connection.execute(select(Suggestion.replacement).where(Suggestion.comment_id == comment.id)).scalars().all()


def _screen_with_comments():
    from app.moderation import models as moderation

    if screened_text not in moderation.SCREENED_WITH:
        moderation.SCREENED_WITH.append(screened_text)


_screen_with_comments()
