"""The rules for personal data. One function = one transaction.

Erasure replaces words with ERASED_MARKER and keeps their SHA-256 beside it (the log already holds the same hash),
so the chain, the exports and the standalone verifier still check out: the log never held the words.
"""
import re

from sqlalchemy import delete, select

from app.accounts.models import AccountToken, AuthSession, Role
from app.consultations.models import Comment, ConsultationState, NotificationSetting, Vote
from app.database import transaction
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.mail.models import OutboxMessage
from app.privacy import ERASED_MARKER
from app.privacy.models import DEFAULTS, LAWFUL_BASES, USES, DataProtectionSetting
from app.timeutil import utcnow
from app.trail import services as trail
from app.trail.models import LogEntry

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- settings (the controller, the lawful basis, retention) ---------------------------------------

def settings_for(partnership):
    """The saved settings, or sensible defaults naming the partnership itself (not saved: nothing is written)."""
    saved = db.session.get(DataProtectionSetting, partnership.id)
    if saved is not None:
        return saved
    return DataProtectionSetting(
        partnership_id=partnership.id, controller_name=partnership.name,
        contact_name=f"The data protection officer, {partnership.name}",
        contact_email=f"data.protection@{partnership.slug}.example", contact_address="", **DEFAULTS)


def _period(value, field, what, most):
    if value is None or not 1 <= int(value) <= most:
        raise DomainError(f"Enter {what} from 1 to {most}", field=field)
    return int(value)


def save_settings(by, partnership, *, controller_name, contact_name, contact_email, contact_address, lawful_basis,
                  young_account_months, outbox_days, session_days, now=None):
    now = now or utcnow()
    with transaction() as session:
        if not by.has_role(Role.FACILITATOR) or by.partnership_id != partnership.id:
            raise NotAllowed("Only facilitators can change the data protection settings")
        values = {"controller_name": (controller_name or "").strip(), "contact_name": (contact_name or "").strip(),
                  "contact_email": (contact_email or "").strip().lower(),
                  "contact_address": (contact_address or "").strip()}
        if not values["controller_name"]:
            raise DomainError("Enter the controller's name", field="controller_name")
        if not values["contact_name"]:
            raise DomainError("Enter who to contact about data protection", field="contact_name")
        if not _EMAIL.match(values["contact_email"]):
            raise DomainError("Enter an email address in the correct format, like dpo@example.org",
                              field="contact_email")
        if lawful_basis not in LAWFUL_BASES:
            raise DomainError("Choose the lawful basis", field="lawful_basis")
        periods = {"young_account_months": _period(young_account_months, "young_account_months", "a number of months", 120),
                   "outbox_days": _period(outbox_days, "outbox_days", "a number of days", 3650),
                   "session_days": _period(session_days, "session_days", "a number of days", 3650)}
        setting = session.get(DataProtectionSetting, partnership.id)
        if setting is None:
            setting = DataProtectionSetting(partnership_id=partnership.id)
            session.add(setting)
        for key, value in {**values, **periods, "lawful_basis": lawful_basis}.items():
            setattr(setting, key, value)
        setting.updated_at, setting.updated_by_id = now, by.id
        session.flush()
        trail.append("privacy.settings_changed", f"partnership:{partnership.id}", {
            "lawful_basis": lawful_basis, **periods,
            "contact_sha256": trail.text_hash(f"{values['contact_name']}\n{values['contact_email']}")}, actor=by.id)
    return setting


# --- consent to publish -----------------------------------------------------------------------------

def default_use(person):
    """High privacy by default for young people (the Children's code) and for the public, who may write about their
    own family (issue 17); other adults' words go into the public summary."""
    return "partnership" if person.has_role(Role.YOUNG_PERSON, Role.PUBLIC) else "public"


def check_use(use, person):
    if use in (None, ""):
        return default_use(person)
    if use not in USES:
        raise DomainError("Choose how your words may be used", field="use")
    return use


def change_use(author, comment, use, now=None):
    """The author changes how their words may be used, until the consultation closes."""
    now = now or utcnow()
    with transaction() as session:
        if comment.author_id != author.id:
            raise NotAllowed("Only the person who wrote a comment can change this")
        if use not in USES:
            raise DomainError("Choose how your words may be used", field="use")
        if comment.consultation.state_at(now) == ConsultationState.CLOSED.value:
            raise DomainError("The consultation has closed, so this can no longer be changed", field="use")
        if comment.publish_use == use:
            return comment
        previous, comment.publish_use = comment.publish_use, use
        session.flush()
        trail.append("comment.use_changed", f"comment:{comment.id}", {
            "consultation": comment.consultation_id, "use": use, "previous_use": previous}, actor=author.id)
    return comment


# --- access: what we hold about you -------------------------------------------------------------------

