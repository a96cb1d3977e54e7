"""The log only grows at its end, and the heads recorded by sign-offs and publications are checked against it.

The database refuses UPDATE, DELETE and any INSERT that does not extend the chain (on SQLite including INSERT OR
REPLACE and REPLACE, which delete conflicting rows without firing delete triggers). Someone who can drop the
triggers (a database owner) can still rewrite the chain into another valid one, or cut its tail: verify-log, the
scrutiny workspace and the standalone verifier then fail on the heads the sign-offs and publications recorded.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DatabaseError

from app.demo import DEMO_PASSWORD, load_demo_data
from app.signoff.models import Publication
from app.trail import services as trail, tree
from app.trail.models import MerkleNode
from app.trail.verify_log import GENESIS_HASH, canonical, entry_bytes, entry_hash, leaf_hash
from tests.conftest import csrf_token

VERIFIER = Path(__file__).resolve().parents[2] / "app" / "trail" / "verify_log.py"
COLUMNS = "seq, at, actor, action, subject, data, prev_hash, hash"


def _row(seq, prev_hash, subject="thing:1"):
    entry = {"seq": seq, "at": "2026-01-01T00:00:00.000000Z", "actor": None, "action": "test.forged",
             "subject": subject, "data": {}, "prev_hash": prev_hash}
    return {**entry, "data": canonical(entry["data"]), "hash": entry_hash(entry)}


def _insert(db, row, verb="INSERT"):
    db.session.rollback()  # the session's read snapshot ends: it sees what happens next
    with db.engine.begin() as connection:
        connection.execute(text(f"{verb} INTO log_entry ({COLUMNS}) VALUES "
                                "(:seq, :at, :actor, :action, :subject, :data, :prev_hash, :hash)"), row)


@pytest.fixture
def demo(app):
    load_demo_data()
    return app


def _head_at(seq):
    return next(e for e in trail.iter_entries() if e["seq"] == seq)["hash"]


@pytest.mark.parametrize("verb", ["INSERT OR REPLACE", "REPLACE"])
def test_sqlite_refuses_replace_into_the_log(demo, db, verb):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("REPLACE is SQLite's")
    count, head = trail.head()
    before = list(trail.iter_entries())
    for seq in (3, count):
        with pytest.raises(DatabaseError, match="only grows at its end"):
            _insert(db, _row(seq, _head_at(seq - 1) if seq > 1 else GENESIS_HASH), verb)
    # Even a row that would extend the chain is refused if its hash is already there (REPLACE would delete it).
    clash = {**_row(count + 1, head), "hash": _head_at(2)}
    with pytest.raises(DatabaseError):
        _insert(db, clash, verb)
    assert list(trail.iter_entries()) == before and trail.verify_all()[0] == count


def test_postgresql_refuses_an_upsert_into_the_log(demo, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("ON CONFLICT here is checked on PostgreSQL; SQLite's REPLACE is checked above")
    count, head = trail.head()
    with pytest.raises(DatabaseError):
        with db.engine.begin() as connection:
            connection.execute(text(f"INSERT INTO log_entry ({COLUMNS}) VALUES "
                                    "(:seq, :at, :actor, :action, :subject, :data, :prev_hash, :hash) "
                                    "ON CONFLICT (seq) DO UPDATE SET data = EXCLUDED.data"), _row(3, _head_at(2)))
    assert trail.verify_all()[0] == count


@pytest.mark.parametrize("damage", ["gap", "old seq", "wrong prev_hash", "genesis again"])
def test_an_insert_that_does_not_extend_the_chain_is_refused(demo, db, damage):
    count, head = trail.head()
    row = {"gap": _row(count + 2, head), "old seq": _row(count, head), "wrong prev_hash": _row(count + 1, "f" * 64),
           "genesis again": _row(1, GENESIS_HASH)}[damage]
    with pytest.raises(DatabaseError):
        _insert(db, row)
    _insert(db, _row(count + 1, head))  # extending it is what the log is for
    assert trail.verify_all()[0] == count + 1


def _without_triggers(connection, dialect):
    """What a database owner could do: write behind the log's triggers (and its tree's, issue 20)."""
    if dialect == "postgresql":
        connection.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        for name in ("log_entry_no_update", "log_entry_no_delete", "log_entry_extends_chain",
                     "merkle_node_no_update", "merkle_node_no_delete", "merkle_node_no_replace"):
            connection.execute(text(f"DROP TRIGGER {name}"))


def rebuild_tree(connection):
    """The owner rewriting history rebuilds the Merkle tree over it too, so the tree alone agrees with it: only a
    checkpoint published before (and a consistency proof from it) shows the rewrite."""
    rows = connection.execute(text(f"SELECT {COLUMNS} FROM log_entry ORDER BY seq")).mappings().all()
    leaves = [leaf_hash(entry_bytes({**row, "data": json.loads(row["data"])})) for row in rows]
    connection.execute(text("DELETE FROM merkle_node"))
    nodes = list(tree.node_rows(leaves))
    if nodes:
        connection.execute(insert(MerkleNode), nodes)


def rewrite_from(db, start):
    """Re-write every entry from `start` into another valid chain (the first one's data changed)."""
    entries = [e for e in trail.iter_entries() if e["seq"] >= start]
    prev = entries[0]["prev_hash"]
    rows = []
    for entry in entries:
        entry = {**entry, "prev_hash": prev}
        if entry["seq"] == start:
            entry["data"] = {**entry["data"], "rewritten": True}
        entry.pop("hash")
        prev = entry_hash(entry)
        rows.append({**entry, "data": canonical(entry["data"]), "hash": prev})
    db.session.rollback()
    with db.engine.begin() as connection:
        _without_triggers(connection, db.engine.dialect.name)
        connection.execute(text("DELETE FROM log_entry WHERE seq >= :start"), {"start": start})
        connection.execute(text(f"INSERT INTO log_entry ({COLUMNS}) VALUES "
                                "(:seq, :at, :actor, :action, :subject, :data, :prev_hash, :hash)"), rows)
        rebuild_tree(connection)
    db.session.expire_all()


def truncate(db, keep):
    db.session.rollback()
    with db.engine.begin() as connection:
        _without_triggers(connection, db.engine.dialect.name)
        connection.execute(text("DELETE FROM log_entry WHERE seq > :keep"), {"keep": keep})
        rebuild_tree(connection)
    db.session.expire_all()


def _workspace_says(app):
    client = app.test_client()
    client.post("/login", data={"email": "scrutineer@demo.test", "password": DEMO_PASSWORD,
                                "csrf_token": csrf_token(client, "/login")})
    return client.get("/scrutiny").get_data(as_text=True)


def _export(app, tmp_path, consultation_id):
    client = app.test_client()
    client.post("/login", data={"email": "scrutineer@demo.test", "password": DEMO_PASSWORD,
                                "csrf_token": csrf_token(client, "/login")})
    path = tmp_path / "export.zip"
    path.write_bytes(client.get(f"/scrutiny/consultations/{consultation_id}/export.zip").get_data())
    return path


def run_verifier(*args):
    result = subprocess.run([sys.executable, str(VERIFIER), *map(str, args)], capture_output=True, text=True,
                            timeout=120)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout.strip()


@pytest.mark.parametrize("damage", ["rewrite before the publication", "truncated tail"])
def test_a_valid_but_different_chain_fails_on_the_recorded_heads(demo, db, runner, tmp_path, damage):
    publication = db.session.query(Publication).one()
    published_seq, published_head = publication.log_seq, publication.log_head
    consultation_id = publication.request.consultation_id
    assert runner.invoke(args=["verify-log"]).output.startswith("OK")
    assert "every log head recorded by sign-offs and publications" in _workspace_says(demo)
    count, _head = trail.head()
    if damage == "rewrite before the publication":
        rewrite_from(db, published_seq - 10)
    else:
        truncate(db, count - 5)
    assert trail.verify_database()[0] > 0  # on its own the chain is still a valid chain …
    result = runner.invoke(args=["verify-log"])  # … but not the one the sign-offs and publication were made over
    assert result.exit_code == 1 and result.output.startswith("FAIL at seq"), result.output
    assert ("sign-off" in result.output or "publication" in result.output or "entry" in result.output)
    page = _workspace_says(demo)
    # The workspace checks from its last verified entry on (issue 14): a rewrite or a cut reaches that entry first.
    assert ("history was rewritten" in page or "but the log ends at seq" in page
            or "no longer has the hash it had when it was last verified" in page)
    code, output = run_verifier(_export(demo, tmp_path, consultation_id))
    assert code == 1 and output.startswith("FAIL"), output
    code, output = run_verifier(_export(demo, tmp_path, consultation_id), "--head", published_head,
                                "--seq", published_seq)
    assert code == 1 and output.startswith("FAIL"), output
