"""Files kept on disk, and the documents attached to drafts (issue 19)."""
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow


class FileType(str, enum.Enum):
    """What a file was found to be by its content (app/attachments/sniff.py), never by its name."""

    PDF = "pdf"
    DOCX = "docx"
    ODT = "odt"
    PNG = "png"
    JPEG = "jpeg"

    @property
    def content_type(self):
        return CONTENT_TYPES[self]

    @property
    def label(self):
        return FILE_TYPE_LABELS[self]

    @property
    def extension(self):
        return ".jpg" if self is FileType.JPEG else f".{self.value}"

    @property
    def is_image(self):
        return self in (FileType.PNG, FileType.JPEG)


CONTENT_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.ODT: "application/vnd.oasis.opendocument.text",
    FileType.PNG: "image/png",
    FileType.JPEG: "image/jpeg",
}
FILE_TYPE_LABELS = {FileType.PDF: "PDF", FileType.DOCX: "Word document (DOCX)",
                    FileType.ODT: "OpenDocument text (ODT)", FileType.PNG: "PNG image", FileType.JPEG: "JPEG image"}


class AttachmentKind(str, enum.Enum):
    DOCUMENT = "document"
    EASY_READ = "easy_read"
    OTHER_LANGUAGE = "other_language"

    @property
    def label(self):
        return {"document": "Supporting document", "easy_read": "Easy read version",
                "other_language": "Version in another language"}[self.value]


# The languages a version may be in: code -> (English name, its own name). Codes are BCP 47 (used as lang="…").
LANGUAGES = {
    "en": ("English", "English"), "cy": ("Welsh", "Cymraeg"), "pl": ("Polish", "Polski"),
    "ro": ("Romanian", "Română"), "pa": ("Punjabi", "ਪੰਜਾਬੀ"), "ur": ("Urdu", "اردو"), "bn": ("Bengali", "বাংলা"),
    "gu": ("Gujarati", "ગુજરાતી"), "ar": ("Arabic", "العربية"), "so": ("Somali", "Soomaali"),
    "pt": ("Portuguese", "Português"), "es": ("Spanish", "Español"), "lt": ("Lithuanian", "Lietuvių"),
    "uk": ("Ukrainian", "Українська"), "ps": ("Pashto", "پښتو"), "fa": ("Persian (Farsi)", "فارسی"),
    "ku": ("Kurdish", "Kurdî"), "ti": ("Tigrinya", "ትግርኛ"), "tr": ("Turkish", "Türkçe"),
    "zh": ("Chinese", "中文"),
}


def _values(enum_class):
    return ", ".join(f"'{member.value}'" for member in enum_class)


class StoredFile(db.Model):
    """A file someone uploaded, as kept on disk at UPLOAD_FOLDER/<key[:2]>/<key>: its type found by its content,
    its size and SHA-256. Never named by the uploader's file name; images are kept re-encoded, without metadata."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    storage_key: Mapped[str] = mapped_column(String(32), unique=True)  # random hex: the name on disk
    file_type: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)  # bytes, as stored
    sha256: Mapped[str] = mapped_column(String(64))  # of the bytes stored (for an image, after re-encoding)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    uploaded_at = mapped_column(db.DateTime, default=utcnow)

    __table_args__ = (CheckConstraint(f"file_type IN ({_values(FileType)})", name="file_type"),
                      CheckConstraint("size > 0", name="not_empty"))

    @property
    def type(self):
        return FileType(self.file_type)

    @property
    def size_label(self):
        return size_label(self.size)


def size_label(size):
    """'820 KB', '1.4 MB': as people read file sizes (1 MB = 1,000,000 bytes, as file managers say)."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{round(size / 1000)} KB"
    return f"{size / 1_000_000:.1f} MB"


class DraftAttachment(db.Model):
    """A document or image shown with a draft (section_key NULL) or one of its sections, in every version (sections
    keep their key from version to version). An easy read or other-language version says so (kind, language)."""

    __tablename__ = "draft_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft_arrangement.id"), index=True)
    section_key: Mapped[str | None] = mapped_column(String(32))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=AttachmentKind.DOCUMENT.value)
    language: Mapped[str] = mapped_column(String(12), default="en")
    alt_text: Mapped[str] = mapped_column(Text, default="")  # required for images
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    added_at = mapped_column(db.DateTime, default=utcnow)

    file = relationship("StoredFile", lazy="joined")

    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(AttachmentKind)})", name="kind"),
        CheckConstraint("kind != 'other_language' OR language != 'en'", name="other_language"),
    )

    @property
    def kind_label(self):
        return AttachmentKind(self.kind).label

    @property
    def language_name(self):
        return LANGUAGES.get(self.language, (self.language, self.language))[0]

    @property
    def language_own_name(self):
        return LANGUAGES.get(self.language, (self.language, self.language))[1]

    @property
    def tags(self):
        """What the list says about it beside its type and size: "Easy read", "Welsh"."""
        tags = []
        if self.kind == AttachmentKind.EASY_READ.value:
            tags.append("Easy read")
        if self.language != "en":
            tags.append(self.language_name)
        return tags
