"""a data version, moved on by every change to what pages show

The consultation page is remembered whole per reader (app/fragments.py, remember_page) under the data version
read with the reader's session. Triggers on every table a page can show move the version on in the same
transaction as the change, whoever makes it (services, moderation, bulk loads, raw SQL), so a remembered page is
never served after its data changed. Left out: sessions, sign-in tokens and the outbox (written by reading and
mailing, never shown) and the two tallies (they change only with a comment or vote, which moves it already).

On PostgreSQL the trigger runs before each statement and first takes the consultation log's advisory lock, as
the tally triggers do, so writers always take the lock and then the version row, in that order. It moves the
version once a transaction (a transaction-local setting remembers it did): updating one row again and again in
one transaction grows a chain of row versions PostgreSQL must walk on every update, which made bulk loads slow.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LOG_LOCK_KEY = 7_160_016  # app.database.PG_WRITE_LOCK_KEY

# Every table in the schema at 0007 except auth_session, account_token, outbox_message, comment_tally, vote_tally.
# A new table a page shows needs a trigger too: tests/consultations/test_page_cache.py checks that it has one.
TABLES = [
    "partnership", "area", "organisation", "statutory_partner", "statutory_partner_member", "person", "role_grant",
    "draft_arrangement", "draft_version", "section", "section_topic", "theme",
    "consultation", "consultation_audience", "consultation_extension", "consultation_notice", "notification_setting",
    "comment", "comment_revision", "comment_theme", "vote", "invite_code", "moderation_act", "comment_report",
    "safeguarding_concern", "redacted_text", "author_notice", "response", "signoff_request", "signoff",
    "publication", "scrutiny_finding", "scrutiny_finding_answer", "log_entry",
]
BUMP = "UPDATE data_version SET n = n + 1 WHERE id = 1"


def upgrade():
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_data_version_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.execute("INSERT INTO data_version (id, n) VALUES (1, 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN
                         IF current_setting('portal.data_version_moved', true) IS DISTINCT FROM 'yes' THEN
                           PERFORM pg_advisory_xact_lock({LOG_LOCK_KEY});
                           {BUMP};
                           PERFORM set_config('portal.data_version_moved', 'yes', true);
                         END IF;
                         RETURN NULL;
                       END $$""")
        for table in TABLES:
            op.execute(f"""CREATE TRIGGER data_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                           FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")
    else:
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER data_version_{table}_{event.lower()} AFTER {event} ON {table} "
                           f"BEGIN {BUMP}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER data_version ON {table}")
        op.execute("DROP FUNCTION bump_data_version()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER data_version_{table}_{event}")
    op.drop_table("data_version")
