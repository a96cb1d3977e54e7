"""the consultation log as a Merkle tree, and its signed checkpoints (issue 20)

- merkle_node: the hash of every perfect subtree of the RFC 9162 tree over the log (leaf i = entry seq i + 1,
  leaf hash SHA-256(0x00 ‖ the entry's canonical JSON, the bytes its chain hash is over)). Filled here for the
  entries already there, then by append() in each entry's transaction. Append-only, like log_entry (0001).
- log_checkpoint_signed: every signed checkpoint published (size, root, the signed note). Append-only too.

Neither is shown on a remembered page, so neither moves the data version (0011_issue15).
The hashing is written out here rather than imported, so this migration does what it did whatever app/ becomes.

Revision ID: 0013_issue20_merkle
Revises: 0012_issue19_uploads
"""
import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0013_issue20_merkle"
down_revision = "0012_issue19_uploads"
branch_labels = None
depends_on = None

TABLES = ["merkle_node", "log_checkpoint_signed"]
BATCH = 5000


def _append_only(table):
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN
                         RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
                           USING ERRCODE = 'insufficient_privilege';
                       END $$""")
        op.execute(f"""CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
                       FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""")
        op.execute(f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                       FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table}
                           BEGIN SELECT RAISE(ABORT, '{table} is append-only: {event} refused'); END""")
        # INSERT OR REPLACE deletes the row it conflicts with without firing delete triggers (see 0008_issue13)
        key = "level = NEW.level AND \"index\" = NEW.\"index\"" if table == "merkle_node" else "size = NEW.size"
        op.execute(f"""CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table}
                       WHEN EXISTS (SELECT 1 FROM {table} WHERE {key})
                       BEGIN SELECT RAISE(ABORT, '{table} is append-only: REPLACE refused'); END""")


def _canonical_entry(seq, at, actor, action, subject, data, prev_hash):
    body = {"seq": seq, "at": at, "actor": actor, "action": action, "subject": subject, "data": json.loads(data),
            "prev_hash": prev_hash}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _backfill():
    """Every node for the entries there now, streamed in batches: a stack of the open perfect subtrees."""
    connection = op.get_bind()
    node = sa.table("merkle_node", sa.column("level"), sa.column("index"), sa.column("hash"))
    stack, after = [], 0  # stack: (level, hash) of the perfect subtrees of the tree so far
    while True:
        rows = connection.execute(sa.text(
            "SELECT seq, at, actor, action, subject, data, prev_hash FROM log_entry WHERE seq > :after "
            f"ORDER BY seq LIMIT {BATCH}"), {"after": after}).all()
        if not rows:
            return
        out = []
        for row in rows:
            index = row[0] - 1
            value = hashlib.sha256(b"\x00" + _canonical_entry(*row)).digest()
            out.append({"level": 0, "index": index, "hash": value})
            level = 0
            while stack and stack[-1][0] == level:
                value = hashlib.sha256(b"\x01" + stack.pop()[1] + value).digest()
                level += 1
                out.append({"level": level, "index": index >> level, "hash": value})
            stack.append((level, value))
        connection.execute(node.insert(), out)
        after = rows[-1][0]


def upgrade():
    op.create_table(
        "merkle_node",
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.CheckConstraint("level >= 0 AND level < 63", name=op.f("ck_merkle_node_level_range")),
        sa.CheckConstraint('"index" >= 0', name=op.f("ck_merkle_node_index_positive")),
        sa.CheckConstraint("length(hash) = 32", name=op.f("ck_merkle_node_hash_length")),
        sa.PrimaryKeyConstraint("level", "index", name=op.f("pk_merkle_node")),
    )
    op.create_table(
        "log_checkpoint_signed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("size >= 0", name=op.f("ck_log_checkpoint_signed_size_positive")),
        sa.CheckConstraint("length(root) = 32", name=op.f("ck_log_checkpoint_signed_root_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_checkpoint_signed")),
        sa.UniqueConstraint("size", name=op.f("uq_log_checkpoint_signed_size")),
    )
    _backfill()
    for table in TABLES:
        _append_only(table)


def downgrade():
    for table in TABLES:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_update_delete ON {table}")
            op.execute(f"DROP FUNCTION {table}_append_only()")
        op.drop_table(table)
