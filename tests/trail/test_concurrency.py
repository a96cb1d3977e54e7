"""Concurrent writers never fork the consultation log or reuse a seq.

Separate processes (spawned, each with its own app and connection pool) wait at
a barrier and then append as fast as they can, each entry in its own service
transaction. PostgreSQL serialises appends with an advisory lock; SQLite with
BEGIN IMMEDIATE. The PostgreSQL test always runs against the local server,
whatever DATABASE_URL says.
"""
import os
import uuid
from multiprocessing import get_context

import pytest

from app import create_app
from app.database import transaction
from app.extensions import db
from app.trail import services as trail
from config import TestConfig
from tests.conftest import POSTGRES_URL, _migrate, create_postgres_database, drop_postgres_database


def append_entries(url, worker, count, barrier):
    """One writer process: its own app, then `count` appends, each in its own transaction."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        trail.head()  # connect before the start line, so the race is in the appends
        db.session.rollback()
        barrier.wait()
        for number in range(count):
            with transaction():
                trail.append("test.concurrent", f"worker:{worker}", {"worker": worker, "number": number})
        db.session.remove()
        db.engine.dispose()


def _run_writers(url, workers, per_worker):
    context = get_context("spawn")
    barrier = context.Barrier(workers, timeout=120)
    processes = [context.Process(target=append_entries, args=(url, worker, per_worker, barrier))
                 for worker in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=300)
    for process in processes:
        if process.is_alive():
            process.kill()
    assert [process.exitcode for process in processes] == [0] * workers


def _check_log(url, workers, per_worker):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        entries = list(trail.iter_entries())
        total = workers * per_worker
        assert [entry["seq"] for entry in entries] == list(range(1, total + 1))
        assert trail.verify_database() == (total, entries[-1]["hash"])
        for worker in range(workers):  # every append of every writer is there, once, in its own order
            numbers = [e["data"]["number"] for e in entries if e["data"]["worker"] == worker]
            assert numbers == list(range(per_worker))
        db.session.remove()
        db.engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_eight_processes_append_2000_entries_on_postgresql():
    name = f"portal_concurrency_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    url = create_postgres_database(POSTGRES_URL, name)
    try:
        _run_writers(url, workers=8, per_worker=250)
        _check_log(url, workers=8, per_worker=250)
    finally:
        drop_postgres_database(POSTGRES_URL, name)


@pytest.mark.slow
def test_four_processes_append_400_entries_on_one_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'concurrency.sqlite3'}"
    _migrate(url)
    _run_writers(url, workers=4, per_worker=100)
    _check_log(url, workers=4, per_worker=100)
