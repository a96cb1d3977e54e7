"""The rules for workshop and paper sessions, their contributions and photos. One function = one transaction.

Who: a facilitator, or a youth worker, of the consultation's partnership records sessions and enters their
contributions; facilitators, youth workers, the designated safeguarding lead and the scrutineer read sessions and see
their photos (nobody else: a photo of a flipchart may show handwriting or a name).

What the log holds: `workshop.recorded` (the session's facts, the group's name as a SHA-256), `comment.posted` for
each contribution (actor: the staff member who typed it; data names the session), `workshop.photo_added` (the stored
file's SHA-256). A contribution is a comment by the session's group voice: it waits for a moderator, and one that
matches the harm-signal list is held at once and the DSL alerted, exactly as a young person's own post
(app.moderation.services.hold_possible_disclosure).
"""
import secrets
from datetime import date

from sqlalchemy import func, select

from app.accounts.models import Audience, Person, Role
from app.attachments import services as attachments
from app.attachments import sniff
from app.consultations.models import Comment, CommentStatus, ConsultationState
from app.consultations.services import check_comment_text, clean_text
from app.database import transaction
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.timeutil import FIRST_DAY, to_london, utcnow
from app.trail import services as trail
from app.workshops.models import SESSION_AUDIENCES, Method, WorkshopPhoto, WorkshopSession, voice_name

RECORDERS = (Role.FACILITATOR, Role.YOUTH_WORKER)
# Staff, moderators and the scrutineer: who may read sessions and see their photos.
READERS = (Role.FACILITATOR, Role.YOUTH_WORKER, Role.DSL, Role.SCRUTINEER)
MAX_GROUP = 80
MAX_PARTICIPANTS = 10_000
MAX_DESCRIPTION = 1000


def can_record(person):
    return person.has_role(*RECORDERS)


def can_read(person, session=None):
    if not person.has_role(*READERS):
        return False
    return session is None or session.consultation.partnership_id == person.partnership_id


def _require_recorder(by, consultation):
    if not can_record(by):
        raise NotAllowed("Only facilitators and youth workers can enter workshop and paper input")
    if consultation is None or consultation.partnership_id != by.partnership_id:
        raise NotFound("No such consultation")


def _require_open(consultation, now):
    if consultation.state_at(now) != ConsultationState.OPEN.value:
        raise DomainError("Workshop and paper input can only be entered while the consultation is open")


def today_in_london(now=None):
    return to_london(now or utcnow()).date()


def record_session(by, consultation, *, held_on, participants, method, audience, organisation=None, group_name="",
                   now=None):
    """Record a session held with a group; its group voice is made with it. Returns the WorkshopSession."""
    now = now or utcnow()
    with transaction() as session:
        by_id = by.id
        _require_recorder(by, consultation)
        _require_open(consultation, now)
        if not isinstance(held_on, date):
            raise DomainError("Enter the date the session was held", field="held_on")
        if held_on > today_in_london(now):
            raise DomainError("The date the session was held must be today or in the past", field="held_on")
        if held_on < FIRST_DAY:
            raise DomainError(f"Enter a date from {FIRST_DAY.year}", field="held_on")
        if organisation is not None and organisation.partnership_id != by.partnership_id:
            raise DomainError("Choose a group of this partnership", field="organisation")
        group_name = clean_text(group_name) or (organisation.name if organisation is not None else "")
        if not group_name:
            raise DomainError("Choose the group, or type its name", field="organisation")
        if len(group_name) > MAX_GROUP or "\n" in group_name:
            raise DomainError(f"The group's name must be one line of {MAX_GROUP} characters or fewer",
                              field="group_name")
        if not isinstance(participants, int) or isinstance(participants, bool) \
                or not 1 <= participants <= MAX_PARTICIPANTS:
            raise DomainError(f"Enter how many people took part, from 1 to {MAX_PARTICIPANTS:,}",
                              field="participants")
        try:
            method = Method(method).value
        except ValueError:
            raise DomainError("Choose how they took part", field="method") from None
        if audience not in SESSION_AUDIENCES:
            raise DomainError("Choose whose voice this is: young people, or parents, carers and the public",
                              field="audience")
        if Audience(audience) not in consultation.audience_set:
            raise DomainError(f"This consultation is not open to {Audience(audience).label.lower()}",
                              field="audience")
        voice = Person(partnership_id=consultation.partnership_id,
                       organisation_id=organisation.id if organisation is not None else None,
                       display_name=voice_name(group_name, method, participants),
                       username=f"group-voice-{secrets.token_hex(8)}", password_hash=None,
                       is_active_account=False, is_group_voice=True, created_at=now)
        session.add(voice)
        session.flush()
        workshop = WorkshopSession(consultation_id=consultation.id, held_on=held_on,
                                   organisation_id=organisation.id if organisation is not None else None,
                                   group_name=group_name, participants=participants, method=method, audience=audience,
                                   voice_id=voice.id, recorded_by_id=by_id, recorded_at=now)
        session.add(workshop)
        session.flush()
        trail.append("workshop.recorded", f"workshop_session:{workshop.id}", {
            "consultation": consultation.id, "held_on": held_on.isoformat(), "organisation": workshop.organisation_id,
            "group_sha256": trail.text_hash(group_name), "participants": participants, "method": method,
            "audience": audience, "voice": voice.id}, actor=by_id)
    return workshop


