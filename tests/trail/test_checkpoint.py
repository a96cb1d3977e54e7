"""Incremental verification (issue 14): a check starts after the last verified entry; the full check stays."""
from sqlalchemy import text

from app.trail import checkpoint, services as trail
from tests.trail.test_services import _append


def _tamper(db, seq, column="action", value="tampered"):
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS log_entry_no_update"))
        connection.execute(text(f'UPDATE log_entry SET "{column}" = :value WHERE seq = {seq}'), {"value": value})


def test_each_check_verifies_only_what_was_added_since(app, monkeypatch):
    _append(5)
    starts = []
    real = trail.verify_database
    monkeypatch.setattr(checkpoint, "verify_database", lambda **kw: starts.append(kw["after"]) or real(**kw))
    count, head, checked_from, _ = checkpoint.verify()
    assert (count, checked_from) == (5, 1) and head == trail.head()[1]
    _append(3)
    count, head, checked_from, _ = checkpoint.verify()
    assert (count, checked_from) == (8, 6) and head == trail.head()[1]
    assert checkpoint.verify()[2] == 9  # nothing new: nothing but the checkpoint's own entry read
    assert starts == [0, 5, 8]


def test_a_change_after_the_checkpoint_or_to_it_is_found(app, db):
    _append(5)
    checkpoint.verify()
    _append(3)
    _tamper(db, 7)
    try:
        checkpoint.verify()
    except trail.ChainError as error:
        assert error.seq == 7
    else:
        raise AssertionError("not found")


def test_the_full_check_finds_what_the_incremental_one_skips(app, db, runner):
    _append(5)
    checkpoint.verify()
    _tamper(db, 2)  # before the checkpoint: trusted to the triggers between full checks
    assert checkpoint.verify()[0] == 5
    result = runner.invoke(args=["verify-log"])
    assert result.exit_code == 1 and "FAIL at seq 2" in result.output


def test_the_background_command_checks_from_the_checkpoint(app, runner):
    _append(4)
    assert runner.invoke(args=["verify-log"]).output.startswith("OK 4 ")
    _append(2)
    result = runner.invoke(args=["verify-log-since"])
    assert result.exit_code == 0 and "OK 6" in result.output and "checked from seq 5" in result.output


def test_the_scrutiny_page_checks_incrementally_and_fully_on_request(app, client, login, make_person):
    _append(3)
    login(make_person("scrutineer"))
    first = client.get("/scrutiny").get_data(as_text=True)
    assert "every hash and link checked now" in first
    _append(2)
    again = client.get("/scrutiny").get_data(as_text=True)
    count = trail.head()[0]
    assert "checked now; entries before were checked earlier" in again and f"to {count} checked now" in again
    full = client.get("/scrutiny?full=1").get_data(as_text=True)
    assert "every hash and link checked now" in full and "Check every entry again" in full
