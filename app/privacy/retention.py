"""Retention: what `flask apply-retention` deletes or anonymises, with the partnership's periods.

Each young person is anonymised in a transaction of their own (a failure leaves everyone before them done and
nobody half-done); the deletions that follow are one more transaction with one log entry of counts. A second run
finds nothing due, writes nothing and logs nothing.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, delete, func, or_, select, true, update

from app.accounts.models import AccountToken, AuthSession, Person, Role, RoleGrant
from app.consultations.models import Comment, Consultation, Vote
from app.database import transaction
from app.extensions import db
from app.mail.models import OutboxMessage
from app.partnerships.services import current_partnership
from app.privacy import services
from app.timeutil import utcnow
from app.trail import services as trail


def _months(n):
    return timedelta(days=round(n * 365.25 / 12))


def _unconfirmed_due(now):
    """Registrations by the public never confirmed, made more than UNCONFIRMED_REGISTRATION_DAYS ago (issue 17)."""
    cutoff = now - timedelta(days=current_app.config["UNCONFIRMED_REGISTRATION_DAYS"])
    return db.session.execute(select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
                              .where(RoleGrant.role == Role.PUBLIC.value, Person.erased_at.is_(None),
                                     Person.email_confirmed_at.is_(None), Person.created_at <= cutoff)
                              .order_by(Person.id)).scalars().all()


def _young_people_due(settings, now, role=Role.YOUNG_PERSON):
    """Young people (or, with role=Role.PUBLIC, the public's confirmed accounts: issue 17) not yet anonymised whose
    last consultation closed more than the set months ago.

    Someone who never took part counts from when they joined; anyone with a consultation still open, or with a
    safeguarding concern not yet closed, is left alone.
    """
    cutoff = now - _months(settings.young_account_months)
    young = db.session.execute(select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
                               .where(RoleGrant.role == role.value, Person.erased_at.is_(None),
                                      Person.email_confirmed_at.is_not(None) if role == Role.PUBLIC else true())
                               .order_by(Person.id)).scalars().all()
    due = []
    for person in young:
        taken_part = select(Comment.consultation_id).where(Comment.author_id == person.id).union(
            select(Vote.consultation_id).where(Vote.person_id == person.id))
        consultations = db.session.execute(select(Consultation).where(Consultation.id.in_(taken_part))).scalars().all()
        if any(c.state_at(now) != "closed" for c in consultations):
            continue
        last = max((c.ends_at for c in consultations), default=person.created_at)
        if last <= cutoff and not services.open_concerns(person):
            due.append(person)
    return due


def _deletions(settings, now):
    """The statements of the second step, with their WHERE clauses, so a dry run counts exactly what they touch."""
    sent_before = now - timedelta(days=settings.outbox_days)
    ended_before = now - timedelta(days=settings.session_days)
    return {
        "tokens": (AccountToken, AccountToken.expires_at <= now),
        "outbox_bodies": (OutboxMessage, and_(OutboxMessage.status == "sent", OutboxMessage.sent_at <= sent_before,
                                              or_(OutboxMessage.body_text != "", OutboxMessage.body_html.isnot(None)))),
        # A session ends when revoked, or (idle timeout: an hour) soon after it was last used.
        "sessions": (AuthSession, func.coalesce(AuthSession.revoked_at, AuthSession.last_seen_at) <= ended_before),
    }


def apply_retention(now=None, dry_run=False):
    """{"young_people_anonymised": n, "public_anonymised": n, "unconfirmed_registrations_anonymised": n, "tokens": n,
    "outbox_bodies": n, "sessions": n} done (or due, if dry_run)."""
    now = now or utcnow()
    partnership = current_partnership()
    if partnership is None:
        return {}
    settings = services.settings_for(partnership)
    due = {"young_people_anonymised": (_young_people_due(settings, now), "retention"),
           "public_anonymised": (_young_people_due(settings, now, Role.PUBLIC), "retention"),
           "unconfirmed_registrations_anonymised": (_unconfirmed_due(now), "unconfirmed")}
    counts = {}
    for name, (people, reason) in due.items():
        for person in people:
            if not dry_run:
                services.anonymise(person, now, reason=reason)
        counts[name] = len(people)
    deletions = _deletions(settings, now)
    for name, (model, where) in deletions.items():
        counts[name] = _count(model, where)
    if dry_run or not any(counts.values()):
        db.session.rollback()
        return counts
    with transaction() as session:
        for name, (model, where) in deletions.items():
            if not _count(model, where):  # counted again under the write lock; a statement on no rows is not run
                counts[name] = 0
            elif model is OutboxMessage:
                counts[name] = session.execute(update(OutboxMessage).where(where).values(body_text="", body_html=None)
                                               .execution_options(synchronize_session=False)).rowcount
            else:
                counts[name] = session.execute(delete(model).where(where)
                                               .execution_options(synchronize_session=False)).rowcount
        trail.append("retention.applied", f"partnership:{partnership.id}", counts)
    return counts


def _count(model, where):
    return db.session.execute(select(func.count()).select_from(model).where(where)).scalar_one()