def _already_entered(voice_id, submission_key):
    if not submission_key:
        return None
    return db.session.execute(select(Comment).where(Comment.author_id == voice_id,
                                                    Comment.submission_key == submission_key)).scalar_one_or_none()


def enter_contribution(by, workshop, text, section=None, now=None, submission_key=None):
    """Type in one thing the group said, on a section or the whole draft: a comment by the group voice, waiting for
    a moderator (held for the DSL at once if it may disclose harm). The same form sent twice stores it once."""
    now = now or utcnow()
    earlier = _already_entered(workshop.voice_id, submission_key)
    if earlier is not None:
        return earlier
    from app.moderation.services import hold_possible_disclosure

    with transaction() as session:
        by_id = by.id
        consultation = workshop.consultation
        _require_recorder(by, consultation)
        _require_open(consultation, now)
        if section is not None and section.version_id != consultation.version_id:
            raise DomainError("Choose a section of this consultation", field="section")
        text = check_comment_text(text)
        comment = Comment(consultation_id=consultation.id, section_id=section.id if section else None, depth=0,
                          author_id=workshop.voice_id, author_audience=workshop.audience, body=text,
                          status=CommentStatus.PENDING.value, created_at=now,
                          submission_key=submission_key or None, publish_use="partnership")
        session.add(comment)
        session.flush()
        comment.thread_id = comment.id
        session.flush()
        trail.append("comment.posted", f"comment:{comment.id}", {
            "consultation": consultation.id, "section": comment.section_id, "audience": workshop.audience,
            "status": comment.status, "body_sha256": trail.text_hash(text), "use": comment.publish_use,
            "session": workshop.id}, actor=by_id)
        hold_possible_disclosure(comment, now)
    return comment


def add_photo(by, workshop, upload, description, now=None):
    """A photo or scan of the session's flipcharts or forms: an image only, checked and re-encoded (no EXIF/GPS)."""
    now = now or utcnow()
    _require_recorder(by, workshop.consultation)
    description = clean_text(description)
    if not description:
        raise DomainError("Describe what the photo shows, for people who cannot see it", field="description")
    if len(description) > MAX_DESCRIPTION:
        raise DomainError("The description must be 1,000 characters or fewer", field="description")
    checked = attachments.check_file(upload, allowed=sniff.IMAGES, field="photo")
    with attachments.stored_in(checked) as keep, transaction() as session:
        by_id = by.id
        stored = keep(partnership_id=workshop.consultation.partnership_id, by_id=by_id, now=now)
        session.flush()
        photo = WorkshopPhoto(session_id=workshop.id, file_id=stored.id, description=description, added_by_id=by_id,
                              added_at=now)
        session.add(photo)
        session.flush()
        trail.append("workshop.photo_added", f"workshop_photo:{photo.id}", {
            "session": workshop.id, "file_type": checked.type.value, "size": checked.size,
            "sha256": checked.sha256, "uploaded_sha256": checked.original_sha256,
            "description_sha256": trail.text_hash(description)}, actor=by_id)
    return photo


# --- reading ----------------------------------------------------------------------------------------

def sessions_of(consultation_id):
    return db.session.execute(select(WorkshopSession).where(WorkshopSession.consultation_id == consultation_id)
                              .order_by(WorkshopSession.held_on, WorkshopSession.id)).scalars().all()


def contributions_of(workshop):
    return db.session.execute(select(Comment).where(Comment.author_id == workshop.voice_id)
                              .order_by(Comment.id)).scalars().all()


def tally(consultation_id):
    """For the report: sessions, the people who took part in them, and the published comments entered from them,
    counted apart from individual comments. {sessions, participants, comments, by_method: {label: the same}}."""
    sessions = sessions_of(consultation_id)
    published = dict(db.session.execute(
        select(Comment.author_id, func.count()).where(Comment.author_id.in_([s.voice_id for s in sessions]),
                                                      Comment.status == CommentStatus.PUBLISHED.value)
        .group_by(Comment.author_id)).all()) if sessions else {}
    by_method = {}
    for s in sessions:
        row = by_method.setdefault(s.method_label, {"sessions": 0, "participants": 0, "comments": 0})
        row["sessions"] += 1
        row["participants"] += s.participants
        row["comments"] += published.get(s.voice_id, 0)
    return {"sessions": len(sessions), "participants": sum(s.participants for s in sessions),
            "comments": sum(published.values()), "by_method": by_method}


def voice_ids(consultation_id=None):
    """SQL: the ids of group voices (of one consultation, or all): their comments are not individuals'."""
    query = select(WorkshopSession.voice_id)
    if consultation_id is not None:
        query = query.where(WorkshopSession.consultation_id == consultation_id)
    return query
