"""Consultation emails: opening and closing reminders, replies, and each person's choice to stop them.

Every email goes through the outbox (app.mail) inside the caller's transaction. Each audience member gets
each notice about a consultation at most once (ConsultationNotice is unique), so `queue_due_notices` is
safe to run often and in parallel. Young people have no email address and are never written to.
"""
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import and_, exists, select

from app.accounts.models import AUDIENCE_OF_ROLE, Person, Role, RoleGrant
from app.consultations.models import Consultation, ConsultationNotice, ConsultationState, NotificationSetting
from app.database import transaction
from app.extensions import db
from app.mail import services as mail
from app.timeutil import utcnow
from app.trail import services as trail

UNSUBSCRIBE_MAX_AGE = 400 * 24 * 3600  # a link in an old email still works for over a year
NOTICE_KINDS = {  # kind -> (template, subject prefix)
    "opened": ("consultation_opened", "Consultation open"),
    "week_before": ("consultation_closing", "One week left"),
    "day_before": ("consultation_closing", "Last day"),
}


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="consultation-unsubscribe")


def unsubscribe_token(person_id, kind):
    """A signed link that turns off one kind of email ('consultation' or 'reply') without signing in."""
    return _serializer().dumps({"person": person_id, "kind": kind})


def read_unsubscribe_token(token):
    """(person, kind) for a valid token, else None."""
    try:
        data = _serializer().loads(token, max_age=UNSUBSCRIBE_MAX_AGE)
        person = db.session.get(Person, int(data["person"]))
        kind = data["kind"]
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if person is None or kind not in ("consultation", "reply"):
        return None
    return person, kind


def notification_settings(person):
    """The person's settings (the defaults, unsaved, if they never changed them)."""
    return db.session.get(NotificationSetting, person.id) or NotificationSetting(
        person_id=person.id, consultation_emails=True, reply_emails=True)


def set_notification_settings(person, *, consultation_emails, reply_emails, via="settings"):
    with transaction() as session:
        person_id = person.id
        setting = session.get(NotificationSetting, person_id)
        if setting is None:
            setting = NotificationSetting(person_id=person_id)
            session.add(setting)
        setting.consultation_emails, setting.reply_emails = bool(consultation_emails), bool(reply_emails)
        session.flush()
        trail.append("notification.settings_changed", f"person:{person_id}", {
            "consultation_emails": setting.consultation_emails, "reply_emails": setting.reply_emails, "via": via,
        }, actor=person_id)
    return setting


def unsubscribe(person, kind):
    """Turn off one kind of email, as the one-click link in each email does."""
    current = notification_settings(person)
    values = {"consultation_emails": current.consultation_emails, "reply_emails": current.reply_emails}
    values["consultation_emails" if kind == "consultation" else "reply_emails"] = False
    return set_notification_settings(person, via="unsubscribe_link", **values)


def _can_email(column):
    """SQL: the person has not turned this kind of email off."""
    return ~exists().where(NotificationSetting.person_id == Person.id, column.is_(False))


def _audience_members(consultation, kind):
    """People to tell: in the audiences, signed up, with an email address, not told yet, not opted out."""
    roles = [role.value for role, audience in AUDIENCE_OF_ROLE.items() if audience in consultation.audience_set]
    in_audience = select(RoleGrant.person_id).where(RoleGrant.role.in_(roles))
    # The public are emailed only at an address they confirmed (issue 17).
    unconfirmed = and_(Person.email_confirmed_at.is_(None), Person.id.in_(
        select(RoleGrant.person_id).where(RoleGrant.role == Role.PUBLIC.value)))
    told = exists().where(ConsultationNotice.consultation_id == consultation.id,
                          ConsultationNotice.person_id == Person.id, ConsultationNotice.kind == kind)
    return db.session.execute(
        select(Person).where(Person.partnership_id == consultation.partnership_id, Person.id.in_(in_audience),
                             Person.email.is_not(None), Person.is_active_account.is_(True),
                             Person.password_hash.is_not(None), ~told, ~unconfirmed,
                             _can_email(NotificationSetting.consultation_emails))
        .order_by(Person.id)).scalars().all()


def queue_notices(consultation, kind):
    """Queue one email of `kind` to each audience member not yet told. Inside the caller's transaction."""
    template, prefix = NOTICE_KINDS[kind]
    people = _audience_members(consultation, kind)
    for person in people:
        db.session.add(ConsultationNotice(consultation_id=consultation.id, person_id=person.id, kind=kind))
        mail.queue(person.email, f"{prefix}: {consultation.title}", template, person=person,
                   consultation=consultation, kind=kind, path=f"/consultations/{consultation.id}",
                   unsubscribe_path=f"/unsubscribe/{unsubscribe_token(person.id, 'consultation')}")
    if people:
        db.session.flush()
        trail.append("notification.queued", f"consultation:{consultation.id}",
                     {"kind": kind, "people": [p.id for p in people]})
    return len(people)


def notify_reply(parent, comment, replier):
    author = parent.author
    if not author.email or not author.is_active:
        return
    if db.session.execute(select(NotificationSetting.reply_emails)
                          .where(NotificationSetting.person_id == author.id)).scalar() is False:
        return
    name = "A young person" if replier.has_role(Role.YOUNG_PERSON) else replier.display_name
    mail.queue(author.email, f"New reply to your comment: {parent.consultation.title}", "comment_reply",
               person=author, replier_name=name, consultation=parent.consultation,
               path=f"/comments/{comment.thread_id}/replies#comment-{comment.id}",
               unsubscribe_path=f"/unsubscribe/{unsubscribe_token(author.id, 'reply')}")
    trail.append("notification.queued", f"comment:{comment.id}", {"kind": "reply", "people": [author.id]})


def due_kinds(consultation, now):
    """Which notices are due now: the opening one while open; a week and a day before the end."""
    if consultation.state_at(now) != ConsultationState.OPEN.value:
        return []
    kinds, end = ["opened"], consultation.ends_at
    for kind, before, until in (("week_before", timedelta(days=7), timedelta(days=1)),
                                ("day_before", timedelta(days=1), timedelta(0))):
        # Only if it was open before that point; a shorter consultation's opening email says it all.
        if end - before <= now < end - until and consultation.opens_at <= end - before:
            kinds.append(kind)
    return kinds


def queue_due_notices(now=None):
    """The reminders job (`flask send-reminders`): queue what is due; safe to run often and in parallel."""
    now = now or utcnow()
    ids = db.session.execute(select(Consultation.id).where(Consultation.opens_at <= now, Consultation.closes_at > now)
                             .order_by(Consultation.id)).scalars().all()
    counts = {kind: 0 for kind in NOTICE_KINDS}
    for consultation_id in ids:
        with transaction() as session:
            lock = select(Consultation).where(Consultation.id == consultation_id) \
                .execution_options(populate_existing=True)
            if session.get_bind().dialect.name == "postgresql":
                lock = lock.with_for_update()  # two runs at once: the second waits, then finds them told
            consultation = session.execute(lock).scalar_one()
            for kind in due_kinds(consultation, now):
                counts[kind] += queue_notices(consultation, kind)
    return counts
