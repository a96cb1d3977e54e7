"""Roots and proofs of the log's Merkle tree (RFC 9162 section 2.1) from its stored perfect subtrees.

Standard library only, and storage-free: every function takes `fetch(keys) -> {key: hash}`, where a key
(level, index) names the perfect subtree of 2**level leaves starting at leaf index * 2**level (the table
merkle_node holds one row per such subtree, app/trail/tree.py). Any range RFC 9162 needs, D[start:end], is cut
into at most log2(n) perfect subtrees; a root or proof asks `fetch` once, for O(log n) keys.
Hashing and verification are in verify_log.py, so the standalone verifier shares them.
"""
from app.trail.verify_log import EMPTY_ROOT, node_hash

__all__ = ["perfect_parts", "root", "inclusion_proof", "consistency_proof", "closed_by"]


def _split(n):
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_parts(start, end):
    """D[start:end] as perfect subtrees, left to right: the RFC's split, applied until each part is perfect.
    Every range the RFC recursion reaches starts at a multiple of the parts' sizes."""
    parts = []
    while start < end:
        size = 1 << ((end - start).bit_length() - 1)
        level = size.bit_length() - 1
        assert start % size == 0, (start, end)
        parts.append((level, start >> level))
        start += size
    return parts


def _mth(ranges, fetch):
    """The MTH of each (start, end) range, in order, with one call to fetch."""
    split = [perfect_parts(start, end) for start, end in ranges]
    found = fetch({key for parts in split for key in parts})
    hashes = []
    for parts in split:
        missing = [key for key in parts if key not in found]
        if missing:
            raise LookupError(f"the tree has no node {missing[0]} (is it built? run flask log-tree --check)")
        value = found[parts[-1]]
        for key in reversed(parts[:-1]):  # the RFC's split nests to the right
            value = node_hash(found[key], value)
        hashes.append(value)
    return hashes


def root(size, fetch):
    return _mth([(0, size)], fetch)[0] if size else EMPTY_ROOT


def _path(m, start, end):
    """RFC 9162 PATH(m, D[start:end]) as ranges, leaf-side first."""
    if end - start <= 1:
        return []
    k = _split(end - start)
    if m < k:
        return _path(m, start, start + k) + [(start + k, end)]
    return _path(m - k, start + k, end) + [(start, start + k)]


def _subproof(m, start, end, whole):
    """RFC 9162 SUBPROOF(m, D[start:end], b) as ranges."""
    n = end - start
    if m == n:
        return [] if whole else [(start, end)]
    k = _split(n)
    if m <= k:
        return _subproof(m, start, start + k, whole) + [(start + k, end)]
    return _subproof(m - k, start + k, end, False) + [(start, start + k)]


def inclusion_proof(index, size, fetch):
    if not 0 <= index < size:
        raise ValueError(f"index {index} is not in a tree of size {size}")
    return _mth(_path(index, 0, size), fetch)


def consistency_proof(size1, size2, fetch):
    if not 0 <= size1 <= size2:
        raise ValueError(f"a tree of size {size1} cannot be consistent with a later one of size {size2}")
    if size1 in (0, size2):
        return []
    return _mth(_subproof(size1, 0, size2, True), fetch)


def closed_by(index):
    """The keys of the perfect subtrees that adding leaf `index` completes, above the leaf itself: (level, index)
    for each trailing 1 bit of the leaf index. Each is node_hash(left sibling, the one below it)."""
    keys, level, position = [], 0, index
    while position & 1:
        position >>= 1
        level += 1
        keys.append((level, position))
    return keys
