"""Reading consultations: who may see what, and the page's data in a fixed number of queries.

Every function here issues the same number of statements whatever the number of
comments or votes (no per-row lazy loads): pages stay fast at 10,000 comments.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, literal_column, select, union_all

from app.access import (
    OVERSEERS, SEES_ALL, SEES_CONCERNS, can_read_comment_text, can_see_comment, comment_visible_sql, comments_seen,
)
from app.accounts.models import Audience, Person, Role
from app.consultations.models import (
    Comment, CommentRevision, CommentStatus, CommentTally, Consultation, ConsultationAudience, ConsultationState,
    Vote, VoteChoice, VoteTally,
)
from app.consultations.services import AUDIENCE_ORDER, audience_of
from app.drafts.models import DraftArrangement, DraftVersion
from app.extensions import db
from app.partnerships.models import Organisation
from app.timeutil import utcnow

THREADS_PER_PAGE = 20  # "show more comments": the next twenty threads
FIRST_THREADS = 3  # the consultation page opens with each slot's newest three threads (bench/results/latest.md)


@dataclass(frozen=True)
class Access:
    """What one person may do with one consultation, now."""

    person_id: int
    state: str
    can_read: bool
    can_take_part: bool  # in an audience (whether or not it is open now)
    sees_all: bool
    is_facilitator: bool
    audience: str | None
    sees_concerns: bool = False  # the DSL and scrutineers: comments under a safeguarding concern too

    @property
    def is_open(self):
        return self.state == ConsultationState.OPEN.value

    @property
    def can_act(self):
        """May comment, reply and vote at this moment."""
        return self.can_take_part and self.is_open


def access_for(person, consultation, now=None):
    state = consultation.state_at(now or utcnow())
    same_partnership = consultation.partnership_id == person.partnership_id
    audience = audience_of(person, consultation)
    reads_all = person.has_role(*OVERSEERS)
    participant = audience is not None and state != ConsultationState.SCHEDULED.value
    can_read = same_partnership and (reads_all or participant)
    return Access(person_id=person.id, state=state, can_read=can_read,
                  can_take_part=can_read and audience is not None and not person.has_role(Role.SCRUTINEER)
                  and not person.awaits_confirmation,
                  sees_all=same_partnership and person.has_role(*SEES_ALL),
                  is_facilitator=same_partnership and person.has_role(Role.FACILITATOR), audience=audience,
                  sees_concerns=same_partnership and person.has_role(*SEES_CONCERNS))


def consultations_for(person, now=None):
    """The consultations a person can see: all of them for readers, those opened to their audiences otherwise."""
    now = now or utcnow()
    query = (select(Consultation).join(DraftVersion, Consultation.version_id == DraftVersion.id)
             .join(DraftArrangement, DraftVersion.draft_id == DraftArrangement.id)
             .where(DraftArrangement.partnership_id == person.partnership_id)
             .order_by(Consultation.closes_at.desc(), Consultation.id.desc()))
    if not person.has_role(*OVERSEERS):
        audiences = [a.value for a in person.audiences]
        query = query.where(Consultation.opens_at <= now, Consultation.id.in_(
            select(ConsultationAudience.consultation_id).where(ConsultationAudience.audience.in_(audiences))))
    return db.session.execute(query).scalars().all()


# --- comments -----------------------------------------------------------------------------------

@dataclass
class CommentView:
    """A comment as the page shows it to one viewer (plain data: no lazy loads in templates)."""

    id: int
    consultation_id: int
    section_id: int | None
    parent_id: int | None
    thread_id: int
    depth: int
    status: str
    body: str
    created_at: object
    edited_at: object
    author_name: str
    author_organisation: str | None
    young_person: bool
    mine: bool
    text_visible: bool
    moderation_reason: str | None = None  # why a moderator hid it: for moderators, scrutineers and its author
    flagged: bool = False  # a word-list hint for moderators (app/moderation/signals.py)
    redacted: bool = False
    reply_count: int = 0
    revisions: list = field(default_factory=list)
    replies: list = field(default_factory=list)
    suggestion: object = None  # the wording this comment suggests for its section (app/suggestions), if any

    @property
    def note(self):
        """What the viewer is told about a comment that is not simply published."""
        if self.status == CommentStatus.WITHDRAWN.value:
            return "Withdrawn by its author"
        if self.status in (CommentStatus.PENDING.value, CommentStatus.CONCERN.value) and self.mine:
            return "Waiting for a moderator: only you can see it for now"
        if self.status == CommentStatus.HIDDEN.value and self.moderation_reason:
            return f"Hidden by a moderator. Reason: {self.moderation_reason}"
        if self.status == CommentStatus.HIDDEN.value and self.mine:
            return "Hidden by a moderator"
        if self.status != CommentStatus.PUBLISHED.value:
            return {"pending": "Waiting for a moderator", "hidden": "Hidden by a moderator",
                    "concern": "Under a safeguarding concern"}[self.status]
        return None

    @property
    def is_published(self):
        return self.status == CommentStatus.PUBLISHED.value

    @property
    def changeable(self):
        return self.mine and self.status in (CommentStatus.PUBLISHED.value, CommentStatus.PENDING.value)


def _visible(access):
    """SQL: the comments this viewer may see (app/access.py defines it once for SQL and Python)."""
    return comment_visible_sql(access)


def _select_with_authors():
    return (select(Comment, Person.display_name, Organisation.name, Person.is_group_voice)
            .join(Person, Comment.author_id == Person.id)
            .outerjoin(Organisation, Person.organisation_id == Organisation.id))


def _view(row, access):
    comment, name, organisation, group_voice = row
    mine = comment.author_id == access.person_id
    # A workshop's group voice (app/workshops) is named as the group: "Participants in the … workshop, 12 people".
    young = comment.author_audience == Audience.YOUNG_PEOPLE.value and not group_voice
    text_visible = can_read_comment_text(comment, access)
    return CommentView(
        id=comment.id, consultation_id=comment.consultation_id, section_id=comment.section_id,
        parent_id=comment.parent_id, thread_id=comment.thread_id or comment.id, depth=comment.depth,
        status=comment.status, body=comment.body, created_at=comment.created_at, edited_at=comment.edited_at,
        author_name=(f"A member of {organisation}" if organisation else "A young person") if young and not mine
        else name, author_organisation=None if group_voice else organisation, young_person=young, mine=mine, text_visible=text_visible,
        moderation_reason=comment.moderation_reason if (access.sees_all or mine) else None,
        flagged=bool(comment.flagged) and access.sees_all, redacted=comment.redacted_at is not None)


_BUILT = {}


def _built(name, access, build):
    """A statement built once per name and the comment statuses the reader sees (the reader and the rows it is
    about are bound parameters): building a statement costs more than running it (bench/results/mixed.md)."""
    key = (name, tuple(sorted(comments_seen(access).statuses)))
    statement = _BUILT.get(key)
    if statement is None:
        statement = _BUILT[key] = build(comment_visible_sql(access, person=bindparam("person_id")))
    return statement


def _reply_counts_statement(access):
    return _built("reply_counts", access, lambda visible: select(Comment.thread_id, func.count()).where(
        Comment.thread_id.in_(bindparam("thread_ids", expanding=True)), Comment.depth > 0, visible)
        .group_by(Comment.thread_id))


def _attach_details(views, access):
    """Reply counts and earlier versions for these comments: at most two queries, however many comments."""
    by_id = {view.id: view for view in views}
    thread_ids = [view.id for view in views if view.depth == 0]
    counts = db.session.execute(_reply_counts_statement(access), {
        "thread_ids": thread_ids, "person_id": access.person_id}).all() if thread_ids else []
    for thread_id, count in counts:
        by_id[thread_id].reply_count = count
    # Earlier texts: for their author and for facilitators and scrutineers (an edit may remove a slip).
    with_history = [view.id for view in views if view.edited_at and (view.mine or access.sees_all)]
    revisions = db.session.execute(select(CommentRevision).where(CommentRevision.comment_id.in_(with_history))
                                   .order_by(CommentRevision.id)).scalars().all() if with_history else []
    for revision in revisions:
        by_id[revision.comment_id].revisions.append(revision)
    from app.suggestions.queries import attach_cards  # a comment may suggest wording (issue 19)

    attach_cards(views, access)
    return views


@dataclass
class ThreadPage:
    """One page of threads (top-level comments) on the whole draft or one section."""

    section_id: int | None
    threads: list
    next_cursor: int | None
    total: int = 0

    @property
    def slot(self):
        return slot_name(self.section_id)


def slot_name(section_id):
    return f"s{section_id}" if section_id else "general"


def _page(section_id, views, size=THREADS_PER_PAGE):
    more = len(views) > size
    views = views[:size]
    return ThreadPage(section_id=section_id, threads=views, next_cursor=views[-1].id if more else None)


_OPEN_STATUSES = (CommentStatus.PUBLISHED.value, CommentStatus.WITHDRAWN.value)


def thread_totals(consultation, access):
    """{section id or None: top-level comments this viewer sees}, from the tallies the database keeps.

    comment_tally (migration 0006) holds the counts per slot and status, so this costs the same at 100 comments
    or 100,000. Someone who does not see every status also sees their own waiting or hidden comments: one
    indexed look at their own (few) comments, in the same statement.
    """
    rows = db.session.execute(_built("thread_totals", access, lambda _visible: _thread_totals_statement(access)),
                              {"consultation_id": consultation.id, "person_id": access.person_id}).all()
    return {(slot or None): int(n) for slot, n in rows}


def _thread_totals_statement(access):
    statuses = sorted(comments_seen(access).statuses)  # everything but (maybe) concerns, or published and withdrawn
    consultation = bindparam("consultation_id")
    counted = (select(CommentTally.slot.label("slot"), CommentTally.n.label("n"))
               .where(CommentTally.consultation_id == consultation, CommentTally.status.in_(statuses)))
    if not access.sees_all:
        slot = func.coalesce(Comment.section_id, literal_column("0"))
        own = (select(slot.label("slot"), func.count().label("n"))
               .where(Comment.author_id == bindparam("person_id"), Comment.consultation_id == consultation,
                      Comment.depth == 0, Comment.status.not_in(_OPEN_STATUSES))
               .group_by(slot))
        counted = union_all(counted, own)
    counted = counted.subquery()
    return select(counted.c.slot, func.sum(counted.c.n)).group_by(counted.c.slot)


def _first_pages_statement(access, sections, size):
    """first_pages' statement, built once per number of sections, page size and visibility, with the consultation,
    the reader and the sections as bound parameters."""
    def build(visible):
        newest = [select(Comment.id).where(
            Comment.consultation_id == bindparam("consultation_id"), Comment.depth == 0, visible,
            Comment.section_id.is_(None) if slot is None else Comment.section_id == bindparam(slot))
            .order_by(Comment.id.desc()).limit(size + 1).subquery()
            for slot in [None, *(f"section_{i}" for i in range(sections))]]
        ids = union_all(*[select(slot.c.id) for slot in newest])
        return _select_with_authors().where(Comment.id.in_(ids)).order_by(Comment.id.desc())

    return _built(("first_pages", sections, size), access, build)


def first_pages(consultation, access, section_ids, size=FIRST_THREADS):
    """The newest threads for the whole draft and for every section, in one query.

    One short "newest first, LIMIT" per slot, glued with UNION ALL: each walks the (consultation, depth,
    section, id) index backwards, so the cost does not grow with the number of comments (a window function
    over every top-level comment did; see bench/results/latest.md).
    """
    params = {"consultation_id": consultation.id, "person_id": access.person_id,
              **{f"section_{i}": section_id for i, section_id in enumerate(section_ids)}}
    rows = db.session.execute(_first_pages_statement(access, len(section_ids), size), params).all()
    views = _attach_details([_view(row, access) for row in rows], access)
    grouped = defaultdict(list)
    for view in views:
        grouped[view.section_id].append(view)
    totals = thread_totals(consultation, access)
    pages = {}
    for section_id in [None, *section_ids]:
        pages[section_id] = _page(section_id, grouped.get(section_id, []), size)
        pages[section_id].total = totals.get(section_id, 0)
    return pages


def threads_page(consultation, access, section_id=None, after=None, size=THREADS_PER_PAGE):
    """The next page of threads after the cursor (the id of the last thread shown)."""
    in_slot = (Comment.consultation_id == consultation.id, Comment.depth == 0, _visible(access),
               Comment.section_id.is_(None) if section_id is None else Comment.section_id == section_id)
    query = _select_with_authors().where(*in_slot).order_by(Comment.id.desc()).limit(size + 1)
    if after is not None:
        query = query.where(Comment.id < after)
    views = [_view(row, access) for row in db.session.execute(query).all()]
    page = _page(section_id, _attach_details(views, access), size)
    page.total = thread_totals(consultation, access).get(section_id, 0)
    return page


def can_see(comment, access):
    return can_see_comment(comment, access)


def thread(consultation, access, thread_id):
    """A whole thread as a tree: the top-level comment with its replies nested under their parents."""
    rows = db.session.execute(_select_with_authors()
                              .where(Comment.consultation_id == consultation.id, Comment.thread_id == thread_id,
                                     _visible(access)).order_by(Comment.id)).all()
    views = _attach_details([_view(row, access) for row in rows], access)
    by_id = {view.id: view for view in views}
    root = by_id.get(thread_id)
    for view in views:
        if view.parent_id in by_id:
            by_id[view.parent_id].replies.append(view)
    return root


def comment_view(comment, access):
    row = db.session.execute(_select_with_authors().where(Comment.id == comment.id)).one()
    return _attach_details([_view(row, access)], access)[0]


def comment_views(consultation, access, comment_ids):
    """{id: view} of these comments of this consultation that the viewer may see, in at most four queries."""
    rows = db.session.execute(_select_with_authors().where(
        Comment.id.in_(sorted(comment_ids)), Comment.consultation_id == consultation.id, _visible(access))).all()
    return {view.id: view for view in _attach_details([_view(row, access) for row in rows], access)}


# --- votes --------------------------------------------------------------------------------------

@dataclass
class Tally:
    """Votes on one section: a count per choice and audience, straight from a grouped COUNT."""

    audiences: list
    counts: dict = field(default_factory=dict)

    def count(self, choice, audience=None):
        if audience is None:
            return sum(n for (c, _), n in self.counts.items() if c == choice)
        return self.counts.get((choice, audience), 0)

    def audience_total(self, audience):
        return sum(n for (_, a), n in self.counts.items() if a == audience)

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def choices(self):
        return list(VoteChoice)


def tallies(consultation, section_ids):
    """{section id: Tally} from the vote tallies the database keeps (migration 0006): one short query."""
    audiences = [a.value for a in sorted(consultation.audience_set, key=AUDIENCE_ORDER.index)]
    result = {section_id: Tally(audiences=audiences) for section_id in section_ids}
    rows = db.session.execute(
        select(VoteTally.section_id, VoteTally.choice, VoteTally.audience, VoteTally.n)
        .where(VoteTally.consultation_id == consultation.id, VoteTally.section_id.in_(section_ids),
               VoteTally.n > 0)).all()
    for section_id, choice, audience, count in rows:
        audience = audience or None
        tally = result[section_id]
        if audience not in tally.audiences:
            tally.audiences.append(audience)  # an audience removed later still shows its votes
        tally.counts[(choice, audience)] = count
    return result


def my_votes(consultation, person_id, section_ids):
    return {vote.section_id: vote for vote in db.session.execute(
        select(Vote).where(Vote.consultation_id == consultation.id, Vote.person_id == person_id,
                           Vote.section_id.in_(section_ids))).scalars()}
