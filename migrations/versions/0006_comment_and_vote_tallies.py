"""comment and vote tallies kept by the database

The consultation page shows how many threads each section has and the votes on each section. Counting them
with GROUP BY grows with the consultation (bench/results/latest.md: 100,000 comments); these two tables hold
the counts instead, kept by triggers in the same transaction as the change, whichever code makes it (services,
bulk loads, moderation). On PostgreSQL the triggers first take the consultation log's advisory lock, the lock
every writer of comments and votes takes anyway, so two transactions can never wait on each other's counter
row and log lock in opposite orders.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

LOG_LOCK_KEY = 7_160_016  # app.database.PG_WRITE_LOCK_KEY

# A top-level comment counts in its consultation's slot (0: the whole draft, else the section id) by status.
_COMMENT_PLUS = """INSERT INTO comment_tally (consultation_id, slot, status, n)
    VALUES ({row}.consultation_id, COALESCE({row}.section_id, 0), {row}.status, 1)
    ON CONFLICT (consultation_id, slot, status) DO UPDATE SET n = comment_tally.n + 1"""
_COMMENT_MINUS = """UPDATE comment_tally SET n = n - 1 WHERE consultation_id = {row}.consultation_id
    AND slot = COALESCE({row}.section_id, 0) AND status = {row}.status"""
_VOTE_PLUS = """INSERT INTO vote_tally (consultation_id, section_id, choice, audience, n)
    VALUES ({row}.consultation_id, {row}.section_id, {row}.choice, COALESCE({row}.audience, ''), 1)
    ON CONFLICT (consultation_id, section_id, choice, audience) DO UPDATE SET n = vote_tally.n + 1"""
_VOTE_MINUS = """UPDATE vote_tally SET n = n - 1 WHERE consultation_id = {row}.consultation_id
    AND section_id = {row}.section_id AND choice = {row}.choice AND audience = COALESCE({row}.audience, '')"""

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER comment_tally_insert AFTER INSERT ON comment WHEN NEW.depth = 0
        BEGIN {_COMMENT_PLUS.format(row='NEW')}; END""",
    f"""CREATE TRIGGER comment_tally_update AFTER UPDATE OF status, consultation_id, section_id, depth ON comment
        WHEN OLD.status IS NOT NEW.status OR OLD.consultation_id IS NOT NEW.consultation_id
          OR OLD.section_id IS NOT NEW.section_id OR OLD.depth IS NOT NEW.depth
        BEGIN
          UPDATE comment_tally SET n = n - 1 WHERE OLD.depth = 0 AND consultation_id = OLD.consultation_id
            AND slot = COALESCE(OLD.section_id, 0) AND status = OLD.status;
          INSERT INTO comment_tally (consultation_id, slot, status, n)
            SELECT NEW.consultation_id, COALESCE(NEW.section_id, 0), NEW.status, 1 WHERE NEW.depth = 0
            ON CONFLICT (consultation_id, slot, status) DO UPDATE SET n = comment_tally.n + 1;
        END""",
    f"""CREATE TRIGGER comment_tally_delete AFTER DELETE ON comment WHEN OLD.depth = 0
        BEGIN {_COMMENT_MINUS.format(row='OLD')}; END""",
    f"""CREATE TRIGGER vote_tally_insert AFTER INSERT ON vote BEGIN {_VOTE_PLUS.format(row='NEW')}; END""",
    f"""CREATE TRIGGER vote_tally_update AFTER UPDATE OF choice, audience, consultation_id, section_id ON vote
        WHEN OLD.choice IS NOT NEW.choice OR OLD.audience IS NOT NEW.audience
          OR OLD.consultation_id IS NOT NEW.consultation_id OR OLD.section_id IS NOT NEW.section_id
        BEGIN {_VOTE_MINUS.format(row='OLD')}; {_VOTE_PLUS.format(row='NEW')}; END""",
    f"""CREATE TRIGGER vote_tally_delete AFTER DELETE ON vote BEGIN {_VOTE_MINUS.format(row='OLD')}; END""",
]

POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION keep_comment_tally() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status
            AND OLD.consultation_id = NEW.consultation_id AND OLD.section_id IS NOT DISTINCT FROM NEW.section_id
            AND OLD.depth = NEW.depth THEN
           RETURN NULL;
         END IF;
         PERFORM pg_advisory_xact_lock({LOG_LOCK_KEY});
         IF TG_OP <> 'INSERT' AND OLD.depth = 0 THEN {_COMMENT_MINUS.format(row='OLD')}; END IF;
         IF TG_OP <> 'DELETE' AND NEW.depth = 0 THEN {_COMMENT_PLUS.format(row='NEW')}; END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER comment_tally AFTER INSERT OR UPDATE OR DELETE ON comment
       FOR EACH ROW EXECUTE FUNCTION keep_comment_tally()""",
    f"""CREATE FUNCTION keep_vote_tally() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND OLD.choice = NEW.choice AND OLD.audience IS NOT DISTINCT FROM NEW.audience
            AND OLD.consultation_id = NEW.consultation_id AND OLD.section_id = NEW.section_id THEN
           RETURN NULL;
         END IF;
         PERFORM pg_advisory_xact_lock({LOG_LOCK_KEY});
         IF TG_OP <> 'INSERT' THEN {_VOTE_MINUS.format(row='OLD')}; END IF;
         IF TG_OP <> 'DELETE' THEN {_VOTE_PLUS.format(row='NEW')}; END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER vote_tally AFTER INSERT OR UPDATE OR DELETE ON vote
       FOR EACH ROW EXECUTE FUNCTION keep_vote_tally()""",
]


def upgrade():
    op.create_table(
        "comment_tally",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"],
                                name=op.f("fk_comment_tally_consultation_id_consultation")),
        sa.PrimaryKeyConstraint("consultation_id", "slot", "status", name=op.f("pk_comment_tally")),
    )
    op.create_table(
        "vote_tally",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=25), nullable=False),
        sa.Column("audience", sa.String(length=30), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"],
                                name=op.f("fk_vote_tally_consultation_id_consultation")),
        sa.PrimaryKeyConstraint("consultation_id", "section_id", "choice", "audience", name=op.f("pk_vote_tally")),
    )
    # Newest threads of one slot: a walk of this index backwards, however the comments spread over sections.
    op.create_index("ix_comment_slot", "comment", ["consultation_id", "depth", "section_id", "id"])
    op.execute("""INSERT INTO comment_tally (consultation_id, slot, status, n)
                  SELECT consultation_id, COALESCE(section_id, 0), status, COUNT(*) FROM comment WHERE depth = 0
                  GROUP BY consultation_id, COALESCE(section_id, 0), status""")
    op.execute("""INSERT INTO vote_tally (consultation_id, section_id, choice, audience, n)
                  SELECT consultation_id, section_id, choice, COALESCE(audience, ''), COUNT(*) FROM vote
                  GROUP BY consultation_id, section_id, choice, COALESCE(audience, '')""")
    for statement in POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER comment_tally ON comment")
        op.execute("DROP TRIGGER vote_tally ON vote")
        op.execute("DROP FUNCTION keep_comment_tally()")
        op.execute("DROP FUNCTION keep_vote_tally()")
    else:
        for name in ("comment_tally_insert", "comment_tally_update", "comment_tally_delete",
                     "vote_tally_insert", "vote_tally_update", "vote_tally_delete"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_index("ix_comment_slot", table_name="comment")
    op.drop_table("vote_tally")
    op.drop_table("comment_tally")
