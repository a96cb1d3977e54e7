"""The log's Merkle tree in the database: merkle_node rows written with each entry, roots and proofs read back."""
import json

from functools import lru_cache

from sqlalchemy import insert, select, text

from app.extensions import db
from app.trail import merkle
from app.trail.models import LogEntry, MerkleNode
from app.trail.verify_log import TreeBuilder, entry_bytes, leaf_hash, node_hash


@lru_cache(maxsize=128)
def _fetch_statement(count):
    """SELECT the nodes at `count` (level, index) pairs, as ORs of point lookups: both SQLite (MULTI-INDEX OR) and
    PostgreSQL (BitmapOr) answer it from the primary key, where SQLite scans the table for a row-value IN. Made once
    per number of keys as text, so a proof costs microseconds to ask for: building an OR of ANDs through the
    expression language per call was about two thirds of serving a proof (bench/results/proofs.md)."""
    return text('SELECT level, "index", hash FROM merkle_node WHERE ' +
                " OR ".join(f'(level = :l{i} AND "index" = :i{i})' for i in range(count)))


def fetch(keys):
    """{(level, index): hash} for the stored nodes among `keys`, in one statement."""
    if not keys:
        return {}
    params = {}
    for i, (level, index) in enumerate(sorted(keys)):
        params[f"l{i}"], params[f"i{i}"] = level, index
    rows = db.session.connection().execute(_fetch_statement(len(keys)), params).all()
    return {(level, index): bytes(hash_) for level, index, hash_ in rows}


def add_leaf(index, leaf):
    """Store leaf `index` and every perfect subtree it completes: one read (their left siblings), one insert."""
    closed = merkle.closed_by(index)
    rows = [{"level": 0, "index": index, "hash": leaf}]
    if closed:
        lefts = fetch({(level - 1, 2 * position) for level, position in closed})
        value = leaf
        for level, position in closed:
            value = node_hash(lefts[(level - 1, 2 * position)], value)
            rows.append({"level": level, "index": position, "hash": value})
    db.session.execute(insert(MerkleNode), rows)


def size():
    return db.session.execute(select(LogEntry.seq).order_by(LogEntry.seq.desc()).limit(1)).scalar() or 0


def root(tree_size):
    return merkle.root(tree_size, fetch)


def inclusion_proof(index, tree_size):
    return merkle.inclusion_proof(index, tree_size, fetch)


def consistency_proof(size1, size2):
    return merkle.consistency_proof(size1, size2, fetch)


def _from(found):
    return lambda keys: {key: found[key] for key in keys if key in found}


def inclusion(index, tree_size):
    """(leaf hash, root, inclusion proof) of leaf `index` in the tree of `tree_size` leaves, in one read."""
    ranges = merkle._path(index, 0, tree_size) + [(0, tree_size)]
    found = fetch({(0, index), *(key for start, end in ranges for key in merkle.perfect_parts(start, end))})
    return found.get((0, index)), merkle.root(tree_size, _from(found)), \
        merkle.inclusion_proof(index, tree_size, _from(found))


def consistency(size1, size2):
    """(root at size1, root at size2, consistency proof) in one read."""
    ranges = [(0, size1), (0, size2)] + (merkle._subproof(size1, 0, size2, True) if 0 < size1 < size2 else [])
    found = fetch({key for start, end in ranges for key in merkle.perfect_parts(start, end)})
    return merkle.root(size1, _from(found)), merkle.root(size2, _from(found)), \
        merkle.consistency_proof(size1, size2, _from(found))


class TreeMismatch(Exception):
    pass


def check(batch=5000):
    """Recompute the tree from the entries and compare every stored node (and that there are no others).
    Returns (size, root); raises TreeMismatch naming the first difference. Holds every node's hash in memory
    (about 2 x 100 bytes an entry: 20 MB at 100,000 entries)."""
    builder, count, after, nodes = TreeBuilder(), 0, 0, {}
    while True:
        rows = db.session.execute(select(LogEntry.seq, LogEntry.at, LogEntry.actor, LogEntry.action,
                                         LogEntry.subject, LogEntry.data_json, LogEntry.prev_hash)
                                  .where(LogEntry.seq > after).order_by(LogEntry.seq).limit(batch)).all()
        if not rows:
            break
        expected = []
        for seq, at, actor, action, subject, data_json, prev_hash in rows:
            entry = {"seq": seq, "at": at, "actor": actor, "action": action, "subject": subject,
                     "data": json.loads(data_json), "prev_hash": prev_hash}
            leaf = leaf_hash(entry_bytes(entry))
            expected.append(((0, seq - 1), leaf))
            for level, position in merkle.closed_by(seq - 1):
                expected.append(((level, position), None))
            builder.add(leaf)
            count = seq
        _compare(expected, nodes)
        after = rows[-1][0]
    stored = db.session.execute(select(MerkleNode.level, MerkleNode.index)).all()
    extra = [key for key in stored if tuple(key) not in nodes]
    if extra:
        raise TreeMismatch(f"node {tuple(extra[0])} is stored but the log has no entries for it")
    return count, builder.root()


def _compare(expected, nodes):
    """Check a batch of expected nodes (a None hash: the node of the two below it) against the stored ones."""
    found = fetch_range([key for key, _ in expected])
    for key, value in expected:
        if value is None:
            level, position = key
            value = node_hash(nodes[(level - 1, 2 * position)], nodes[(level - 1, 2 * position + 1)])
        nodes[key] = value
        if found.get(key) != value:
            what = "missing" if key not in found else "differs from the entries"
            raise TreeMismatch(f"node {key} (level, index) {what}")


def fetch_range(keys):
    """The stored nodes among `keys` with a few range reads per level (a batch has many)."""
    by_level = {}
    for level, position in keys:
        by_level.setdefault(level, []).append(position)
    found = {}
    for level, positions in by_level.items():
        rows = db.session.execute(select(MerkleNode.index, MerkleNode.hash).where(
            MerkleNode.level == level, MerkleNode.index >= min(positions), MerkleNode.index <= max(positions))).all()
        found.update({(level, position): bytes(hash_) for position, hash_ in rows})
    return found


def node_rows(leaves, first=0, stack=None):
    """Every node row that leaves `first`, `first` + 1, … (leaf hashes, in order) add to a tree of `first` leaves
    whose perfect subtrees, largest first, are `stack` [(level, hash), …]: what add_leaf() writes one leaf at a
    time, for bulk loads (benchmarks, tests acting out a database owner who rewrites history and its tree)."""
    stack = list(stack or [])
    for index, value in enumerate(leaves, start=first):
        yield {"level": 0, "index": index, "hash": value}
        level = 0
        while stack and stack[-1][0] == level:
            value = node_hash(stack.pop()[1], value)
            level += 1
            yield {"level": level, "index": index >> level, "hash": value}
        stack.append((level, value))


def add_leaves(first, leaves, batch=10_000):
    """Store leaves `first`, `first` + 1, … after entries inserted in bulk (not through append()): the open
    perfect subtrees of the tree so far are read once, then rows are inserted in batches."""
    parts = merkle.perfect_parts(0, first)
    found = fetch(set(parts))
    rows = []
    for row in node_rows(leaves, first, [(level, found[(level, index)]) for level, index in parts]):
        rows.append(row)
        if len(rows) == batch:
            db.session.execute(insert(MerkleNode), rows)
            rows = []
    if rows:
        db.session.execute(insert(MerkleNode), rows)
