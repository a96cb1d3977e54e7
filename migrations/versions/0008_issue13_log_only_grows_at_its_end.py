"""the consultation log only grows at its end; answers amended after sign-off

0001 refuses UPDATE and DELETE on log_entry. An INSERT could still rewrite history: on SQLite, INSERT OR REPLACE
(or REPLACE) deletes the rows it conflicts with without firing delete triggers (unless recursive_triggers is
on), so a run of REPLACEs could rewrite every entry from a chosen seq; and on either database an INSERT could
add an entry that does not link to the last one. Now an INSERT must extend the chain: its seq is the last seq
plus one and its prev_hash the last entry's hash (or 64 zeros for the first). On SQLite the trigger also refuses
a seq or hash that already exists, which is exactly the conflict REPLACE would resolve by deleting.

response_amendment keeps the wording an answer had before it was changed after sign-off was asked for, with the
reason for the change; like every table a page shows, it moves the data version (0007).

Revision ID: 0008_issue13
Revises: 0008_issue12
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_issue13"
down_revision = "0008_issue12"
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


BUMP = "UPDATE data_version SET n = n + 1 WHERE id = 1"  # as 0007


def upgrade():
    op.create_table(
        "response_amendment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("previous_outcome", sa.String(length=20), nullable=True),
        sa.Column("previous_reason", sa.Text(), nullable=True),
        sa.Column("previous_changed_section_key", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("amended_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_response_amendment_has_reason")),
        sa.ForeignKeyConstraint(["by_id"], ["person.id"], name=op.f("fk_response_amendment_by_id_person")),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"],
                                name=op.f("fk_response_amendment_response_id_response")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_amendment")),
    )
    op.create_index(op.f("ix_response_amendment_response_id"), "response_amendment", ["response_id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_TRIGGER:
            op.execute(statement)
        op.execute("""CREATE TRIGGER data_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON response_amendment
                      FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")
    else:
        op.execute(SQLITE_TRIGGER)
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER data_version_response_amendment_{event.lower()} AFTER {event} "
                       f"ON response_amendment BEGIN {BUMP}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER log_entry_extends_chain ON log_entry")
        op.execute("DROP FUNCTION log_entry_extends_chain()")
    else:
        op.execute("DROP TRIGGER log_entry_extends_chain")
    op.drop_index(op.f("ix_response_amendment_response_id"), table_name="response_amendment")
    op.drop_table("response_amendment")  # its data_version triggers go with it
