"""One service call = one transaction.

`transaction()` is how every service changes data: it begins a write
transaction, yields, and commits once (or rolls back everything on error).
On SQLite the transaction starts with BEGIN IMMEDIATE, which takes the write
lock up front; that is what serialises appends to the consultation log there.
On PostgreSQL it starts by taking one transaction-scoped advisory lock, the same
for every writer: appends to the log are serialised by it, and the database's
triggers (migrations 0006, 0007) take it too, so every writer takes it first,
before any row lock, and no two writers can wait on each other in a circle.
"""
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import BigInteger, CheckConstraint, String, event, func, select, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

# Any fixed number: the PostgreSQL advisory lock every write transaction takes first (also in migrations).
PG_WRITE_LOCK_KEY = 7_160_016

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
def transaction(keep_loaded=False):
    """Run the body as one write transaction and commit it once.

    keep_loaded=True: the objects stay loaded after the commit instead of reloading on first use. Only for a
    service that adds or changes rows with nothing computed by the database that it reads back (posting a
    comment or vote): the route answering it then needs no more statements.
    """
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
    else:
        # PostgreSQL runs READ COMMITTED: each statement sees the latest commits, so the view's transaction goes on.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_WRITE_LOCK_KEY})
    outer = _in_transaction.set(True)
    try:
        yield session
        session().expire_on_commit = not keep_loaded
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session().expire_on_commit = True
        _in_transaction.reset(outer)


class DataVersion(db.Model):
    """One number that moves on with every change to anything a page shows (migration 0007).

    Pages are no longer kept under it (they are kept under DataScopeVersion, below), but its triggers still mark
    which tables a page shows: migration 0014_memo gave each of those tables the per-scope triggers, and
    tests/consultations/test_memo.py checks that every table with one trigger has the other. On PostgreSQL its
    statement trigger is also what takes the write lock before a writer locks any row (0007), so writers always
    lock in the same order. Kept by database triggers in the transaction that makes the change: never written here.
    """

    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)

    @staticmethod
    def current():
        """The version as a scalar subquery, to read in the same statement (and snapshot) as something else."""
        return select(DataVersion.n).where(DataVersion.id == 1).scalar_subquery()


# --- issue 15 (memo): data versions per scope -------------------------------------------------------------------

class DataScopeVersion(db.Model):
    """A number per scope that moves on with every change to what that scope's pages show (migration 0014_memo):
    `c:<consultation id>` for a consultation and what belongs to it, `p` for what every page shows (people, roles,
    drafts, partnership settings). Kept by database triggers in the writing transaction: never written here."""

    __tablename__ = "data_scope_version"
    __table_args__ = (CheckConstraint("scope = 'p' OR scope LIKE 'c:%'", name="scope"),)

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)

    @staticmethod
    def of(scope):
        """The scope's version as a scalar subquery (0 before its first change), to read in one statement with
        what a page shows."""
        return func.coalesce(select(DataScopeVersion.n).where(DataScopeVersion.scope == scope)
                             .scalar_subquery(), 0)  # scope: a str or a bindparam

    @staticmethod
    def consultation_scope(consultation_id):
        return f"c:{int(consultation_id)}"
