import enum

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow


class Role(str, enum.Enum):
    FACILITATOR = "facilitator"
    PRACTITIONER = "practitioner"
    VCS_PARTNER = "vcs_partner"
    YOUNG_PERSON = "young_person"
    LEAD_SIGNATORY = "lead_signatory"
    DELEGATED_SIGNATORY = "delegated_signatory"
    SCRUTINEER = "scrutineer"
    DSL = "dsl"
    YOUTH_WORKER = "youth_worker"  # leads a young people's group: issues its invite codes (app/moderation)
    PUBLIC = "public"  # a parent, carer or member of the public who registered themselves (app/accounts/registration.py)

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.FACILITATOR: "Facilitator (partnership business unit)",
    Role.PRACTITIONER: "Practitioner",
    Role.VCS_PARTNER: "Voluntary and community sector partner",
    Role.YOUNG_PERSON: "Young person",
    Role.LEAD_SIGNATORY: "Lead safeguarding partner (signatory)",
    Role.DELEGATED_SIGNATORY: "Delegated safeguarding partner (signatory)",
    Role.SCRUTINEER: "Independent scrutineer",
    Role.DSL: "Designated safeguarding lead",
    Role.YOUTH_WORKER: "Youth worker (leads a young people’s group)",
    Role.PUBLIC: "Parent, carer or member of the public",
}
SIGNATORY_ROLES = {Role.LEAD_SIGNATORY, Role.DELEGATED_SIGNATORY}


class Audience(str, enum.Enum):
    """Who a consultation is opened to."""

    PRACTITIONERS = "practitioners"
    VOLUNTARY_AND_COMMUNITY = "voluntary_and_community"
    YOUNG_PEOPLE = "young_people"
    PUBLIC = "public"

    @property
    def label(self):
        return {
            "practitioners": "Practitioners",
            "voluntary_and_community": "Voluntary and community sector",
            "young_people": "Young people's groups",
            "public": "Parents, carers and the public",
        }[self.value]


AUDIENCE_OF_ROLE = {
    Role.PRACTITIONER: Audience.PRACTITIONERS,
    Role.VCS_PARTNER: Audience.VOLUNTARY_AND_COMMUNITY,
    Role.YOUNG_PERSON: Audience.YOUNG_PEOPLE,
    Role.PUBLIC: Audience.PUBLIC,
}
# Audiences whose posts wait for a moderator and are screened by the harm-signal list (app/moderation/signals.py):
# young people, and the public, whom nobody in the partnership knows.
PRE_MODERATED = frozenset({Audience.YOUNG_PEOPLE.value, Audience.PUBLIC.value})
# How a member of the public is shown: the display name they choose at registration is one of these, never a name.
PUBLIC_NAMES = {"parent_or_carer": "A parent or carer", "member_of_public": "A member of the public"}


class TokenPurpose(str, enum.Enum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"
    EMAIL_CONFIRMATION = "email_confirmation"  # a member of the public's registration (app/accounts/registration.py)


def _values(enum_class):
    return ", ".join(f"'{member.value}'" for member in enum_class)


class Person(UserMixin, db.Model):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)  # stored lower-case
    username: Mapped[str | None] = mapped_column(String(40), unique=True)  # young people: no email
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None until the invitation is accepted
    is_active_account: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    created_at = mapped_column(db.DateTime, default=utcnow)
    password_changed_at = mapped_column(db.DateTime)
    erased_at = mapped_column(db.DateTime)  # identity removed: an erasure request or retention (app/privacy)
    email_confirmed_at = mapped_column(db.DateTime)  # the public: when they followed the link we emailed them
    # The voice of a workshop or paper session's group (app/workshops, issue 19): never signs in; its comments are
    # shown as its display name, "Participants in the … workshop, 12 people", wherever an author is named.
    is_group_voice: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    organisation = relationship("Organisation")
    grants = relationship("RoleGrant", back_populates="person", cascade="all, delete-orphan",
                          foreign_keys="RoleGrant.person_id", lazy="selectin")

    __table_args__ = (CheckConstraint("email IS NOT NULL OR username IS NOT NULL", name="has_login"),)

    # Flask-Login
    @property
    def is_active(self):
        return self.is_active_account and self.password_hash is not None

    @property
    def roles(self):
        return {Role(grant.role) for grant in self.grants}

    def has_role(self, *roles):
        return bool(self.roles & {Role(role) for role in roles})

    @property
    def audiences(self):
        return {AUDIENCE_OF_ROLE[role] for role in self.roles if role in AUDIENCE_OF_ROLE}

    @property
    def awaits_confirmation(self):
        """A member of the public who has not yet confirmed their email address: they may not take part yet."""
        return self.has_role(Role.PUBLIC) and self.email_confirmed_at is None

    @property
    def login_name(self):
        return self.email or self.username


