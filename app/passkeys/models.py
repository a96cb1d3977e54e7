"""Passkeys (WebAuthn credentials) of the statutory partners' signatories, and the one-time registration
challenges they were made over."""
from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow

ES256, EDDSA = -7, -8  # the COSE algorithms accepted (ECDSA P-256 with SHA-256; Ed25519)


class Passkey(db.Model):
    """One passkey a signatory registered. Removing it keeps every sign-off made with it verifiable: each
    signoff_assertion row keeps its own copy of the public key."""

    __tablename__ = "passkey"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1023), unique=True)
    cose_public_key: Mapped[bytes] = mapped_column(LargeBinary)
    public_key_spki: Mapped[bytes] = mapped_column(LargeBinary)  # DER SubjectPublicKeyInfo, for any verifier
    algorithm: Mapped[int] = mapped_column(Integer)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(80))
    created_at = mapped_column(db.DateTime, default=utcnow)
    last_used_at = mapped_column(db.DateTime)

    person = relationship("Person")

    __table_args__ = (
        CheckConstraint("algorithm IN (-7, -8)", name="algorithm"),
        CheckConstraint("sign_count >= 0", name="sign_count"),
        CheckConstraint("length(label) > 0", name="label"),
    )


class PasskeyChallenge(db.Model):
    """A registration challenge given to one person's page: used once (deleted when used), and only until it
    expires. Kept in the database, not the cookie, so an old cookie cannot replay it."""

    __tablename__ = "passkey_challenge"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    challenge: Mapped[bytes] = mapped_column(LargeBinary(64), unique=True)
    expires_at = mapped_column(db.DateTime, nullable=False)
