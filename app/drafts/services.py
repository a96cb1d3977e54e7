"""The rules for draft arrangements and their versions. One function = one transaction."""
import hashlib
import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts.models import Role
from app.database import transaction
from app.drafts.models import DraftArrangement, DraftVersion, Section, SectionTopic, Topic, VersionStatus
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.timeutil import utcnow
from app.trail import services as trail
from app.trail.verify_log import canonical

TITLE_MAX = 200  # the columns' length (PostgreSQL enforces it; SQLite would not)


def content_hash(version):
    """SHA-256 of the version's canonical content: what sign-offs and the public page point at."""
    content = {
        "draft": version.draft_id,
        "number": version.number,
        "sections": [
            {"key": s.key, "title": s.title, "body": s.body, "plain_summary": s.plain_summary,
             "topics": sorted(t.topic for t in s.topics)}
            for s in sorted(version.sections, key=lambda s: (s.position, s.id))
        ],
    }
    return hashlib.sha256(canonical(content).encode("utf-8")).hexdigest()


def _lock_version(session, version):
    """The version re-read under a row lock, so that editing and publishing one version never interleave.

    PostgreSQL: SELECT ... FOR UPDATE, so a second facilitator waits and then sees the first one's change
    (services there keep the view's READ COMMITTED transaction, see app.database). SQLite: BEGIN IMMEDIATE
    already serialises writers. Everything is expired first, so the rules and the content hash are checked
    against what is committed now, not what the page loaded.
    """
    version_id = version.id
    session.flush()
    session.expire_all()
    return session.execute(select(DraftVersion).where(DraftVersion.id == version_id).with_for_update()).scalar_one()


def _require_working(version):
    if version.status != VersionStatus.WORKING.value:
        raise DomainError("This version has been published and can no longer change. Make a new version to edit it.")


def _require_facilitator(by):
    if by is None or not by.has_role(Role.FACILITATOR):
        raise NotAllowed("Only the partnership's facilitators can change draft arrangements")


def _title(value, what="a title"):
    value = (value or "").strip()
    if not value:
        raise DomainError(f"Enter {what}", field="title")
    if len(value) > TITLE_MAX:
        raise DomainError(f"The title must be {TITLE_MAX} characters or fewer", field="title")
    return value


def create_draft(by, partnership, *, title, summary=""):
    """A new draft arrangement with an empty working version 1."""
    _require_facilitator(by)
    title = _title(title, "the draft's title")
    with transaction() as session:
        draft = DraftArrangement(partnership_id=partnership.id, title=title, summary=(summary or "").strip(),
                                 created_by_id=by.id)
        session.add(draft)
        session.flush()
        version = DraftVersion(draft_id=draft.id, number=1, status=VersionStatus.WORKING.value, created_by_id=by.id)
        session.add(version)
        session.flush()
        trail.append("draft.created", f"draft:{draft.id}",
                     {"title_sha256": trail.text_hash(draft.title), "version": version.id}, actor=by.id)
    return draft


def _log_section(action, by, section):
    trail.append(action, f"section:{section.id}", {
        "version": section.version_id, "key": section.key, "position": section.position,
        "title_sha256": trail.text_hash(section.title), "body_sha256": trail.text_hash(section.body),
        "plain_summary_sha256": trail.text_hash(section.plain_summary),
        "topics": sorted(t.topic for t in section.topics),
    }, actor=by.id)


def _set_topics(section, topics):
    wanted = {Topic(t).value for t in topics}
    for row in list(section.topics):
        if row.topic not in wanted:
            section.topics.remove(row)
    have = {row.topic for row in section.topics}
    for topic in sorted(wanted - have):
        section.topics.append(SectionTopic(topic=topic))


def add_section(by, version, *, title, body="", plain_summary="", topics=()):
    """A new section at the end of a working version. Its key is new: compare shows it as added."""
    _require_facilitator(by)
    title = _title(title, "the section's title")
    with transaction() as session:
        version = _lock_version(session, version)
        _require_working(version)
        position = session.execute(select(func.coalesce(func.max(Section.position), 0))
                                   .where(Section.version_id == version.id)).scalar_one() + 1
        section = Section(version_id=version.id, key=uuid.uuid4().hex, position=position, title=title,
                          body=(body or "").strip(), plain_summary=(plain_summary or "").strip())
        session.add(section)
        session.flush()
        _set_topics(section, topics)
        session.flush()
        _log_section("section.added", by, section)
    return section


def update_section(by, section, *, title, body, plain_summary="", topics=()):
    """Change a section of a working version. Saving it unchanged changes (and logs) nothing."""
    _require_facilitator(by)
    title = _title(title, "the section's title")
    body, plain_summary = (body or "").strip(), (plain_summary or "").strip()
    wanted = {Topic(t) for t in topics}
    with transaction() as session:
        _require_working(_lock_version(session, section.version))
        if (section.title, section.body, section.plain_summary, section.topic_set) == (title, body, plain_summary,
                                                                                        wanted):
            return section
        section.title, section.body, section.plain_summary = title, body, plain_summary
        _set_topics(section, wanted)
        session.flush()
        _log_section("section.edited", by, section)
    return section