class RoleGrant(db.Model):
    """A role held by a person. Signatories act for one statutory partner; a delegate also names their lead."""

    __tablename__ = "role_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    statutory_partner_id: Mapped[int | None] = mapped_column(ForeignKey("statutory_partner.id"))
    acting_for_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    person = relationship("Person", back_populates="grants", foreign_keys=[person_id])
    statutory_partner = relationship("StatutoryPartner")
    acting_for = relationship("Person", foreign_keys=[acting_for_id])

    __table_args__ = (
        UniqueConstraint("person_id", "role"),
        CheckConstraint(f"role IN ({_values(Role)})", name="role"),
        CheckConstraint(
            "(role IN ('lead_signatory', 'delegated_signatory')) = (statutory_partner_id IS NOT NULL)",
            name="signatory_partner",
        ),
        CheckConstraint("(role = 'delegated_signatory') = (acting_for_id IS NOT NULL)", name="delegate_lead"),
    )


class AuthSession(db.Model):
    """A signed-in session. The cookie carries a random secret; we keep only its SHA-256."""

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at = mapped_column(db.DateTime, default=utcnow)
    last_seen_at = mapped_column(db.DateTime, default=utcnow)
    revoked_at = mapped_column(db.DateTime)
    user_agent: Mapped[str | None] = mapped_column(String(200))

    person = relationship("Person")


class AccountToken(db.Model):
    """A single-use, expiring link: an invitation to set a password, a password reset, or an email confirmation."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at = mapped_column(db.DateTime, default=utcnow)
    expires_at = mapped_column(db.DateTime, nullable=False)
    used_at = mapped_column(db.DateTime)

    person = relationship("Person")

    __table_args__ = (CheckConstraint(f"purpose IN ({_values(TokenPurpose)})", name="purpose"),)


class RoleGrantRequest(db.Model):
    """A grant or removal of a role that carries power (app/accounts/grants.py), and the history of them.

    A grant of a guarded role waits as `pending` until another entitled person confirms it; a removal takes
    effect at once (taking power away needs no second pair of hands) and is stored `confirmed`.
    """

    __tablename__ = "role_grant_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    statutory_partner_id: Mapped[int | None] = mapped_column(ForeignKey("statutory_partner.id"))
    acting_for_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    change: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))  # None: the command line
    requested_at = mapped_column(db.DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at = mapped_column(db.DateTime)

    person = relationship("Person", foreign_keys=[person_id])
    statutory_partner = relationship("StatutoryPartner")
    acting_for = relationship("Person", foreign_keys=[acting_for_id])
    requested_by = relationship("Person", foreign_keys=[requested_by_id])
    decided_by = relationship("Person", foreign_keys=[decided_by_id])

    __table_args__ = (
        CheckConstraint(f"role IN ({_values(Role)})", name="role"),
        CheckConstraint("change IN ('grant', 'removal')", name="change"),
        CheckConstraint("status IN ('pending', 'confirmed', 'withdrawn')", name="status"),
    )
