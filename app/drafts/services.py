"""The rules for draft arrangements and their versions. One function = one transaction."""
import hashlib
import uuid

from sqlalchemy import func, select

from app.database import transaction
from app.drafts.models import DraftArrangement, DraftVersion, Section, SectionTopic, Topic, VersionStatus
from app.errors import DomainError
from app.extensions import db
from app.timeutil import utcnow
from app.trail import services as trail
from app.trail.chain import canonical


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


def _require_working(version):
    if version.status != VersionStatus.WORKING.value:
        raise DomainError("This version has been published and can no longer change. Make a new version to edit it.")


def create_draft(by, partnership, *, title, summary=""):
    """A new draft arrangement with an empty working version 1."""
    with transaction() as session:
        draft = DraftArrangement(partnership_id=partnership.id, title=title.strip(), summary=summary.strip(),
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
    with transaction() as session:
        _require_working(version)
        position = session.execute(select(func.coalesce(func.max(Section.position), 0))
                                   .where(Section.version_id == version.id)).scalar_one() + 1
        section = Section(version_id=version.id, key=uuid.uuid4().hex, position=position, title=title.strip(),
                          body=body.strip(), plain_summary=plain_summary.strip())
        session.add(section)
        session.flush()
        _set_topics(section, topics)
        session.flush()
        _log_section("section.added", by, section)
    return section


def update_section(by, section, *, title, body, plain_summary="", topics=()):
    with transaction() as session:
        _require_working(section.version)
        section.title, section.body, section.plain_summary = title.strip(), body.strip(), plain_summary.strip()
        _set_topics(section, topics)
        session.flush()
        _log_section("section.edited", by, section)
    return section


def move_section(by, section, offset):
    """Swap a section with its neighbour above (offset -1) or below (+1)."""
    with transaction() as session:
        _require_working(section.version)
        ordered = sorted(section.version.sections, key=lambda s: (s.position, s.id))
        index = ordered.index(section)
        other = index + offset
        if not 0 <= other < len(ordered):
            raise DomainError("That section cannot move further")
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            item.position = position
        session.flush()
        trail.append("section.moved", f"section:{section.id}",
                     {"version": section.version_id, "order": [s.key for s in ordered]}, actor=by.id)


def remove_section(by, section):
    with transaction() as session:
        _require_working(section.version)
        version_id, key = section.version_id, section.key
        session.delete(section)
        session.flush()
        trail.append("section.removed", f"section:{section.id}", {"version": version_id, "key": key}, actor=by.id)


def publish_version(by, version, *, change_note=""):
    """Freeze a working version: it gets its content hash and never changes again."""
    with transaction() as session:
        _require_working(version)
        if not version.sections:
            raise DomainError("Add at least one section before publishing this version")
        by_id, digest = by.id, content_hash(version)
        # All at once: the database checks that a published version is hashed and dated.
        version.change_note, version.content_hash, version.status = change_note.strip(), digest, "published"
        version.published_at, version.published_by_id = utcnow(), by_id
        session.flush()
        trail.append("draft.version_published", f"draft_version:{version.id}",
                     {"draft": version.draft_id, "number": version.number, "content_hash": version.content_hash,
                      "change_note_sha256": trail.text_hash(version.change_note)}, actor=by.id)
    return version


def new_version_from(by, version):
    """A new working version copied from a published one; sections keep their keys so versions compare."""
    with transaction() as session:
        if not version.is_published:
            raise DomainError("Only a published version can be the basis of a new version")
        working = session.execute(select(DraftVersion).where(DraftVersion.draft_id == version.draft_id,
                                                             DraftVersion.status == "working")).scalar_one_or_none()
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
    return new


def missing_topics(version):
    """The Working Together topics no section of this version covers yet, in checklist order."""
    covered = {t.topic for s in version.sections for t in s.topics}
    return [topic for topic in Topic if topic.value not in covered]


def get_version(draft_id, number):
    return db.session.execute(select(DraftVersion).where(DraftVersion.draft_id == draft_id,
                                                         DraftVersion.number == number)).scalar_one_or_none()
