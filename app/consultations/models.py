import enum
from datetime import timedelta

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow

MAX_DEPTH = 2  # a comment (0), a reply (1), a reply to a reply (2): three levels


class CommentStatus(str, enum.Enum):
    PUBLISHED = "published"
    PENDING = "pending"  # waiting for a moderator (young people's comments)
    HIDDEN = "hidden"  # hidden by a moderator, with a reason
    WITHDRAWN = "withdrawn"  # by its author; the text is kept for the trail
    CONCERN = "concern"  # under a safeguarding concern: DSL and scrutineers only


class ConsultationState(str, enum.Enum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self):
        return {"scheduled": "Not open yet", "open": "Open", "closed": "Closed"}[self.value]


class VoteChoice(str, enum.Enum):
    SUPPORT = "support"
    SUPPORT_WITH_CHANGES = "support_with_changes"
    OPPOSE = "oppose"

    @property
    def label(self):
        return {"support": "Support", "support_with_changes": "Support with changes", "oppose": "Oppose"}[self.value]


class Consultation(db.Model):
    """A published version opened to chosen audiences between two instants (UTC).

    Its state follows from the clock: scheduled before opens_at, open until
    closes_at (or closed_early_at), closed after. No job is needed to close it.
    """

    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    opens_at = mapped_column(db.DateTime, nullable=False)
    closes_at = mapped_column(db.DateTime, nullable=False)
    closed_early_at = mapped_column(db.DateTime)
    close_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at = mapped_column(db.DateTime, default=utcnow)

    version = relationship("DraftVersion")
    audiences = relationship("ConsultationAudience", cascade="all, delete-orphan", lazy="selectin")
    extensions = relationship("ConsultationExtension", order_by="ConsultationExtension.id")

    __table_args__ = (CheckConstraint("closes_at > opens_at", name="dates_in_order"),)

    @property
    def partnership_id(self):
        """The partnership whose draft this consults on (who may see it, moderate it, sign it off)."""
        return self.version.draft.partnership_id

    @property
    def audience_set(self):
        from app.accounts.models import Audience

        return {Audience(a.audience) for a in self.audiences}

    @property
    def ends_at(self):
        """When taking part stops: the closing time, or the moment it was closed early."""
        if self.closed_early_at is not None and self.closed_early_at < self.closes_at:
            return self.closed_early_at
        return self.closes_at

    def state_at(self, now=None):
        """'scheduled', 'open' or 'closed' at `now` (naive UTC): the clock decides, no job."""
        now = now or utcnow()
        if now >= self.ends_at:
            return ConsultationState.CLOSED.value
        if now < self.opens_at:
            return ConsultationState.SCHEDULED.value
        return ConsultationState.OPEN.value

    @property
    def state(self):
        return self.state_at()

    def next_change_at(self, now=None):
        """When the clock alone next changes the state (None once closed): how long a page of it may be kept."""
        now = now or utcnow()
        return next((moment for moment in (self.opens_at, self.ends_at) if now < moment), None)

    def time_left(self, now=None):
        return max(self.ends_at - (now or utcnow()), timedelta(0))


class ConsultationAudience(db.Model):
    __tablename__ = "consultation_audience"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), primary_key=True)
    audience: Mapped[str] = mapped_column(String(30), primary_key=True)

    __table_args__ = (
        CheckConstraint("audience IN ('practitioners', 'voluntary_and_community', 'young_people', 'public')",
                        name="audience"),
    )


class ConsultationExtension(db.Model):
    """A change of closing time, with who, when and why."""

    __tablename__ = "consultation_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    previous_closes_at = mapped_column(db.DateTime, nullable=False)
    new_closes_at = mapped_column(db.DateTime, nullable=False)
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    at = mapped_column(db.DateTime, default=utcnow)


