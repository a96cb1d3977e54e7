"""formal responses from organisations (issue 19, part 3)

- org_response: one organisation's formal response to a consultation, a draft (its lead and co-authors only) until
  submitted. A UNIQUE index over submitted rows allows one submitted response per (consultation, organisation);
  a version counter lets co-authors' saves refuse to overwrite each other.
- org_response_section: its comment on each section; org_response_author: its co-authors.
- org_response_answer: the partnership's answer to a submitted response ("You said, we did").

A submitted response never changes: triggers refuse UPDATE and DELETE of a submitted org_response row, and any
INSERT, UPDATE or DELETE of the section comments or co-authors of one (as draft_version's are frozen, 0002). Every
table a page shows moves the data version (0007).

Revision ID: 0012_issue19_org_responses
Revises: 0011_issue15
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_issue19_org_responses"
down_revision = "0011_issue15"
branch_labels = None
depends_on = None

TABLES = ["org_response", "org_response_section", "org_response_author", "org_response_answer"]
CHILDREN = ["org_response_section", "org_response_author"]
BUMP = "UPDATE data_version SET n = n + 1 WHERE id = 1"  # as 0007
FROZEN = "a submitted formal response never changes"
_SUBMITTED = "(SELECT status FROM org_response WHERE id = {}) = 'submitted'"


def _sqlite_triggers():
    yield (f"CREATE TRIGGER org_response_frozen_update BEFORE UPDATE ON org_response WHEN OLD.status = 'submitted' "
           f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END")
    yield (f"CREATE TRIGGER org_response_frozen_delete BEFORE DELETE ON org_response WHEN OLD.status = 'submitted' "
           f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END")
    for table in CHILDREN:
        yield (f"CREATE TRIGGER {table}_frozen_insert BEFORE INSERT ON {table} "
               f"WHEN {_SUBMITTED.format('NEW.org_response_id')} BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END")
        yield (f"CREATE TRIGGER {table}_frozen_update BEFORE UPDATE ON {table} "
               f"WHEN {_SUBMITTED.format('OLD.org_response_id')} OR {_SUBMITTED.format('NEW.org_response_id')} "
               f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END")
        yield (f"CREATE TRIGGER {table}_frozen_delete BEFORE DELETE ON {table} "
               f"WHEN {_SUBMITTED.format('OLD.org_response_id')} BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END")


POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION org_response_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.status = 'submitted' THEN
            RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$""",
    """CREATE TRIGGER org_response_frozen BEFORE UPDATE OR DELETE ON org_response
       FOR EACH ROW EXECUTE FUNCTION org_response_frozen()""",
    f"""CREATE FUNCTION org_response_part_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF (TG_OP IN ('UPDATE', 'DELETE') AND {_SUBMITTED.format('OLD.org_response_id')})
             OR (TG_OP IN ('INSERT', 'UPDATE') AND {_SUBMITTED.format('NEW.org_response_id')}) THEN
            RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$""",
    *[f"""CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table}
          FOR EACH ROW EXECUTE FUNCTION org_response_part_frozen()""" for table in CHILDREN],
]



def upgrade():
    op.create_table(
        "org_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("overall", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("body_sha256", sa.String(length=64), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f("ck_org_response_status")),
        sa.CheckConstraint("(status = 'submitted') = (submitted_at IS NOT NULL AND body_sha256 IS NOT NULL)",
                           name=op.f("ck_org_response_submitted_has_time_and_hash")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_org_response_version")),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"],
                                name=op.f("fk_org_response_consultation_id_consultation")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_org_response_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["lead_id"], ["person.id"], name=op.f("fk_org_response_lead_id_person")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["person.id"], name=op.f("fk_org_response_updated_by_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_response")),
    )
    for column in ("consultation_id", "organisation_id", "lead_id"):
        op.create_index(op.f(f"ix_org_response_{column}"), "org_response", [column])
    op.create_index("uq_org_response_submitted", "org_response", ["consultation_id", "organisation_id"],
                    unique=True, sqlite_where=sa.text("status = 'submitted'"),
                    postgresql_where=sa.text("status = 'submitted'"))
    op.create_table(
        "org_response_section",
        sa.Column("org_response_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.CheckConstraint("length(body) > 0", name=op.f("ck_org_response_section_has_body")),
        sa.ForeignKeyConstraint(["org_response_id"], ["org_response.id"],
                                name=op.f("fk_org_response_section_org_response_id_org_response")),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_org_response_section_section_id_section")),
        sa.PrimaryKeyConstraint("org_response_id", "section_id", name=op.f("pk_org_response_section")),
    )
    op.create_table(
        "org_response_author",
        sa.Column("org_response_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["org_response_id"], ["org_response.id"],
                                name=op.f("fk_org_response_author_org_response_id_org_response")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_org_response_author_person_id_person")),
        sa.ForeignKeyConstraint(["added_by_id"], ["person.id"],
                                name=op.f("fk_org_response_author_added_by_id_person")),
        sa.PrimaryKeyConstraint("org_response_id", "person_id", name=op.f("pk_org_response_author")),
    )
    op.create_index(op.f("ix_org_response_author_person_id"), "org_response_author", ["person_id"])
    op.create_table(
        "org_response_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_response_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("outcome IN ('accepted', 'partly_accepted', 'not_accepted', 'already_covered')",
                           name=op.f("ck_org_response_answer_outcome")),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_org_response_answer_has_reason")),
        sa.ForeignKeyConstraint(["org_response_id"], ["org_response.id"],
                                name=op.f("fk_org_response_answer_org_response_id_org_response")),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"],
                                name=op.f("fk_org_response_answer_consultation_id_consultation")),
        sa.ForeignKeyConstraint(["by_id"], ["person.id"], name=op.f("fk_org_response_answer_by_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_response_answer")),
        sa.UniqueConstraint("org_response_id", name=op.f("uq_org_response_answer_org_response_id")),
    )
    op.create_index(op.f("ix_org_response_answer_consultation_id"), "org_response_answer", ["consultation_id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_TRIGGERS:
            op.execute(statement)
        for table in TABLES:
            op.execute(f"""CREATE TRIGGER data_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                           FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER data_version_{table}_{event.lower()} AFTER {event} ON {table} "
                           f"BEGIN {BUMP}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER data_version ON {table}")
        op.execute("DROP TRIGGER org_response_frozen ON org_response")
        for table in CHILDREN:
            op.execute(f"DROP TRIGGER {table}_frozen ON {table}")
        op.execute("DROP FUNCTION org_response_frozen()")
        op.execute("DROP FUNCTION org_response_part_frozen()")
    for table in reversed(TABLES):  # SQLite drops a table's triggers with it
        op.drop_table(table)
