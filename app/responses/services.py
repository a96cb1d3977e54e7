"""The rules for themes and responses ("You said, we did"). One function = one transaction.

Which comments need an answer: every published top-level comment of a consultation.
A comment is answered by a response to it, or to a theme it is tagged with.
"""
from dataclasses import dataclass, field

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from app.accounts.models import PUBLIC_NAMES, Audience, Person, Role
from app.consultations.models import (
    Comment,
    CommentStatus,
    Consultation,
    ConsultationState,
)
from app.consultations.services import clean_text
from app.database import transaction
from app.drafts.models import DraftVersion, Section, VersionStatus
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.mail import services as mail
from app.partnerships.models import Organisation
from app.responses.models import CommentTheme, Outcome, Response, ResponseAmendment, Theme
from app.signoff.models import SignOff, SignOffRequest
from app.suggestions.models import Suggestion
from app.timeutil import utcnow
from app.trail import services as trail

MAX_THEME = 120
MAX_REASON = 5000


def _require_facilitator(by, consultation):
    if by is None or not by.has_role(Role.FACILITATOR):
        raise NotAllowed("Only facilitators can analyse and answer comments")
    if consultation.partnership_id != by.partnership_id:
        raise NotFound("No such consultation")


def may_answer(consultation):
    """Comments are answered once the consultation has closed, with every comment in view."""
    return consultation.state == ConsultationState.CLOSED.value


def _require_closed(consultation):
    if not may_answer(consultation):
        raise DomainError("Answer comments once the consultation has closed")


def frozen(consultation):
    """Once sign-off has been asked for, the answers the partners were asked to sign are frozen: a change is an
    amendment, with a reason, shown with the answer."""
    return db.session.execute(select(SignOffRequest.id).where(SignOffRequest.consultation_id == consultation.id)
                              .limit(1)).first() is not None


def _require_not_frozen(consultation):
    if frozen(consultation):
        raise DomainError("Sign-off has been asked for, so themes can no longer change")


def _answerable(comment, consultation):
    if comment.consultation_id != consultation.id or comment.depth != 0 \
            or comment.status != CommentStatus.PUBLISHED.value:
        raise DomainError("Only published comments (not replies) are answered")


# --- themes -------------------------------------------------------------------------------------

def _theme_name(name):
    name = clean_text(name)
    if not name:
        raise DomainError("Enter a name for the theme", field="name")
    if len(name) > MAX_THEME:
        raise DomainError(f"The theme's name must be {MAX_THEME} characters or fewer", field="name")
    return name


def _find_theme(consultation_id, name):
    return db.session.execute(select(Theme).where(Theme.consultation_id == consultation_id,
                                                  Theme.name == name)).scalar_one_or_none()


def create_theme(by, consultation, name):
    """A theme for this consultation (or the one that already has this name)."""
    _require_facilitator(by, consultation)
    _require_not_frozen(consultation)
    name = _theme_name(name)
    with transaction() as session:
        theme = _find_theme(consultation.id, name)
        if theme is not None:
            return theme
        theme = Theme(consultation_id=consultation.id, name=name, created_by_id=by.id)
        session.add(theme)
        session.flush()
        trail.append("theme.created", f"theme:{theme.id}",
                     {"consultation": consultation.id, "name_sha256": trail.text_hash(name)}, actor=by.id)
    return theme


def tag_comment(by, comment, *, theme=None, new_theme=None):
    """Tag a comment with a theme: an existing one, or one created as the facilitator goes."""
    consultation = comment.consultation
    _require_facilitator(by, consultation)
    _require_not_frozen(consultation)
    _answerable(comment, consultation)
    if theme is None and not clean_text(new_theme):
        raise DomainError("Choose a theme or enter a new one", field="theme")
    if theme is not None and theme.consultation_id != consultation.id:
        raise NotFound("No such theme")
    with transaction() as session:
        if theme is None:
            theme = create_theme(by, consultation, new_theme)
        theme_id, comment_id = theme.id, comment.id
        if session.get(CommentTheme, (comment_id, theme_id)) is None:
            session.add(CommentTheme(comment_id=comment_id, theme_id=theme_id, tagged_by_id=by.id))
            session.flush()
            trail.append("comment.tagged", f"comment:{comment_id}", {"theme": theme_id}, actor=by.id)
            copy_theme_answer(theme, by, consultation)
    return theme


