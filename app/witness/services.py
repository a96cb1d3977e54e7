"""The witnesses' rules. One function = one transaction (or a part of the caller's).

- Every new signed checkpoint is queued by email, in the checkpoint's own transaction, to every statutory partner's
  lead and every scrutineer: a copy of it outside the portal's reach (witness_checkpoint_email: once each).
- The scrutineer's workspace sees each newer checkpoint in order: its signature, its root against the tree, and a
  consistency proof from the tree checked against the root STORED when the last good one was seen. A checkpoint
  that fails raises an alarm (recorded, logged, emailed) that stays until a scrutineer records how it was dealt with.
- A kept checkpoint (pasted from the email) is checked against the log as it is now.
"""
import base64
import binascii
from dataclasses import dataclass

from sqlalchemy import func, select

from app.accounts.models import Person, Role, RoleGrant
from app.database import transaction
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.mail import services as mail
from app.timeutil import format_london, utcnow
from app.trail import services as trail, signing, tree
from app.trail.models import SignedCheckpoint
from app.trail.verify_log import verify_consistency
from app.witness.models import AlarmDealtWith, CheckpointEmail, SeenCheckpoint, SeenResult, WitnessAlarm

KEEP_IT = ("Keep this email: the checkpoint fixes the log as it stood, so if the portal's history is ever rewritten, "
           "this checkpoint will no longer match it and anyone can show that it was.")
MAX_PASTE = 20_000
MAX_NOTE = 5000


# --- who the witnesses are ----------------------------------------------------------------------

def witnesses():
    """Every statutory partner's lead and every scrutineer with an email address and an account in use (an invitation
    not yet accepted gets the checkpoints made after it is)."""
    return db.session.execute(
        select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role.in_([Role.LEAD_SIGNATORY.value, Role.SCRUTINEER.value]),
               Person.email.is_not(None), Person.is_active_account.is_(True), Person.erased_at.is_(None),
               Person.password_hash.is_not(None))
        .order_by(Person.id).distinct()).scalars().all()


# --- 1. emailing each new checkpoint --------------------------------------------------------------

def email_checkpoint(checkpoint):
    """Queue the checkpoint to every witness not yet sent it (called in the checkpoint's transaction)."""
    if checkpoint.reason == "receipt":  # issue 20 part 4 (app/receipts): one per respondent's receipt would flood
        return                          # witnesses; it is kept and served, and the next emailed one extends it
    sent = set(db.session.execute(select(CheckpointEmail.person_id)
                                  .where(CheckpointEmail.checkpoint_id == checkpoint.id)).scalars())
    key, now = signing.verifier_key(), utcnow()
    for person in witnesses():
        if person.id in sent:
            continue
        message = mail.queue(person.email, f"Consultation log checkpoint {checkpoint.size}: keep this email",
                             "log_checkpoint", person=person, checkpoint=checkpoint, verifier_key=key,
                             keep_it=KEEP_IT, path=f"/log/checkpoint/{checkpoint.size}")
        db.session.add(CheckpointEmail(checkpoint_id=checkpoint.id, person_id=person.id,
                                       outbox_message_id=message.id, queued_at=now))
    db.session.flush()


def install():
    """Email every checkpoint made from now on (app/__init__.py calls this once)."""
    if email_checkpoint not in signing._after_checkpoint:
        signing._after_checkpoint.append(email_checkpoint)


# --- 2. the scrutineer's workspace sees new checkpoints -------------------------------------------

def _require_scrutineer(by):
    if by is None or not by.has_role(Role.SCRUTINEER):
        raise NotAllowed("Only independent scrutineers can do this")


def seen():
    """Every checkpoint the workspace has seen, newest first."""
    return db.session.execute(select(SeenCheckpoint).order_by(SeenCheckpoint.size.desc())).scalars().all()


def active_alarms():
    return [alarm for alarm in db.session.execute(select(WitnessAlarm).order_by(WitnessAlarm.id)).scalars()
            if alarm.dealt_with is None]


def _last_seen_size():
    return db.session.execute(select(func.max(SeenCheckpoint.size))).scalar()


def _baseline():
    """(size, root, made_at) of the last checkpoint accepted: the last good one seen, or a later one a scrutineer
    accepted when dealing with its alarm. None before the first."""
    good = db.session.execute(select(SeenCheckpoint).where(SeenCheckpoint.result.in_(
        [SeenResult.FIRST.value, SeenResult.CONSISTENT.value])).order_by(SeenCheckpoint.size.desc()).limit(1)) \
        .scalar_one_or_none()
    best = (good.size, bytes(good.root), good.made_at) if good else None
    accepted = db.session.execute(select(WitnessAlarm).join(AlarmDealtWith).where(WitnessAlarm.later_root.is_not(None))
                                  .order_by(WitnessAlarm.later_size.desc()).limit(1)).scalar_one_or_none()
    if accepted is not None and (best is None or accepted.later_size > best[0]):
        best = (accepted.later_size, bytes(accepted.later_root), accepted.later_made_at)
    return best


