"""The rules for young people's invite codes, moderation and safeguarding concerns. One function = one transaction.

Moderators are facilitators and designated safeguarding leads (DSL) of the comment's partnership. Every act is
kept (ModerationAct, Report, SafeguardingConcern) and logged with ids and hashes only: a young person's words
never reach the consultation log.
"""
import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts import services as accounts
from app.access import MODERATORS
from app.accounts.models import PRE_MODERATED, Person, Role, RoleGrant
from app.consultations import notifications
from app.consultations import queries as consultation_queries
from app.consultations.models import Comment, CommentRevision, CommentStatus
from app.consultations.services import clean_text
from app.database import transaction
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.mail import services as mail
from app.moderation.models import (
    HIDE_REASONS,
    HOLDING_REPORT,
    REPORT_REASONS,
    AuthorNotice,
    InviteCode,
    ModerationAct,
    RedactedText,
    Report,
    SafeguardingConcern,
)
from app.partnerships.models import Organisation, OrganisationKind
from app.timeutil import utcnow
from app.trail import services as trail

MAX_TEXT = 2000
MAX_CODE_USES = 500
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_-]{2,29}$")

REVOKED_CODE = "That code has been stopped by your group leader. Ask them for a new one."
WRONG_CODE = "We do not recognise that code. Check it with your group leader and try again."
EXPIRED_CODE = "That code has expired. Ask your group leader for a new one."
USED_UP_CODE = "That code has already been used by everyone it was made for. Ask your group leader for a new one."


def _text(text, *, required, what, field="reason"):
    text = clean_text(text)
    if required and not text:
        raise DomainError(f"Enter {what}", field=field)
    if len(text) > MAX_TEXT:
        raise DomainError(f"{what[0].upper()}{what[1:]} must be 2,000 characters or fewer", field=field)
    return text


def is_moderator(person):
    return person.has_role(*MODERATORS)


def _require_moderator(by, comment):
    if not is_moderator(by):
        raise NotAllowed("Only moderators can do this")
    if comment.consultation.partnership_id != by.partnership_id:
        raise NotFound("No such comment")


def _act(comment, act, by_id, now, reason="", reason_code=None):
    db.session.add(ModerationAct(comment_id=comment.id, act=act, reason=reason, reason_code=reason_code,
                                 by_id=by_id, at=now))


def _resolve_reports(comment, by_id, now):
    for report in db.session.execute(select(Report).where(Report.comment_id == comment.id,
                                                          Report.resolved_at.is_(None))).scalars():
        report.resolved_at, report.resolved_by_id = now, by_id


# --- invite codes -----------------------------------------------------------------------------------

def code_hash(code):
    """Codes are compared without case, spaces or dashes: 'nsyc demo 2019' is 'NSYC-DEMO-2019'."""
    normal = re.sub(r"[\s\-]", "", (code or "").upper())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def new_code():
    """Three groups of four characters: about 60 bits, far beyond guessing at a few tries a minute."""
    return "-".join("".join(secrets.choice(_CODE_ALPHABET) for _ in range(4)) for _ in range(3))


def can_issue_codes(person, organisation):
    """A facilitator, for any group of their partnership; a youth worker, for their own group only."""
    if organisation.partnership_id != person.partnership_id:
        return False
    return person.has_role(Role.FACILITATOR) or (person.has_role(Role.YOUTH_WORKER)
                                                 and person.organisation_id == organisation.id)


def groups_for(person):
    """The young people's groups this person may issue codes for."""
    return [group for group in young_peoples_groups(person.partnership_id) if can_issue_codes(person, group)]


def young_peoples_groups(partnership_id):
    return db.session.execute(select(Organisation).where(
        Organisation.partnership_id == partnership_id, Organisation.kind == OrganisationKind.YOUNG_PEOPLES_GROUP.value)
        .order_by(Organisation.name)).scalars().all()


