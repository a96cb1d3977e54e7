"""safeguarding first: possible disclosures reviewed by the DSL, report reasons, revocable invite codes

- safeguarding_concern: `review` (unreviewed → confirmed or not_disclosure) with who, when and why, and a third
  source, 'signal': a concern opened by the portal itself when a young person's post matches the harm-signal list.
- comment_report: `reason_code` ("It could identify a child or family" holds the comment at once).
- invite_code: `revoked_at`, `revoked_by_id`.

SQLite cannot change a CHECK in place, so batch mode rebuilds safeguarding_concern there; the rebuild drops the
table's data-version triggers (migration 0007), which are made again here.

Revision ID: 0008_issue12
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_issue12"
down_revision = "0007"
branch_labels = None
depends_on = None

BUMP = "UPDATE data_version SET n = n + 1 WHERE id = 1"


def _sqlite_data_version_triggers(table):
    if op.get_bind().dialect.name == "sqlite":
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{event.lower()}")
            op.execute(f"CREATE TRIGGER data_version_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"BEGIN {BUMP}; END")


def _source_check(sources):
    with op.batch_alter_table("safeguarding_concern", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f("ck_safeguarding_concern_source"), type_="check")
        batch_op.create_check_constraint(op.f("ck_safeguarding_concern_source"), f"source IN ({sources})")
    _sqlite_data_version_triggers("safeguarding_concern")


def upgrade():
    with op.batch_alter_table("safeguarding_concern") as batch_op:
        batch_op.add_column(sa.Column("review", sa.String(20), nullable=False, server_default="unreviewed"))
        batch_op.add_column(sa.Column("review_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_safeguarding_concern_reviewed_by_id_person"), "person",
                                    ["reviewed_by_id"], ["id"])
        batch_op.create_check_constraint(op.f("ck_safeguarding_concern_review"),
                                         "review IN ('unreviewed', 'confirmed', 'not_disclosure')")
    _source_check("'moderator', 'self', 'signal'")
    with op.batch_alter_table("comment_report") as batch_op:
        batch_op.add_column(sa.Column("reason_code", sa.String(30), nullable=True))
    with op.batch_alter_table("invite_code") as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_invite_code_revoked_by_id_person"), "person", ["revoked_by_id"], ["id"])
    for table in ("comment_report", "invite_code"):
        _sqlite_data_version_triggers(table)


def downgrade():
    with op.batch_alter_table("invite_code") as batch_op:
        batch_op.drop_constraint(op.f("fk_invite_code_revoked_by_id_person"), type_="foreignkey")
        batch_op.drop_column("revoked_by_id")
        batch_op.drop_column("revoked_at")
    with op.batch_alter_table("comment_report") as batch_op:
        batch_op.drop_column("reason_code")
    _source_check("'moderator', 'self'")
    with op.batch_alter_table("safeguarding_concern") as batch_op:
        batch_op.drop_constraint(op.f("ck_safeguarding_concern_review"), type_="check")
        batch_op.drop_constraint(op.f("fk_safeguarding_concern_reviewed_by_id_person"), type_="foreignkey")
        batch_op.drop_column("reviewed_by_id")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("review_reason")
        batch_op.drop_column("review")
    for table in ("safeguarding_concern", "comment_report", "invite_code"):
        _sqlite_data_version_triggers(table)
