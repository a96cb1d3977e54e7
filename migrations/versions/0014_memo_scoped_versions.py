"""data versions per scope: one per consultation, one for what every page shows (issue 15, items 3-5)

The consultation page was remembered under one global data version (0007), so every comment anywhere threw away
every reader's page. Now each change moves only the version of the scope it is about, in the writing transaction:

- `c:<consultation id>`: a change to a consultation or to a row that belongs to one (its comments, votes, themes,
  answers, formal responses, suggestions, workshop input, sign-off, and rows hanging off a comment);
- `p`: anything else a page shows (people, roles, organisations, drafts and their sections, partnership settings).
  The portal holds one partnership per installation, so this is the partnership's version.

A row whose consultation cannot be found (its parent already deleted) moves `p`: too much rather than too little.
The tables are the ones that move the global version (0007, 0011 and later migrations add or drop theirs), found
in the database itself, so a table a later branch adds with a data_version trigger is covered once this runs after
it. The global version stays as it was (anything may still read it).

On PostgreSQL the triggers run per row (they need the row's consultation) and move each scope once a transaction
(a transaction-local setting remembers it did, as 0007 does), after taking the write lock every writer takes first.

Revision ID: 0014_memo_scoped_versions
Revises: 0014_witness_checkpoints
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_memo_scoped_versions"
down_revision = "0014_witness_checkpoints"
branch_labels = None
depends_on = None

LOG_LOCK_KEY = 7_160_016  # app.database.PG_WRITE_LOCK_KEY
EVENTS = ("insert", "update", "delete")
# Rows that belong to a consultation through another row: (column, the table it names).
VIA = {
    "signoff": ("request_id", "signoff_request"), "publication": ("request_id", "signoff_request"),
    "org_response_author": ("org_response_id", "org_response"),
    "org_response_section": ("org_response_id", "org_response"),
    "suggestion_support": ("suggestion_id", "suggestion"), "response_amendment": ("response_id", "response"),
    "workshop_photo": ("session_id", "workshop_session"),
}


def _tables(bind):
    if bind.dialect.name == "postgresql":
        rows = bind.execute(sa.text("SELECT DISTINCT event_object_table FROM information_schema.triggers "
                                    "WHERE trigger_name = 'data_version'"))
        return sorted(row[0] for row in rows)
    rows = bind.execute(sa.text("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                                "AND name LIKE 'data_version_%'"))
    return sorted(row[0] for row in rows)


def _how(bind, table):
    """(kind, column, parent): how a row of `table` names its consultation."""
    columns = {c["name"] for c in sa.inspect(bind).get_columns(table)}
    if table == "consultation":
        return "self", "id", ""
    if "consultation_id" in columns:
        return "direct", "consultation_id", ""
    if table in VIA:
        return ("via", *VIA[table])
    if "comment_id" in columns:
        return "via", "comment_id", "comment"
    return "p", "", ""


def _sqlite_scope(row, how):
    kind, column, parent = how
    if kind == "p":
        return "'p'"
    if kind == "via":
        return f"coalesce('c:' || (SELECT consultation_id FROM {parent} WHERE id = {row}.{column}), 'p')"
    return f"coalesce('c:' || {row}.{column}, 'p')"


def _sqlite_bump(scope):
    return (f"INSERT INTO data_scope_version (scope, n) VALUES ({scope}, 1) "
            "ON CONFLICT (scope) DO UPDATE SET n = n + 1;")


PG_FUNCTION = f"""CREATE FUNCTION bump_data_scope() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record; scopes text[] := ARRAY[]::text[]; id_value text; consultation text; s text; flag text;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE data_scope_version SET n = n + 1;
    RETURN NULL;
  END IF;
  FOREACH s IN ARRAY (CASE TG_OP WHEN 'INSERT' THEN ARRAY['NEW'] WHEN 'DELETE' THEN ARRAY['OLD']
                      ELSE ARRAY['NEW', 'OLD'] END) LOOP
    consultation := NULL;
    IF TG_ARGV[0] <> 'p' THEN
      id_value := (CASE s WHEN 'NEW' THEN to_jsonb(NEW) ELSE to_jsonb(OLD) END) ->> TG_ARGV[1];
      IF TG_ARGV[0] = 'via' THEN
        IF id_value IS NOT NULL THEN
          EXECUTE format('SELECT consultation_id::text FROM %I WHERE id = $1', TG_ARGV[2])
            INTO consultation USING id_value::bigint;
        END IF;
      ELSE
        consultation := id_value;
      END IF;
    END IF;
    scopes := scopes || coalesce('c:' || consultation, 'p');
  END LOOP;
  FOREACH s IN ARRAY scopes LOOP
    flag := 'portal.scope_' || replace(s, ':', '');
    IF current_setting(flag, true) IS DISTINCT FROM 'yes' THEN
      PERFORM pg_advisory_xact_lock({LOG_LOCK_KEY});
      INSERT INTO data_scope_version (scope, n) VALUES (s, 1) ON CONFLICT (scope) DO UPDATE SET n = data_scope_version.n + 1;
      PERFORM set_config(flag, 'yes', true);
    END IF;
  END LOOP;
  RETURN NULL;
END $$"""


def upgrade():
    bind = op.get_bind()
    op.create_table(
        "data_scope_version",
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("scope = 'p' OR scope LIKE 'c:%'", name=op.f("ck_data_scope_version_scope")),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_data_scope_version")),
    )
    op.execute("INSERT INTO data_scope_version (scope, n) VALUES ('p', 1)")
    tables = _tables(bind)
    if bind.dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in tables:
            args = ", ".join(f"'{a}'" for a in _how(bind, table))
            op.execute(f"""CREATE TRIGGER data_scope AFTER INSERT OR UPDATE OR DELETE ON {table}
                           FOR EACH ROW EXECUTE FUNCTION bump_data_scope({args})""")
            op.execute(f"""CREATE TRIGGER data_scope_truncate AFTER TRUNCATE ON {table}
                           FOR EACH STATEMENT EXECUTE FUNCTION bump_data_scope('p', '', '')""")
        return
    for table in tables:
        how = _how(bind, table)
        for event in EVENTS:
            rows = {"insert": ["NEW"], "delete": ["OLD"], "update": ["NEW", "OLD"]}[event]
            body = " ".join(_sqlite_bump(_sqlite_scope(row, how)) for row in rows)
            op.execute(f"CREATE TRIGGER data_scope_{table}_{event} AFTER {event.upper()} ON {table} BEGIN {body} END")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        rows = bind.execute(sa.text("SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                                    "WHERE tgname IN ('data_scope', 'data_scope_truncate')")).all()
        for table, name in rows:
            op.execute(f"DROP TRIGGER {name} ON {table}")
        op.execute("DROP FUNCTION bump_data_scope()")
    else:
        names = bind.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                     "AND name LIKE 'data_scope_%'")).scalars().all()
        for name in names:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("data_scope_version")
