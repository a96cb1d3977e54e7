"""Reading suggested wording: the cards in comment threads, a consultation's list, the sign-off check and the
report. Each function issues a fixed number of statements, whatever the number of suggestions."""
from dataclasses import dataclass

from flask import g
from sqlalchemy import func, select

from app.consultations.models import Comment, CommentStatus
from app.drafts.models import Section
from app.extensions import db
from app.privacy import ERASED_MARKER
from app.responses.models import Response
from app.suggestions import text
from app.suggestions.models import Suggestion, SuggestionOutcome, SuggestionSupport

REDACTED_NOTE = "The suggested words are with the designated safeguarding lead."
ERASED_NOTE = "The suggested words were removed at the author’s request."
WITHHELD_NOTE = "The author chose to share these words only with the partnership and the independent scrutineer."


def words_note(suggestion, comment):
    """Why the suggested words are not shown, or None when they are."""
    if comment.redacted_at is not None:
        return REDACTED_NOTE
    if suggestion.erased_sha256 is not None or suggestion.replacement == ERASED_MARKER:
        return ERASED_NOTE
    return None


def change_of(suggestion, section_body):
    """The suggestion as a tracked change in the section it was made on."""
    return text.tracked_change(section_body, suggestion.passage_start, suggestion.passage_end, suggestion.replacement)


def _decision(suggestion, response, sees_drafts):
    """(outcome label, whether it is a draft answer) as this reader may see it; (None, False) before that."""
    if suggestion.outcome is None or response is None:
        return None, False
    if response.published_at is None and not sees_drafts:
        return None, False
    return SuggestionOutcome(suggestion.outcome).label, response.published_at is None


@dataclass(frozen=True)
class SuggestionCard:
    """What a comment card shows of the suggestion its comment makes: plain values, all part of the card's key
    (app/fragments.py)."""

    id: int
    change: text.TrackedChange | None  # None when the words are not shown (see note)
    note: str | None
    support_count: int
    supported: bool  # by the reader
    outcome: str | None  # the decision, once this reader may see it
    outcome_draft: bool = False


def attach_cards(views, access):
    """Give each top-level comment view (app/consultations/queries.CommentView) that makes a suggestion its card: one
    statement, whatever the number of comments."""
    ids = [view.id for view in views if view.depth == 0 and view.section_id is not None]
    if not ids:
        return
    mine = (SuggestionSupport.suggestion_id == Suggestion.id) & (SuggestionSupport.person_id == access.person_id) \
        & SuggestionSupport.withdrawn_at.is_(None)
    rows = db.session.execute(
        select(Suggestion, Section.body, Comment.redacted_at, SuggestionSupport.id, Response)
        .join(Section, Suggestion.section_id == Section.id).join(Comment, Suggestion.comment_id == Comment.id)
        .outerjoin(SuggestionSupport, mine).outerjoin(Response, Response.comment_id == Suggestion.comment_id)
        .where(Suggestion.comment_id.in_(ids))).all()
    by_id = {view.id: view for view in views}
    for suggestion, body, redacted_at, supported, response in rows:
        note = REDACTED_NOTE if redacted_at is not None else (
            ERASED_NOTE if suggestion.erased_sha256 is not None else None)
        outcome, draft = _decision(suggestion, response, access.sees_all)
        by_id[suggestion.comment_id].suggestion = SuggestionCard(
            id=suggestion.id, change=None if note else change_of(suggestion, body), note=note,
            support_count=suggestion.support_count, supported=supported is not None, outcome=outcome,
            outcome_draft=draft)


@dataclass(frozen=True)
class ForModerators:
    """What a moderator reads of a suggestion beside its comment (the reason): the change and the words."""

    id: int
    change: text.TrackedChange
    replacement: str


def for_moderators(comment_ids):
    """{comment id: ForModerators} for the comments among these that suggest wording (one statement)."""
    if not comment_ids:
        return {}
    rows = db.session.execute(select(Suggestion, Section.body).join(Section, Suggestion.section_id == Section.id)
                              .where(Suggestion.comment_id.in_(comment_ids))).all()
    return {s.comment_id: ForModerators(id=s.id, change=change_of(s, body), replacement=s.replacement)
            for s, body in rows}


