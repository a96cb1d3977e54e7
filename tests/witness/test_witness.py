"""Witnesses of the log's checkpoints (issue 20, part 3): the emails, the workspace's record of checkpoints seen,
the alarm on a rewritten history, a kept checkpoint pasted back, and the checkpoint at each closing date."""
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app.accounts.models import Role
from app.database import transaction
from app.mail.models import OutboxMessage
from app.partnerships.models import PartnerKind
from app.timeutil import utcnow
from app.trail import services as trail, signing, tree
from app.trail.models import LogEntry
from app.witness import services as witness
from app.witness.models import CheckpointEmail
from tests.trail.test_append_only import rewrite_from


def _append(n, action="test.event", start=0):
    with transaction():
        for i in range(start, start + n):
            trail.append(action, f"thing:{i}", {"n": i})


def _checkpoint_emails(size):
    return db_messages(f"Consultation log checkpoint {size}: keep this email")


def db_messages(subject):
    from app.extensions import db
    return db.session.execute(select(OutboxMessage).where(OutboxMessage.subject == subject)
                              .order_by(OutboxMessage.to_address)).scalars().all()


@pytest.fixture
def witnesses(make_person, scrutineer):
    leads = [make_person(Role.LEAD_SIGNATORY, partner=kind, name=f"{kind.label} lead") for kind in PartnerKind]
    delegate = make_person(Role.DELEGATED_SIGNATORY, partner=PartnerKind.POLICE, acting_for=leads[1])
    practitioner = make_person(Role.PRACTITIONER)
    return {"leads": leads, "scrutineer": scrutineer, "not": [delegate, practitioner]}


# --- 1. every new checkpoint is emailed to each lead and scrutineer, once ------------------------------------------
def test_each_new_checkpoint_is_emailed_once_to_every_lead_and_scrutineer(app, db, witnesses):
    _append(4)
    checkpoint = signing.checkpoint_on_demand()
    messages = _checkpoint_emails(checkpoint.size)
    expected = sorted(person.email for person in [*witnesses["leads"], witnesses["scrutineer"]])
    assert [message.to_address for message in messages] == expected
    for message in messages:
        assert checkpoint.note in message.body_text  # the note verbatim
        assert signing.verifier_key() in message.body_text
        assert witness.KEEP_IT in message.body_text
        assert "rewritten" in message.body_text
    # the same checkpoint again (an unchanged log) is not emailed again; the database refuses a second record
    assert signing.checkpoint_on_demand().id == checkpoint.id
    with transaction():
        witness.email_checkpoint(checkpoint)
    assert len(_checkpoint_emails(checkpoint.size)) == len(expected)
    assert db.session.query(CheckpointEmail).count() == len(expected)
    from sqlalchemy.exc import IntegrityError
    with pytest.raises(IntegrityError), transaction() as session:
        session.add(CheckpointEmail(checkpoint_id=checkpoint.id, person_id=witnesses["scrutineer"].id,
                                    outbox_message_id=messages[0].id, queued_at=utcnow()))


def test_a_rolled_back_event_emails_nothing(app, db, witnesses):
    with pytest.raises(ZeroDivisionError), transaction():
        trail.append("consultation.opened", "consultation:1", {})
        1 / 0
    assert db.session.query(OutboxMessage).count() == 0


def test_opening_a_consultation_emails_its_checkpoint(app, db, witnesses, consultation):
    kept = signing.latest()
    assert kept.reason == "consultation.opened"
    assert len(_checkpoint_emails(kept.size)) == 4


