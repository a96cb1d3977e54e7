"""Attaching documents to drafts, removing them, and who may read them. One function = one transaction.

A facilitator attaches a PDF, DOCX, ODT, PNG or JPEG (UPLOAD_MAX_BYTES at most) to a draft or one of its sections,
and may mark it as an easy read version or a version in another language. The file is checked by its content
(app/attachments/sniff.py); a refused one leaves nothing behind, neither a file nor a row. Every attachment and
removal is logged with the stored file's SHA-256 (`attachment.added`, `attachment.removed`).

Attachments belong to the draft, not to one version: an easy read version is usually made once the draft is final,
and a section keeps its key from version to version, so a section's attachments follow it.
"""
from flask import current_app
from sqlalchemy import select

from app.access import OVERSEERS
from app.accounts.models import Role
from app.attachments import sniff, storage
from app.attachments.models import LANGUAGES, AttachmentKind, DraftAttachment, StoredFile
from app.database import transaction
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.timeutil import utcnow
from app.trail import services as trail

MAX_TITLE = 200
MAX_ALT = 1000


def _clean(text):
    from app.consultations.services import clean_text

    return clean_text(text)


def check_file(upload, allowed=sniff.DOCUMENTS, field="file"):
    """sniff.check_upload with the app's settings: a CheckedFile in the upload folder, or UploadRefused."""
    config = current_app.config
    return sniff.check_upload(upload, allowed=allowed, folder=config["UPLOAD_FOLDER"],
                              max_bytes=config["UPLOAD_MAX_BYTES"], max_pixels=config["UPLOAD_MAX_IMAGE_PIXELS"],
                              field=field)


def store(checked, *, partnership_id, by_id, now):
    """Inside a transaction: put a checked file in place and add its StoredFile row. If the transaction then fails,
    the caller's `except` must call storage.forget(row.storage_key) (see `stored_in`)."""
    key = storage.keep(checked)
    row = StoredFile(partnership_id=partnership_id, storage_key=key, file_type=checked.type.value,
                     size=checked.size, sha256=checked.sha256, uploaded_by_id=by_id, uploaded_at=now)
    db.session.add(row)
    return row


class stored_in:
    """`with stored_in(checked) as keep:` — keep(**row facts) stores the file; if the block fails, the file (kept or
    not) is removed again, so a failed transaction leaves nothing on disk."""

    def __init__(self, checked):
        self.checked, self.rows = checked, []

    def __enter__(self):
        def keep(**facts):
            row = store(self.checked, **facts)
            self.rows.append(row.storage_key)
            return row

        return keep

    def __exit__(self, kind, error, traceback):
        if kind is not None:
            self.checked.discard()
            for key in self.rows:
                storage.forget(key)
        return False


def _section_keys(draft):
    from app.drafts.models import DraftVersion, Section

    return dict(db.session.execute(
        select(Section.key, Section.title).join(DraftVersion, Section.version_id == DraftVersion.id)
        .where(DraftVersion.draft_id == draft.id).order_by(DraftVersion.number)).all())


def _require_facilitator(by, draft):
    if not by.has_role(Role.FACILITATOR):
        raise NotAllowed("Only facilitators can attach documents to a draft")
    if draft is None or draft.partnership_id != by.partnership_id:
        raise NotFound("No such draft")


def check_details(draft, *, title, kind, language, section_key):
    """The attachment's details, cleaned, or DomainError on the field at fault (checked before the file is read)."""
    title = _clean(title)
    if not title:
        raise DomainError("Enter a title for the document", field="title")
    if len(title) > MAX_TITLE or "\n" in title:
        raise DomainError("The title must be one line of 200 characters or fewer", field="title")
    try:
        kind = AttachmentKind(kind).value
    except ValueError:
        raise DomainError("Choose what kind of document this is", field="kind") from None
    language = (language or "en").strip()
    if language not in LANGUAGES:
        raise DomainError("Choose the language the document is in", field="language")
    if kind == AttachmentKind.OTHER_LANGUAGE.value and language == "en":
        raise DomainError("Choose the language this version is in (not English)", field="language")
    section_key = section_key or None
    if section_key is not None and section_key not in _section_keys(draft):
        raise DomainError("Choose a section of this draft, or the whole draft", field="section")
    return title, kind, language, section_key