def _visible(access):
    """SQL on Comment: the suggestions this reader sees (as app/consultations/queries._visible, less withdrawn)."""
    if access.sees_all:
        return Comment.status != CommentStatus.CONCERN.value if not access.sees_concerns else Comment.id.is_not(None)
    return (Comment.status == CommentStatus.PUBLISHED.value) | (Comment.author_id == access.person_id)


def section_counts(consultation, access):
    """{section id: suggestions this reader sees, withdrawn ones left out}, once per request."""
    key = ("suggestion_counts", consultation.id, access.person_id)
    cache = g.setdefault("suggestion_counts", {})
    if key not in cache:
        rows = db.session.execute(
            select(Suggestion.section_id, func.count()).join(Comment, Suggestion.comment_id == Comment.id)
            .where(Suggestion.consultation_id == consultation.id, _visible(access),
                   Comment.status != CommentStatus.WITHDRAWN.value)
            .group_by(Suggestion.section_id)).all()
        cache[key] = dict(rows)
    return cache[key]


@dataclass
class Item:
    """A suggestion as a list, its own page, the report or the decision page shows it."""

    suggestion: Suggestion
    comment: Comment
    section: Section
    attribution: str
    change: text.TrackedChange | None
    note: str | None
    response: Response | None
    outcome: str | None = None
    outcome_draft: bool = False
    supported: bool = False
    replies: int = 0

    @property
    def status_note(self):
        status = self.comment.status
        if status == CommentStatus.PUBLISHED.value:
            return None
        return {"pending": "Waiting for a moderator", "hidden": "Hidden by a moderator",
                "withdrawn": "Withdrawn by its author", "concern": "Under a safeguarding concern"}[status]

    @property
    def is_open(self):
        return self.comment.status == CommentStatus.PUBLISHED.value and self.suggestion.outcome is None


def _items(rows, *, viewer_id, sees_drafts, public=False, wider=False):
    from app.responses.services import attribution

    result = []
    for suggestion, comment, section, person, organisation, response in rows:
        note = words_note(suggestion, comment)
        if note is None and wider and comment.publish_use != "public" and comment.author_id != viewer_id:
            note = WITHHELD_NOTE
        outcome, draft = _decision(suggestion, response, sees_drafts)
        result.append(Item(suggestion=suggestion, comment=comment, section=section,
                           attribution=attribution(person, organisation, comment.author_audience, public=public),
                           change=None if note else change_of(suggestion, section.body), note=note,
                           response=response if (response is not None and (sees_drafts or response.published_at))
                           else None, outcome=outcome, outcome_draft=draft))
    return result


def _select():
    from app.accounts.models import Person
    from app.partnerships.models import Organisation

    return (select(Suggestion, Comment, Section, Person, Organisation, Response)
            .join(Comment, Suggestion.comment_id == Comment.id).join(Section, Suggestion.section_id == Section.id)
            .join(Person, Comment.author_id == Person.id)
            .outerjoin(Organisation, Person.organisation_id == Organisation.id)
            .outerjoin(Response, Response.comment_id == Suggestion.comment_id))


def for_consultation(consultation, access):
    """Every suggestion of the consultation this reader sees, by section then oldest first, with supports and the
    number of comments on each."""
    rows = db.session.execute(_select().where(Suggestion.consultation_id == consultation.id, _visible(access))
                              .order_by(Section.position, Suggestion.id)).all()
    items = _items(rows, viewer_id=access.person_id, sees_drafts=access.sees_all)
    _attach_counts(items, access)
    return items


def one(suggestion, access):
    rows = db.session.execute(_select().where(Suggestion.id == suggestion.id)).all()
    items = _items(rows, viewer_id=access.person_id, sees_drafts=access.sees_all)
    _attach_counts(items, access)
    return items[0]


def _attach_counts(items, access):
    from app.consultations.queries import _visible as visible_comments

    if not items:
        return
    by_comment = {item.comment.id: item for item in items}
    for thread_id, count in db.session.execute(
            select(Comment.thread_id, func.count()).where(Comment.thread_id.in_(list(by_comment)), Comment.depth > 0,
                                                          visible_comments(access)).group_by(Comment.thread_id)):
        by_comment[thread_id].replies = count
    supported = set(db.session.execute(select(SuggestionSupport.suggestion_id).where(
        SuggestionSupport.person_id == access.person_id, SuggestionSupport.withdrawn_at.is_(None),
        SuggestionSupport.suggestion_id.in_([item.suggestion.id for item in items]))).scalars())
    for item in items:
        item.supported = item.suggestion.id in supported


