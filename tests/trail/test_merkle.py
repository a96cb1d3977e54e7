"""The log's Merkle tree (issue 20): RFC 9162 roots and proofs, checked against a naive implementation written here
from RFC 9162 section 2.1.1 and the published certificate-transparency test vectors."""
import hashlib
import random

import pytest
from sqlalchemy import select, text

from app.database import transaction
from app.trail import merkle, services as trail, tree
from app.trail.models import MerkleNode
from app.trail.verify_log import (EMPTY_ROOT, TreeBuilder, entry_bytes, leaf_hash, verify_consistency,
                                  verify_inclusion)


# --- RFC 9162 section 2.1.1-2.1.4, written out naively (whole lists, no storage) -------------------------------
def sha(data):
    return hashlib.sha256(data).digest()


def mth(leaves):
    """MTH(D[n]) over leaf *inputs*."""
    if not leaves:
        return sha(b"")
    if len(leaves) == 1:
        return sha(b"\x00" + leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return sha(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def path(m, leaves):
    if len(leaves) <= 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m, leaves, whole):
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return subproof(m, leaves[:k], whole) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def proof(m, leaves):
    return subproof(m, leaves, True) if 0 < m < len(leaves) else []


def memory_fetch(leaves):
    nodes = {(row["level"], row["index"]): row["hash"] for row in tree.node_rows([sha(b"\x00" + x) for x in leaves])}
    return lambda keys: {key: nodes[key] for key in keys if key in nodes}


# --- The published vectors (transparency-dev/merkle testonly/constants.go and proof/verify_test.go) -------------
def h(value):
    return bytes.fromhex(value)


VECTOR_LEAVES = [h(x) for x in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                "606162636465666768696a6b6c6d6e6f")]
VECTOR_ROOTS = [h(x) for x in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]
# (leaf index 0-based, tree size, proof)
VECTOR_INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
VECTOR_CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]


def test_published_roots():
    fetch = memory_fetch(VECTOR_LEAVES)
    for size, expected in enumerate(VECTOR_ROOTS):
        assert merkle.root(size, fetch) == expected == mth(VECTOR_LEAVES[:size])
        builder = TreeBuilder()
        for leaf in VECTOR_LEAVES[:size]:
            builder.add(leaf_hash(leaf))
        assert builder.root() == expected
    assert EMPTY_ROOT == VECTOR_ROOTS[0]


@pytest.mark.parametrize("index, size, expected", VECTOR_INCLUSION)
def test_published_inclusion_proofs(index, size, expected):
    got = merkle.inclusion_proof(index, size, memory_fetch(VECTOR_LEAVES))
    assert got == [h(x) for x in expected]
    assert verify_inclusion(leaf_hash(VECTOR_LEAVES[index]), index, size, got, VECTOR_ROOTS[size])
    assert not verify_inclusion(leaf_hash(VECTOR_LEAVES[index]), index, size, got, VECTOR_ROOTS[size - 1])
    if got:
        assert not verify_inclusion(leaf_hash(VECTOR_LEAVES[index]), index, size, got[:-1], VECTOR_ROOTS[size])
        assert not verify_inclusion(leaf_hash(VECTOR_LEAVES[index]), index ^ 1, size, got, VECTOR_ROOTS[size])


@pytest.mark.parametrize("size1, size2, expected", VECTOR_CONSISTENCY)
def test_published_consistency_proofs(size1, size2, expected):
    got = merkle.consistency_proof(size1, size2, memory_fetch(VECTOR_LEAVES))
    assert got == [h(x) for x in expected]
    assert verify_consistency(size1, size2, VECTOR_ROOTS[size1], VECTOR_ROOTS[size2], got)
    if got:
        assert not verify_consistency(size1, size2, VECTOR_ROOTS[size2], VECTOR_ROOTS[size1], got)
        assert not verify_consistency(size1, size2, VECTOR_ROOTS[size1], VECTOR_ROOTS[size2], got[:-1])
        assert not verify_consistency(size1, size2, VECTOR_ROOTS[size1], VECTOR_ROOTS[size2], [got[0]] + got)
        flipped = [bytes([got[0][0] ^ 16]) + got[0][1:]] + got[1:]
        assert not verify_consistency(size1, size2, VECTOR_ROOTS[size1], VECTOR_ROOTS[size2], flipped)


