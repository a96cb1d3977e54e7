"""What the scrutiny workspace reads: a consultation's timeline, its comments, people's labels, and the
tables of the moderation, responses and sign-off rooms (read defensively: they may not exist)."""
import importlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import String, cast, inspect, literal, or_, select, union_all

from app.accounts.models import AUDIENCE_OF_ROLE, Person, Role, RoleGrant
from app.consultations.models import Comment, Consultation
from app.drafts.models import DraftArrangement, DraftVersion
from app.extensions import db
from app.partnerships.models import Organisation
from app.timeutil import LONDON
from app.trail.models import LogEntry

PAGE_SIZE = 50

# The other rooms' tables, by (module, class name); each read only if it is there.
OPTIONAL_MODELS = {
    "moderation_acts": ("app.moderation.models", "ModerationAct"),
    "safeguarding_concerns": ("app.moderation.models", "SafeguardingConcern"),
    "responses": ("app.responses.models", "Response"),
    "signoff_requests": ("app.signoff.models", "SignOffRequest"),
    "signoffs": ("app.signoff.models", "SignOff"),
    "publications": ("app.signoff.models", "Publication"),
}
# Read only by the scrutiny export (the workspace shows these tables its own way).
EXPORT_MODELS = {"themes": ("app.responses.models", "Theme"), "findings": ("app.scrutiny.models", "Finding"),
                 "workshop_sessions": ("app.workshops.models", "WorkshopSession")}


def optional_model(key):
    """The model class of another room, or None if that room (or its table) is not there yet."""
    module_name, class_name = OPTIONAL_MODELS.get(key) or EXPORT_MODELS[key]
    try:
        model = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError):
        return None
    if not inspect(db.engine).has_table(model.__tablename__):
        return None
    return model


def columns_of(model):
    return [column.name for column in model.__table__.columns]


def about_consultations(model, consultation_ids):
    """A WHERE clause picking a table's rows about these consultations, or None if it cannot say.

    By consultation_id; by comment (comment_id); or by sign-off request (request_id).
    """
    table = model.__table__
    if "consultation_id" in table.c:
        return table.c.consultation_id.in_(consultation_ids)
    if "comment_id" in table.c:
        return table.c.comment_id.in_(select(Comment.id).where(Comment.consultation_id.in_(consultation_ids)))
    requests = db.metadata.tables.get("signoff_request")
    if "request_id" in table.c and requests is not None:
        return table.c.request_id.in_(select(requests.c.id).where(requests.c.consultation_id.in_(consultation_ids)))
    return None


def rows_for_consultation(model, consultation_id, yield_per=None):
    """A table's rows about one consultation (none if the table cannot say which are)."""
    clause = about_consultations(model, [consultation_id])
    if clause is None:
        return []
    query = select(model).where(clause)
    if "id" in model.__table__.c:
        query = query.order_by(model.__table__.c.id)
    if yield_per:
        query = query.execution_options(yield_per=yield_per)
    return db.session.execute(query).scalars()


def row_values(row, names):
    return [getattr(row, name, None) for name in names]


# --- consultations and people --------------------------------------------------------------------

def consultations_of(partnership_id):
    return db.session.execute(
        select(Consultation).join(DraftVersion, Consultation.version_id == DraftVersion.id)
        .join(DraftArrangement, DraftVersion.draft_id == DraftArrangement.id)
        .where(DraftArrangement.partnership_id == partnership_id)
        .order_by(Consultation.opens_at.desc(), Consultation.id.desc())).scalars().all()


@dataclass(frozen=True)
class PersonLabel:
    name: str
    organisation: str | None
    is_young: bool
    is_public: bool = False  # a parent, carer or member of the public: their name is that kind (issue 17)
    is_voice: bool = False  # a workshop's group voice (issue 19): its name says who took part, never a person

    @property
    def label(self):
        """Young people are never named: they show as a member of their group."""
        if self.is_voice:
            return self.name
        if self.is_young:
            return f"A member of {self.organisation or 'a young people’s group'}"
        return f"{self.name}, {self.organisation}" if self.organisation else self.name


def person_labels(partnership_id):
    """person id -> PersonLabel for everyone in the partnership (one query, small)."""
    young = select(RoleGrant.person_id).where(RoleGrant.role == Role.YOUNG_PERSON.value)
    public = select(RoleGrant.person_id).where(RoleGrant.role == Role.PUBLIC.value)
    rows = db.session.execute(
        select(Person.id, Person.display_name, Organisation.name, Person.id.in_(young), Person.id.in_(public),
               Person.is_group_voice)
        .outerjoin(Organisation, Person.organisation_id == Organisation.id)
        .where(Person.partnership_id == partnership_id)).all()
    return {pid: PersonLabel(name, organisation, bool(is_young), bool(is_public), bool(is_voice))
            for pid, name, organisation, is_young, is_public, is_voice in rows}


