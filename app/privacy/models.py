"""The partnership's data protection settings: who the controller is, its lawful basis, its retention periods."""
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

# UK GDPR Article 6(1) bases a partnership may rely on, as the notices explain them.
LAWFUL_BASES = {
    "public_task": ("Public task (UK GDPR Article 6(1)(e))",
                    "the partners must make and publish safeguarding arrangements (Children Act 2004, "
                    "section 16E), and asking people who work with children, and children themselves, is part of "
                    "doing that well"),
    "legitimate_interests": ("Legitimate interests (UK GDPR Article 6(1)(f))",
                             "the partnership has a legitimate interest in hearing from the people its arrangements "
                             "affect, and we have checked that this does not override your rights"),
    "consent": ("Consent (UK GDPR Article 6(1)(a))",
                "you agree to take part, and you can withdraw that agreement at any time"),
}
# How a comment's words may be used beyond the partnership (the author's choice; young people's default is narrower).
USES = {
    "public": "In the published “You said, we did” and in open data, without my name",
    "partnership": "Only by the partnership and the independent scrutineer",
}
DEFAULTS = {"lawful_basis": "public_task", "young_account_months": 12, "outbox_days": 30, "session_days": 30}


class DataProtectionSetting(db.Model):
    """One row per partnership; until a facilitator saves one, app.privacy.services.settings_for fills defaults."""

    __tablename__ = "data_protection_setting"

    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), primary_key=True)
    controller_name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_address: Mapped[str] = mapped_column(Text, default="", server_default="")
    lawful_basis: Mapped[str] = mapped_column(String(30), default="public_task", server_default="public_task")
    young_account_months: Mapped[int] = mapped_column(Integer, default=12, server_default="12")
    outbox_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    session_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    updated_at = mapped_column(db.DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    __table_args__ = (
        CheckConstraint("lawful_basis IN ('public_task', 'legitimate_interests', 'consent')", name="lawful_basis"),
        CheckConstraint("young_account_months >= 1 AND outbox_days >= 1 AND session_days >= 1", name="periods"),
    )

    @property
    def lawful_basis_label(self):
        return LAWFUL_BASES[self.lawful_basis][0]

    @property
    def lawful_basis_reason(self):
        return LAWFUL_BASES[self.lawful_basis][1]