def test_trivial_consistency_cases():
    some = sha(b"some")
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 5, EMPTY_ROOT, some, [])
    assert verify_consistency(3, 3, some, some, [])
    assert not verify_consistency(3, 3, some, EMPTY_ROOT, [])
    assert not verify_consistency(3, 2, some, some, [])
    assert not verify_consistency(1, 2, some, some, [])
    assert not verify_consistency(1, 1, some, some, [some])


def test_every_size_to_64_every_proof_in_memory():
    leaves = [f"leaf {i}".encode() for i in range(64)]
    fetch = memory_fetch(leaves)
    for n in range(1, 65):
        r = mth(leaves[:n])
        assert merkle.root(n, fetch) == r
        for m in range(n):
            p = merkle.inclusion_proof(m, n, fetch)
            assert p == path(m, leaves[:n])
            assert verify_inclusion(sha(b"\x00" + leaves[m]), m, n, p, r)
        for m in range(0, n + 1):
            c = merkle.consistency_proof(m, n, fetch)
            assert c == proof(m, leaves[:n])
            assert verify_consistency(m, n, mth(leaves[:m]), r, c)


def test_random_larger_trees_in_memory():
    rng = random.Random(20)
    leaves = [f"leaf {i}".encode() for i in range(3000)]
    fetch = memory_fetch(leaves)
    for _ in range(25):
        n = rng.randint(300, 3000)
        m, k = rng.randrange(n), rng.randint(1, n)
        r = mth(leaves[:n])
        assert merkle.root(n, fetch) == r
        assert verify_inclusion(sha(b"\x00" + leaves[m]), m, n, merkle.inclusion_proof(m, n, fetch), r)
        c = merkle.consistency_proof(k, n, fetch)
        assert c == proof(k, leaves[:n])
        assert verify_consistency(k, n, mth(leaves[:k]), r, c)


# --- In the database (SQLite, and PostgreSQL when DATABASE_URL says so) -----------------------------------------
def _append(n, start=0):
    with transaction():
        for i in range(start, start + n):
            trail.append("test.event", f"thing:{i}", {"n": i}, actor=None)


def _leaf_inputs():
    return [entry_bytes(entry) for entry in trail.iter_entries()]


def test_leaf_is_the_bytes_the_chain_hash_is_over(app):
    _append(3)
    for entry in trail.iter_entries():
        assert hashlib.sha256(entry_bytes(entry)).hexdigest() == entry["hash"]
        stored = tree.fetch({(0, entry["seq"] - 1)})[(0, entry["seq"] - 1)]
        assert stored == sha(b"\x00" + entry_bytes(entry))


def test_every_size_to_300_in_the_database(app, db):
    _append(300)
    leaves = _leaf_inputs()
    rng = random.Random(300)
    roots = [mth(leaves[:n]) for n in range(301)]
    for n in range(1, 301):
        assert tree.root(n) == roots[n]
        for m in {0, n - 1, rng.randrange(n)}:
            p = tree.inclusion_proof(m, n)
            assert p == path(m, leaves[:n])
            assert verify_inclusion(sha(b"\x00" + leaves[m]), m, n, p, roots[n])
            # what the route serves: leaf, root and proof in one read
            assert tree.inclusion(m, n) == (sha(b"\x00" + leaves[m]), roots[n], p)
        for m in {1, n // 2, rng.randint(0, n)}:
            c = tree.consistency_proof(m, n)
            assert c == proof(m, leaves[:n])
            assert verify_consistency(m, n, roots[m], roots[n], c)
            assert tree.consistency(m, n) == (roots[m], roots[n], c)
    assert tree.check() == (300, roots[300])


def test_a_proof_is_one_read_of_log_n_nodes(app, db):
    _append(100)
    reads = []
    original = tree.fetch
    try:
        tree.fetch = lambda keys: reads.append(len(keys)) or original(keys)
        tree.inclusion_proof(37, 100)
        tree.consistency_proof(37, 100)
        tree.root(99)
        tree.inclusion(37, 100)  # leaf, root and proof together, as /log/proof/inclusion serves them
        tree.consistency(37, 100)
    finally:
        tree.fetch = original
    assert len(reads) == 5 and max(reads) <= 3 * 7


def test_rewritten_history_is_caught_by_a_consistency_proof(app, db):
    from tests.trail.test_append_only import rewrite_from

    _append(40)
    size1, root1 = 25, tree.root(25)
    _append(10, start=40)
    rewrite_from(db, 12)  # entry 12 changed, every later hash and the whole tree recomputed
    assert trail.verify_database()[0] == 50  # a valid chain on its own
    assert tree.check()[0] == 50  # and a tree that matches it
    assert tree.root(size1) != root1
    assert not verify_consistency(size1, 50, root1, tree.root(50), tree.consistency_proof(size1, 50))


def test_log_tree_check_finds_a_changed_node(app, db, runner):
    _append(20)
    result = runner.invoke(args=["log-tree", "--check"])
    assert result.exit_code == 0 and result.output == f"OK 20 {tree.root(20).hex()}\n"
    db.session.rollback()
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER merkle_node_no_update"))
        connection.execute(text('UPDATE merkle_node SET hash = :h WHERE level = 2 AND "index" = 1'), {"h": b"x" * 32})
    result = runner.invoke(args=["log-tree", "--check"])
    assert result.exit_code == 1 and result.output.startswith("FAIL: node (2, 1)"), result.output


@pytest.mark.parametrize("statement", ["UPDATE merkle_node SET hash = hash", "DELETE FROM merkle_node",
                                       "UPDATE log_checkpoint_signed SET note = 'x'",
                                       "DELETE FROM log_checkpoint_signed"])
def test_tree_and_checkpoints_are_append_only(app, db, statement):
    from sqlalchemy.exc import DatabaseError

    _append(3)
    with transaction():
        from app.trail import signing
        signing.make_checkpoint("test")
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(statement))


