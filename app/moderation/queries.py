"""Reading for moderators: the queue (flagged first, then oldest first), reports and a comment's history."""
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, or_, select, true

from app.accounts.models import PRE_MODERATED, Person, Role
from app.consultations.models import Comment, CommentStatus, Consultation, ConsultationAudience
from app.drafts.models import DraftArrangement, DraftVersion, Section
from app.extensions import db
from app.moderation.models import ModerationAct, Report, SafeguardingConcern
from app.moderation.signals import signals_in
from app.partnerships.models import Organisation
from app.timeutil import utcnow


@dataclass
class QueueItem:
    comment: Comment
    consultation_title: str
    section_title: str | None
    group: str | None
    signals: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    suggestion: object = None  # the wording the comment suggests (app/suggestions): a moderator reads it too

    @property
    def age(self):
        return utcnow() - self.comment.created_at

    @property
    def age_text(self):
        minutes = int(self.age.total_seconds() // 60)
        if minutes < 1:
            return "less than a minute"
        if minutes < 60:
            return f"{minutes} minute{'s' if minutes != 1 else ''}"
        hours = minutes // 60
        if hours < 48:
            return f"{hours} hour{'s' if hours != 1 else ''}"
        return f"{hours // 24} days"


def _base(partnership_id):
    return (select(Comment, Consultation.title, Section.title, Organisation.name)
            .join(Consultation, Comment.consultation_id == Consultation.id)
            .join(DraftVersion, Consultation.version_id == DraftVersion.id)
            .join(DraftArrangement, DraftVersion.draft_id == DraftArrangement.id)
            .outerjoin(Section, Comment.section_id == Section.id)
            .join(Person, Comment.author_id == Person.id)
            .outerjoin(Organisation, Person.organisation_id == Organisation.id)
            .where(DraftArrangement.partnership_id == partnership_id))


def dsl_remit(person):
    """SQL: the comments a designated safeguarding lead who only holds that role may read (issue 14).

    Their job is children's safety, not the consultation: comments in consultations opened to young people or
    to the DSL's own audiences, never withdrawn text - and anything a safeguarding concern points at. Facilitators
    and the scrutineer read everything (true()).
    """
    if not person.has_role(Role.DSL) or person.has_role(Role.FACILITATOR, Role.SCRUTINEER):
        return true()
    audiences = set(PRE_MODERATED) | {a.value for a in person.audiences}
    in_remit = exists().where(ConsultationAudience.consultation_id == Comment.consultation_id,
                              ConsultationAudience.audience.in_(sorted(audiences)))
    concern = exists().where(SafeguardingConcern.comment_id == Comment.id)
    return or_(Comment.status == CommentStatus.CONCERN.value, concern,
               and_(in_remit, Comment.status != CommentStatus.WITHDRAWN.value))


def in_remit(person, comment):
    return db.session.execute(select(Comment.id).where(Comment.id == comment.id, dsl_remit(person))).first() is not None


def _items(rows):
    from app.suggestions.queries import for_moderators

    items = [QueueItem(comment=c, consultation_title=t, section_title=s, group=g,
                       signals=signals_in(c.body) if c.flagged else []) for c, t, s, g in rows]
    suggested = for_moderators([item.comment.id for item in items])
    for item in items:
        item.suggestion = suggested.get(item.comment.id)
        if item.suggestion is not None and item.comment.flagged:
            item.signals += [word for word in signals_in(item.suggestion.replacement) if word not in item.signals]
    return items


def pending(partnership_id, reader=None):
    """Waiting comments and replies: flagged ones first, then oldest first."""
    rows = db.session.execute(_base(partnership_id).where(Comment.status == CommentStatus.PENDING.value,
                                                          dsl_remit(reader) if reader else true())
                              .order_by(Comment.flagged.desc(), Comment.created_at, Comment.id)).all()
    items = _items(rows)
    reports = reports_for([item.comment.id for item in items], unresolved=True)  # held by a report
    for item in items:
        item.reports = reports.get(item.comment.id, [])
    return items


def reported(partnership_id, reader=None):
    """Published comments with a report no moderator has acted on, oldest report first."""
    open_reports = select(Report.comment_id).where(Report.resolved_at.is_(None))
    rows = db.session.execute(_base(partnership_id).where(Comment.status == CommentStatus.PUBLISHED.value,
                                                          Comment.id.in_(open_reports),
                                                          dsl_remit(reader) if reader else true())
                              .order_by(Comment.id)).all()
    items = _items(rows)
    reports = reports_for([item.comment.id for item in items], unresolved=True)
    for item in items:
        item.reports = reports.get(item.comment.id, [])
    return items


def hidden(partnership_id, limit=50, reader=None):
    rows = db.session.execute(_base(partnership_id).where(Comment.status == CommentStatus.HIDDEN.value,
                                                          dsl_remit(reader) if reader else true())
                              .order_by(Comment.id.desc()).limit(limit)).all()
    return _items(rows)


def reports_for(comment_ids, unresolved=False):
    query = select(Report).where(Report.comment_id.in_(comment_ids)).order_by(Report.id)
    if unresolved:
        query = query.where(Report.resolved_at.is_(None))
    grouped = {}
    for item in db.session.execute(query).scalars():
        grouped.setdefault(item.comment_id, []).append(item)
    return grouped


def item(comment):
    row = db.session.execute(_base(comment.consultation.partnership_id)
                             .where(Comment.id == comment.id)).one()
    result = _items([row])[0]
    result.signals = signals_in(comment.body)
    result.reports = reports_for([comment.id]).get(comment.id, [])
    return result


def acts_for(comment_id):
    return db.session.execute(select(ModerationAct).where(ModerationAct.comment_id == comment_id)
                              .order_by(ModerationAct.id)).scalars().all()


def concern_for(comment_id):
    return db.session.execute(select(SafeguardingConcern).where(SafeguardingConcern.comment_id == comment_id)
                              .order_by(SafeguardingConcern.id.desc()).limit(1)).scalar_one_or_none()


# --- what exports may not carry ---------------------------------------------------------------------

WITHHELD_MARKER = "[withheld: safeguarding concern {}]"


def withheld_texts(consultation_id):
    """{comment id: concern id} for this consultation's comments under a safeguarding concern, open or closed.

    Exports and open data print WITHHELD_MARKER in place of those texts (and their earlier versions): only the DSL's
    own record holds the words. The row keeps its SHA-256, so the log still binds it. A concern the DSL reviewed as
    "not a disclosure" does not withhold the text (the comment went back to ordinary moderation), unless the DSL
    had already moved the text into their record (redacted): a redacted text is always shown as the marker.
    """
    rows = db.session.execute(
        select(SafeguardingConcern.comment_id, func.max(SafeguardingConcern.id))
        .join(Comment, SafeguardingConcern.comment_id == Comment.id)
        .where(Comment.consultation_id == consultation_id,
               (SafeguardingConcern.review != "not_disclosure") | Comment.redacted_at.is_not(None))
        .group_by(SafeguardingConcern.comment_id)).all()
    return dict(rows)


def exported_text(withheld, comment_id, text):
    concern_id = withheld.get(comment_id)
    return WITHHELD_MARKER.format(concern_id) if concern_id is not None else text