def copy_theme_answer(theme, by, consultation):
    """A comment newly tagged with an answered theme gets its own copy of the theme's answer (published with it, and
    then its author is told). Call inside the caller's transaction."""
    response = db.session.execute(select(Response).where(Response.theme_id == theme.id)).scalar_one_or_none()
    if response is None or consultation.state != ConsultationState.CLOSED.value:
        return
    told = {}
    _apply_to_comments(theme, response, _Answer(response.outcome, response.reason, response.changed_section_key,
                                                 None), by, consultation, told)
    _notify_changes(consultation, told)


def untag_comment(by, comment, theme):
    _require_facilitator(by, comment.consultation)
    _require_not_frozen(comment.consultation)
    with transaction() as session:
        tag = session.get(CommentTheme, (comment.id, theme.id))
        if tag is None:
            return
        session.delete(tag)
        trail.append("comment.untagged", f"comment:{comment.id}", {"theme": theme.id}, actor=by.id)


# --- responses ----------------------------------------------------------------------------------

def _published(draft_id):
    """Only published versions are ever shown with answers: a working draft's words are not public."""
    return (DraftVersion.draft_id == draft_id, DraftVersion.status == VersionStatus.PUBLISHED.value)


def later_sections(consultation):
    """Sections a response may point at: those of the newest *published* version (the consulted one, or a later
    one). A working draft's sections are never offered: its titles would reach the public with the answer."""
    consulted = consultation.version
    newest = db.session.execute(select(DraftVersion).where(*_published(consulted.draft_id),
                                                           DraftVersion.number >= consulted.number)
                                .order_by(DraftVersion.number.desc()).limit(1)).scalar_one_or_none()
    return list(newest.sections) if newest is not None else list(consulted.sections)