def has_unseen():
    latest = signing.latest()
    last = _last_seen_size()
    return latest is not None and (last is None or latest.size > last)


@dataclass
class Judgement:
    result: SeenResult
    summary: str = ""


def _judge(checkpoint, baseline):
    """Check one kept checkpoint: its signature, its root against the tree, and consistency with `baseline`."""
    try:
        size, root = signing.verify_note(checkpoint.note)
    except (ValueError, IndexError) as error:
        return Judgement(SeenResult.BAD_SIGNATURE, f"The checkpoint of size {checkpoint.size} made on "
                                                   f"{format_london(checkpoint.made_at)} is not signed by this "
                                                   f"portal's key ({error}).")
    current = tree.size()
    try:
        return _judge_against_tree(checkpoint, baseline, size, root, current)
    except LookupError as error:  # nodes of the tree are missing: it was cut or tampered with
        return Judgement(SeenResult.ROOT_MISMATCH, f"The log's tree cannot prove the checkpoint of size {size}: {error}.")


def _judge_against_tree(checkpoint, baseline, size, root, current):
    if size != checkpoint.size or root != bytes(checkpoint.root) or size > current or tree.root(size) != root:
        return Judgement(SeenResult.ROOT_MISMATCH, f"The checkpoint of size {size} made on "
                                                   f"{format_london(checkpoint.made_at)} signed a root the log's "
                                                   "tree no longer has at that size: history was rewritten.")
    if baseline is None:
        return Judgement(SeenResult.FIRST)
    old_size, old_root, old_made = baseline
    if not verify_consistency(old_size, size, old_root, root, tree.consistency_proof(old_size, size)):
        return Judgement(SeenResult.INCONSISTENT,
                         f"The checkpoint of size {size} made on {format_london(checkpoint.made_at)} is not consistent "
                         f"with the one of size {old_size} made on {format_london(old_made)} that was seen before: "
                         "the log's first entries were changed (history was rewritten).")
    return Judgement(SeenResult.CONSISTENT)


def check_new_checkpoints(by):
    """See every checkpoint newer than the last seen, oldest first. Returns (seen rows added, alarms raised)."""
    _require_scrutineer(by)
    by_id = by.id
    if not has_unseen():  # nothing new: no write transaction on each view
        return [], []
    added, alarms = [], []
    with transaction() as session:
        last = _last_seen_size()
        newer = session.execute(select(SignedCheckpoint).where(SignedCheckpoint.size > (last if last is not None
                                                                                         else -1))
                                .order_by(SignedCheckpoint.size)).scalars().all()
        now = utcnow()
        for checkpoint in newer:
            baseline = _baseline()
            judgement = _judge(checkpoint, baseline)
            row = SeenCheckpoint(size=checkpoint.size, root=bytes(checkpoint.root), note=checkpoint.note,
                                 reason=checkpoint.reason, made_at=checkpoint.made_at, seen_at=now, seen_by_id=by_id,
                                 result=judgement.result.value,
                                 compared_with_size=baseline[0] if baseline else None)
            session.add(row)
            session.flush()
            added.append(row)
            if not judgement.result.good:
                alarms.append(_raise_alarm(by_id, judgement.summary, baseline, checkpoint.size, checkpoint.made_at,
                                           bytes(checkpoint.root) if judgement.result != SeenResult.BAD_SIGNATURE
                                           else None, checkpoint.note))
    return added, alarms


def _raise_alarm(by_id, summary, baseline, later_size, later_made_at, later_root, later_note):
    """Record the alarm, log it, and email every scrutineer and partner lead (in the caller's transaction)."""
    alarm = WitnessAlarm(raised_at=utcnow(), raised_by_id=by_id, earlier_size=baseline[0] if baseline else None,
                         earlier_made_at=baseline[2] if baseline else None, later_size=later_size,
                         later_made_at=later_made_at, later_root=later_root, later_note=later_note, summary=summary)
    db.session.add(alarm)
    db.session.flush()
    trail.append("witness.alarm_raised", f"witness_alarm:{alarm.id}", {
        "earlier_size": alarm.earlier_size, "later_size": later_size}, actor=by_id)
    for person in witnesses():
        mail.queue(person.email, "Consultation log ALARM: a checkpoint disagrees with an earlier one",
                   "witness_alarm", person=person, alarm=alarm, path="/scrutiny#witness")
    return alarm