def move_section(by, section, offset):
    """Swap a section with its neighbour above (offset -1) or below (+1)."""
    _require_facilitator(by)
    if offset not in (-1, 1):
        raise DomainError("A section moves one place up or down at a time")
    with transaction() as session:
        _require_working(_lock_version(session, section.version))
        ordered = sorted(section.version.sections, key=lambda s: (s.position, s.id))
        index = ordered.index(section)
        other = index + offset
        if not 0 <= other < len(ordered):
            raise DomainError("That section cannot move further " + ("up" if offset < 0 else "down"))
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            item.position = position
        session.flush()
        trail.append("section.moved", f"section:{section.id}",
                     {"version": section.version_id, "order": [s.key for s in ordered]}, actor=by.id)


def remove_section(by, section):
    """Take a section out of a working version (earlier, published versions keep theirs)."""
    _require_facilitator(by)
    with transaction() as session:
        _require_working(_lock_version(session, section.version))
        section_id, version_id, key = section.id, section.version_id, section.key
        session.delete(section)
        session.flush()
        trail.append("section.removed", f"section:{section_id}", {"version": version_id, "key": key}, actor=by.id)


def publish_version(by, version, *, change_note=""):
    """Freeze a working version: it gets its content hash and never changes again."""
    _require_facilitator(by)
    with transaction() as session:
        version = _lock_version(session, version)
        _require_working(version)
        if not version.sections:
            raise DomainError("Add at least one section before publishing this version")
        by_id, digest = by.id, content_hash(version)
        # All at once: the database checks that a published version is hashed and dated.
        version.change_note, version.content_hash, version.status = (change_note or "").strip(), digest, "published"
        version.published_at, version.published_by_id = utcnow(), by_id
        session.flush()
        trail.append("draft.version_published", f"draft_version:{version.id}",
                     {"draft": version.draft_id, "number": version.number, "content_hash": version.content_hash,
                      "change_note_sha256": trail.text_hash(version.change_note)}, actor=by.id)
    return version


def new_version_from(by, version):
    """A new working version copied from a published one; sections keep their keys so versions compare."""
    _require_facilitator(by)
    try:
        with transaction() as session:
            if not version.is_published:
                raise DomainError("Only a published version can be the basis of a new version")
            working = session.execute(select(DraftVersion).where(
                DraftVersion.draft_id == version.draft_id,
                DraftVersion.status == VersionStatus.WORKING.value)).scalar_one_or_none()
            if working is not None:
                raise DomainError(f"Version {working.number} is already being edited; publish it first")
            number = session.execute(select(func.max(DraftVersion.number))
                                     .where(DraftVersion.draft_id == version.draft_id)).scalar_one() + 1
            new = DraftVersion(draft_id=version.draft_id, number=number, status=VersionStatus.WORKING.value,
                               based_on_id=version.id, created_by_id=by.id)
            session.add(new)
            session.flush()
            for old in version.sections:
                copy = Section(version_id=new.id, key=old.key, position=old.position, title=old.title, body=old.body,
                               plain_summary=old.plain_summary)
                session.add(copy)
                session.flush()
                copy.topics.extend(SectionTopic(topic=t.topic) for t in old.topics)
            session.flush()
            trail.append("draft.version_created", f"draft_version:{new.id}",
                         {"draft": version.draft_id, "number": number, "based_on": version.id}, actor=by.id)
    except IntegrityError:
        # Two facilitators at once (PostgreSQL): the one-working-version index refused the second.
        raise DomainError("Another version of this draft is already being edited; reload the page") from None
    return new


def missing_topics(version):
    """The Working Together topics no section of this version covers yet, in checklist order."""
    covered = {t.topic for s in version.sections for t in s.topics}
    return [topic for topic in Topic if topic.value not in covered]


def checklist(version):
    """[(topic, [sections covering it])] for every Working Together topic, in checklist order."""
    sections = sorted(version.sections, key=lambda s: (s.position, s.id)) if version is not None else []
    return [(topic, [s for s in sections if topic in s.topic_set]) for topic in Topic]


# --- reading -------------------------------------------------------------------------------------

def get_version(draft_id, number):
    return db.session.execute(select(DraftVersion).where(DraftVersion.draft_id == draft_id,
                                                         DraftVersion.number == number)).scalar_one_or_none()


def drafts_of(partnership):
    """The partnership's drafts, newest first, with their versions loaded."""
    return db.session.execute(select(DraftArrangement).where(DraftArrangement.partnership_id == partnership.id)
                              .options(selectinload(DraftArrangement.versions))
                              .order_by(DraftArrangement.created_at.desc(), DraftArrangement.id.desc())
                              ).scalars().all()


def working_version(draft):
    return next((v for v in draft.versions if not v.is_published), None)


def published_versions(draft):
    return [v for v in draft.versions if v.is_published]


def latest_published(draft):
    published = published_versions(draft)
    return published[-1] if published else None
