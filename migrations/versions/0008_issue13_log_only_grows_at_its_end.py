"""the consultation log only grows at its end

0001 refuses UPDATE and DELETE on log_entry. An INSERT could still rewrite history: on SQLite, INSERT OR REPLACE
(or REPLACE) deletes the rows it conflicts with without firing delete triggers (unless recursive_triggers is
on), so a run of REPLACEs could rewrite every entry from a chosen seq; and on either database an INSERT could
add an entry that does not link to the last one. Now an INSERT must extend the chain: its seq is the last seq
plus one and its prev_hash the last entry's hash (or 64 zeros for the first). On SQLite the trigger also refuses
a seq or hash that already exists, which is exactly the conflict REPLACE would resolve by deleting.

Revision ID: 0008_issue13
Revises: 0007
"""
from alembic import op

revision = "0008_issue13"
down_revision = "0007"
branch_labels = None
depends_on = None

GENESIS = "0" * 64

SQLITE_TRIGGER = f"""CREATE TRIGGER log_entry_extends_chain BEFORE INSERT ON log_entry
    WHEN EXISTS (SELECT 1 FROM log_entry WHERE seq = NEW.seq OR hash = NEW.hash)
      OR NEW.seq IS NOT COALESCE((SELECT MAX(seq) FROM log_entry), 0) + 1
      OR NEW.prev_hash IS NOT COALESCE((SELECT hash FROM log_entry ORDER BY seq DESC LIMIT 1), '{GENESIS}')
    BEGIN SELECT RAISE(ABORT, 'the consultation log only grows at its end: INSERT refused'); END"""

POSTGRES_TRIGGER = [
    f"""CREATE FUNCTION log_entry_extends_chain() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          last_seq integer;
          last_hash varchar;
        BEGIN
          SELECT seq, hash INTO last_seq, last_hash FROM log_entry ORDER BY seq DESC LIMIT 1;
          IF NEW.seq IS DISTINCT FROM COALESCE(last_seq, 0) + 1
             OR NEW.prev_hash IS DISTINCT FROM COALESCE(last_hash, '{GENESIS}') THEN
            RAISE EXCEPTION 'the consultation log only grows at its end: INSERT refused'
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NEW;
        END $$""",
    """CREATE TRIGGER log_entry_extends_chain BEFORE INSERT ON log_entry
       FOR EACH ROW EXECUTE FUNCTION log_entry_extends_chain()""",
]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_TRIGGER:
            op.execute(statement)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER log_entry_extends_chain ON log_entry")
        op.execute("DROP FUNCTION log_entry_extends_chain()")
    else:
        op.execute("DROP TRIGGER log_entry_extends_chain")