# --- 2. the workspace sees checkpoints and proves each consistent with the last one seen ---------------------------
def test_the_workspace_sees_each_new_checkpoint_consistent_with_the_last(app, db, witnesses):
    scrutineer, b = witnesses["scrutineer"], trail.head()[0]  # b: the entries that made the people
    _append(5)
    signing.checkpoint_on_demand()
    _append(6, start=5)
    signing.checkpoint_on_demand()
    added, alarms = witness.check_new_checkpoints(scrutineer)
    assert [(row.size, row.result, row.compared_with_size) for row in added] == [(b + 5, "first", None),
                                                                               (b + 11, "consistent", b + 5)]
    assert alarms == [] and witness.active_alarms() == []
    assert witness.check_new_checkpoints(scrutineer) == ([], [])  # nothing new: nothing written
    _append(3, start=11)
    signing.checkpoint_on_demand()
    added, _ = witness.check_new_checkpoints(scrutineer)
    assert [(row.size, row.result, row.compared_with_size) for row in added] == [(b + 14, "consistent", b + 11)]
    assert [row.size for row in witness.seen()] == [b + 14, b + 11, b + 5]
    assert bytes(witness.seen()[0].root) == tree.root(b + 14)


def test_a_rewritten_history_raises_the_alarm(app, db, witnesses):
    scrutineer, b = witnesses["scrutineer"], trail.head()[0]
    _append(20)
    signing.checkpoint_on_demand()
    witness.check_new_checkpoints(scrutineer)
    _append(5, start=20)
    rewrite_from(db, 7)  # a hostile operator: entry 7 changed, every later hash and the tree recomputed
    assert tree.check()[0] == b + 25  # the tree matches the rewritten entries
    later = signing.checkpoint_on_demand()  # and the portal signs the rewritten tree
    before = db.session.query(OutboxMessage).count()
    added, alarms = witness.check_new_checkpoints(scrutineer)
    assert [(row.size, row.result) for row in added] == [(b + 25, "inconsistent")]
    (alarm,) = alarms
    assert (alarm.earlier_size, alarm.later_size) == (b + 20, b + 25)
    assert f"size {b + 25}" in alarm.summary and f"size {b + 20}" in alarm.summary and "rewritten" in alarm.summary
    assert witness.active_alarms()[0].id == alarm.id
    alarm_mail = db_messages("Consultation log ALARM: a checkpoint disagrees with an earlier one")
    assert len(alarm_mail) == 4 and alarm.summary in alarm_mail[0].body_text
    assert db.session.query(OutboxMessage).count() == before + 4
    assert db.session.execute(select(LogEntry).where(LogEntry.action == "witness.alarm_raised")).scalar_one()
    # the alarm stays until dealt with; then the rewritten checkpoint is what later ones are compared with
    witness.check_new_checkpoints(scrutineer)
    assert len(witness.active_alarms()) == 1
    from app.errors import DomainError
    with pytest.raises(DomainError):
        witness.deal_with_alarm(scrutineer, alarm.id, "   ")
    witness.deal_with_alarm(scrutineer, alarm.id, "Restored from the backup of 3 May; police informed")
    assert witness.active_alarms() == []
    _append(2, start=25)
    signing.checkpoint_on_demand()
    added, alarms = witness.check_new_checkpoints(scrutineer)
    assert [(row.size, row.result, row.compared_with_size) for row in added] == [(trail.head()[0], "consistent", later.size)]


def test_a_checkpoint_whose_root_is_not_the_trees_raises_the_alarm(app, db, witnesses):
    """Checkpoints signed before the rewrite but never seen: their signed root is not the tree's root now."""
    _append(10)
    signing.checkpoint_on_demand()
    _append(4, start=10)
    signing.checkpoint_on_demand()
    rewrite_from(db, 3)
    added, alarms = witness.check_new_checkpoints(witnesses["scrutineer"])
    assert [row.result for row in added] == ["root_mismatch", "root_mismatch"] and len(alarms) == 2


def test_only_scrutineers_check(app, db, witnesses):
    from app.errors import NotAllowed
    with pytest.raises(NotAllowed):
        witness.check_new_checkpoints(witnesses["leads"][0])


@pytest.mark.parametrize("statement", ["UPDATE witness_seen_checkpoint SET result = 'consistent'",
                                       "DELETE FROM witness_seen_checkpoint", "DELETE FROM witness_alarm",
                                       "UPDATE witness_checkpoint_email SET person_id = person_id"])
