"""Issue 15: writes no remembered page shows no longer move the data version

Only the consultation page and its threads are remembered (app/fragments.py, remember_page), under the data version
that triggers move on with every change to a table a page shows (migration 0007). Some tables are never shown on
those pages: a person's email settings and the record of reminder emails sent, the consultation log itself (every
change that matters to a page also changes the table it is about), the scrutineer's findings and their answers,
the notices on a person's home page and the requests for roles. Their triggers moved the version anyway, so five
people changing their email settings a second threw away every reader's remembered page. They go; a table that
starts to be shown on a remembered page gets its trigger back (tests/consultations/test_page_cache.py lists them).

Revision ID: 0011_issue15
Revises: 0010_issue17
"""
from alembic import op

revision = "0011_issue15"
down_revision = "0010_issue17"
branch_labels = None
depends_on = None

UNSHOWN = ["notification_setting", "consultation_notice", "log_entry", "scrutiny_finding", "scrutiny_finding_answer",
           "author_notice", "role_grant_request"]
EVENTS = ("insert", "update", "delete")
BUMP = "UPDATE data_version SET n = n + 1 WHERE id = 1"


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in UNSHOWN:
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS data_version ON {table}")
        else:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{event}")


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in UNSHOWN:
        if postgresql:
            op.execute(f"""CREATE TRIGGER data_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                           FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")
        else:
            for event in EVENTS:
                op.execute(f"CREATE TRIGGER data_version_{table}_{event} AFTER {event.upper()} ON {table} "
                           f"BEGIN {BUMP}; END")
