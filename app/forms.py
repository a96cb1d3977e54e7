"""Helpers shared by every room's forms."""
import secrets

from wtforms.validators import ValidationError

from app.errors import DomainError, NotAllowed, NotFound
from app.timeutil import FIRST_DAY, LAST_DAY, sensible_day


def new_submission_key():
    """A one-time key for a form shown (the comment forms': the same form sent twice stores once)."""
    return secrets.token_urlsafe(24)


def add_domain_error(form, error):
    """Show a service's DomainError on the field it names, or on the form as a whole."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


class Done:
    """A service call that succeeded, with what it returned (which may be None): `if (done := submit(...)):`."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def submit(form, action):
    """The one path from a posted form to a service. When the form was posted and is valid, call `action()`;
    a rule the service refuses (a DomainError) goes on the field it names, or the form, and None is returned so
    that the view shows the form again with the GOV.UK error summary. Not being allowed or a missing object is
    no form error: NotAllowed and NotFound reach the app's handler (app/errors_views.py: 403, 404)."""
    if not form.validate_on_submit():
        return None
    try:
        return Done(action())
    except (NotAllowed, NotFound):
        raise
    except DomainError as error:
        add_domain_error(form, error)
        return None


def attempt(action, category="error"):
    """The one path from a button (a form with no fields to mark) to a service: call `action()`; a rule the service
    refuses is flashed (to show where the button redirects) and None returned. As with submit(), NotAllowed and
    NotFound are no refusal to flash: they reach the app's 403 and 404 pages."""
    from flask import flash

    try:
        return Done(action())
    except (NotAllowed, NotFound):
        raise
    except DomainError as error:
        flash(error.message, category)
        return None


def error_summary_items(form):
    """GOV.UK error summary items: each links to its field."""
    items = [{"text": message} for message in form.form_errors]
    for field in form:
        for message in field.errors:
            items.append({"text": message, "href": f"#{field.id}"})
    return items


def field_error(field):
    return {"text": field.errors[0]} if field.errors else None


class SensibleDay:
    """A date between app.timeutil.FIRST_DAY and LAST_DAY (9999-12-31 plus one day is an overflow)."""

    def __call__(self, form, field):
        if field.data is not None and not sensible_day(field.data):
            raise ValidationError(f"Enter a date from {FIRST_DAY.year} to {LAST_DAY.year}")


class SingleLine:
    """Refuse control characters (line breaks, tabs, NUL …) in a one-line value.

    Titles and names end up in email subject lines and headers; a line break there is at best a broken message
    and at worst a header injection, so it is refused where it is typed, with a message saying what to change.
    """

    def __init__(self, message="{label} must be on one line, without line breaks, tabs or other control characters"):
        self.message = message

    def __call__(self, form, field):
        value = field.data or ""
        if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" for c in value):
            raise ValidationError(self.message.format(label=field.label.text.removesuffix(" (optional)")))
