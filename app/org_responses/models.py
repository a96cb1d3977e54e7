"""A formal response from an organisation: a draft its lead and co-authors prepare, then submitted once.

The database holds the two rules that matter most: an organisation submits at most one response to a consultation
(a UNIQUE index over submitted rows only), and a submitted response never changes (triggers refuse any UPDATE or
DELETE of it, and any change to its section comments or co-authors: migration 0012_issue19_org_responses).
"""
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.partnerships.models import OrganisationKind
from app.timeutil import utcnow


class OrgResponseStatus(str, enum.Enum):
    DRAFT = "draft"  # seen by its lead and co-authors only
    SUBMITTED = "submitted"  # public to everyone who reads the consultation; frozen


# The organisations that may respond formally: voluntary-sector and statutory ones (not a young people's group,
# whose members take part as young people).
FORMAL_KINDS = frozenset({OrganisationKind.VOLUNTARY_OR_COMMUNITY.value, OrganisationKind.LOCAL_AUTHORITY.value,
                          OrganisationKind.POLICE.value, OrganisationKind.ICB.value,
                          OrganisationKind.RELEVANT_AGENCY.value, OrganisationKind.EDUCATION_OR_CHILDCARE.value})


class OrgResponse(db.Model):
    """An organisation's formal response to a consultation: comments per section and an overall statement.

    `version` counts the saves: a save names the version it started from and is refused if someone saved since,
    so co-authors never silently overwrite each other."""

    __tablename__ = "org_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=OrgResponseStatus.DRAFT.value)
    overall: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at = mapped_column(db.DateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(db.DateTime, default=utcnow, nullable=False)
    submitted_at = mapped_column(db.DateTime)
    body_sha256: Mapped[str | None] = mapped_column(String(64))  # of full_text() as submitted

    organisation = relationship("Organisation")
    lead = relationship("Person", foreign_keys=[lead_id])
    updated_by = relationship("Person", foreign_keys=[updated_by_id])
    consultation = relationship("Consultation")
    sections = relationship("OrgResponseSection", order_by="OrgResponseSection.section_id", lazy="selectin")
    co_authors = relationship("OrgResponseAuthor", order_by="OrgResponseAuthor.added_at", lazy="selectin")

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        CheckConstraint("(status = 'submitted') = (submitted_at IS NOT NULL AND body_sha256 IS NOT NULL)",
                        name="submitted_has_time_and_hash"),
        CheckConstraint("version >= 1", name="version"),
        # One submitted response per organisation per consultation (drafts may be several, none public).
        Index("uq_org_response_submitted", "consultation_id", "organisation_id", unique=True,
              sqlite_where=text("status = 'submitted'"), postgresql_where=text("status = 'submitted'")),
    )

    @property
    def is_submitted(self):
        return self.status == OrgResponseStatus.SUBMITTED.value

    @property
    def author_ids(self):
        return {self.lead_id} | {a.person_id for a in self.co_authors}

    def text_for(self, section_id):
        return next((s.body for s in self.sections if s.section_id == section_id), "")


class OrgResponseSection(db.Model):
    """A formal response's comment on one section of the consulted version."""

    __tablename__ = "org_response_section"

    org_response_id: Mapped[int] = mapped_column(ForeignKey("org_response.id"), primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"), primary_key=True)
    body: Mapped[str] = mapped_column(Text)

    __table_args__ = (CheckConstraint("length(body) > 0", name="has_body"),)


class OrgResponseAuthor(db.Model):
    """A co-author of a formal response: someone of the same organisation whom the lead added."""

    __tablename__ = "org_response_author"

    org_response_id: Mapped[int] = mapped_column(ForeignKey("org_response.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True, index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    added_at = mapped_column(db.DateTime, default=utcnow, nullable=False)

    person = relationship("Person", foreign_keys=[person_id])


class OrgResponseAnswer(db.Model):
    """The partnership's answer to a submitted formal response ("You said, we did"): one per response. A draft
    (published_at NULL) is seen only by facilitators and the scrutineer."""

    __tablename__ = "org_response_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_response_id: Mapped[int] = mapped_column(ForeignKey("org_response.id"), unique=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at = mapped_column(db.DateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(db.DateTime, default=utcnow, nullable=False)
    published_at = mapped_column(db.DateTime)

    __table_args__ = (
        CheckConstraint("outcome IN ('accepted', 'partly_accepted', 'not_accepted', 'already_covered')",
                        name="outcome"),
        CheckConstraint("length(reason) > 0", name="has_reason"),
    )

    @property
    def outcome_label(self):
        from app.responses.models import OUTCOME_LABELS

        return OUTCOME_LABELS[self.outcome]

    @property
    def is_published(self):
        return self.published_at is not None
