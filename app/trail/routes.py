"""The log's signed checkpoints and proofs, for anyone (no sign-in): a witness fetches the latest checkpoint,
keeps it, and later asks for a consistency proof from it to the newest; a respondent asks for an inclusion proof.

Malformed input is a one-line 400 (text/plain), never a 500.
"""
import base64

from flask import Blueprint, abort, jsonify, make_response, request

from app.trail import signing, tree

bp = Blueprint("log", __name__, url_prefix="/log")


def _text(body, status=200):
    return body, status, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache"}


def _bad(message):
    abort(make_response(_text(message + "\n", 400)))


def _int_arg(name):
    value = request.args.get(name, "")
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        _bad(f"{name} must be a whole number (0 or more)")
    return int(value)


def _b64(hashes):
    return [base64.b64encode(value).decode() for value in hashes]


@bp.get("/checkpoint")
def checkpoint():
    latest = signing.latest()
    if latest is None:
        return _text("No checkpoint has been made yet\n", 404)
    return _text(latest.note)


@bp.get("/checkpoint/<int:size>")
def checkpoint_at(size):
    kept = signing.at_size(size)
    if kept is None:
        return _text(f"No checkpoint was made at size {size}\n", 404)
    return _text(kept.note)


@bp.get("/keys")
def keys():
    """The verifier keys: the current one first, then retired ones that older checkpoints were signed with."""
    return _text("".join(f"{key}\n" for key in signing.verifier_keys()))


# A proof names its tree size; a size beyond the log's leaves a node of its tree unstored (LookupError), so the
# log's size is read only to say so: one statement a proof, not two (bench/results/proofs.md).

def _beyond_the_log(size, name):
    log_size = tree.size()
    if size <= log_size:  # the tree is not built for entries the log has: the operator's to mend (log-tree --check)
        raise
    _bad(f"{name} ({size}) is more than the log's size ({log_size})")


@bp.get("/proof/consistency")
def consistency():
    size1, size2 = _int_arg("from"), _int_arg("to")
    if size1 > size2:
        _bad(f"from ({size1}) must not be more than to ({size2})")
    try:
        root1, root2, proof = tree.consistency(size1, size2)
    except LookupError:
        _beyond_the_log(size2, "to")
    return jsonify({"from": size1, "to": size2, "root_from": _b64([root1])[0], "root_to": _b64([root2])[0],
                    "proof": _b64(proof)})


@bp.get("/proof/inclusion")
def inclusion():
    index, size = _int_arg("index"), _int_arg("size")
    if index >= size:
        _bad(f"index ({index}) must be less than size ({size}); leaf index is seq - 1")
    try:
        leaf, root, proof = tree.inclusion(index, size)
    except LookupError:
        _beyond_the_log(size, "size")
    return jsonify({"index": index, "size": size, "leaf_hash": _b64([leaf])[0], "root": _b64([root])[0],
                    "proof": _b64(proof)})