def attach(by, draft, upload, *, title, kind="document", language="en", alt_text="", section_key=None, now=None):
    """Attach an uploaded file (a werkzeug FileStorage) to a draft or one of its sections."""
    now = now or utcnow()
    _require_facilitator(by, draft)
    title, kind, language, section_key = check_details(draft, title=title, kind=kind, language=language,
                                                       section_key=section_key)
    alt_text = _clean(alt_text)
    if len(alt_text) > MAX_ALT:
        raise DomainError("The description of the image must be 1,000 characters or fewer", field="alt_text")
    checked = check_file(upload)
    if checked.type.is_image and not alt_text:
        checked.discard()
        raise DomainError("Describe the image for people who cannot see it", field="alt_text")
    with stored_in(checked) as keep, transaction() as session:
        by_id = by.id
        stored = keep(partnership_id=draft.partnership_id, by_id=by_id, now=now)
        session.flush()
        attachment = DraftAttachment(draft_id=draft.id, section_key=section_key, file_id=stored.id, title=title,
                                     kind=kind, language=language,
                                     alt_text=alt_text if checked.type.is_image else "", added_by_id=by_id,
                                     added_at=now)
        session.add(attachment)
        session.flush()
        trail.append("attachment.added", f"attachment:{attachment.id}", {
            "draft": draft.id, "section": section_key, "kind": kind, "language": language,
            "file_type": checked.type.value, "size": checked.size, "sha256": checked.sha256,
            "uploaded_sha256": checked.original_sha256, "title_sha256": trail.text_hash(title),
            "alt_sha256": trail.text_hash(attachment.alt_text)}, actor=by_id)
    return attachment


def remove(by, attachment, now=None):
    """Take an attachment off its draft: its row and file go; the log keeps its SHA-256."""
    with transaction() as session:
        from app.drafts.models import DraftArrangement

        by_id = by.id
        draft = db.session.get(DraftArrangement, attachment.draft_id)
        _require_facilitator(by, draft)
        stored = attachment.file
        key, sha256, attachment_id = stored.storage_key, stored.sha256, attachment.id
        session.delete(attachment)
        session.flush()
        session.delete(stored)
        session.flush()
        trail.append("attachment.removed", f"attachment:{attachment_id}", {
            "draft": draft.id, "sha256": sha256}, actor=by_id)
    storage.delete(key)


# --- reading ----------------------------------------------------------------------------------------

def attachments_of(draft_id):
    """The draft's attachments: the whole draft's first, then each section's, oldest first."""
    return db.session.execute(select(DraftAttachment).where(DraftAttachment.draft_id == draft_id)
                              .order_by(DraftAttachment.section_key.is_not(None), DraftAttachment.id)).scalars().all()


def by_section(draft_id):
    """{None: [the whole draft's], section key: [...]}."""
    grouped = {}
    for attachment in attachments_of(draft_id):
        grouped.setdefault(attachment.section_key, []).append(attachment)
    return grouped


def may_read(person, draft):
    """Who may download a draft's attachments: facilitators; the other overseers (scrutineer, signatories) once a
    version is published; and anyone who can read a consultation on it (its audiences, once it has opened)."""
    if person is None or not person.is_authenticated or draft is None \
            or draft.partnership_id != person.partnership_id:
        return False
    if person.has_role(Role.FACILITATOR):
        return True
    from app.drafts import services as drafts

    if person.has_role(*OVERSEERS) and drafts.published_versions(draft):
        return True
    from app.consultations.models import Consultation
    from app.consultations.queries import access_for
    from app.drafts.models import DraftVersion

    consultations = db.session.execute(select(Consultation).join(DraftVersion, Consultation.version_id == DraftVersion.id)
                                       .where(DraftVersion.draft_id == draft.id)).scalars()
    return any(access_for(person, consultation).can_read for consultation in consultations)
