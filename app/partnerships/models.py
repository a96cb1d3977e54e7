import enum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow


class OrganisationKind(str, enum.Enum):
    LOCAL_AUTHORITY = "local_authority"
    POLICE = "police"
    ICB = "icb"
    RELEVANT_AGENCY = "relevant_agency"
    EDUCATION_OR_CHILDCARE = "education_or_childcare"
    VOLUNTARY_OR_COMMUNITY = "voluntary_or_community"
    YOUNG_PEOPLES_GROUP = "young_peoples_group"

    @property
    def label(self):
        return ORGANISATION_KIND_LABELS[self]


ORGANISATION_KIND_LABELS = {
    OrganisationKind.LOCAL_AUTHORITY: "Local authority",
    OrganisationKind.POLICE: "Police",
    OrganisationKind.ICB: "Integrated care board",
    OrganisationKind.RELEVANT_AGENCY: "Relevant agency",
    OrganisationKind.EDUCATION_OR_CHILDCARE: "Designated education or childcare agency",
    OrganisationKind.VOLUNTARY_OR_COMMUNITY: "Voluntary or community organisation",
    OrganisationKind.YOUNG_PEOPLES_GROUP: "Young people's group",
}


class PartnerKind(str, enum.Enum):
    """The three safeguarding partners of Children Act 2004 s16E."""

    LOCAL_AUTHORITY = "local_authority"
    POLICE = "police"
    ICB = "icb"

    @property
    def label(self):
        return {"local_authority": "Local authority", "police": "Police", "icb": "Integrated care board"}[self.value]


class SignOffRule(str, enum.Enum):
    ALL_PARTNERS = "all_partners"  # the default: every statutory partner approves
    ALL_LEADS = "all_leads"  # every lead safeguarding partner in person
    N_OF_M = "n_of_m"  # a quorum of statutory partners
    EVERY_AREA = "every_area"  # in every area, a local authority, a police force and an ICB covering it


def _values(enum_class):
    return ", ".join(f"'{member.value}'" for member in enum_class)


class Partnership(db.Model):
    __tablename__ = "partnership"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    signoff_rule: Mapped[str] = mapped_column(String(20), default=SignOffRule.ALL_PARTNERS.value)
    signoff_quorum: Mapped[int | None] = mapped_column(Integer)
    # issue 20 (passkeys): when on, partners decide sign-offs only with a passkey, never with their password
    passkey_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at = mapped_column(db.DateTime, default=utcnow)

    areas = relationship("Area", back_populates="partnership", order_by="Area.name")
    organisations = relationship("Organisation", back_populates="partnership", order_by="Organisation.name")
    statutory_partners = relationship("StatutoryPartner", back_populates="partnership", order_by="StatutoryPartner.id")

    __table_args__ = (
        CheckConstraint(f"signoff_rule IN ({_values(SignOffRule)})", name="signoff_rule"),
        # A quorum exactly when the rule is "n of m" (written out so that a NULL quorum fails the check).
        CheckConstraint("(signoff_rule = 'n_of_m' AND signoff_quorum IS NOT NULL AND signoff_quorum >= 1)"
                        " OR (signoff_rule != 'n_of_m' AND signoff_quorum IS NULL)", name="quorum"),
    )


class Area(db.Model):
    """A local authority area the partnership covers (one or more)."""

    __tablename__ = "area"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    partnership = relationship("Partnership", back_populates="areas")

    __table_args__ = (UniqueConstraint("partnership_id", "name"),)


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    created_at = mapped_column(db.DateTime, default=utcnow)

    partnership = relationship("Partnership", back_populates="organisations")
    statutory_partner = relationship(
        "StatutoryPartner", secondary="statutory_partner_member", back_populates="organisations", uselist=False
    )

    __table_args__ = (
        UniqueConstraint("partnership_id", "name"),
        CheckConstraint(f"kind IN ({_values(OrganisationKind)})", name="kind"),
    )

    @property
    def kind_label(self):
        return OrganisationKind(self.kind).label


class StatutoryPartner(db.Model):
    """One of the partnership's safeguarding partners; a slot may hold several organisations."""

    __tablename__ = "statutory_partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))

    partnership = relationship("Partnership", back_populates="statutory_partners")
    organisations = relationship(
        "Organisation", secondary="statutory_partner_member", back_populates="statutory_partner",
        order_by="Organisation.name",
    )
    # The partnership's areas this partner covers (s16E "any part of": a police force or ICB may cover several).
    areas = relationship("Area", secondary="statutory_partner_area", order_by="Area.name")

    __table_args__ = (
        UniqueConstraint("partnership_id", "name"),
        CheckConstraint(f"kind IN ({_values(PartnerKind)})", name="kind"),
    )

    @property
    def kind_label(self):
        return PartnerKind(self.kind).label


class StatutoryPartnerMember(db.Model):
    """An organisation acting within a statutory partner (each organisation in at most one)."""

    __tablename__ = "statutory_partner_member"

    statutory_partner_id: Mapped[int] = mapped_column(ForeignKey("statutory_partner.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True, unique=True)


class StatutoryPartnerArea(db.Model):
    """A statutory partner covers an area of its partnership."""

    __tablename__ = "statutory_partner_area"

    statutory_partner_id: Mapped[int] = mapped_column(ForeignKey("statutory_partner.id"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True, index=True)
