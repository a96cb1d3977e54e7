"""witnesses of the log's checkpoints (issue 20, part 3)

- witness_checkpoint_email: each signed checkpoint emailed to each partner lead and scrutineer, at most once.
- witness_seen_checkpoint: every checkpoint the scrutineer's workspace has seen, with its root as it was then.
- witness_alarm, witness_alarm_dealt_with: a checkpoint that disagreed with an earlier one, and what was done.

All append-only (triggers as 0013_issue20_merkle). None is shown on a remembered page: no data-version trigger.

Revision ID: 0014_witness_checkpoints
Revises: 0013_issue20_merkle
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_witness_checkpoints"
down_revision = "0013_issue20_merkle"
branch_labels = None
depends_on = None

# table -> its unique key (SQLite's INSERT OR REPLACE deletes a conflicting row without firing delete triggers)
TABLES = {"witness_checkpoint_email": "checkpoint_id = NEW.checkpoint_id AND person_id = NEW.person_id",
          "witness_seen_checkpoint": "size = NEW.size",
          "witness_alarm": "id = NEW.id",
          "witness_alarm_dealt_with": "alarm_id = NEW.alarm_id"}
RESULTS = "'first', 'consistent', 'inconsistent', 'root_mismatch', 'bad_signature'"


def _append_only(table, key):
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN
                         RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
                           USING ERRCODE = 'insufficient_privilege';
                       END $$""")
        op.execute(f"""CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
                       FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""")
        op.execute(f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                       FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table}
                           BEGIN SELECT RAISE(ABORT, '{table} is append-only: {event} refused'); END""")
        op.execute(f"""CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table}
                       WHEN EXISTS (SELECT 1 FROM {table} WHERE {key})
                       BEGIN SELECT RAISE(ABORT, '{table} is append-only: REPLACE refused'); END""")


def upgrade():
    op.create_table(
        "witness_checkpoint_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),  # no FK: an erasure deletes the email
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["checkpoint_id"], ["log_checkpoint_signed.id"],
                                name=op.f("fk_witness_checkpoint_email_checkpoint_id_log_checkpoint_signed")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_witness_checkpoint_email_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_checkpoint_email")),
        sa.UniqueConstraint("checkpoint_id", "person_id", name=op.f("uq_witness_checkpoint_email_checkpoint_id_person_id")),
    )
    op.create_index(op.f("ix_witness_checkpoint_email_checkpoint_id"), "witness_checkpoint_email", ["checkpoint_id"])
    op.create_table(
        "witness_seen_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("seen_by_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("compared_with_size", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"result IN ({RESULTS})", name=op.f("ck_witness_seen_checkpoint_result")),
        sa.CheckConstraint("size >= 0", name=op.f("ck_witness_seen_checkpoint_size_positive")),
        sa.CheckConstraint("length(root) = 32", name=op.f("ck_witness_seen_checkpoint_root_length")),
        sa.ForeignKeyConstraint(["seen_by_id"], ["person.id"], name=op.f("fk_witness_seen_checkpoint_seen_by_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_seen_checkpoint")),
        sa.UniqueConstraint("size", name=op.f("uq_witness_seen_checkpoint_size")),
    )
    op.create_table(
        "witness_alarm",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("earlier_size", sa.Integer(), nullable=True),
        sa.Column("earlier_made_at", sa.DateTime(), nullable=True),
        sa.Column("later_size", sa.Integer(), nullable=False),
        sa.Column("later_made_at", sa.DateTime(), nullable=True),
        sa.Column("later_root", sa.LargeBinary(length=32), nullable=True),
        sa.Column("later_note", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["raised_by_id"], ["person.id"], name=op.f("fk_witness_alarm_raised_by_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_alarm")),
    )
    op.create_table(
        "witness_alarm_dealt_with",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alarm_id", sa.Integer(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["alarm_id"], ["witness_alarm.id"],
                                name=op.f("fk_witness_alarm_dealt_with_alarm_id_witness_alarm")),
        sa.ForeignKeyConstraint(["by_id"], ["person.id"], name=op.f("fk_witness_alarm_dealt_with_by_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_alarm_dealt_with")),
        sa.UniqueConstraint("alarm_id", name=op.f("uq_witness_alarm_dealt_with_alarm_id")),
    )
    for table, key in TABLES.items():
        _append_only(table, key)


def downgrade():
    for table in reversed(list(TABLES)):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_update_delete ON {table}")
            op.execute(f"DROP FUNCTION {table}_append_only()")
        op.drop_table(table)
