"""Rate-limit keys and limits for password checks (/login, /password, the sign-off decision).

Each check is limited twice: per account from an address (LOGIN_FAILURES_PER_MINUTE), and, more generously,
per address (ADDRESS_FAILURES_PER_MINUTE). Keyed on the address alone, one partner's mistakes locked every other
partner behind the same office address out; keyed on the account alone, anyone anywhere could lock a partner
out by guessing wrong on purpose. Flask-Limiter keeps each route's counts apart, so mistakes at sign-off do not
use up the attempts at sign-in.
"""
from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.extensions import limiter


def _failed(response):
    return response.status_code == 200  # the form shown again: a refused attempt


def _per_account():
    return f"{current_app.config['LOGIN_FAILURES_PER_MINUTE']} per minute"


def _per_address():
    return f"{current_app.config['ADDRESS_FAILURES_PER_MINUTE']} per minute"


def _signed_in_account():
    return f"{get_remote_address()}/person:{current_user.get_id()}"


def _typed_login():
    return f"{get_remote_address()}/login:" + (request.form.get("email") or "").strip().lower()


def _limits(account_key):
    account = limiter.limit(_per_account, key_func=account_key, methods=["POST"], deduct_when=_failed)
    address = limiter.limit(_per_address, key_func=get_remote_address, methods=["POST"], deduct_when=_failed)

    def decorator(view):
        return account(address(view))

    return decorator


# Sign-in: the account named in the form. Signed-in password checks: the signed-in person.
sign_in_attempts = _limits(_typed_login)
password_checks = _limits(_signed_in_account)
