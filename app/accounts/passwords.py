"""Password hashing with argon2id (argon2-cffi)."""
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher():
    config = current_app.config
    return PasswordHasher(
        time_cost=config.get("ARGON2_TIME_COST", 3),
        memory_cost=config.get("ARGON2_MEMORY_KIB", 65536),
        parallelism=config.get("ARGON2_PARALLELISM", 4),
        type=Type.ID,
    )


def hash_password(password):
    return _hasher().hash(password)


def check_password(stored_hash, password):
    if not stored_hash:
        # Same work as a real check, so timing does not tell whether an account exists.
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash):
    return _hasher().check_needs_rehash(stored_hash)