def _iso(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def subject_access(person):
    """Everything the portal holds about a person, as plain data (the JSON download and the page)."""
    comments = db.session.execute(select(Comment).where(Comment.author_id == person.id)
                                  .order_by(Comment.id)).scalars().all()
    votes = db.session.execute(select(Vote).where(Vote.person_id == person.id).order_by(Vote.id)).scalars().all()
    emails = db.session.execute(select(OutboxMessage).where(OutboxMessage.to_address == person.email)
                                .order_by(OutboxMessage.id)).scalars().all() if person.email else []
    setting = db.session.get(NotificationSetting, person.id)
    entries = db.session.execute(select(LogEntry.seq, LogEntry.at, LogEntry.action, LogEntry.subject, LogEntry.hash)
                                 .where(LogEntry.actor == person.id).order_by(LogEntry.seq)).all()
    return {
        "account": {"id": person.id, "display_name": person.display_name, "email": person.email,
                    "username": person.username, "organisation": person.organisation.name if person.organisation
                    else None, "roles": sorted(role.value for role in person.roles),
                    "created_at": _iso(person.created_at), "password_changed_at": _iso(person.password_changed_at),
                    "email_confirmed_at": _iso(person.email_confirmed_at)},
        "comments": [{"id": c.id, "consultation": c.consultation.title, "consultation_id": c.consultation_id,
                      "section": c.section.title if c.section else None, "reply_to": c.parent_id,
                      "status": c.status, "use": c.publish_use, "use_label": USES[c.publish_use],
                      "use_changeable": c.consultation.state != ConsultationState.CLOSED.value,
                      "created_at": _iso(c.created_at), "edited_at": _iso(c.edited_at), "text": c.body,
                      "earlier_texts": [{"written_at": _iso(r.written_at), "replaced_at": _iso(r.replaced_at),
                                         "text": r.body} for r in c.revisions]} for c in comments],
        **_suggestions_of(person),
        "votes": [{"consultation_id": v.consultation_id, "section_id": v.section_id, "choice": v.choice,
                   "reason": v.reason, "created_at": _iso(v.created_at), "updated_at": _iso(v.updated_at)}
                  for v in votes],
        "emails": [{"subject": m.subject, "status": m.status, "queued_at": _iso(m.created_at),
                    "sent_at": _iso(m.sent_at), "text": m.body_text} for m in emails],
        "email_settings": {"consultation_emails": setting.consultation_emails,
                           "reply_emails": setting.reply_emails} if setting else None,
        "log_entries": [{"seq": seq, "at": at, "action": action, "subject": subject, "hash": hash_}
                        for seq, at, action, subject, hash_ in entries],
        "formal_responses": _formal_responses(person),
    }


def _formal_responses(person):
    """The formal responses (issue 19) they lead or co-write, drafts included: the organisation's words, which they
    wrote or could change."""
    from app.org_responses.models import OrgResponse, OrgResponseAuthor
    from app.org_responses.services import full_text

    co_written = select(OrgResponseAuthor.org_response_id).where(OrgResponseAuthor.person_id == person.id)
    responses = db.session.execute(select(OrgResponse).where(
        (OrgResponse.lead_id == person.id) | OrgResponse.id.in_(co_written)).order_by(OrgResponse.id)).scalars()
    return [{"id": r.id, "consultation_id": r.consultation_id, "organisation": r.organisation.name,
             "as": "lead" if r.lead_id == person.id else "co-author", "status": r.status,
             "submitted_at": _iso(r.submitted_at), "text": full_text(r)} for r in responses]
def _suggestions_of(person):
    """The wording a person suggested (its reason is among their comments) and the suggestions they support."""
    from app.suggestions.models import Suggestion, SuggestionSupport

    suggested = db.session.execute(select(Suggestion).join(Comment, Suggestion.comment_id == Comment.id)
                                   .where(Comment.author_id == person.id).order_by(Suggestion.id)).scalars().all()
    supports = db.session.execute(select(SuggestionSupport).where(SuggestionSupport.person_id == person.id)
                                  .order_by(SuggestionSupport.id)).scalars().all()
    return {
        "suggestions": [{"id": s.id, "comment_id": s.comment_id, "consultation_id": s.consultation_id,
                         "section": s.section.title, "passage": s.passage, "replacement": s.replacement,
                         "outcome": s.outcome, "created_at": _iso(s.created_at)} for s in suggested],
        "suggestion_supports": [{"suggestion_id": r.suggestion_id, "status": r.status,
                                 "created_at": _iso(r.created_at), "withdrawn_at": _iso(r.withdrawn_at)}
                                for r in supports],
    }


# --- erasure ----------------------------------------------------------------------------------------

def open_concerns(person):
    """Safeguarding concerns not yet closed on this person's comments: erasure waits for the DSL."""
    from app.moderation.models import SafeguardingConcern

    return db.session.execute(select(SafeguardingConcern).join(Comment, SafeguardingConcern.comment_id == Comment.id)
                              .where(Comment.author_id == person.id, SafeguardingConcern.closed_at.is_(None))
                              .order_by(SafeguardingConcern.id)).scalars().all()


def published_signoffs(person):
    """Sign-offs this person gave on a request that was published: a public record that keeps their name."""
    from app.signoff.models import Publication, SignOff

    return db.session.execute(select(SignOff).join(Publication, Publication.request_id == SignOff.request_id)
                              .where(SignOff.signatory_id == person.id).order_by(SignOff.id)).scalars().all()


def _erase_text(row):
    """Replace one text by the marker, keeping its SHA-256. A text already erased or redacted is left alone."""
    if row.erased_sha256 is not None or row.body in ("", ERASED_MARKER):
        return None
    digest = trail.text_hash(row.body)
    row.body, row.erased_sha256 = ERASED_MARKER, digest
    return digest


def erase_suggested_words(comment):
    from app.suggestions.services import erase_with_comment

    return erase_with_comment(comment)


def erase_person(by, person, now=None):
    """Carry out an erasure request: identity removed, comment texts replaced, the log keeping their hashes.

    One transaction: either all of it happens or none. A second run finds nothing left to do and logs nothing.
    """
    now = now or utcnow()
    with transaction() as session:
        if not by.has_role(Role.FACILITATOR):
            raise NotAllowed("Only facilitators can carry out an erasure request")
        if person.partnership_id != by.partnership_id:
            raise NotFound("No such person")
        if person.id == by.id:
            raise DomainError("Ask another facilitator to carry out your own erasure request")
        if open_concerns(person):
            raise DomainError("A comment by this person is under a safeguarding concern. It cannot be erased until "
                              "the designated safeguarding lead closes the concern.")
        erased = []
        for comment in db.session.execute(select(Comment).where(Comment.author_id == person.id)
                                          .order_by(Comment.id)).scalars():
            revisions = [r.id for r in comment.revisions if _erase_text(r)]
            digest = _erase_text(comment)
            suggested = erase_suggested_words(comment)  # the wording it suggests (issue 19)
            if digest or revisions or suggested:
                erased.append(comment.id)
                session.flush()
                trail.append("comment.erased", f"comment:{comment.id}", {
                    "consultation": comment.consultation_id, "erased_sha256": comment.erased_sha256,
                    "revisions": revisions, **suggested}, actor=by.id)
        votes = 0
        for vote in db.session.execute(select(Vote).where(Vote.person_id == person.id, Vote.reason != "")).scalars():
            vote.reason, votes = "", votes + 1
        identity = _remove_identity(person, session, now, keep_name=_keeps_name(person))
        if not (erased or votes or identity):
            return {"comments": 0, "votes": 0, "changed": False}
        session.flush()
        trail.append("person.erased", f"person:{person.id}",
                     {"comments": len(erased), "vote_reasons": votes}, actor=by.id)
    return {"comments": len(erased), "votes": votes, "changed": True}


def _keeps_name(person):
    """A published sign-off names its signatory in public; a member of the public's name is only the kind they chose
    ("A parent or carer"), which identifies nobody and keeps their comments labelled as they were."""
    return person.has_role(Role.PUBLIC) or bool(published_signoffs(person))


def _remove_identity(person, session, now, keep_name=False):
    """Sign-in details, name, sessions, links and emails go; the account row stays for what points at it.

    Returns whether anything changed (False on a second run).
    """
    if person.erased_at is not None:
        return False
    email = person.email
    person.email, person.username = None, f"erased-{person.id}"
    if not keep_name:  # a published sign-off names its signatory in public: that record stays whole
        person.display_name = "Former participant"
    person.password_hash, person.is_active_account, person.erased_at = None, False, now
    session.execute(delete(AuthSession).where(AuthSession.person_id == person.id))
    session.execute(delete(AccountToken).where(AccountToken.person_id == person.id))
    session.execute(delete(NotificationSetting).where(NotificationSetting.person_id == person.id))
    if email:
        session.execute(delete(OutboxMessage).where(OutboxMessage.to_address == email,
                                                    OutboxMessage.status.in_(("sent", "failed", "queued"))))
    return True


def anonymise(person, now=None, reason="retention"):
    """Retention's step for a young person's or a member of the public's account: identity removed, their
    (pseudonymous) words kept."""
    now = now or utcnow()
    with transaction() as session:
        if not _remove_identity(person, session, now, keep_name=person.has_role(Role.PUBLIC)):
            return False
        session.flush()
        trail.append("person.anonymised", f"person:{person.id}", {"reason": reason})
    return True
