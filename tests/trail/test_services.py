import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from app.database import transaction
from app.trail import services as trail
from app.trail.verify_log import GENESIS_HASH, entry_hash


def _append(n, action="test.event"):
    for i in range(n):
        with transaction():
            trail.append(action, f"thing:{i}", {"n": i, "text_sha256": trail.text_hash(f"words {i}")}, actor=None)


def test_chain_starts_at_genesis_and_links(app):
    _append(3)
    entries = list(trail.iter_entries())
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert entries[0]["prev_hash"] == GENESIS_HASH
    assert entries[1]["prev_hash"] == entries[0]["hash"]
    assert all(entry_hash(e) == e["hash"] for e in entries)
    assert trail.verify_database() == (3, entries[-1]["hash"])


def test_hash_is_sha256_of_canonical_json_without_hash(app):
    import hashlib

    _append(1)
    entry = next(trail.iter_entries())
    body = {k: v for k, v in entry.items() if k != "hash"}
    expected = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                         ensure_ascii=False).encode("utf-8")).hexdigest()
    assert entry["hash"] == expected


def test_append_outside_a_transaction_is_refused(app):
    with pytest.raises(RuntimeError):
        trail.append("test.event", "thing:1")


@pytest.mark.parametrize("bad", [{"score": 1.5}, {"nested": {"x": [1, 2.0]}}, {"when": object()}])
def test_floats_and_objects_are_refused(app, bad):
    with pytest.raises(trail.LogDataError), transaction():
        trail.append("test.event", "thing:1", bad)
    assert trail.head() == (0, GENESIS_HASH)


def test_a_failed_transaction_leaves_no_entry(app):
    with pytest.raises(ZeroDivisionError), transaction():
        trail.append("test.event", "thing:1")
        1 / 0
    assert trail.head()[0] == 0
    _append(1)
    assert trail.verify_database()[0] == 1  # the seq was not burnt


@pytest.mark.parametrize("statement", [
    "UPDATE log_entry SET actor = 99 WHERE seq = 2",
    "UPDATE log_entry SET data = '{}' WHERE seq = 2",
    "DELETE FROM log_entry WHERE seq = 3",
])
def test_database_refuses_update_and_delete(app, db, statement):
    _append(3)
    with pytest.raises(DatabaseError):
        with db.engine.begin() as connection:
            connection.execute(text(statement))
    assert trail.verify_database()[0] == 3


FIELDS_TO_TAMPER = [
    ("at", "2019-06-29T00:00:00.000000Z"),
    ("actor", 42),
    ("action", "test.other"),
    ("subject", "thing:999"),
    ("data", {"n": 999}),
    ("prev_hash", "f" * 64),
    ("hash", "e" * 64),
]


@pytest.mark.parametrize("field,value", FIELDS_TO_TAMPER)
def test_verify_file_names_the_tampered_seq(app, runner, tmp_path, field, value):
    _append(5)
    path = tmp_path / "log.jsonl"
    assert runner.invoke(args=["export-log", str(path)]).exit_code == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[2])
    entry[field] = value
    lines[2] = json.dumps(entry)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(args=["verify-log", str(path)])
    assert result.exit_code == 1
    assert "FAIL at seq 3" in result.output


@pytest.mark.parametrize("field,value", [f for f in FIELDS_TO_TAMPER if f[0] != "data"] + [("data", '{"n":999}')])
def test_verify_log_detects_a_row_changed_behind_the_triggers(app, db, runner, field, value):
    """Someone with the power to drop the triggers edits a stored row: verify-log names that seq."""
    _append(5)
    column = {"data": "data"}.get(field, field)
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER log_entry_no_update"))
        connection.execute(text(f'UPDATE log_entry SET "{column}" = :value WHERE seq = 3'), {"value": value})
    result = runner.invoke(args=["verify-log"])
    assert result.exit_code == 1, result.output
    assert "FAIL at seq 3" in result.output


def test_verify_log_cli_prints_ok_count_and_head(app, runner):
    _append(4)
    count, head = trail.head()
    result = runner.invoke(args=["verify-log"])
    assert result.exit_code == 0
    assert result.output.strip() == f"OK 4 {head}"


@pytest.mark.parametrize("damage,first_bad", [("delete_line", 2), ("swap_lines", 2), ("insert_line", 3), ("garbage", 2)])
def test_verify_file_detects_structural_damage(app, runner, tmp_path, damage, first_bad):
    _append(5)
    path = tmp_path / "log.jsonl"
    runner.invoke(args=["export-log", str(path)])
    lines = path.read_text(encoding="utf-8").splitlines()
    if damage == "delete_line":
        del lines[1]
    elif damage == "swap_lines":
        lines[1], lines[2] = lines[2], lines[1]
    elif damage == "insert_line":
        lines.insert(2, lines[1])
    else:
        lines[1] = "{not json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(args=["verify-log", str(path)])
    assert result.exit_code == 1
    assert f"FAIL at seq {first_bad}" in result.output
