"""The rules for consultations, comments and votes. One function = one transaction.

A consultation's state follows from the clock (see Consultation.state_at): nothing
here runs on a timer except `queue_due_notices` (app.consultations.notifications),
which only sends reminders.
"""
import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.access import PRE_MODERATED
from app.accounts.models import Audience, Role
from app.consultations import notifications
from app.consultations.models import (
    MAX_DEPTH, Comment, CommentRevision, CommentStatus, Consultation, ConsultationAudience, ConsultationExtension,
    ConsultationState, Vote, VoteChoice,
)
from app.database import transaction
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.timeutil import format_london, utcnow
from app.trail import services as trail

MAX_COMMENT = 5000
MAX_REASON = 2000
MAX_TITLE = 200
AUDIENCE_ORDER = list(Audience)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- text and small helpers --------------------------------------------------------------------

def clean_text(text):
    """Unix newlines, no control characters (PostgreSQL refuses NUL), no outer space."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARACTERS.sub("", text).strip()


def check_comment_text(text, field="body"):
    text = clean_text(text)
    if not text:
        raise DomainError("Enter your comment", field=field)
    if len(text) > MAX_COMMENT:
        raise DomainError(f"Your comment must be 5,000 characters or fewer (it has {len(text):,})", field=field)
    return text


def _reason(text, *, required, field="reason", what="the reason"):
    text = clean_text(text)
    if required and not text:
        raise DomainError(f"Enter {what}", field=field)
    if len(text) > MAX_REASON:
        raise DomainError(f"{what[0].upper()}{what[1:]} must be 2,000 characters or fewer", field=field)
    return text


def _iso(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def audience_of(person, consultation):
    """The audience a person takes part in this consultation as, or None."""
    shared = person.audiences & consultation.audience_set
    return min(shared, key=AUDIENCE_ORDER.index).value if shared else None




def _require_facilitator(by, consultation=None):
    if not by.has_role(Role.FACILITATOR):
        raise NotAllowed("Only facilitators can do this")
    if consultation is not None and consultation.partnership_id != by.partnership_id:
        raise NotFound("No such consultation")


def _require_open(consultation, now):
    state = consultation.state_at(now)
    if state == ConsultationState.SCHEDULED.value:
        raise DomainError(f"This consultation opens on {format_london(consultation.opens_at)}")
    if state == ConsultationState.CLOSED.value:
        raise DomainError(f"This consultation closed on {format_london(consultation.ends_at)}. "
                          "Comments and votes are no longer accepted.")


def _require_taking_part(person, consultation, now):
    """The audience the person takes part as; scrutineers and people outside the audiences may not."""
    audience = audience_of(person, consultation)
    if person.has_role(Role.SCRUTINEER) or audience is None \
            or consultation.partnership_id != person.partnership_id:
        raise NotAllowed("This consultation is not open to you")
    if person.awaits_confirmation:
        raise NotAllowed("Confirm your email address before you take part: follow the link we emailed you")
    _require_open(consultation, now)
    return audience


# --- opening, extending and closing ------------------------------------------------------------

def open_consultation(by, version, *, title, audiences, opens_at, closes_at, now=None):
    """Open a published version to audiences between two instants (naive UTC)."""
    now = now or utcnow()
    with transaction() as session:
        by_id = by.id
        _require_facilitator(by)
        if version is None:
            raise DomainError("Choose the published version to consult on", field="version")
        if version.draft.partnership_id != by.partnership_id:
            raise NotFound("No such version")
        if not version.is_published:
            raise DomainError("Only a published version can be consulted on: publish it first", field="version")
        title = clean_text(title) or version.draft.title
        if len(title) > MAX_TITLE:
            raise DomainError("The title must be 200 characters or fewer", field="title")
        try:
            chosen = sorted({Audience(a) for a in audiences}, key=AUDIENCE_ORDER.index)
        except ValueError:
            raise DomainError("Choose who the consultation is open to", field="audiences") from None
        if not chosen:
            raise DomainError("Choose at least one audience", field="audiences")
        if opens_at is None:
            raise DomainError("Enter the opening date", field="opens_day")
        if closes_at is None:
            raise DomainError("Enter the closing date", field="closes_day")
        if closes_at <= opens_at:
            raise DomainError("The closing date must be after the opening date", field="closes_day")
        if closes_at <= now:
            raise DomainError("The closing date must be in the future", field="closes_day")
        consultation = Consultation(version_id=version.id, title=title, opens_at=opens_at, closes_at=closes_at,
                                    created_by_id=by_id, created_at=now)
        consultation.audiences = [ConsultationAudience(audience=a.value) for a in chosen]
        session.add(consultation)
        session.flush()
        trail.append("consultation.opened", f"consultation:{consultation.id}", {
            "version": version.id, "draft": version.draft_id, "content_hash": version.content_hash,
            "audiences": [a.value for a in chosen], "opens_at": _iso(opens_at), "closes_at": _iso(closes_at),
            "title_sha256": trail.text_hash(title),
        }, actor=by_id)
        if opens_at <= now:
            notifications.queue_notices(consultation, "opened")
    return consultation


def extend(by, consultation, new_closes_at, reason, now=None):
    """Move the closing time later, keeping the earlier one and why."""
    now = now or utcnow()
    with transaction() as session:
        by_id = by.id
        _require_facilitator(by, consultation)
        if consultation.state_at(now) == ConsultationState.CLOSED.value:
            raise DomainError("This consultation has closed, so it cannot be extended")
        reason = _reason(reason, required=True, what="the reason for extending")
        previous = consultation.closes_at
        if new_closes_at is None:
            raise DomainError("Enter the new closing date", field="closes_day")
        if new_closes_at <= previous:
            raise DomainError(f"The new closing date must be after {format_london(previous)}", field="closes_day")
        session.add(ConsultationExtension(consultation_id=consultation.id, previous_closes_at=previous,
                                          new_closes_at=new_closes_at, reason=reason, by_id=by_id, at=now))
        consultation.closes_at = new_closes_at
        session.flush()
        trail.append("consultation.extended", f"consultation:{consultation.id}", {
            "previous_closes_at": _iso(previous), "closes_at": _iso(new_closes_at),
            "reason_sha256": trail.text_hash(reason),
        }, actor=by_id)
    return consultation


def close_early(by, consultation, reason, now=None):
    now = now or utcnow()
    with transaction() as session:
        by_id = by.id
        _require_facilitator(by, consultation)
        if consultation.state_at(now) == ConsultationState.CLOSED.value:
            raise DomainError("This consultation has already closed")
        reason = _reason(reason, required=True, what="the reason for closing early")
        consultation.closed_early_at, consultation.close_reason = now, reason
        session.flush()
        trail.append("consultation.closed_early", f"consultation:{consultation.id}", {
            "closed_at": _iso(now), "closes_at": _iso(consultation.closes_at),
            "reason_sha256": trail.text_hash(reason),
        }, actor=by_id)
    return consultation


# --- comments -----------------------------------------------------------------------------------

def _initial_status(author):
    """Young people's and the public's posts wait for a moderator before anyone else sees them."""
    return (CommentStatus.PENDING if author.has_role(*PRE_MODERATED) else CommentStatus.PUBLISHED).value


def _hold_if_possible_disclosure(comment, now):
    """A young person's words that may disclose harm go to the DSL at once (app.moderation.services)."""
    from app.moderation.services import hold_possible_disclosure

    return hold_possible_disclosure(comment, now)


