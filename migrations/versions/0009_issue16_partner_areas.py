"""statutory partners cover areas; the "every area's three partners" sign-off rule (issue 16)

- statutory_partner_area: which of the partnership's areas each statutory partner covers (Children Act 2004 s16E
  "any part of": several councils, forces or ICBs in one partnership). Existing partners are taken to cover every
  area of their partnership, which is what a one-area partnership meant until now.
- partnership.signoff_rule may be 'every_area'.
- Full-text search over comments (app/responses/answering.py): on SQLite an FTS5 table, comment_fts, kept by
  triggers on comment (external content: the text is stored once, in comment); on PostgreSQL a GIN index on
  to_tsvector('english', body). A later batch rebuild of comment on SQLite drops these triggers: make them again.

SQLite cannot change a CHECK in place, so batch mode rebuilds partnership there; the rebuild drops the table's
data-version triggers (migration 0007), which are made again here, as 0008_issue12 does.

Revision ID: 0009_issue16
Revises: 0008_issue14
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_issue16"
down_revision = "0008_issue14"
branch_labels = None
depends_on = None

BUMP = "UPDATE data_version SET n = n + 1 WHERE id = 1"
RULES_BEFORE = "'all_partners', 'all_leads', 'n_of_m'"
RULES_AFTER = RULES_BEFORE + ", 'every_area'"


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def _sqlite_data_version_triggers(table):
    if _sqlite():
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{event.lower()}")
            op.execute(f"CREATE TRIGGER data_version_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"BEGIN {BUMP}; END")


def _rule_check(rules):
    with op.batch_alter_table("partnership", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f("ck_partnership_signoff_rule"), type_="check")
        batch_op.create_check_constraint(op.f("ck_partnership_signoff_rule"), f"signoff_rule IN ({rules})")
    _sqlite_data_version_triggers("partnership")


FTS_TRIGGERS = {
    "comment_fts_insert": "AFTER INSERT ON comment BEGIN "
                          "INSERT INTO comment_fts(rowid, body) VALUES (new.id, new.body); END",
    "comment_fts_delete": "AFTER DELETE ON comment BEGIN "
                          "INSERT INTO comment_fts(comment_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "comment_fts_update": "AFTER UPDATE OF body ON comment BEGIN "
                          "INSERT INTO comment_fts(comment_fts, rowid, body) VALUES ('delete', old.id, old.body); "
                          "INSERT INTO comment_fts(rowid, body) VALUES (new.id, new.body); END",
}


def _full_text_search():
    if _sqlite():
        op.execute("CREATE VIRTUAL TABLE comment_fts USING fts5(body, content='comment', content_rowid='id')")
        op.execute("INSERT INTO comment_fts(rowid, body) SELECT id, body FROM comment")
        for name, body in FTS_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        op.execute("CREATE INDEX ix_comment_body_fts ON comment USING gin (to_tsvector('english', body))")


def _drop_full_text_search():
    if _sqlite():
        for name in FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS comment_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_comment_body_fts")


def upgrade():
    _full_text_search()
    op.create_table(
        "statutory_partner_area",
        sa.Column("statutory_partner_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["statutory_partner_id"], ["statutory_partner.id"],
                                name=op.f("fk_statutory_partner_area_statutory_partner_id_statutory_partner")),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_statutory_partner_area_area_id_area")),
        sa.PrimaryKeyConstraint("statutory_partner_id", "area_id", name=op.f("pk_statutory_partner_area")),
    )
    op.create_index(op.f("ix_statutory_partner_area_area_id"), "statutory_partner_area", ["area_id"])
    op.execute("INSERT INTO statutory_partner_area (statutory_partner_id, area_id) "
               "SELECT statutory_partner.id, area.id FROM statutory_partner "
               "JOIN area ON area.partnership_id = statutory_partner.partnership_id")
    if _sqlite():
        _sqlite_data_version_triggers("statutory_partner_area")
    else:
        op.execute("CREATE TRIGGER data_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON statutory_partner_area "
                   "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()")
    _rule_check(RULES_AFTER)


def downgrade():
    _drop_full_text_search()
    op.execute("UPDATE partnership SET signoff_rule = 'all_partners' WHERE signoff_rule = 'every_area'")
    _rule_check(RULES_BEFORE)
    op.drop_index(op.f("ix_statutory_partner_area_area_id"), table_name="statutory_partner_area")
    op.drop_table("statutory_partner_area")  # its triggers go with it
