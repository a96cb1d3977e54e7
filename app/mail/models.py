from sqlalchemy import CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import utcnow


class OutboxMessage(db.Model):
    """An email waiting to go, or gone.

    queued -> sending -> sent; a failed attempt goes back to queued with a later
    next_attempt_at, and to failed after MAIL_MAX_ATTEMPTS. A message left in
    `sending` by a crashed worker is never retried automatically (it may have
    reached the server): `flask send-mail` reports it instead of sending it twice.
    """

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at = mapped_column(db.DateTime, default=utcnow)
    next_attempt_at = mapped_column(db.DateTime, default=utcnow, index=True)
    claimed_at = mapped_column(db.DateTime)
    sent_at = mapped_column(db.DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name="status"),
    )