def _already_sent(author_id, submission_key):
    """The comment this person already stored from the same form (a double submit), or None."""
    if not submission_key:
        return None
    return db.session.execute(select(Comment).where(Comment.author_id == author_id,
                                                    Comment.submission_key == submission_key)).scalar_one_or_none()


def _once(store, author, submission_key):
    """Run `store` (a whole transaction) unless this form was already stored; the same form sent twice at once
    meets the unique constraint, and the loser is answered with the winner's comment."""
    author_id = author.id
    earlier = _already_sent(author_id, submission_key)
    if earlier is not None:
        return earlier
    try:
        return store()
    except IntegrityError:
        db.session.rollback()
        earlier = _already_sent(author_id, submission_key)
        if earlier is None:
            raise
        return earlier


def _publish_use(author, use):
    """How far the words may go beyond the partnership (app/privacy): the author's choice, or their default."""
    from app.privacy.services import check_use

    return check_use(use, author)


def post_comment(author, consultation, text, section=None, now=None, submission_key=None, use=None):
    """A comment on the whole draft (section None) or on one of its sections; a form sent twice stores once."""
    return _once(lambda: _post_comment(author, consultation, text, section, now, submission_key, use), author,
                 submission_key)


def _post_comment(author, consultation, text, section, now, submission_key, use=None):
    now = now or utcnow()
    with transaction(keep_loaded=True) as session:
        author_id = author.id
        audience = _require_taking_part(author, consultation, now)
        if section is not None and section.version_id != consultation.version_id:
            raise DomainError("That section is not part of this consultation")
        text = check_comment_text(text)
        comment = Comment(consultation_id=consultation.id, section_id=section.id if section else None, depth=0,
                          author_id=author_id, author_audience=audience, body=text, status=_initial_status(author),
                          created_at=now, submission_key=submission_key or None,
                          publish_use=_publish_use(author, use))
        session.add(comment)
        session.flush()
        comment.thread_id = comment.id
        session.flush()
        entry = trail.append("comment.posted", f"comment:{comment.id}", {
            "consultation": consultation.id, "section": comment.section_id, "audience": audience,
            "status": comment.status, "body_sha256": trail.text_hash(text), "use": comment.publish_use,
        }, actor=author_id)
        _hold_if_possible_disclosure(comment, now)
        _email_receipt(author, entry, "comment")
    return comment


