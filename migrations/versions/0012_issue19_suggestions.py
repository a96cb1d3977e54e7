"""Issue 19, part 1: suggested wording

- suggestion: replacement text a participant proposes for a passage of a consulted section. Its reason is a comment
  (comment_id, one suggestion per comment), so it is moderated, screened, replied to and answered as comments are.
  The passage's place in the section's text (passage_start, passage_end), that text's SHA-256 and the consulted
  version's content hash are what it was made against; the decision (outcome, final_text, who and when) and the
  working version's section the wording went into are recorded with it.
- suggestion_support: one person's support for a suggestion, one each (unique), withdrawn support kept and dated.

Both are shown on the remembered consultation page (a suggestion in its comment's card, with its supporters), so
each gets the data-version trigger of migration 0007.

Revision ID: 0012_issue19_suggestions
Revises: 0011_issue15
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_issue19_suggestions"
down_revision = "0012_issue19_org_responses"
branch_labels = None
depends_on = None

BUMP = "UPDATE data_version SET n = n + 1 WHERE id = 1"
TABLES = ("suggestion", "suggestion_support")


def _data_version_trigger(table):
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE TRIGGER data_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                       FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")
    else:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER data_version_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"BEGIN {BUMP}; END")


def upgrade():
    op.create_table(
        "suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("section_key", sa.String(32), nullable=False),
        sa.Column("passage_start", sa.Integer(), nullable=False),
        sa.Column("passage_end", sa.Integer(), nullable=False),
        sa.Column("passage", sa.Text(), nullable=False),
        sa.Column("replacement", sa.Text(), nullable=False),
        sa.Column("section_sha256", sa.String(64), nullable=False),
        sa.Column("version_hash", sa.String(64), nullable=False),
        sa.Column("support_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("outcome", sa.String(25), nullable=True),
        sa.Column("final_text", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("applied_version_id", sa.Integer(), nullable=True),
        sa.Column("applied_section_id", sa.Integer(), nullable=True),
        sa.Column("erased_sha256", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("passage_start >= 0 AND passage_end > passage_start",
                           name=op.f("ck_suggestion_passage_place")),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('accepted', 'accepted_with_changes', 'declined')",
                           name=op.f("ck_suggestion_outcome")),
        sa.CheckConstraint("(outcome IS NULL) = (decided_at IS NULL)", name=op.f("ck_suggestion_decided_when")),
        sa.CheckConstraint("(final_text IS NOT NULL) = (outcome IS NOT NULL AND outcome != 'declined')",
                           name=op.f("ck_suggestion_final_text_when_accepted")),
        sa.CheckConstraint("support_count >= 0", name=op.f("ck_suggestion_support_count")),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"], name=op.f("fk_suggestion_comment_id_comment")),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"],
                                name=op.f("fk_suggestion_consultation_id_consultation")),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_suggestion_section_id_section")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["person.id"], name=op.f("fk_suggestion_decided_by_id_person")),
        sa.ForeignKeyConstraint(["applied_version_id"], ["draft_version.id"],
                                name=op.f("fk_suggestion_applied_version_id_draft_version")),
        sa.ForeignKeyConstraint(["applied_section_id"], ["section.id"],
                                name=op.f("fk_suggestion_applied_section_id_section")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion")),
        sa.UniqueConstraint("comment_id", name=op.f("uq_suggestion_comment_id")),
    )
    op.create_index("ix_suggestion_consultation_section", "suggestion", ["consultation_id", "section_id"])
    op.create_index("ix_suggestion_applied_version", "suggestion", ["applied_version_id"])
    op.create_table(
        "suggestion_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(30), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["suggestion_id"], ["suggestion.id"],
                                name=op.f("fk_suggestion_support_suggestion_id_suggestion")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_suggestion_support_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_support")),
        sa.UniqueConstraint("suggestion_id", "person_id", name=op.f("uq_suggestion_support_suggestion_id_person_id")),
    )
    op.create_index("ix_suggestion_support_suggestion_id", "suggestion_support", ["suggestion_id"])
    op.create_index("ix_suggestion_support_person_id", "suggestion_support", ["person_id"])
    for table in TABLES:
        _data_version_trigger(table)


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in reversed(TABLES):
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS data_version ON {table}")
        else:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{event}")
    op.drop_index("ix_suggestion_support_person_id", table_name="suggestion_support")
    op.drop_index("ix_suggestion_support_suggestion_id", table_name="suggestion_support")
    op.drop_table("suggestion_support")
    op.drop_index("ix_suggestion_applied_version", table_name="suggestion")
    op.drop_index("ix_suggestion_consultation_section", table_name="suggestion")
    op.drop_table("suggestion")
