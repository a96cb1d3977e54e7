"""One service call = one transaction.

`transaction()` is how every service changes data: it begins a write
transaction, yields, and commits once (or rolls back everything on error).
On SQLite the transaction starts with BEGIN IMMEDIATE, which takes the write
lock up front; that is what serialises appends to the consultation log there.
On PostgreSQL the log takes its own advisory lock (see app.trail.services).
"""
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event

from app.extensions import db

_immediate = ContextVar("sqlite_begin_immediate", default=False)
_in_transaction = ContextVar("in_service_transaction", default=False)


def install_sqlite_hooks(engine):
    """Let us choose how SQLite transactions begin (pysqlite's own BEGIN is deferred and implicit)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


@contextmanager
def transaction():
    """Run the body as one write transaction and commit it once."""
    session = db.session
    if _in_transaction.get():  # a service calling another service: the outer one commits
        yield session
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unsaved changes outside a transaction(): a service must make all its changes inside one")
    if db.engine.dialect.name == "sqlite":
        if session().in_transaction():
            # End the view's read snapshot (a write could not upgrade it if another writer committed since);
            # loaded objects reload inside the write transaction.
            session.rollback()
        token = _immediate.set(True)
        try:
            session.connection()  # begins now, so SQLite takes the write lock before we read anything
        finally:
            _immediate.reset(token)
    # PostgreSQL runs READ COMMITTED: each statement sees the latest commits, so the view's transaction goes on.
    outer = _in_transaction.set(True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _in_transaction.reset(outer)