def issue_invite_code(by, organisation, *, max_uses, expires_at, code=None, now=None):
    """A new code for a young people's group. Returns (InviteCode, the code): the code is shown once, never kept."""
    now = now or utcnow()
    with transaction() as session:
        by_id = by.id if by else None
        if organisation is None or organisation.kind != OrganisationKind.YOUNG_PEOPLES_GROUP.value:
            raise DomainError("Choose a young people's group", field="organisation")
        if by is not None and not can_issue_codes(by, organisation):
            raise NotAllowed("Only a facilitator or the group's youth worker can issue its codes")
        if not max_uses or not 1 <= max_uses <= MAX_CODE_USES:
            raise DomainError(f"The number of people must be between 1 and {MAX_CODE_USES}", field="max_uses")
        if expires_at is None or expires_at <= now:
            raise DomainError("The code must expire in the future", field="days")
        code = code or new_code()
        invite = InviteCode(organisation_id=organisation.id, code_hash=code_hash(code), max_uses=max_uses, uses=0,
                            expires_at=expires_at, created_by_id=by_id, created_at=now)
        session.add(invite)
        session.flush()
        trail.append("invite_code.issued", f"invite_code:{invite.id}", {
            "organisation": organisation.id, "max_uses": max_uses,
            "expires_at": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")}, actor=by_id)
    return invite, code


def codes_for(person):
    """The codes of the groups this person may issue codes for, newest first."""
    group_ids = [group.id for group in groups_for(person)]
    return db.session.execute(select(InviteCode).where(InviteCode.organisation_id.in_(group_ids))
                              .order_by(InviteCode.id.desc())).scalars().all()


def check_code(code, now=None):
    """The usable InviteCode for `code`, or DomainError saying (in plain words) why not."""
    now = now or utcnow()
    if not clean_text(code):
        raise DomainError("Enter the code your group leader gave you", field="code")
    invite = db.session.execute(select(InviteCode).where(InviteCode.code_hash == code_hash(code))).scalar_one_or_none()
    if invite is None:
        raise DomainError(WRONG_CODE, field="code")
    if invite.revoked_at is not None:
        raise DomainError(REVOKED_CODE, field="code")
    if invite.expires_at <= now:
        raise DomainError(EXPIRED_CODE, field="code")
    if invite.uses >= invite.max_uses:
        raise DomainError(USED_UP_CODE, field="code")
    return invite


def _free_username(wanted):
    if accounts.find_by_login(wanted) is None:
        return wanted
    for digits in (4, 4, 4, 6, 6, 8):
        candidate = f"{wanted}-{secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1)}"
        if accounts.find_by_login(candidate) is None:
            return candidate
    raise DomainError("We could not make that username. Try another one.", field="username")


def join(code, username, password, accepted_rules, now=None):
    """A young person joins their group with a code: a username and password, nothing else about them."""
    now = now or utcnow()
    with transaction() as session:
        invite = check_code(code, now)
        username = accounts.normalise_login(username)
        if not _USERNAME.match(username):
            raise DomainError("Your username must be 3 to 30 letters, numbers, dashes or underscores, "
                              "starting with a letter or number", field="username")
        if not accepted_rules:
            raise DomainError("Tick the box to say you agree to the rules", field="accept")
        # A taken name is not refused: that would tell anyone with a group's code (the demo's is public) which
        # usernames exist. The person gets a free variant instead, shown on the welcome page (issue 14).
        username = _free_username(username)
        organisation = invite.organisation
        person = accounts.create_account(None, partnership=organisation.partnership, display_name=username,
                                         roles=[Role.YOUNG_PERSON], password=password, username=username,
                                         organisation=organisation)
        invite.uses = invite.uses + 1
        session.flush()
        trail.append("young_person.joined", f"person:{person.id}",
                     {"invite_code": invite.id, "organisation": organisation.id}, actor=person.id)
    return person


# --- the queue: approve and reject ------------------------------------------------------------------

CONFIRM_NOT_HARM = ("Tick to confirm you have read this comment and it does not tell us that a child is being "
                    "harmed. If it might, raise a safeguarding concern instead.")


def approve(by, comment, confirmed_not_harm=False, now=None):
    """A young person's comment or reply becomes visible; a reply's email to the parent's author goes now.

    A comment the harm-signal list flagged is never published with one click: the moderator must confirm that they
    read it and it does not disclose harm, and the log keeps that they did (with who they are).
    """
    now = now or utcnow()
    with transaction() as session:
        by_id = by.id
        _require_moderator(by, comment)
        if comment.status != CommentStatus.PENDING.value:
            raise DomainError("This comment is no longer waiting for a moderator")
        if comment.flagged and not confirmed_not_harm:
            raise DomainError(CONFIRM_NOT_HARM, field="confirm_not_harm")
        comment.status = CommentStatus.PUBLISHED.value
        _act(comment, "approved", by_id, now, "Read and confirmed it does not disclose harm" if comment.flagged else "")
        _resolve_reports(comment, by_id, now)
        session.flush()
        trail.append("comment.approved", f"comment:{comment.id}",
                     {"consultation": comment.consultation_id, "flagged": bool(comment.flagged),
                      "confirmed_not_harm": bool(comment.flagged and confirmed_not_harm)}, actor=by_id)
        parent = comment.parent
        if parent is not None and parent.author_id != comment.author_id:
            notifications.notify_reply(parent, comment, comment.author)
    return comment


def _reason_text(reason_code, reason):
    if reason_code not in HIDE_REASONS:
        raise DomainError("Choose a reason", field="reason_code")
    reason = _text(reason, required=reason_code == "other", what="the reason")
    return HIDE_REASONS[reason_code] + (f": {reason}" if reason else "")


def _tell_author(comment, kind, reason, now):
    author = comment.author
    db.session.add(AuthorNotice(person_id=author.id, comment_id=comment.id, kind=kind, reason=reason, created_at=now))
    if author.email and author.is_active:
        mail.queue(author.email, f"Your comment was {kind}: {comment.consultation.title}", "comment_hidden",
                   person=author, kind=kind, reason=reason, consultation=comment.consultation,
                   path=f"/comments/{comment.thread_id or comment.id}/replies#comment-{comment.id}")


def _take_down(by, comment, reason_code, reason, now, *, expected, act, refusal):
    """Hide a comment with a reason: record the act, close its reports, tell its author, log it."""
    now = now or utcnow()
    with transaction() as session:
        by_id = by.id
        _require_moderator(by, comment)
        if comment.status != expected:
            raise DomainError(refusal)
        text = _reason_text(reason_code, reason)
        comment.status, comment.moderation_reason = CommentStatus.HIDDEN.value, text
        _act(comment, act, by_id, now, reason, reason_code)
        _resolve_reports(comment, by_id, now)
        _tell_author(comment, act, text, now)
        session.flush()
        trail.append(f"comment.{act}", f"comment:{comment.id}", {
            "consultation": comment.consultation_id, "reason_code": reason_code,
            "reason_sha256": trail.text_hash(text)}, actor=by_id)
    return comment


def reject(by, comment, reason_code, reason="", now=None):
    """A waiting comment is not published; it is kept, hidden, and its author is told why."""
    return _take_down(by, comment, reason_code, reason, now, expected=CommentStatus.PENDING.value,
                      act="rejected", refusal="This comment is no longer waiting for a moderator")


# --- reporting, hiding and restoring ----------------------------------------------------------------

def report(by, comment, reason, now=None, reason_code="other"):
    """A participant who can see a comment may report it, once; moderators see reports in the queue.

    Readers who only watch (the scrutineer, partners, facilitators) do not report: facilitators and the DSL
    moderate directly, and the others must stay independent of what is said. "It could identify a child or family"
    takes the comment down at once (back to the moderation queue) until a moderator decides: nobody should have to
    wait for a moderator to stop a family being identified.
    """
    now = now or utcnow()
    try:
        with transaction() as session:
            by_id = by.id
            if not consultation_queries.access_for(by, comment.consultation, now).can_take_part:
                raise NotAllowed("Only people taking part in this consultation can report its comments")
            if comment.author_id == by_id:
                raise DomainError("You cannot report your own comment. You can edit or withdraw it instead.")
            if comment.status != CommentStatus.PUBLISHED.value:
                raise DomainError("This comment is not shown to others, so it cannot be reported")
            if session.execute(select(Report.id).where(Report.comment_id == comment.id,
                                                       Report.by_id == by_id)).first():
                raise DomainError(ALREADY_REPORTED)
            if reason_code not in REPORT_REASONS:
                raise DomainError("Choose what is wrong with this comment", field="reason_code")
            reason = _text(reason, required=reason_code == "other", what="what is wrong with this comment")
            item = Report(comment_id=comment.id, by_id=by_id, reason_code=reason_code,
                          reason=reason or REPORT_REASONS[reason_code], at=now)
            session.add(item)
            session.flush()
            trail.append("comment.reported", f"comment:{comment.id}", {
                "consultation": comment.consultation_id, "report": item.id, "reason_code": reason_code,
                "reason_sha256": trail.text_hash(item.reason)}, actor=by_id)
            if reason_code == HOLDING_REPORT:
                comment.status = CommentStatus.PENDING.value
                session.flush()
                trail.append("comment.held", f"comment:{comment.id}", {
                    "consultation": comment.consultation_id, "report": item.id, "reason_code": reason_code,
                    "status": comment.status}, actor=by_id)
    except IntegrityError:  # the same report sent twice at once: the database kept one
        db.session.rollback()
        raise DomainError(ALREADY_REPORTED) from None
    return item


ALREADY_REPORTED = "You have already reported this comment. A moderator will look at it."


def hide(by, comment, reason_code, reason="", now=None):
    """A published comment is hidden from participants (never deleted); its author is told why."""
    return _take_down(by, comment, reason_code, reason, now, expected=CommentStatus.PUBLISHED.value,
                      act="hidden", refusal="Only a published comment can be hidden")


def restore(by, comment, reason="", now=None):
    now = now or utcnow()
    with transaction() as session:
        by_id = by.id
        _require_moderator(by, comment)
        if comment.status != CommentStatus.HIDDEN.value:
            raise DomainError("Only a hidden comment can be restored")
        reason = _text(reason, required=False, what="the reason")
        comment.status, comment.moderation_reason = CommentStatus.PUBLISHED.value, None
        _act(comment, "restored", by_id, now, reason)
        for notice in db.session.execute(select(AuthorNotice).where(AuthorNotice.comment_id == comment.id,
                                                                    AuthorNotice.dismissed_at.is_(None))).scalars():
            notice.dismissed_at = now
        session.flush()
        trail.append("comment.restored", f"comment:{comment.id}", {
            "consultation": comment.consultation_id, "reason_sha256": trail.text_hash(reason)}, actor=by_id)
    return comment


def notices_for(person):
    return db.session.execute(select(AuthorNotice).where(AuthorNotice.person_id == person.id,
                                                         AuthorNotice.dismissed_at.is_(None))
                              .order_by(AuthorNotice.id.desc())).scalars().all()


def dismiss_reports(by, comment, reason, now=None):
    """A moderator read the reports on a published comment and keeps it: the reports are closed with the reason,
    each reporter is told (by email where they have one, and on their home page), and the log keeps it."""
    now = now or utcnow()
    with transaction() as session:
        by_id = by.id
        _require_moderator(by, comment)
        if comment.status != CommentStatus.PUBLISHED.value:
            raise DomainError("Only the reports on a published comment can be dismissed")
        reason = _text(reason, required=True, what="why the comment can stay")
        reports = session.execute(select(Report).where(Report.comment_id == comment.id,
                                                       Report.resolved_at.is_(None)).order_by(Report.id)
                                  .with_for_update()).scalars().all()
        if not reports:
            raise DomainError("There is no open report on this comment: a moderator may have dealt with it already")
        for item in reports:
            item.resolved_at, item.resolved_by_id, item.dismissal_reason = now, by_id, reason
            reporter = item.by
            if reporter.email and reporter.is_active:
                mail.queue(reporter.email, f"The comment you reported: {comment.consultation.title}",
                           "report_dismissed", person=reporter, reason=reason, consultation=comment.consultation,
                           reported_at=item.at,
                           path=f"/comments/{comment.thread_id or comment.id}/replies#comment-{comment.id}")
        session.flush()
        trail.append("comment.reports_dismissed", f"comment:{comment.id}", {
            "consultation": comment.consultation_id, "reports": [item.id for item in reports],
            "reason_sha256": trail.text_hash(reason)}, actor=by_id)
    return reports


DISMISSED_REPORT_NOTICE_DAYS = 30


def dismissed_reports_for(person, now=None):
    """The person's reports a moderator dismissed lately, for their home page (newest first)."""
    since = (now or utcnow()) - timedelta(days=DISMISSED_REPORT_NOTICE_DAYS)
    return db.session.execute(select(Report).where(Report.by_id == person.id, Report.dismissal_reason.is_not(None),
                                                   Report.resolved_at >= since)
                              .order_by(Report.resolved_at.desc())).scalars().all()


# --- safeguarding concerns --------------------------------------------------------------------------

def _dsls(partnership_id):
    return db.session.execute(select(Person).join(RoleGrant, RoleGrant.person_id == Person.id).where(
        Person.partnership_id == partnership_id, RoleGrant.role == Role.DSL.value, Person.email.is_not(None),
        Person.is_active_account.is_(True), Person.password_hash.is_not(None)).order_by(Person.id)).scalars().all()


def _alert_dsls(concern):
    """One email to each DSL of the partnership, through the outbox, for each concern raised (never its words)."""
    people = _dsls(concern.partnership_id)
    for dsl in people:
        mail.queue(dsl.email, "Safeguarding concern raised: please act now", "safeguarding_concern", person=dsl,
                   concern=concern, path=f"/concerns/{concern.id}")
    return [p.id for p in people]


def _open_concern(comment, *, source, raised_by_id, note, now):
    """Hold the comment from everyone but the DSL (and scrutineers), open a concern awaiting the DSL's review,
    alert the DSL once, and log it. Inside the caller's transaction."""
    author = comment.author
    concern = SafeguardingConcern(
        partnership_id=author.partnership_id, comment_id=comment.id, person_id=author.id,
        organisation_id=author.organisation_id, source=source, message=note, previous_status=comment.status,
        raised_by_id=raised_by_id, raised_at=now, review="unreviewed")
    db.session.add(concern)
    comment.status = CommentStatus.CONCERN.value
    if source != "signal":  # the word list is not a person: its act is the log entry alone
        _act(comment, "concern", raised_by_id, now)
    _resolve_reports(comment, raised_by_id, now)
    db.session.flush()
    dsl_ids = _alert_dsls(concern)
    trail.append("concern.raised", f"concern:{concern.id}", {
        "comment": comment.id, "person": author.id, "organisation": author.organisation_id,
        "source": source, "message_sha256": trail.text_hash(note), "dsl_alerted": dsl_ids,
        "status": comment.status}, actor=None if source == "signal" else raised_by_id)
    return concern


def raise_concern(by, comment, note="", now=None):
    """A moderator, or the comment's own young author, raises a concern: the comment is hidden from all but
    the DSL and scrutineers at once, and the DSL is alerted."""
    now = now or utcnow()
    with transaction():
        by_id = by.id
        own = comment.author_id == by_id
        if not own:
            _require_moderator(by, comment)
        elif comment.consultation.partnership_id != by.partnership_id:
            raise NotFound("No such comment")
        if comment.status == CommentStatus.CONCERN.value:
            raise DomainError("A safeguarding concern has already been raised about this comment")
        note = _text(note, required=False, what="your message", field="message")
        concern = _open_concern(comment, source="self" if own else "moderator", raised_by_id=by_id, note=note,
                                now=now)
    return concern


def hold_possible_disclosure(comment, now):
    """Called by the comment services inside their transaction, after a young person posts, replies or edits.

    If the text matches the harm-signal list (app/moderation/signals.py) the post is held from everyone and a
    concern "possible disclosure — not yet reviewed" is opened for the DSL: passing it on is not a moderator's
    judgement call. The public's posts are screened the same way (issue 17): nobody in the partnership knows
    who wrote them. Other adults' comments are not screened this way (see the report reason "It could identify a child
    or family" instead). Returns the concern, or None.
    """
    if comment.author_audience not in PRE_MODERATED or not comment.flagged:
        return None
    if comment.status == CommentStatus.CONCERN.value:
        return None
    return _open_concern(comment, source="signal", raised_by_id=comment.author_id, note="", now=now)


def raise_own_worry(person, message, now=None):
    """A young person's "I'm worried about something", without a comment: their words go to the DSL only."""
    now = now or utcnow()
    with transaction() as session:
        person_id = person.id
        message = _text(message, required=True, what="what you are worried about", field="message")
        concern = SafeguardingConcern(
            partnership_id=person.partnership_id, comment_id=None, person_id=person_id,
            organisation_id=person.organisation_id, source="self", message=message, raised_by_id=person_id,
            raised_at=now)
        session.add(concern)
        session.flush()
        dsl_ids = _alert_dsls(concern)
        trail.append("concern.raised", f"concern:{concern.id}", {
            "comment": None, "person": person_id, "organisation": person.organisation_id, "source": "self",
            "message_sha256": trail.text_hash(message), "dsl_alerted": dsl_ids}, actor=person_id)
    return concern


def can_read_concerns(person):
    return person.has_role(Role.DSL, Role.SCRUTINEER)


def concerns_for(person):
    if not can_read_concerns(person):
        return []
    return db.session.execute(select(SafeguardingConcern).where(
        SafeguardingConcern.partnership_id == person.partnership_id)
        .order_by(SafeguardingConcern.closed_at.is_not(None), SafeguardingConcern.raised_at.desc())).scalars().all()


def open_concern_count(partnership_id):
    return db.session.execute(select(func.count()).select_from(SafeguardingConcern).where(
        SafeguardingConcern.partnership_id == partnership_id, SafeguardingConcern.closed_at.is_(None))).scalar_one()


def _require_dsl(by, concern):
    if not by.has_role(Role.DSL):
        raise NotAllowed("Only the designated safeguarding lead can do this")
    if concern.partnership_id != by.partnership_id:
        raise NotFound("No such concern")


def review_concern(by, concern, decision, reason="", now=None):
    """The DSL's first look at a possible disclosure: 'confirmed' (it goes on as a safeguarding concern), or
    'not_disclosure' with a reason, which closes the concern and returns the post to the moderation queue."""
    now = now or utcnow()
    with transaction():
        by_id = by.id
        _require_dsl(by, concern)
        if concern.review != "unreviewed":
            raise DomainError("This concern has already been reviewed")
        if decision not in ("confirmed", "not_disclosure"):
            raise DomainError("Choose whether this is a possible disclosure of harm", field="decision")
        reason = _text(reason, required=decision == "not_disclosure", what="why this is not a disclosure")
        concern.review, concern.review_reason = decision, reason or None
        concern.reviewed_at, concern.reviewed_by_id = now, by_id
        data = {"comment": concern.comment_id, "decision": decision, "reason_sha256": trail.text_hash(reason)}
        if decision == "not_disclosure":
            concern.action_taken, concern.closed_at, concern.closed_by_id = f"Not a disclosure: {reason}", now, by_id
            comment = concern.comment
            if comment is not None and comment.status == CommentStatus.CONCERN.value:
                comment.status = CommentStatus.PENDING.value  # a moderator decides, as for any young person's post
                data["status"] = comment.status
        db.session.flush()
        trail.append(f"concern.{decision}", f"concern:{concern.id}", data, actor=by_id)
    return concern


def close_concern(by, concern, action_taken, now=None):
    """The DSL records what was done and closes the concern."""
    now = now or utcnow()
    with transaction() as session:
        by_id = by.id
        _require_dsl(by, concern)
        if not concern.is_open:
            raise DomainError("This concern is already closed")
        if concern.review == "unreviewed":
            concern.review, concern.reviewed_at, concern.reviewed_by_id = "confirmed", now, by_id
        action_taken = _text(action_taken, required=True, what="what was done", field="action_taken")
        concern.action_taken, concern.closed_at, concern.closed_by_id = action_taken, now, by_id
        session.flush()
        trail.append("concern.closed", f"concern:{concern.id}", {
            "comment": concern.comment_id, "action_sha256": trail.text_hash(action_taken)}, actor=by_id)
    return concern


def redact(by, concern, now=None):
    """Move the comment's text (and its earlier versions) out of the consultation record into the DSL's record.
    The log keeps the text's hash, so an exported trail still verifies."""
    now = now or utcnow()
    with transaction() as session:
        by_id = by.id
        _require_dsl(by, concern)
        comment = concern.comment
        if comment is None:
            raise DomainError("This concern is not about a comment")
        if comment.redacted_at is not None:
            raise DomainError("This comment's text has already been removed")
        old = comment.body
        session.add(RedactedText(concern_id=concern.id, comment_id=comment.id, body=old, redacted_by_id=by_id,
                                 redacted_at=now))
        revisions = db.session.execute(select(CommentRevision).where(CommentRevision.comment_id == comment.id)
                                       .order_by(CommentRevision.id)).scalars().all()
        for revision in revisions:
            session.add(RedactedText(concern_id=concern.id, comment_id=comment.id, revision_id=revision.id,
                                     body=revision.body, redacted_by_id=by_id, redacted_at=now))
            revision.body = ""
        comment.body, comment.redacted_at = "", now
        from app.suggestions.services import redact_with_comment  # the wording it suggests goes too (issue 19)

        suggested = redact_with_comment(comment, concern, by_id, now)
        session.flush()
        trail.append("comment.redacted", f"comment:{comment.id}", {
            "concern": concern.id, "body_sha256": trail.text_hash(old), "revisions": [r.id for r in revisions],
            **suggested}, actor=by_id)
    return comment


# --- the queue --------------------------------------------------------------------------------------

def waiting_count(partnership_id):
    """Young people's comments and replies waiting for a moderator in this partnership."""
    from app.consultations.models import Consultation
    from app.drafts.models import DraftArrangement, DraftVersion

    return db.session.execute(
        select(func.count()).select_from(Comment).join(Consultation, Comment.consultation_id == Consultation.id)
        .join(DraftVersion, Consultation.version_id == DraftVersion.id)
        .join(DraftArrangement, DraftVersion.draft_id == DraftArrangement.id)
        .where(DraftArrangement.partnership_id == partnership_id,
               Comment.status == CommentStatus.PENDING.value)).scalar_one()


def expiry(days, now=None):
    return (now or utcnow()) + timedelta(days=days) if days else None
