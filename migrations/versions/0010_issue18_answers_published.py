"""answers published together; a theme's answer copied to each comment under it (issues 18 and 16)

- response.published_at: when the facilitator published this answer. NULL is a draft: only facilitators and the
  scrutineer see it, and nobody has been emailed about it. Answers written before this migration were emailed to
  their authors the moment they were saved, so they count as published then (their updated_at).
- response.from_theme_id: a comment's answer copied from its theme's answer, not changed by hand since. Saving the
  theme's answer again updates these copies; answering the comment on its own page clears it.

Both columns are nullable, so SQLite adds them in place (no batch rebuild, so the data-version triggers of
migration 0007 survive); they are made again anyway, as 0008_issue12 does.

Revision ID: 0010_issue18_answers
Revises: 0010_issue16
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_issue18_answers"
down_revision = "0010_issue16"
branch_labels = None
depends_on = None

BUMP = "UPDATE data_version SET n = n + 1 WHERE id = 1"


def _sqlite_data_version_triggers(table):
    if op.get_bind().dialect.name == "sqlite":
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{event.lower()}")
            op.execute(f"CREATE TRIGGER data_version_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"BEGIN {BUMP}; END")


def upgrade():
    op.add_column("response", sa.Column("published_at", sa.DateTime(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with REFERENCES in place (a NULL default); Alembic would ask for a batch rebuild.
        op.execute("ALTER TABLE response ADD COLUMN from_theme_id INTEGER REFERENCES theme (id)")
    else:
        op.add_column("response", sa.Column("from_theme_id", sa.Integer(),
                                            sa.ForeignKey("theme.id", name="fk_response_from_theme_id_theme"),
                                            nullable=True))
    op.execute("UPDATE response SET published_at = COALESCE(updated_at, created_at)")
    op.create_index("ix_response_from_theme_id", "response", ["from_theme_id"])
    _sqlite_data_version_triggers("response")


def downgrade():
    op.drop_index("ix_response_from_theme_id", table_name="response")
    with op.batch_alter_table("response") as batch_op:
        batch_op.drop_column("from_theme_id")
        batch_op.drop_column("published_at")
    _sqlite_data_version_triggers("response")
