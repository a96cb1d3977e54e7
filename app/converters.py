"""Requests bounded to what the database and the server can hold (issue 14).

URL converters bounded to what the database can hold.

`/consultations/9999999999999999999999999` used to reach the database and fail there (a 500 on PostgreSQL,
whose integer ids stop at 2**31 - 1). Registered as `int` in create_app, so every `<int:...>` in every room
refuses such a path with a 404 before any view runs.
"""
from flask import Request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**31 - 1  # PostgreSQL `integer`, the type of every id


class DatabaseIntConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=DB_INT_MAX if max is None else max,
                         signed=signed)


def bounded_int(value, default=None):
    """A query-string integer (a cursor, a count) in the database's range, else `default`."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if 0 <= number <= DB_INT_MAX else default


class BoundedRequest(Request):
    """Werkzeug counts MAX_FORM_PARTS only for multipart bodies; a URL-encoded body of 20,000 tiny fields fits
    in MAX_CONTENT_LENGTH, so it is counted here too. Nothing in the portal is uploaded, so a file part is a
    400: Flask-WTF would otherwise hand a form a file object where it expects text."""

    def _load_form_data(self):
        super()._load_form_data()
        if self.files:
            raise BadRequest("This service does not accept files")
        limit = self.max_form_parts
        if limit is not None and sum(1 for _ in self.form.items(multi=True)) > limit:
            raise RequestEntityTooLarge()
