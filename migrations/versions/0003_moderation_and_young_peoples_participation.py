"""moderation and young people's participation

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


_ROLES_BEFORE = ("'facilitator', 'practitioner', 'vcs_partner', 'young_person', 'lead_signatory', "
                 "'delegated_signatory', 'scrutineer', 'dsl'")
_ROLES_AFTER = _ROLES_BEFORE + ", 'youth_worker'"


def _role_check(roles):
    """Replace role_grant's CHECK on role (batch mode: SQLite rebuilds the table, PostgreSQL alters it)."""
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_role_grant_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_role_grant_role"), f"role IN ({roles})")


def upgrade():
    _role_check(_ROLES_AFTER)
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flagged", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("moderation_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("redacted_at", sa.DateTime(), nullable=True))

    op.create_table(
        "invite_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("uses >= 0 AND uses <= max_uses AND max_uses >= 1", name=op.f("ck_invite_code_uses")),
        _fk("invite_code", "organisation_id", "organisation"),
        _fk("invite_code", "created_by_id", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invite_code_code_hash")),
    )
    op.create_index(op.f("ix_invite_code_organisation_id"), "invite_code", ["organisation_id"])

    op.create_table(
        "moderation_act",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("act", sa.String(10), nullable=False),
        sa.Column("reason_code", sa.String(30), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("act IN ('approved', 'rejected', 'hidden', 'restored', 'concern')",
                           name=op.f("ck_moderation_act_act")),
        _fk("moderation_act", "comment_id", "comment"),
        _fk("moderation_act", "by_id", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_act")),
    )
    op.create_index(op.f("ix_moderation_act_comment_id"), "moderation_act", ["comment_id"])

    op.create_table(
        "comment_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        _fk("comment_report", "comment_id", "comment"),
        _fk("comment_report", "by_id", "person"),
        _fk("comment_report", "resolved_by_id", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_report")),
    )
    op.create_index(op.f("ix_comment_report_comment_id"), "comment_report", ["comment_id"])

    op.create_table(
        "safeguarding_concern",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("previous_status", sa.String(10), nullable=True),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=True),
        sa.Column("action_taken", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("source IN ('moderator', 'self')", name=op.f("ck_safeguarding_concern_source")),
        sa.CheckConstraint("comment_id IS NOT NULL OR message != ''",
                           name=op.f("ck_safeguarding_concern_about_something")),
        _fk("safeguarding_concern", "partnership_id", "partnership"),
        _fk("safeguarding_concern", "comment_id", "comment"),
        _fk("safeguarding_concern", "person_id", "person"),
        _fk("safeguarding_concern", "organisation_id", "organisation"),
        _fk("safeguarding_concern", "raised_by_id", "person"),
        _fk("safeguarding_concern", "closed_by_id", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_concern")),
    )
    op.create_index(op.f("ix_safeguarding_concern_partnership_id"), "safeguarding_concern", ["partnership_id"])
    op.create_index(op.f("ix_safeguarding_concern_comment_id"), "safeguarding_concern", ["comment_id"])

    op.create_table(
        "redacted_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("redacted_by_id", sa.Integer(), nullable=False),
        sa.Column("redacted_at", sa.DateTime(), nullable=True),
        _fk("redacted_text", "concern_id", "safeguarding_concern"),
        _fk("redacted_text", "comment_id", "comment"),
        _fk("redacted_text", "revision_id", "comment_revision"),
        _fk("redacted_text", "redacted_by_id", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redacted_text")),
    )
    op.create_index(op.f("ix_redacted_text_concern_id"), "redacted_text", ["concern_id"])

    op.create_table(
        "author_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('hidden', 'rejected')", name=op.f("ck_author_notice_kind")),
        _fk("author_notice", "person_id", "person"),
        _fk("author_notice", "comment_id", "comment"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_author_notice")),
    )
    op.create_index(op.f("ix_author_notice_person_id"), "author_notice", ["person_id"])


def downgrade():
    op.execute("DELETE FROM role_grant WHERE role = 'youth_worker'")
    _role_check(_ROLES_BEFORE)
    for table in ("author_notice", "redacted_text", "safeguarding_concern", "comment_report", "moderation_act",
                  "invite_code"):
        op.drop_table(table)
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_column("redacted_at")
        batch_op.drop_column("moderation_reason")
        batch_op.drop_column("flagged")
