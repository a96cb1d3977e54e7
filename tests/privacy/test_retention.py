"""Retention: `flask apply-retention` with the partnership's periods; dry run; a second run does nothing."""
from datetime import timedelta

from app.accounts.models import AccountToken, AuthSession, Person
from app.consultations import services as consultations
from app.database import transaction
from app.extensions import db
from app.mail.models import OutboxMessage
from app.privacy.retention import apply_retention
from app.timeutil import utcnow
from app.trail import services as trail
from tests.fixtures.consultations import assert_log_verifies, log_actions


def _old_rows(person):
    """Set-up only: an expired link, a live one, an email sent 31 days ago, a session ended 31 days ago."""
    now = utcnow()
    with transaction():
        db.session.add_all([
            AccountToken(person_id=person.id, purpose="invitation", token_hash="e" * 64, expires_at=now - timedelta(hours=1)),
            AccountToken(person_id=person.id, purpose="password_reset", token_hash="f" * 64,
                         expires_at=now + timedelta(hours=1)),
            OutboxMessage(message_id="<old@x>", to_address=person.email, subject="Old", body_text="Old words",
                          body_html="<p>Old</p>", status="sent", sent_at=now - timedelta(days=31)),
            OutboxMessage(message_id="<new@x>", to_address=person.email, subject="New", body_text="New words",
                          body_html=None, status="sent", sent_at=now - timedelta(days=1)),
            AuthSession(person_id=person.id, secret_hash="1" * 64, last_seen_at=now - timedelta(days=31)),
            AuthSession(person_id=person.id, secret_hash="2" * 64, last_seen_at=now),
        ])


def test_expired_links_old_email_texts_and_ended_sessions_go_and_the_counts_are_logged(app, practitioner):
    _old_rows(practitioner)
    counts = apply_retention()
    assert counts == {"young_people_anonymised": 0, "public_anonymised": 0, "unconfirmed_registrations_anonymised": 0,
                      "tokens": 1, "outbox_bodies": 1, "sessions": 1}
    assert [t.token_hash for t in db.session.execute(db.select(AccountToken)).scalars()] == ["f" * 64]
    bodies = {m.subject: m.body_text for m in db.session.execute(db.select(OutboxMessage)).scalars()}
    assert bodies["Old"] == "" and bodies["New"] == "New words"
    assert [s.secret_hash for s in db.session.execute(db.select(AuthSession)).scalars()] == ["2" * 64]
    entry = list(trail.iter_entries())[-1]
    assert (entry["action"], entry["data"]) == ("retention.applied", counts)
    before = len(log_actions())
    assert not any(apply_retention().values()) and len(log_actions()) == before  # the second run: nothing
    assert_log_verifies()


def test_a_dry_run_counts_and_changes_nothing(app, practitioner):
    _old_rows(practitioner)
    before = len(log_actions())
    assert apply_retention(dry_run=True)["tokens"] == 1
    assert db.session.execute(db.select(db.func.count()).select_from(AccountToken)).scalar_one() == 2
    assert len(log_actions()) == before


def test_a_young_persons_account_is_anonymised_months_after_their_last_consultation_closed(
        app, consultation, young, facilitator):
    comment = consultations.post_comment(young, consultation, "Meet after school")
    assert apply_retention()["young_people_anonymised"] == 0  # the consultation is open
    consultations.close_early(facilitator, consultation, "Enough responses")
    assert apply_retention(now=utcnow() + timedelta(days=300))["young_people_anonymised"] == 0
    counts = apply_retention(now=utcnow() + timedelta(days=370))
    assert counts["young_people_anonymised"] == 1
    person = db.session.get(Person, young.id)
    assert person.erased_at and person.username == f"erased-{young.id}" and person.password_hash is None
    assert comment.body == "Meet after school"  # pseudonymous words stay: nobody can tell they were theirs
    assert apply_retention(now=utcnow() + timedelta(days=400))["young_people_anonymised"] == 0
    assert_log_verifies()


def test_the_command_prints_its_counts(runner, practitioner):
    _old_rows(practitioner)
    result = runner.invoke(args=["apply-retention", "--dry-run"])
    assert result.exit_code == 0 and "dry run" in result.output and "tokens 1" in result.output
    result = runner.invoke(args=["apply-retention"])
    assert result.exit_code == 0 and ("done: young people anonymised 0, public anonymised 0, unconfirmed registrations "
                                      "anonymised 0, tokens 1") in result.output
