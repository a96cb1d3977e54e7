"""separation of duties and hardened edges (issue 14)

- role_grant_request: grants of guarded roles waiting for a second person, and the history of grants and
  removals (shown on /role-grants, so it moves the data version like every shown table);
- comment_report: one report per person per comment (duplicates from before are dropped, the first kept);
- comment.submission_key: the comment form's idempotency key, unique, so a double submit stores one comment;
- log_checkpoint: the last (seq, hash) of the consultation log verified, so a check starts there. Not shown
  on any remembered page, and written by reading, so it has no data-version trigger.

Revision ID: 0008_issue14
Revises: 0008_issue13
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_issue14"
down_revision = "0008_issue13"
branch_labels = None
depends_on = None

BUMP = "UPDATE data_version SET n = n + 1 WHERE id = 1"
ROLES = ("'facilitator', 'practitioner', 'vcs_partner', 'young_person', 'lead_signatory', 'delegated_signatory', "
         "'scrutineer', 'dsl', 'youth_worker'")


def _version_triggers(table):
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE TRIGGER data_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                       FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")
    else:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER data_version_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"BEGIN {BUMP}; END")


def _drop_version_triggers(table):
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER data_version ON {table}")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER data_version_{table}_{event}")


def upgrade():
    op.create_table(
        "role_grant_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("statutory_partner_id", sa.Integer(), nullable=True),
        sa.Column("acting_for_id", sa.Integer(), nullable=True),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(f"role IN ({ROLES})", name=op.f("ck_role_grant_request_role")),
        sa.CheckConstraint("change IN ('grant', 'removal')", name=op.f("ck_role_grant_request_change")),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'withdrawn')", name=op.f("ck_role_grant_request_status")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_role_grant_request_person_id_person")),
        sa.ForeignKeyConstraint(["acting_for_id"], ["person.id"],
                                name=op.f("fk_role_grant_request_acting_for_id_person")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["person.id"],
                                name=op.f("fk_role_grant_request_requested_by_id_person")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["person.id"],
                                name=op.f("fk_role_grant_request_decided_by_id_person")),
        sa.ForeignKeyConstraint(["statutory_partner_id"], ["statutory_partner.id"],
                                name=op.f("fk_role_grant_request_statutory_partner_id_statutory_partner")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_grant_request")),
    )
    op.create_index(op.f("ix_role_grant_request_person_id"), "role_grant_request", ["person_id"])
    op.create_index(op.f("ix_role_grant_request_status"), "role_grant_request", ["status"])
    _version_triggers("role_grant_request")

    # Reports sent twice before this revision: keep each person's first report on a comment.
    op.execute("DELETE FROM comment_report WHERE id NOT IN "
               "(SELECT MIN(id) FROM comment_report GROUP BY comment_id, by_id)")
    # Unique indexes rather than constraints: on SQLite a new constraint means rebuilding the table, which would
    # drop the triggers on it (the append-only, tally and data-version triggers).
    op.create_index("uq_comment_report_once", "comment_report", ["comment_id", "by_id"], unique=True)
    op.add_column("comment", sa.Column("submission_key", sa.String(length=64), nullable=True))
    op.create_index("uq_comment_submission", "comment", ["author_id", "submission_key"], unique=True)

    op.create_table(
        "log_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.Column("full_verified_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_log_checkpoint_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_checkpoint")),
    )
    op.execute(f"INSERT INTO log_checkpoint (id, seq, hash) VALUES (1, 0, '{'0' * 64}')")  # nothing verified yet


def downgrade():
    op.drop_table("log_checkpoint")
    op.drop_index("uq_comment_submission", table_name="comment")
    # Not batch mode: rebuilding `comment` on SQLite would drop its triggers. SQLite 3.35+ drops a column itself.
    op.execute("ALTER TABLE comment DROP COLUMN submission_key")
    op.drop_index("uq_comment_report_once", table_name="comment_report")
    _drop_version_triggers("role_grant_request")
    op.drop_index(op.f("ix_role_grant_request_status"), table_name="role_grant_request")
    op.drop_index(op.f("ix_role_grant_request_person_id"), table_name="role_grant_request")
    op.drop_table("role_grant_request")