def respond(by, consultation, *, outcome, reason, comment=None, theme=None, changed_section_key=None,
            amendment_reason=None, suggestion_decision=False):
    """Answer one comment or a whole theme; answering again revises the answer (both are logged).

    A new answer is a draft until the facilitator publishes the answers (`publish_answers`): its author is told
    then. Changing a published answer keeps it published and tells the author again only if the outcome changed.
    A theme's answer is copied to every comment under it that has no answer of its own (one log entry each);
    saving the theme's answer again updates the copies nobody has changed by hand.
    After sign-off was asked for, a change is an amendment: it needs a reason, keeps the earlier wording, is
    published at once and tells the partners who had already decided.
    A comment that suggests wording (app/suggestions) is answered by deciding on its suggestion, which calls this
    with suggestion_decision=True: its answer and the draft then agree."""
    _require_facilitator(by, consultation)
    _require_closed(consultation)
    amending = frozen(consultation)
    amendment_reason = clean_text(amendment_reason)
    if amending and not amendment_reason:
        raise DomainError("Sign-off has been asked for, so this answer is frozen. Enter the reason for amending it: "
                          "it is shown with the answer", field="amendment_reason")
    if len(amendment_reason or "") > MAX_REASON:
        raise DomainError(f"The reason must be {MAX_REASON:,} characters or fewer", field="amendment_reason")
    if (comment is None) == (theme is None):
        raise DomainError("Answer either a comment or a theme")
    if comment is not None:
        _answerable(comment, consultation)
        if not suggestion_decision and _suggests_wording(comment.id):
            raise DomainError("This comment suggests new wording for its section: answer it by deciding on the "
                              "suggestion", field="outcome")
    elif theme.consultation_id != consultation.id:
        raise NotFound("No such theme")
    try:
        outcome = Outcome(outcome).value
    except ValueError:
        raise DomainError("Choose what the partnership did", field="outcome") from None
    reason = clean_text(reason)
    if not reason:
        raise DomainError("Enter the reason, in words the person who commented will understand", field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(f"The reason must be {MAX_REASON:,} characters or fewer", field="reason")
    if changed_section_key and changed_section_key not in {s.key for s in later_sections(consultation)}:
        raise DomainError("Choose a section of the next version", field="changed_section")
    answer = _Answer(outcome, reason, changed_section_key or None, amendment_reason if amending else None)
    with transaction() as session:
        column = Response.comment_id if comment is not None else Response.theme_id
        target_id = comment.id if comment is not None else theme.id
        response = session.execute(select(Response).where(column == target_id)).scalar_one_or_none()
        told = {}  # {comment id: why its author is told}
        if response is None:
            response = Response(consultation_id=consultation.id, comment_id=comment.id if comment else None,
                                theme_id=theme.id if theme else None,
                                published_at=utcnow() if amending else None)
            session.add(response)
        if comment is not None:
            response.from_theme_id = None  # answered by hand: the theme's answer no longer updates it
        _save(response, answer, by, consultation, told, subject_id=target_id)
        if theme is not None:
            _apply_to_comments(theme, response, answer, by, consultation, told)
        _notify_changes(consultation, told)
    return response


@dataclass
class _Answer:
    outcome: str
    reason: str
    changed_section_key: str | None
    amendment_reason: str | None  # set once sign-off was asked for: every change is then an amendment


def _save(response, answer, by, consultation, told, *, subject_id, from_theme=None):
    """Write `answer` into `response` and log it (given, revised or amended). A published answer whose outcome
    changed, or an amendment that answers a comment for the first time, is noted in `told` for its author."""
    session = db.session
    new = response.id is None
    previous = None if new else response.outcome
    amendment = None
    if answer.amendment_reason is not None:
        amendment = _amendment(None if new else response, answer.amendment_reason, by)
    response.outcome, response.reason = answer.outcome, answer.reason
    response.changed_section_key = answer.changed_section_key
    response.by_id, response.updated_at = by.id, utcnow()
    session.flush()
    kind = "comment" if response.comment_id else "theme"
    data = {"consultation": consultation.id, "response": response.id, "outcome": answer.outcome,
            "reason_sha256": trail.text_hash(answer.reason), "changed_section": answer.changed_section_key}
    if from_theme is not None:
        data["from_theme"] = from_theme
    action = "response.given" if new else "response.revised"
    if amendment is not None:
        amendment.response_id = response.id
        session.add(amendment)
        session.flush()
        action = "response.amended"
        data.update(amendment=amendment.id, amendment_reason_sha256=trail.text_hash(answer.amendment_reason),
                    previous_outcome=amendment.previous_outcome)
        if from_theme is None:  # a theme's copies are told to the partners once, with the theme's answer
            _notify_partners(consultation, response, amendment)
    trail.append(action, f"{kind}:{subject_id}", data, actor=by.id)
    if response.published_at is not None and previous != answer.outcome:
        for comment_id in _comments_answered_by(response):
            told[comment_id] = "answered" if previous is None else "changed"


def _apply_to_comments(theme, response, answer, by, consultation, told):
    """Give each comment under the theme with no answer of its own a copy of the theme's answer, and update the
    copies nobody changed by hand. Each is logged on its comment."""
    session = db.session
    rows = session.execute(
        select(Comment.id, Response).join(CommentTheme, CommentTheme.comment_id == Comment.id)
        .outerjoin(Response, Response.comment_id == Comment.id)
        .where(CommentTheme.theme_id == theme.id, *_needs_answer(consultation.id),
               Comment.id.not_in(select(Suggestion.comment_id)))  # answered by their decision (app/suggestions)
        .order_by(Comment.id)).all()
    for comment_id, own in rows:
        if own is not None and own.from_theme_id != theme.id:
            continue  # answered on its own page (or copied from another theme): left as it is
        if own is None:
            own = Response(consultation_id=consultation.id, comment_id=comment_id, from_theme_id=theme.id,
                           published_at=response.published_at)
            session.add(own)
        unchanged = own.id is not None and (own.outcome, own.reason, own.changed_section_key) == (
            answer.outcome, answer.reason, answer.changed_section_key)
        if not unchanged:
            _save(own, answer, by, consultation, told, subject_id=comment_id, from_theme=theme.id)


def _suggests_wording(comment_id):
    return db.session.execute(select(Suggestion.id).where(Suggestion.comment_id == comment_id)).first() is not None


def theme_application(theme):
    """(comments carrying a copy of the theme's answer, comments under the theme answered on their own)."""
    rows = db.session.execute(
        select(Response.from_theme_id).join(CommentTheme, CommentTheme.comment_id == Response.comment_id)
        .where(CommentTheme.theme_id == theme.id)).scalars().all()
    copies = sum(1 for from_theme in rows if from_theme == theme.id)
    return copies, len(rows) - copies


def _comments_answered_by(response):
    """The comments whose answer `response` is: its own comment, or a theme's comments with no answer of their
    own."""
    if response.comment_id is not None:
        return [response.comment_id]
    own = select(Response.comment_id).where(Response.comment_id.is_not(None))
    return list(db.session.execute(select(CommentTheme.comment_id).where(
        CommentTheme.theme_id == response.theme_id, CommentTheme.comment_id.not_in(own))).scalars())


def _amendment(response, reason, by):
    """The wording being replaced (none, if the comment had no answer) and why."""
    return ResponseAmendment(previous_outcome=response.outcome if response else None,
                             previous_reason=response.reason if response else None,
                             previous_changed_section_key=response.changed_section_key if response else None,
                             reason=reason, by_id=by.id, amended_at=utcnow())


def _notify_partners(consultation, response, amendment):
    """The signatories who had already decided on a request for this consultation are told of the change."""
    people = db.session.execute(
        select(Person).join(SignOff, SignOff.signatory_id == Person.id)
        .join(SignOffRequest, SignOff.request_id == SignOffRequest.id)
        .where(SignOffRequest.consultation_id == consultation.id, Person.email.is_not(None)).distinct()
    ).scalars().all()
    for person in people:
        mail.queue(person.email, f"An answer was amended after sign-off: {consultation.title}", "response_amended",
                   person=person, consultation=consultation, outcome=Outcome(response.outcome).label,
                   reason=response.reason, amendment=amendment, path=f"/consultations/{consultation.id}/report")


def unchanged_claims(consultation, final):
    """Answers that say a section changed where `final` (the version to be signed) does not differ from the
    consulted version in that section: [(response, the consulted section's title)]. The facilitator must fix
    them before sign-off is asked for."""
    if final is None:
        return []
    def content(version):
        return {s.key: (s.title, s.body, s.plain_summary) for s in version.sections}
    consulted, signed = content(consultation.version), content(final)
    titles = {s.key: s.title for s in consultation.version.sections} | {s.key: s.title for s in final.sections}
    return [(r, titles.get(r.changed_section_key, r.changed_section_key)) for r in responses_of(consultation)
            if r.changed_section_key and signed.get(r.changed_section_key) == consulted.get(r.changed_section_key)]


def _notify_changes(consultation, told):
    """One email per author (with an address) about their comments in `told`: {comment id: "answered" or
    "changed"}, listing each comment with its answer. Young people have no email: they see the answers on their
    group's influence page."""
    if not told:
        return
    rows = db.session.execute(
        select(Person, Comment).join(Comment, Comment.author_id == Person.id)
        .where(Comment.id.in_(list(told)), Comment.status == CommentStatus.PUBLISHED.value,
               Person.email.is_not(None)).order_by(Person.id, Comment.id)).all()
    if not rows:
        return
    answers = {item.comment.id: item.response for item in answered_comments(
        consultation, where=(Comment.id.in_([c.id for _, c in rows]),), drafts=False)}
    titles = {s.id: s.title for s in consultation.version.sections}
    by_person = {}
    for person, comment in rows:
        if answers.get(comment.id) is not None:
            by_person.setdefault(person.id, (person, []))[1].append(
                (comment, titles.get(comment.section_id, "The whole draft"), answers[comment.id], told[comment.id]))
    for person, answered in by_person.values():
        changed = all(why == "changed" for *_, why in answered)
        subject = (f"An answer to your comment has changed: {consultation.title}" if changed
                   else f"Your comment{'s have' if len(answered) > 1 else ' has'} been answered: {consultation.title}")
        mail.queue(person.email, subject, "answers_published", person=person, consultation=consultation,
                   answered=answered, changed=changed, path=f"/consultations/{consultation.id}/report")


# --- reading ------------------------------------------------------------------------------------

def _needs_answer(consultation_id):
    return (Comment.consultation_id == consultation_id, Comment.depth == 0,
            Comment.status == CommentStatus.PUBLISHED.value)


def _answered(published_only=False):
    """A comment has an answer: its own, or its theme's. Participants only ever see published ones."""
    published = (Response.published_at.is_not(None),) if published_only else ()
    direct = exists().where(Response.comment_id == Comment.id, *published)
    by_theme = exists().where(CommentTheme.comment_id == Comment.id, Response.theme_id == CommentTheme.theme_id,
                              *published)
    return direct | by_theme


def unanswered_count(consultation):
    return db.session.execute(select(func.count()).select_from(Comment)
                              .where(*_needs_answer(consultation.id), ~_answered())).scalar_one()


def answer_counts(consultation):
    """(comments needing an answer, of which still unanswered)."""
    total = db.session.execute(select(func.count()).select_from(Comment)
                               .where(*_needs_answer(consultation.id))).scalar_one()
    return total, unanswered_count(consultation)


@dataclass
class AnsweredComment:
    """A comment with its themes and the answer that applies to it (its own, or its theme's)."""

    comment: Comment
    attribution: str
    themes: list = field(default_factory=list)
    response: Response | None = None

    @property
    def answered(self):
        return self.response is not None


def attribution(person, organisation, audience, *, public=False):
    """How a comment's author is shown: young people only as a member of their group; the public by the kind they
    chose at registration ("A parent or carer", "A member of the public"), which is their display name. A workshop's
    group voice (app/workshops) is its name: "Participants in the … workshop, 12 people"."""
    if person is not None and getattr(person, "is_group_voice", False):
        return person.display_name
    if audience == Audience.YOUNG_PEOPLE.value:
        return f"A member of {organisation.name}" if organisation else "A young person"
    if audience == Audience.PUBLIC.value:
        return person.display_name if person.display_name in PUBLIC_NAMES.values() else "A member of the public"
    if public:
        return {"practitioners": "A practitioner",
                "voluntary_and_community": "A voluntary or community organisation"}.get(audience, "A participant")
    return f"{person.display_name}" + (f", {organisation.name}" if organisation else "")


def answered_comments(consultation, *, public=False, where=(), drafts=True):
    """Every comment needing an answer, oldest first, with its themes and answer (four queries). With
    drafts=False (anyone but facilitators and the scrutineer), only published answers count."""
    rows = db.session.execute(
        select(Comment, Person, Organisation).join(Person, Comment.author_id == Person.id)
        .outerjoin(Organisation, Person.organisation_id == Organisation.id)
        .where(*_needs_answer(consultation.id), *where).order_by(Comment.id)).all()
    items = [AnsweredComment(comment=c, attribution=attribution(p, o, c.author_audience, public=public))
             for c, p, o in rows]
    by_id = {item.comment.id: item for item in items}
    themes = {t.id: t for t in themes_of(consultation)}
    for comment_id, theme_id in db.session.execute(
            select(CommentTheme.comment_id, CommentTheme.theme_id).where(CommentTheme.comment_id.in_(by_id))):
        by_id[comment_id].themes.append(themes[theme_id])
    responses = [r for r in responses_of(consultation) if drafts or r.published_at is not None]
    by_comment = {r.comment_id: r for r in responses if r.comment_id}
    by_theme = {r.theme_id: r for r in responses if r.theme_id}
    for item in items:
        item.response = by_comment.get(item.comment.id) or next(
            (by_theme[t.id] for t in item.themes if t.id in by_theme), None)
    return items


def themes_of(consultation):
    return db.session.execute(select(Theme).where(Theme.consultation_id == consultation.id)
                              .order_by(Theme.name)).scalars().all()


def responses_of(consultation):
    """Every answer of the consultation, with its amendments (pages list them: one statement, not one per answer)."""
    return db.session.execute(select(Response).where(Response.consultation_id == consultation.id)
                              .options(selectinload(Response.amendments)).order_by(Response.id)).scalars().all()


def theme_comment_ids(theme):
    return list(db.session.execute(select(CommentTheme.comment_id).where(CommentTheme.theme_id == theme.id)).scalars())


def section_titles(consultation):
    """{section key: title} across the consulted and later *published* versions (the newest published title
    wins): never a working draft's."""
    rows = db.session.execute(select(Section.key, Section.title).join(DraftVersion)
                              .where(*_published(consultation.version.draft_id))
                              .order_by(DraftVersion.number)).all()
    return dict(rows)


def participation(consultation):
    """People who took part (commented or voted), counted by audience: numbers only, never names. Workshop and paper
    sessions (app/workshops) are counted apart, by their participants (workshops.services.tally): their group
    voices are not people here."""
    from app.consultations.models import Vote
    from app.workshops.services import voice_ids

    individual = Comment.author_id.not_in(voice_ids(consultation.id))
    counts = {}
    for audience, person_id in db.session.execute(
            select(Comment.author_audience, Comment.author_id).where(Comment.consultation_id == consultation.id,
                                                                     individual)
            .union(select(Vote.audience, Vote.person_id).where(Vote.consultation_id == consultation.id))).all():
        counts.setdefault(audience, set()).add(person_id)
    comments = dict(db.session.execute(
        select(Comment.author_audience, func.count()).where(Comment.consultation_id == consultation.id,
                                                            Comment.status == CommentStatus.PUBLISHED.value,
                                                            individual)
        .group_by(Comment.author_audience)).all())
    return [{"audience": audience, "people": len(counts.get(audience, ())), "comments": comments.get(audience, 0)}
            for audience in [a.value for a in Audience] if audience in counts or audience in comments]


def group_influence(organisation, *, drafts=False):
    """What a young people's group said (its members' published comments) and what was done about each (only
    published answers, unless drafts=True for facilitators and the scrutineer)."""
    consultations = db.session.execute(
        select(Consultation).where(Consultation.id.in_(
            select(Comment.consultation_id).join(Person, Comment.author_id == Person.id)
            .where(Person.organisation_id == organisation.id,
                   Comment.author_audience == Audience.YOUNG_PEOPLE.value,
                   Comment.status == CommentStatus.PUBLISHED.value, Comment.depth == 0)))
        .order_by(Consultation.closes_at.desc())).scalars().all()
    in_group = Comment.author_id.in_(select(Person.id).where(Person.organisation_id == organisation.id))
    result = []
    for consultation in consultations:
        items = answered_comments(consultation, public=True, drafts=drafts,
                                  where=(in_group, Comment.author_audience == Audience.YOUNG_PEOPLE.value))
        result.append((consultation, items))
    return result


def get_theme(theme_id):
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        raise NotFound("No such theme")
    return theme