def organisations_of(partnership_id):
    return db.session.execute(select(Organisation).where(Organisation.partnership_id == partnership_id)
                              .order_by(Organisation.name)).scalars().all()


# --- the timeline --------------------------------------------------------------------------------

def _subjects(kind, column):
    """'comment:' || id, as the log's subject for the row."""
    return literal(f"{kind}:", String) + cast(column, String)


def _column(model, name):
    return model.__table__.c[name] if model is not None and name in model.__table__.c else None


def subjects_of(consultation_id):
    """The log subjects of what belongs to a consultation: its comments, sign-off requests, publications, concerns."""
    comment_ids = select(Comment.id).where(Comment.consultation_id == consultation_id)
    parts = [select(_subjects("comment", Comment.id)).where(Comment.consultation_id == consultation_id)]
    requests = optional_model("signoff_requests")
    request_id, request_of = _column(requests, "id"), _column(requests, "consultation_id")
    if request_id is not None and request_of is not None:
        request_ids = select(request_id).where(request_of == consultation_id)
        parts.append(select(_subjects("signoff_request", request_id)).where(request_of == consultation_id))
        publications = optional_model("publications")
        if _column(publications, "request_id") is not None:
            parts.append(select(_subjects("publication", _column(publications, "id")))
                         .where(_column(publications, "request_id").in_(request_ids)))
    concerns = optional_model("safeguarding_concerns")
    if _column(concerns, "comment_id") is not None:
        parts.append(select(_subjects("concern", _column(concerns, "id")))
                     .where(_column(concerns, "comment_id").in_(comment_ids)))
    return union_all(*parts)


def about_consultation(consultation_id):
    """Entries about a consultation: its own, those whose data names it (comments, votes, findings, responses …),
    and those about what belongs to it (see subjects_of).

    Log data is canonical JSON, so `"consultation":7` is followed by `,` or `}`.
    """
    key = f'"consultation":{consultation_id}'
    return or_(LogEntry.subject == f"consultation:{consultation_id}",
               LogEntry.data_json.like(f"%{key},%"), LogEntry.data_json.like(f"%{key}}}%"),
               LogEntry.subject.in_(subjects_of(consultation_id)))


def london_midnight_iso(day):
    local = datetime.combine(day, time(0), tzinfo=LONDON)
    return local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class TimelineFilter:
    kind: str = ""
    organisation: int | None = None
    audience: str = ""
    from_day: date | None = None
    to_day: date | None = None


def action_kinds(consultation_id):
    actions = db.session.execute(select(LogEntry.action).where(about_consultation(consultation_id))
                                 .distinct()).scalars()
    return sorted({action.split(".", 1)[0] for action in actions})


def timeline(consultation_id, filters, after=0, limit=PAGE_SIZE):
    """(entries, next_after or None): one page of the consultation's entries in seq order."""
    query = select(LogEntry).where(about_consultation(consultation_id), LogEntry.seq > (after or 0))
    if filters.kind:
        query = query.where(or_(LogEntry.action == filters.kind, LogEntry.action.like(f"{filters.kind}.%")))
    if filters.organisation:
        query = query.where(LogEntry.actor.in_(select(Person.id).where(Person.organisation_id == filters.organisation)))
    if filters.audience:
        roles = [role.value for role, audience in AUDIENCE_OF_ROLE.items() if audience.value == filters.audience]
        query = query.where(LogEntry.actor.in_(select(RoleGrant.person_id).where(RoleGrant.role.in_(roles))))
    if filters.from_day:
        query = query.where(LogEntry.at >= london_midnight_iso(filters.from_day))
    if filters.to_day:
        query = query.where(LogEntry.at < london_midnight_iso(filters.to_day + timedelta(days=1)))
    rows = db.session.execute(query.order_by(LogEntry.seq).limit(limit + 1)).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].seq if more else None)


def entry_time(entry):
    return datetime.strptime(entry.at, "%Y-%m-%dT%H:%M:%S.%fZ")


# --- comments ------------------------------------------------------------------------------------

def comments_of(consultation_id):
    """Every comment (all statuses) with its revisions, in the order they were written."""
    return db.session.execute(select(Comment).where(Comment.consultation_id == consultation_id)
                              .order_by(Comment.id)).scalars().all()


def comment_log(consultation_id):
    """comment id -> its log entries about status (withdrawn, hidden …): who and when."""
    subjects = select(_subjects("comment", Comment.id)).where(Comment.consultation_id == consultation_id)
    entries = db.session.execute(select(LogEntry).where(
        LogEntry.subject.in_(subjects), LogEntry.action.notin_(("comment.posted", "reply.posted")))
        .order_by(LogEntry.seq)).scalars()
    result = {}
    for entry in entries:
        result.setdefault(int(entry.subject.split(":", 1)[1]), []).append(entry)
    return result

