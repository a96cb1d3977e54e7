"""Requests bounded to what the database and the server can hold (issue 14).

URL converters bounded to what the database can hold.

`/consultations/9999999999999999999999999` used to reach the database and fail there (a 500 on PostgreSQL,
whose integer ids stop at 2**31 - 1). Registered as `int` in create_app, so every `<int:...>` in every room
refuses such a path with a 404 before any view runs.
"""
from flask import Request, current_app
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


UPLOAD_FORM_ALLOWANCE = 256 * 1024  # the other fields of an upload form, beside the file itself


def accepts_files(view):
    """Mark a view as an upload form's (issue 19): only such views are sent files, and they may be sent
    UPLOAD_MAX_BYTES (plus the form's other fields) instead of MAX_CONTENT_LENGTH. Werkzeug refuses a larger
    declared body with 413 before reading it, and writes a large file part to a temporary file, not memory."""
    view.accepts_files = True
    return view


class BoundedRequest(Request):
    """Werkzeug counts MAX_FORM_PARTS only for multipart bodies; a URL-encoded body of 20,000 tiny fields fits
    in MAX_CONTENT_LENGTH, so it is counted here too. A file part is a 400 except on the upload forms
    (`accepts_files`): Flask-WTF would otherwise hand a form a file object where it expects text."""

    @property
    def takes_files(self):
        if not current_app or self.endpoint is None:
            return False
        return getattr(current_app.view_functions.get(self.endpoint), "accepts_files", False)

    @property
    def max_content_length(self):
        if self._max_content_length is None and self.takes_files:
            return current_app.config["UPLOAD_MAX_BYTES"] + UPLOAD_FORM_ALLOWANCE
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value):
        self._max_content_length = value

    def _load_form_data(self):
        super()._load_form_data()
        if self.files and not self.takes_files:
            raise BadRequest("This service does not accept files")
        limit = self.max_form_parts
        if limit is not None and sum(1 for _ in self.form.items(multi=True)) > limit:
            raise RequestEntityTooLarge()
