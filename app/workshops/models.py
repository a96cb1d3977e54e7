"""Workshop and paper sessions and their photos (issue 19)."""
import enum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow


class Method(str, enum.Enum):
    """How the group took part."""

    WORKSHOP = "workshop"
    PAPER = "paper"
    EASY_READ = "easy_read"
    INTERVIEW = "interview"

    @property
    def label(self):
        return METHOD_LABELS[self]

    @property
    def noun(self):
        """'the … workshop', 'the … paper forms' in the group voice's name."""
        return {"workshop": "workshop", "paper": "paper forms", "easy_read": "easy read forms",
                "interview": "interviews"}[self.value]


METHOD_LABELS = {Method.WORKSHOP: "Workshop", Method.PAPER: "Paper forms", Method.EASY_READ: "Easy read forms",
                 Method.INTERVIEW: "Interview"}
# The audiences whose voice a session may carry: the pre-moderated ones (their words are screened for disclosures).
SESSION_AUDIENCES = ("young_people", "public")


class WorkshopSession(db.Model):
    """A workshop, paper forms, easy read forms or interviews held with a group for a consultation, recorded by a
    facilitator or youth worker. Its contributions are comments by its group voice (voice_id)."""

    __tablename__ = "workshop_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    held_on = mapped_column(Date, nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    group_name: Mapped[str] = mapped_column(String(120))
    participants: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(12))
    audience: Mapped[str] = mapped_column(String(30))
    voice_id: Mapped[int] = mapped_column(ForeignKey("person.id"), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recorded_at = mapped_column(db.DateTime, default=utcnow)

    consultation = relationship("Consultation")
    organisation = relationship("Organisation")
    voice = relationship("Person", foreign_keys=[voice_id])
    recorded_by = relationship("Person", foreign_keys=[recorded_by_id])
    photos = relationship("WorkshopPhoto", order_by="WorkshopPhoto.id", back_populates="session")

    __table_args__ = (
        CheckConstraint("participants >= 1 AND participants <= 10000", name="participants"),
        CheckConstraint("method IN ('workshop', 'paper', 'easy_read', 'interview')", name="method"),
        CheckConstraint("audience IN ('young_people', 'public')", name="audience"),
    )

    @property
    def method_label(self):
        return Method(self.method).label

    @property
    def voice_name(self):
        return voice_name(self.group_name, self.method, self.participants)


def voice_name(group_name, method, participants):
    """'Participants in the North Somerset Youth Council workshop, 12 people' (at most 120 characters)."""
    people = "1 person" if participants == 1 else f"{participants:,} people"
    tail = f" {Method(method).noun}, {people}"
    room = 120 - len("Participants in the ") - len(tail)
    group = group_name if len(group_name) <= room else group_name[:room - 1].rstrip() + "…"
    return f"Participants in the {group}{tail}"


class WorkshopPhoto(db.Model):
    """A photo or scan of a session's flipcharts or forms (a stored_file, re-encoded without metadata): for
    facilitators, youth workers, moderators and the scrutineer only."""

    __tablename__ = "workshop_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("workshop_session.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    added_at = mapped_column(db.DateTime, default=utcnow)

    session = relationship("WorkshopSession", back_populates="photos")
    file = relationship("StoredFile", lazy="joined")