def _email_receipt(person, entry, what):
    """Issue 20, part 4: the author's receipt for the entry, emailed in this transaction (app/receipts)."""
    from app.receipts.services import email_receipt  # the receipts room builds on this one

    email_receipt(person, entry, what)


def _require_repliable(parent):
    if parent.status == CommentStatus.WITHDRAWN.value:
        raise DomainError("This comment has been withdrawn by its author, so it cannot be replied to", field="body")
    if parent.status == CommentStatus.PENDING.value:
        raise DomainError("You can reply once a moderator has checked this comment", field="body")
    if parent.status != CommentStatus.PUBLISHED.value:
        raise DomainError("This comment is not available to reply to", field="body")
    if parent.depth >= MAX_DEPTH:
        raise DomainError("Replies go three levels deep: reply to the comment above this one instead", field="body")


def reply(author, parent, text, now=None, submission_key=None, use=None):
    """A reply to a published comment of the same consultation, at most MAX_DEPTH deep; sent twice, stored once."""
    return _once(lambda: _reply(author, parent, text, now, submission_key, use), author, submission_key)


def _reply(author, parent, text, now, submission_key, use=None):
    now = now or utcnow()
    with transaction(keep_loaded=True) as session:
        author_id = author.id
        consultation = parent.consultation
        audience = _require_taking_part(author, consultation, now)
        _require_repliable(parent)
        text = check_comment_text(text)
        comment = Comment(consultation_id=parent.consultation_id, section_id=parent.section_id, parent_id=parent.id,
                          thread_id=parent.thread_id or parent.id, depth=parent.depth + 1, author_id=author_id,
                          author_audience=audience, body=text, status=_initial_status(author), created_at=now,
                          submission_key=submission_key or None,
                          publish_use=_publish_use(author, use))
        session.add(comment)
        session.flush()
        entry = trail.append("reply.posted", f"comment:{comment.id}", {
            "consultation": consultation.id, "section": comment.section_id, "parent": parent.id,
            "thread": comment.thread_id, "depth": comment.depth, "audience": audience, "status": comment.status,
            "body_sha256": trail.text_hash(text), "use": comment.publish_use,
        }, actor=author_id)
        _hold_if_possible_disclosure(comment, now)
        _email_receipt(author, entry, "reply")
        if comment.status == CommentStatus.PUBLISHED.value and parent.author_id != author_id:
            # A young person's reply is announced when a moderator approves it (moderation, a later room).
            notifications.notify_reply(parent, comment, author)
    return comment


def _require_author(person, comment):
    if comment.author_id != person.id:
        raise NotAllowed("Only the person who wrote a comment can change it")