def test_the_migration_backfills_existing_entries(app, db):
    """Migration 0013's backfill, run on entries written without a tree, gives the tree append() writes."""
    import importlib.util
    from pathlib import Path

    _append(37)
    expected = sorted(tuple(row) for row in db.session.execute(select(MerkleNode.level, MerkleNode.index,
                                                                      MerkleNode.hash)))
    spec = importlib.util.spec_from_file_location(
        "m0013", Path(__file__).parents[2] / "migrations" / "versions" / "0013_issue20_merkle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    db.session.rollback()
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER merkle_node_no_delete"))
        connection.execute(text("DELETE FROM merkle_node"))

        class Op:
            @staticmethod
            def get_bind():
                return connection
        module.op = Op
        module._backfill()
    got = sorted(tuple(row) for row in db.session.execute(select(MerkleNode.level, MerkleNode.index,
                                                                 MerkleNode.hash)))
    assert [(a, b, bytes(c)) for a, b, c in got] == [(a, b, bytes(c)) for a, b, c in expected]


def test_the_standalone_verifier_checks_a_checkpoint(app, db, runner, tmp_path):
    from app.trail import signing
    from tests.trail.test_append_only import rewrite_from, run_verifier

    _append(30)
    note = tmp_path / "checkpoint.txt"
    note.write_text(signing.checkpoint_on_demand().note, encoding="utf-8")
    _append(5, start=30)
    log = tmp_path / "log.jsonl"
    assert runner.invoke(args=["export-log", str(log)]).exit_code == 0
    code, output = run_verifier(log, "--checkpoint", note)
    assert code == 0 and output.startswith("OK 35") and "first 30 entries" in output, output
    assert "signature not checked: give --key" in output
    code, output = run_verifier(log, "--checkpoint", note, "--key", signing.verifier_key())
    assert code == 0 and "signed with the key given" in output, output
    stranger = signing.verifier_key("someone-else", bytes.fromhex(
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
    code, output = run_verifier(log, "--checkpoint", note, "--key", stranger)
    assert code == 1 and output == "FAIL at seq 0: the checkpoint is signed by none of the keys given", output
    rewrite_from(db, 7)
    assert runner.invoke(args=["export-log", str(log)]).exit_code == 0
    code, output = run_verifier(log, "--checkpoint", note)
    assert code == 1 and output == "FAIL at seq 30: the log's first 30 entries are not the tree the checkpoint " \
                                   "signed (history was rewritten)", output


def test_bulk_loaded_leaves_make_the_same_tree(app, db):
    _append(13)
    leaves = _leaf_inputs()
    more = [f"bulk {i}".encode() for i in range(50)]
    tree.add_leaves(13, [sha(b"\x00" + x) for x in more])
    for n in (14, 40, 63):
        assert tree.root(n) == mth((leaves + more)[:n])
