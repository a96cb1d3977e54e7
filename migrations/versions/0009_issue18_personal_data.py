"""personal data done properly: privacy settings, consent to publish, erasure

- data_protection_setting: one row per partnership — the controller and its contact, the lawful basis it relies on,
  and its retention periods (read by the privacy notices, `flask apply-retention` and /admin/data-protection).
- comment.publish_use: how the author lets their words be used beyond the partnership ('public': "You said, we did"
  and open data, unnamed; 'partnership': the partnership and the scrutineer only). Rows written before this
  migration recorded no choice, so they get the narrower one.
- comment.erased_sha256 / comment_revision.erased_sha256: the SHA-256 of a text removed at its author's request (the
  text becomes "[removed at the author's request]"; the log keeps the same hash, so exports still bind to it).
- person.erased_at: when a person's identity was removed (an erasure request, or retention's anonymisation).

Only nullable or defaulted columns are added, so SQLite adds them in place; the data-version triggers (migration
0007) of the changed tables are made again anyway, as 0008_issue12 does, in case a batch rebuild dropped them.

Revision ID: 0009_issue18
Revises: 0009_issue16
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_issue18"
down_revision = "0009_issue16"
branch_labels = None
depends_on = None

BUMP = "UPDATE data_version SET n = n + 1 WHERE id = 1"
CHANGED = ("comment", "comment_revision", "person")


def _sqlite_data_version_triggers(table):
    if op.get_bind().dialect.name == "sqlite":
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{event.lower()}")
            op.execute(f"CREATE TRIGGER data_version_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"BEGIN {BUMP}; END")


def _new_table_trigger(table):
    """Pages show the privacy settings (the notices), so a change moves the data version (migration 0007)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE TRIGGER data_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                       FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")
    else:
        _sqlite_data_version_triggers(table)


def upgrade():
    op.create_table(
        "data_protection_setting",
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("controller_name", sa.String(200), nullable=False),
        sa.Column("contact_name", sa.String(200), nullable=False),
        sa.Column("contact_email", sa.String(254), nullable=False),
        sa.Column("contact_address", sa.Text(), nullable=False, server_default=""),
        sa.Column("lawful_basis", sa.String(30), nullable=False, server_default="public_task"),
        sa.Column("young_account_months", sa.Integer(), nullable=False, server_default="12"),
        sa.Column("outbox_days", sa.Integer(), nullable=False, server_default="30"),
        sa.Column("session_days", sa.Integer(), nullable=False, server_default="30"),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("lawful_basis IN ('public_task', 'legitimate_interests', 'consent')",
                           name=op.f("ck_data_protection_setting_lawful_basis")),
        sa.CheckConstraint("young_account_months >= 1 AND outbox_days >= 1 AND session_days >= 1",
                           name=op.f("ck_data_protection_setting_periods")),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"],
                                name=op.f("fk_data_protection_setting_partnership_id_partnership")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["person.id"],
                                name=op.f("fk_data_protection_setting_updated_by_id_person")),
        sa.PrimaryKeyConstraint("partnership_id", name=op.f("pk_data_protection_setting")),
    )
    _new_table_trigger("data_protection_setting")
    with op.batch_alter_table("comment") as batch_op:
        batch_op.add_column(sa.Column("publish_use", sa.String(12), nullable=False, server_default="partnership"))
        batch_op.add_column(sa.Column("erased_sha256", sa.String(64), nullable=True))
    with op.batch_alter_table("comment_revision") as batch_op:
        batch_op.add_column(sa.Column("erased_sha256", sa.String(64), nullable=True))
    with op.batch_alter_table("person") as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))
    for table in CHANGED:
        _sqlite_data_version_triggers(table)


def downgrade():
    with op.batch_alter_table("person") as batch_op:
        batch_op.drop_column("erased_at")
    with op.batch_alter_table("comment_revision") as batch_op:
        batch_op.drop_column("erased_sha256")
    with op.batch_alter_table("comment") as batch_op:
        batch_op.drop_column("erased_sha256")
        batch_op.drop_column("publish_use")
    for table in CHANGED:
        _sqlite_data_version_triggers(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER data_version ON data_protection_setting")
    op.drop_table("data_protection_setting")