def deal_with_alarm(by, alarm_id, note):
    """A scrutineer records how an alarm was dealt with; it leaves the top of the workspace. The checkpoint it was
    about becomes the one later checkpoints are compared with (the scrutineers accept the history as it now is)."""
    _require_scrutineer(by)
    note = (note or "").strip().replace("\r\n", "\n")
    if not note:
        raise DomainError("Enter what was done about the alarm", field="note")
    if len(note) > MAX_NOTE:
        raise DomainError(f"What was done must be {MAX_NOTE} characters or fewer", field="note")
    with transaction() as session:
        by_id = by.id
        alarm = session.get(WitnessAlarm, alarm_id)
        if alarm is None:
            raise NotFound("No such alarm")
        if alarm.dealt_with is not None:
            raise DomainError("This alarm has already been dealt with")
        session.add(AlarmDealtWith(alarm_id=alarm.id, by_id=by_id, at=utcnow(), note=note))
        trail.append("witness.alarm_dealt_with", f"witness_alarm:{alarm.id}",
                     {"note_sha256": trail.text_hash(note)}, actor=by_id)
    return alarm


# --- a kept checkpoint, pasted --------------------------------------------------------------------

@dataclass
class PastedAnswer:
    ok: bool
    message: str
    size: int | None = None


def _clean_note(text):
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.strip() for line in text.strip().split("\n")]
    if "" in lines:  # one blank line between the body and the signatures; drop any others
        blank = lines.index("")
        lines = lines[:blank] + [""] + [line for line in lines[blank:] if line]
    return "\n".join(lines) + "\n"


def check_pasted(by, text):
    """Check a checkpoint a witness kept against the log now: signature, then the current tree holds it
    (its root at its size, and a consistency proof to now). An inconsistent one raises the alarm."""
    _require_scrutineer(by)
    if not (text or "").strip():
        raise DomainError("Paste the checkpoint you kept", field="note")
    if len(text) > MAX_PASTE:
        raise DomainError(f"A checkpoint is a few lines; paste {MAX_PASTE:,} characters or fewer", field="note")
    note = _clean_note(text)
    try:
        size, root = signing.verify_note(note)
    except (ValueError, IndexError, binascii.Error) as error:
        return PastedAnswer(False, f"This is not a checkpoint signed by this portal ({error}).")
    current = tree.size()
    if size > current:
        answer = PastedAnswer(False, f"The checkpoint is of {size} entries but the log now has only {current}: "
                                     "entries were removed (history was rewritten).", size)
    elif _consistent_now(size, root, current):
        return PastedAnswer(True, f"The signature is the portal's, and the log now ({current} entries) still holds "
                                  f"the same first {size} entries: it is consistent with this checkpoint.", size)
    else:
        answer = PastedAnswer(False, f"The signature is the portal's, but the log now ({current} entries) is NOT "
                                     f"consistent with this checkpoint of {size} entries: history was rewritten "
                                     "since it was made.", size)
    made = signing.at_size(size)
    with transaction():
        _raise_alarm(by.id, answer.message, (size, root, made.made_at if made else None), current, utcnow(),
                     None, note)
    return answer


def _consistent_now(size, root, current):
    try:
        return verify_consistency(size, current, root, tree.root(current), tree.consistency_proof(size, current))
    except LookupError:  # the tree lacks the nodes to prove it: not consistent
        return False


# --- 4. a checkpoint when consultations reach their closing date ----------------------------------

CLOSING_DATE_PASSED = "consultation.closing_date_passed"


def checkpoint_due_closings(now=None):
    """One log entry per consultation whose closing date has passed with no such entry yet, then one checkpoint
    (emailed to the witnesses like any other). Run by cron; a second run finds nothing due. Returns
    (consultation ids, the checkpoint or None)."""
    from app.consultations.models import Consultation
    from app.trail.models import LogEntry

    now = now or utcnow()
    with transaction(keep_loaded=True) as session:  # the write lock: two runs at once cannot both log one
        done = {subject for subject in session.execute(select(LogEntry.subject)
                                                       .where(LogEntry.action == CLOSING_DATE_PASSED)).scalars()}
        due = [consultation for consultation in session.execute(
            select(Consultation).where(Consultation.closes_at <= now).order_by(Consultation.closes_at,
                                                                              Consultation.id)).scalars()
               if f"consultation:{consultation.id}" not in done
               and consultation.ends_at == consultation.closes_at]  # one closed early had its checkpoint then
        for consultation in due:
            trail.append(CLOSING_DATE_PASSED, f"consultation:{consultation.id}", {
                "consultation": consultation.id, "closes_at": consultation.closes_at.isoformat(timespec="seconds")})
        checkpoint = signing.make_checkpoint(CLOSING_DATE_PASSED) if due else None
        ids = [consultation.id for consultation in due]
    return ids, checkpoint


def short_root(root):
    return base64.b64encode(bytes(root)).decode()[:12]
