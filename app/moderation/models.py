"""Invite codes for young people's groups, moderation acts, reports, safeguarding concerns and notices."""
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow

HIDE_REASONS = {  # code -> what the author and moderators read
    "personal_information": "It shares personal information (a name, school, address or contact details)",
    "unkind": "It is unkind, rude or bullying",
    "off_topic": "It is not about the consultation",
    "unsafe_link": "It links to something unsafe",
    "spam": "It is advertising or spam",
    "other": "Another reason",
}
ACTS = ("approved", "rejected", "hidden", "restored", "concern")
# Why a participant reports a comment. "identifies_child" takes the comment down at once, until a moderator decides:
# a safeguarding consultation must never keep showing something that could identify a child or family.
REPORT_REASONS = {
    "identifies_child": "It could identify a child or family",
    "unkind": "It is unkind, rude or bullying",
    "off_topic": "It is not about the consultation",
    "other": "Something else",
}
HOLDING_REPORT = "identifies_child"
# A concern's review by the DSL: a possible disclosure waits for them first; they confirm it or say it is not one.
REVIEWS = {
    "unreviewed": "Possible disclosure — not yet reviewed",
    "confirmed": "Confirmed by the designated safeguarding lead",
    "not_disclosure": "Not a disclosure",
}
CONCERN_SOURCES = {"moderator": "A moderator", "self": "The young person themselves",
                   "signal": "The portal's word list (harm signals)"}


class InviteCode(db.Model):
    """A code a young people's group lead gives out; we keep only its SHA-256."""

    __tablename__ = "invite_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at = mapped_column(db.DateTime, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at = mapped_column(db.DateTime, default=utcnow)
    revoked_at = mapped_column(db.DateTime)  # a leaked or finished code stops working at once
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    organisation = relationship("Organisation")
    created_by = relationship("Person", foreign_keys=[created_by_id])

    __table_args__ = (CheckConstraint("uses >= 0 AND uses <= max_uses AND max_uses >= 1", name="uses"),)

    @property
    def places_left(self):
        return self.max_uses - self.uses

    def state_at(self, now):
        """'revoked', 'expired', 'used up' or 'active': what the people page says about the code."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "used up" if self.uses >= self.max_uses else "active"


class ModerationAct(db.Model):
    """Who approved, rejected, hid, restored or raised a concern on a comment, when and why. Never deleted."""

    __tablename__ = "moderation_act"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    act: Mapped[str] = mapped_column(String(10))
    reason_code: Mapped[str | None] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    at = mapped_column(db.DateTime, default=utcnow)

    by = relationship("Person")

    __table_args__ = (CheckConstraint(f"act IN ({', '.join(repr(a) for a in ACTS)})", name="act"),)


class Report(db.Model):
    """A participant's report that a comment breaks the rules; resolved when a moderator acts on it."""

    __tablename__ = "comment_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    reason_code: Mapped[str | None] = mapped_column(String(30))  # REPORT_REASONS; None on reports made before them
    reason: Mapped[str] = mapped_column(Text)
    at = mapped_column(db.DateTime, default=utcnow)
    resolved_at = mapped_column(db.DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # Set when a moderator kept the comment and dismissed the report: why, as the reporter is told it.
    dismissal_reason: Mapped[str | None] = mapped_column(Text)

    by = relationship("Person", foreign_keys=[by_id])
    resolved_by = relationship("Person", foreign_keys=[resolved_by_id])
    comment = relationship("Comment")

    __table_args__ = (Index("uq_comment_report_once", "comment_id", "by_id", unique=True),)  # once per person


class SafeguardingConcern(db.Model):
    """A possible disclosure of harm: on a comment, or a young person's own message. The DSL's record."""

    __tablename__ = "safeguarding_concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))  # the account the concern is about
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    source: Mapped[str] = mapped_column(String(10))  # CONCERN_SOURCES: moderator, self, signal (the word list)
    message: Mapped[str] = mapped_column(Text, default="")  # the young person's own words, or the moderator's note
    previous_status: Mapped[str | None] = mapped_column(String(10))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    raised_at = mapped_column(db.DateTime, default=utcnow)
    action_taken: Mapped[str | None] = mapped_column(Text)
    closed_at = mapped_column(db.DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    review: Mapped[str] = mapped_column(String(20), default="unreviewed")  # REVIEWS
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_at = mapped_column(db.DateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    comment = relationship("Comment")
    person = relationship("Person", foreign_keys=[person_id])
    organisation = relationship("Organisation")
    raised_by = relationship("Person", foreign_keys=[raised_by_id])
    closed_by = relationship("Person", foreign_keys=[closed_by_id])
    reviewed_by = relationship("Person", foreign_keys=[reviewed_by_id])
    redactions = relationship("RedactedText", order_by="RedactedText.id")

    __table_args__ = (
        CheckConstraint("source IN ('moderator', 'self', 'signal')", name="source"),
        CheckConstraint("comment_id IS NOT NULL OR message != ''", name="about_something"),
        CheckConstraint("review IN ('unreviewed', 'confirmed', 'not_disclosure')", name="review"),
    )

    @property
    def is_open(self):
        return self.closed_at is None

    @property
    def review_label(self):
        return REVIEWS[self.review]

    @property
    def source_label(self):
        return CONCERN_SOURCES[self.source]


class RedactedText(db.Model):
    """A comment text (or an earlier version of it) moved out of the consultation record into the DSL's."""

    __tablename__ = "redacted_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("safeguarding_concern.id"), index=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("comment_revision.id"))
    body: Mapped[str] = mapped_column(Text)
    redacted_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    redacted_at = mapped_column(db.DateTime, default=utcnow)


class AuthorNotice(db.Model):
    """What an author is told on their home page: their comment was hidden, and why."""

    __tablename__ = "author_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"))
    kind: Mapped[str] = mapped_column(String(10))  # hidden, rejected
    reason: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(db.DateTime, default=utcnow)
    dismissed_at = mapped_column(db.DateTime)

    __table_args__ = (CheckConstraint("kind IN ('hidden', 'rejected')", name="kind"),)


# Other words a comment carries besides its text, screened with it: functions (connection, comment) -> texts,
# registered by the rooms that keep them (app/suggestions: the replacement a suggestion proposes).
SCREENED_WITH = []


def _flag_young_peoples_comments(_mapper, connection, comment):
    """Keep Comment.flagged in step with the text: a hint in the queue for young people's and the public's comments
    only (the pre-moderated audiences)."""
    from app.accounts.models import PRE_MODERATED
    from app.moderation.signals import is_flagged

    comment.flagged = comment.author_audience in PRE_MODERATED and (
        is_flagged(comment.body) or any(is_flagged(words) for screened in SCREENED_WITH
                                        for words in screened(connection, comment)))


def _listen():
    from sqlalchemy import event

    from app.consultations.models import Comment

    for name in ("before_insert", "before_update"):
        if not event.contains(Comment, name, _flag_young_peoples_comments):
            event.listen(Comment, name, _flag_young_peoples_comments)


_listen()