def test_the_witness_record_is_append_only(app, db, witnesses, statement):
    from sqlalchemy.exc import DatabaseError
    _append(20)
    signing.checkpoint_on_demand()
    witness.check_new_checkpoints(witnesses["scrutineer"])
    rewrite_from(db, 2)
    _append(1, start=20)
    signing.checkpoint_on_demand()
    assert witness.check_new_checkpoints(witnesses["scrutineer"])[1]
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(statement))


# --- a kept checkpoint, pasted ------------------------------------------------------------------------------------
def test_a_pasted_checkpoint_is_checked_against_the_log_now(app, db, witnesses):
    scrutineer, b = witnesses["scrutineer"], trail.head()[0]
    _append(12)
    note = signing.checkpoint_on_demand().note
    _append(3, start=12)
    answer = witness.check_pasted(scrutineer, "  " + note.replace("\n", "\r\n") + "\r\n\r\n")  # as pasted
    assert answer.ok, answer.message
    assert f"({b + 15} entries)" in answer.message and f"first {b + 12} entries" in answer.message
    answer = witness.check_pasted(scrutineer, note.replace(f"\n{b + 12}\n", f"\n{b + 13}\n"))
    assert not answer.ok and answer.message.startswith("This is not a checkpoint signed by this portal")
    answer = witness.check_pasted(scrutineer, "hello")
    assert not answer.ok and answer.message.startswith("This is not a checkpoint signed by this portal")
    assert witness.active_alarms() == []
    rewrite_from(db, 4)
    answer = witness.check_pasted(scrutineer, note)
    assert not answer.ok and "NOT consistent" in answer.message and "history was rewritten" in answer.message
    assert len(witness.active_alarms()) == 1


# --- 4. a checkpoint at each closing date ---------------------------------------------------------------------------
def test_the_due_closing_command_is_idempotent(app, db, runner, witnesses, make_consultation):
    first = make_consultation(closes_in=timedelta(days=2))
    second = make_consultation(closes_in=timedelta(days=5), title="Second")
    result = runner.invoke(args=["log-checkpoint", "--due"])
    assert result.exit_code == 0 and "No consultation has reached its closing date" in result.output
    ids, made = witness.checkpoint_due_closings(now=utcnow() + timedelta(days=3))
    assert ids == [first.id] and made.reason == "consultation.closing_date_passed"
    assert made.size == trail.head()[0] and len(_checkpoint_emails(made.size)) == 4
    assert witness.checkpoint_due_closings(now=utcnow() + timedelta(days=3)) == ([], None)
    ids, made2 = witness.checkpoint_due_closings(now=utcnow() + timedelta(days=6))
    assert ids == [second.id] and made2.size > made.size
    assert witness.checkpoint_due_closings(now=utcnow() + timedelta(days=60)) == ([], None)
    entries = db.session.execute(select(LogEntry.subject).where(
        LogEntry.action == "consultation.closing_date_passed").order_by(LogEntry.seq)).scalars().all()
    assert entries == [f"consultation:{first.id}", f"consultation:{second.id}"]


def test_a_consultation_closed_early_is_not_logged_again_at_its_date(app, db, witnesses, make_consultation,
                                                                      facilitator):
    from app.consultations import services as consultations
    consultation = make_consultation(closes_in=timedelta(days=2))
    consultations.close_early(facilitator, consultation, "Agreed elsewhere")
    assert witness.checkpoint_due_closings(now=utcnow() + timedelta(days=3)) == ([], None)


def test_the_due_closing_cli_prints_the_checkpoint(app, db, runner, witnesses, make_consultation):
    consultation = make_consultation(closes_in=timedelta(seconds=2))
    import time
    time.sleep(2.1)
    result = runner.invoke(args=["log-checkpoint", "--due"])
    assert result.exit_code == 0, result.output
    assert f"1 consultation(s) reached their closing date: {consultation.id}" in result.output
    assert signing.latest().note in result.output
    again = runner.invoke(args=["log-checkpoint", "--due"])
    assert again.exit_code == 0 and "No consultation has reached its closing date" in again.output