def edit_comment(author, comment, text, now=None):
    """Change the text while the consultation is open; the earlier text is kept as a revision."""
    now = now or utcnow()
    with transaction() as session:
        author_id = author.id
        _require_author(author, comment)
        _require_open(comment.consultation, now)
        if comment.status not in (CommentStatus.PUBLISHED.value, CommentStatus.PENDING.value):
            raise DomainError("This comment can no longer be edited", field="body")
        text = check_comment_text(text)
        if text == comment.body:
            return comment
        previous = comment.body
        revision = CommentRevision(comment_id=comment.id, body=previous,
                                   written_at=comment.edited_at or comment.created_at, replaced_at=now)
        session.add(revision)
        comment.body, comment.edited_at = text, now
        comment.status = _initial_status(author)  # a young person's edit is checked again
        session.flush()
        trail.append("comment.edited", f"comment:{comment.id}", {
            "consultation": comment.consultation_id, "revision": revision.id, "status": comment.status,
            "previous_body_sha256": trail.text_hash(previous), "body_sha256": trail.text_hash(text),
        }, actor=author_id)
        _hold_if_possible_disclosure(comment, now)
    return comment


def withdraw_comment(author, comment, now=None):
    """The author takes a comment back: it no longer shows, but its text stays for the trail."""
    now = now or utcnow()
    with transaction() as session:
        author_id = author.id
        _require_author(author, comment)
        _require_open(comment.consultation, now)
        if comment.status == CommentStatus.WITHDRAWN.value:
            raise DomainError("You have already withdrawn this comment")
        if comment.status not in (CommentStatus.PUBLISHED.value, CommentStatus.PENDING.value):
            raise DomainError("This comment can no longer be withdrawn")
        previous = comment.status
        comment.status, comment.withdrawn_at = CommentStatus.WITHDRAWN.value, now
        session.flush()
        trail.append("comment.withdrawn", f"comment:{comment.id}", {
            "consultation": comment.consultation_id, "previous_status": previous,
            "body_sha256": trail.text_hash(comment.body),
        }, actor=author_id)
    return comment


# --- votes --------------------------------------------------------------------------------------

def _find_vote(consultation_id, section_id, person_id):
    return db.session.execute(select(Vote).where(Vote.consultation_id == consultation_id,
                                                 Vote.section_id == section_id,
                                                 Vote.person_id == person_id)).scalar_one_or_none()


def cast_vote(person, consultation, section, choice, reason="", now=None):
    """One vote per person per section (a database constraint); a second vote changes the first."""
    now = now or utcnow()
    with transaction(keep_loaded=True) as session:
        person_id = person.id
        audience = _require_taking_part(person, consultation, now)
        if section is None or section.version_id != consultation.version_id:
            raise DomainError("That section is not part of this consultation", field="choice")
        try:
            choice = VoteChoice(choice).value
        except ValueError:
            raise DomainError("Choose support, support with changes or oppose", field="choice") from None
        reason = _reason(reason, required=False, what="your reason")
        key = (consultation.id, section.id, person_id)
        vote, created = _find_vote(*key), False
        if vote is None:
            try:
                with session.begin_nested():  # a double submit may insert the same vote at the same moment
                    vote = Vote(consultation_id=key[0], section_id=key[1], person_id=person_id, audience=audience,
                                choice=choice, reason=reason, created_at=now, updated_at=now)
                    session.add(vote)
                created = True
            except IntegrityError:
                vote = _find_vote(*key)
        data = {"consultation": key[0], "section": key[1], "audience": audience, "choice": choice,
                "reason_sha256": trail.text_hash(reason)}
        if created:
            _email_receipt(person, trail.append("vote.cast", f"vote:{vote.id}", data, actor=person_id), "vote")
            return vote
        if vote.choice == choice and vote.reason == reason:
            return vote
        data["previous_choice"] = vote.choice
        vote.choice, vote.reason, vote.updated_at = choice, reason, now
        session.flush()
        _email_receipt(person, trail.append("vote.changed", f"vote:{vote.id}", data, actor=person_id), "vote")
    return vote


# The reminders job (`flask send-reminders`) lives with the other email rules; it is called from here too.
queue_due_notices = notifications.queue_due_notices