class Comment(db.Model):
    """A comment on the whole draft (section_id NULL) or on a section; replies nest up to MAX_DEPTH."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))  # the top-level comment (itself for one)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    author_audience: Mapped[str | None] = mapped_column(String(30))  # the audience they took part as
    body: Mapped[str] = mapped_column(Text)  # current text (earlier texts in comment_revision)
    status: Mapped[str] = mapped_column(String(10), default=CommentStatus.PUBLISHED.value)
    created_at = mapped_column(db.DateTime, default=utcnow)
    edited_at = mapped_column(db.DateTime)
    withdrawn_at = mapped_column(db.DateTime)
    # Moderation (app/moderation): a word-list hint, the reason it was hidden, when its text was redacted.
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    moderation_reason: Mapped[str | None] = mapped_column(Text)
    redacted_at = mapped_column(db.DateTime)
    # The comment form's one-time key (issue 14): the same form sent twice stores one comment.
    submission_key: Mapped[str | None] = mapped_column(String(64))
    # Personal data (app/privacy): how far the words may go beyond the partnership, and the SHA-256 of a text
    # removed at its author's request (the text itself becomes app.privacy.ERASED_MARKER).
    publish_use: Mapped[str] = mapped_column(String(12), default="partnership", server_default="partnership")
    erased_sha256: Mapped[str | None] = mapped_column(String(64))

    author = relationship("Person")
    consultation = relationship("Consultation")
    section = relationship("Section")
    parent = relationship("Comment", remote_side=[id], foreign_keys=[parent_id])
    revisions = relationship("CommentRevision", order_by="CommentRevision.id")

    __table_args__ = (
        CheckConstraint("depth >= 0 AND depth <= 2", name="depth"),
        CheckConstraint("status IN ('published', 'pending', 'hidden', 'withdrawn', 'concern')", name="status"),
        CheckConstraint("(parent_id IS NULL) = (depth = 0)", name="parent_depth"),
        # Paging threads newest first and loading a thread's replies.
        Index("ix_comment_consultation_thread", "consultation_id", "depth", "id"),
        Index("ix_comment_thread", "thread_id", "id"),
        Index("ix_comment_slot", "consultation_id", "depth", "section_id", "id"),  # one slot's newest threads
        Index("uq_comment_submission", "author_id", "submission_key", unique=True),
    )


class CommentTally(db.Model):
    """How many top-level comments a slot (0: the whole draft, else a section id) has in each status.

    Kept by database triggers (migration 0006) in the transaction that changes a comment: never written here.
    """

    __tablename__ = "comment_tally"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(10), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class CommentRevision(db.Model):
    """An earlier text of an edited comment: nothing in the trail is silently changed."""

    __tablename__ = "comment_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    written_at = mapped_column(db.DateTime, nullable=False)  # when this earlier text was written
    replaced_at = mapped_column(db.DateTime, default=utcnow)
    erased_sha256: Mapped[str | None] = mapped_column(String(64))  # see Comment.erased_sha256


class Vote(db.Model):
    """One vote per person per section per consultation (a database constraint); changeable while open."""

    __tablename__ = "vote"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    audience: Mapped[str | None] = mapped_column(String(30))
    choice: Mapped[str] = mapped_column(String(25))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at = mapped_column(db.DateTime, default=utcnow)
    updated_at = mapped_column(db.DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("consultation_id", "section_id", "person_id"),
        CheckConstraint("choice IN ('support', 'support_with_changes', 'oppose')", name="choice"),
        Index("ix_vote_tally", "consultation_id", "section_id", "audience", "choice"),
    )


class VoteTally(db.Model):
    """Votes per section, choice and audience ('' if none), kept by database triggers (migration 0006)."""

    __tablename__ = "vote_tally"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), primary_key=True)
    section_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    choice: Mapped[str] = mapped_column(String(25), primary_key=True)
    audience: Mapped[str] = mapped_column(String(30), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class ConsultationNotice(db.Model):
    """An email about a consultation queued for a person: at most one of each kind, ever."""

    __tablename__ = "consultation_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(20))  # opened, week_before, day_before
    queued_at = mapped_column(db.DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("consultation_id", "person_id", "kind"),
        CheckConstraint("kind IN ('opened', 'week_before', 'day_before')", name="kind"),
    )


class NotificationSetting(db.Model):
    """A person's choice about email (on unless they turn it off)."""

    __tablename__ = "notification_setting"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    consultation_emails: Mapped[bool] = mapped_column(Boolean, default=True)  # opening and closing reminders
    reply_emails: Mapped[bool] = mapped_column(Boolean, default=True)  # someone replied to my comment
