import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow


class Topic(str, enum.Enum):
    """What published arrangements must cover (Working Together to Safeguard Children)."""

    PARTNERS_AND_AREA = "partners_and_area"
    WORKING_TOGETHER = "working_together"
    PRACTICE_REVIEWS = "practice_reviews"
    INDEPENDENT_SCRUTINY = "independent_scrutiny"
    RELEVANT_AGENCIES = "relevant_agencies"
    EDUCATION_SETTINGS = "education_settings"
    YOUTH_CUSTODY_AND_CHILDRENS_HOMES = "youth_custody_and_childrens_homes"
    USE_OF_DATA = "use_of_data"
    TRAINING = "training"

    @property
    def label(self):
        return TOPIC_LABELS[self]


TOPIC_LABELS = {
    Topic.PARTNERS_AND_AREA: "The safeguarding partners and the area covered",
    Topic.WORKING_TOGETHER: "How the partners will work together",
    Topic.PRACTICE_REVIEWS: "How local child safeguarding practice reviews are commissioned and published",
    Topic.INDEPENDENT_SCRUTINY: "Independent scrutiny of the arrangements",
    Topic.RELEVANT_AGENCIES: "Which relevant agencies are included, and why",
    Topic.EDUCATION_SETTINGS: "How schools and other education and childcare settings are included",
    Topic.YOUTH_CUSTODY_AND_CHILDRENS_HOMES: "How youth custody and children's homes are included",
    Topic.USE_OF_DATA: "How data will be used to judge effectiveness",
    Topic.TRAINING: "How multi-agency training is run",
}


class VersionStatus(str, enum.Enum):
    WORKING = "working"  # being edited by facilitators
    PUBLISHED = "published"  # frozen, hashed; may be consulted on and signed off


class DraftArrangement(db.Model):
    __tablename__ = "draft_arrangement"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at = mapped_column(db.DateTime, default=utcnow)

    versions = relationship("DraftVersion", back_populates="draft", order_by="DraftVersion.number")
    partnership = relationship("Partnership")


class DraftVersion(db.Model):
    """Version n of a draft. Working versions are edited; published ones never change (database triggers)."""

    __tablename__ = "draft_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft_arrangement.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=VersionStatus.WORKING.value)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("draft_version.id"))
    change_note: Mapped[str] = mapped_column(Text, default="")  # what changed from the version it is based on
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at = mapped_column(db.DateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    published_at = mapped_column(db.DateTime)
    content_hash: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the canonical content, on publishing

    draft = relationship("DraftArrangement", back_populates="versions")
    based_on = relationship("DraftVersion", remote_side=[id])
    sections = relationship("Section", back_populates="version", order_by="(Section.position, Section.id)")

    __table_args__ = (
        UniqueConstraint("draft_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("status IN ('working', 'published')", name="status"),
        CheckConstraint("(status = 'published') = (content_hash IS NOT NULL AND published_at IS NOT NULL)",
                        name="published_is_hashed"),
        # At most one working version per draft.
        Index("uq_draft_version_one_working", "draft_id", unique=True,
              sqlite_where=text("status = 'working'"), postgresql_where=text("status = 'working'")),
    )

    @property
    def is_published(self):
        return self.status == VersionStatus.PUBLISHED.value


class Section(db.Model):
    """One proposal in a version (e.g. one working group). `key` stays the same across versions, for compare."""

    __tablename__ = "section"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # safe Markdown subset, sanitised when rendered
    plain_summary: Mapped[str] = mapped_column(Text, default="")  # plain language, for young people

    version = relationship("DraftVersion", back_populates="sections")
    topics = relationship("SectionTopic", cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (UniqueConstraint("version_id", "key"),)

    @property
    def topic_set(self):
        return {Topic(t.topic) for t in self.topics}

    @property
    def topic_list(self):
        """The topics this section covers, in checklist order."""
        covered = self.topic_set
        return [topic for topic in Topic if topic in covered]


class SectionTopic(db.Model):
    """A section covers one of the Working Together topics."""

    __tablename__ = "section_topic"

    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)

    __table_args__ = (
        CheckConstraint("topic IN (" + ", ".join(f"'{t.value}'" for t in Topic) + ")", name="topic"),
    )