def for_report(consultation, *, sees_drafts, viewer_id=None, wider=True, public=False):
    """The published suggestions of a consultation, with their decisions as this reader may see them: the report,
    the published arrangement. `wider`: words their authors kept for the partnership are not shown."""
    rows = db.session.execute(_select().where(Suggestion.consultation_id == consultation.id,
                                              Comment.status == CommentStatus.PUBLISHED.value)
                              .order_by(Section.position, Suggestion.id)).all()
    return _items(rows, viewer_id=viewer_id, sees_drafts=sees_drafts, public=public, wider=wider)


# --- the final version: which accepted suggestions it holds ---------------------------------------------

@dataclass
class Check:
    suggestion: Suggestion
    section_title: str
    contained: bool
    why: str


def contains(section, suggestion):
    """Does `section` (of a later version) hold the accepted wording? Its final text is in the section's text (for
    a deletion: the words deleted are not)."""
    if section is None:
        return False
    body = text.normal(section.body)
    final = text.normal(suggestion.final_text)
    if final:
        return final in body
    return text.normal(suggestion.passage) not in body


def accepted_in(consultation, version):
    """[Check] for each accepted suggestion of the consultation (oldest first): whether `version` contains it."""
    if version is None:
        return []
    rows = db.session.execute(select(Suggestion, Section.title).join(Section, Suggestion.section_id == Section.id)
                              .where(Suggestion.consultation_id == consultation.id,
                                     Suggestion.outcome.in_([SuggestionOutcome.ACCEPTED.value,
                                                             SuggestionOutcome.ACCEPTED_WITH_CHANGES.value]))
                              .order_by(Suggestion.id)).all()
    sections = {s.key: s for s in version.sections}
    checks = []
    for suggestion, title in rows:
        section = sections.get(suggestion.section_key)
        held = contains(section, suggestion)
        if section is None:
            why = f"“{title}” is not in version {version.number}"
        elif held:
            why = f"Its wording is in “{section.title}”"
        else:
            why = f"Its wording is not in “{section.title}” in version {version.number}"
        checks.append(Check(suggestion=suggestion, section_title=title, contained=held, why=why))
    return checks


def report_part(consultation, final_version, *, sees_drafts, viewer_id=None, wider=True, public=False):
    """What templates/suggestions/_report.html shows (the report, the published arrangement): the suggestions as this
    reader may see them (for_report) and, when `final_version` is not the consulted one, whether it holds each
    accepted suggestion ({suggestion id: Check})."""
    checks = {}
    if final_version is not None and final_version.id != consultation.version_id:
        checks = {check.suggestion.id: check for check in accepted_in(consultation, final_version)}
    return {"suggestion_items": for_report(consultation, sees_drafts=sees_drafts, viewer_id=viewer_id, wider=wider,
                                           public=public),
            "suggestion_checks": checks, "final_version": final_version}


def applied_to(version):
    """{section id: [suggestion]} of the suggestions accepted into this version (the link back from the draft)."""
    rows = db.session.execute(select(Suggestion).join(Section, Suggestion.applied_section_id == Section.id)
                              .where(Section.version_id == version.id).order_by(Suggestion.id)).scalars().all()
    found = {}
    for suggestion in rows:
        found.setdefault(suggestion.applied_section_id, []).append(suggestion)
    return found


def counts_for_year(consultation_ids):
    """{outcome or "open": number} of published suggestions in these consultations (the yearly report)."""
    if not consultation_ids:
        return {}
    rows = db.session.execute(select(Suggestion.outcome, func.count())
                              .join(Comment, Suggestion.comment_id == Comment.id)
                              .where(Suggestion.consultation_id.in_(consultation_ids),
                                     Comment.status == CommentStatus.PUBLISHED.value)
                              .group_by(Suggestion.outcome)).all()
    return {outcome or "open": count for outcome, count in rows}
