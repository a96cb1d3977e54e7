"""issue 17: a fourth audience, parents, carers and the public, who register with an email address they confirm

- consultation_audience.audience: 'public' allowed.
- role_grant.role, role_grant_request.role: 'public' allowed (the role a self-registered member of the public holds).
- account_token.purpose: 'email_confirmation' allowed (the link that confirms a registration).
- person.email_confirmed_at: when a member of the public followed that link (nullable: added in place).

SQLite cannot change a CHECK in place, so batch mode rebuilds consultation_audience, role_grant, role_grant_request
and account_token there. None of them carries FTS5 or tally triggers; the rebuild drops the data-version triggers
(migration 0007, and 0008_issue14 for role_grant_request) of the three that had them, which are made again here as
0008_issue12 does. account_token never had one (a token is on no page). PostgreSQL swaps the constraints in place.

Revision ID: 0010_issue17
Revises: 0010_issue18_answers
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_issue17"
down_revision = "0010_issue18_answers"
branch_labels = None
depends_on = None

BUMP = "UPDATE data_version SET n = n + 1 WHERE id = 1"
ROLES = ("'facilitator', 'practitioner', 'vcs_partner', 'young_person', 'lead_signatory', 'delegated_signatory', "
         "'scrutineer', 'dsl', 'youth_worker'")
AUDIENCES = "'practitioners', 'voluntary_and_community', 'young_people'"
PURPOSES = "'invitation', 'password_reset'"
SHOWN = ("consultation_audience", "role_grant", "role_grant_request")  # tables whose changes move the data version


def _sqlite_data_version_triggers(table):
    if op.get_bind().dialect.name == "sqlite":
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{event.lower()}")
            op.execute(f"CREATE TRIGGER data_version_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"BEGIN {BUMP}; END")


def _check(table, name, condition):
    with op.batch_alter_table(table, recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
        batch_op.create_check_constraint(op.f(f"ck_{table}_{name}"), condition)


def _checks(roles, audiences, purposes):
    _check("consultation_audience", "audience", f"audience IN ({audiences})")
    _check("role_grant", "role", f"role IN ({roles})")
    _check("role_grant_request", "role", f"role IN ({roles})")
    _check("account_token", "purpose", f"purpose IN ({purposes})")
    for table in SHOWN:
        _sqlite_data_version_triggers(table)


def upgrade():
    _checks(ROLES + ", 'public'", AUDIENCES + ", 'public'", PURPOSES + ", 'email_confirmation'")
    with op.batch_alter_table("person") as batch_op:
        batch_op.add_column(sa.Column("email_confirmed_at", sa.DateTime(), nullable=True))
    _sqlite_data_version_triggers("person")


def downgrade():
    # Rows the narrower checks would refuse go first: the public's accounts keep their comments' author rows, so
    # only their role, their links and the audience choice are removed.
    op.execute("DELETE FROM consultation_audience WHERE audience = 'public'")
    op.execute("DELETE FROM role_grant WHERE role = 'public'")
    op.execute("DELETE FROM role_grant_request WHERE role = 'public'")
    op.execute("DELETE FROM account_token WHERE purpose = 'email_confirmation'")
    _checks(ROLES, AUDIENCES, PURPOSES)
    with op.batch_alter_table("person") as batch_op:
        batch_op.drop_column("email_confirmed_at")
    _sqlite_data_version_triggers("person")
