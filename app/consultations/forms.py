"""Consultation forms: they check the shape of input; app.consultations.services checks the rules.

Several of these forms appear many times on one page (a vote form per section, a
comment form per section), so they take a `prefix` and leave CSRF to CSRFProtect,
which checks every POST app-wide (the field would otherwise be prefixed too).
"""
import re
from datetime import date, datetime, time, timezone

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.models import Audience
from app.consultations.models import VoteChoice
from app.forms import SingleLine, new_submission_key
from app.privacy.models import USES
from app.timeutil import LONDON, sensible_day, to_london, utcnow


class ManyOnAPageForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect still checks the token of every POST


class CommentForm(ManyOnAPageForm):
    body = TextAreaField("Your comment", validators=[DataRequired("Enter your comment")])
    # A one-time key per form shown: the same form sent twice (a double click, a resend) stores one comment.
    submission = HiddenField(default=new_submission_key, validators=[Optional(), Length(max=64)])
    # Consent to publish (app/privacy): left out (replies, edits), the author's default applies.
    use = RadioField("How may your words be used beyond the partnership?", choices=list(USES.items()),
                     validators=[Optional()])


class VoteForm(ManyOnAPageForm):
    choice = RadioField("Your view", choices=[(c.value, c.label) for c in VoteChoice],
                        validators=[InputRequired("Choose support, support with changes or oppose")])
    reason = TextAreaField("Why? (optional)", validators=[Optional()])


_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_time(text):
    """'9am', '9:30am', '17:30', '5.30pm', 'midday', 'midnight' -> time, or None."""
    text = (text or "").strip().lower().replace(" ", "").replace("a.m.", "am").replace("p.m.", "pm")
    if text in ("midday", "noon", "12noon"):
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match.group(2) is None:
        return None  # "9" alone is ambiguous
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def london_to_utc(day, at):
    return datetime.combine(day, at).replace(tzinfo=LONDON).astimezone(timezone.utc).replace(tzinfo=None)


def read_datetime(form, prefix, what):
    """A GOV.UK date input (<prefix>_day, _month, _year) and a time field, read as Europe/London.

    The UTC datetime a London date and time names, or None with errors on the fields."""
    day, month, year, clock = (form[f"{prefix}_{part}"] for part in ("day", "month", "year", "time"))
    parts = [(field.data or "").strip() for field in (day, month, year)]
    if not all(parts):
        missing = [name for name, value in zip(("day", "month", "year"), parts) if not value]
        day.errors = list(day.errors) + ([f"Enter the {what} date"] if len(missing) == 3 else
                                         [f"The {what} date must include a {' and '.join(missing)}"])
        return None
    try:
        if not re.fullmatch(r"\d{4}", parts[2]):
            raise ValueError
        value = date(int(parts[2]), int(parts[1]), int(parts[0]))
        if not sensible_day(value):
            raise ValueError
    except (ValueError, OverflowError):
        day.errors = list(day.errors) + [f"The {what} date must be a real date, like 27 3 2026"]
        return None
    at = parse_time(clock.data)
    if at is None:
        clock.errors = list(clock.errors) + [f"Enter the {what} time, like 9:00am or 17:30"]
        return None
    return london_to_utc(value, at)


def fill_datetime(form, prefix, value):
    local = to_london(value)
    form[f"{prefix}_day"].data, form[f"{prefix}_month"].data = str(local.day), str(local.month)
    form[f"{prefix}_year"].data = str(local.year)
    form[f"{prefix}_time"].data = f"{local:%H:%M}"


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class OpenConsultationForm(FlaskForm):
    version = SelectField("Published version to consult on", coerce=_int_or_none, validate_choice=False)
    title = StringField("Title (optional)", description="Leave it blank to use the draft's title",
                        validators=[Optional(), SingleLine(),
                                    Length(max=200, message="The title must be 200 characters or fewer")])
    audiences = SelectMultipleField("Who is it open to?", choices=[(a.value, a.label) for a in Audience],
                                    validators=[DataRequired("Choose at least one audience")])
    opens_day, opens_month, opens_year = StringField("Day"), StringField("Month"), StringField("Year")
    opens_time = StringField("Time")
    closes_day, closes_month, closes_year = StringField("Day"), StringField("Month"), StringField("Year")
    closes_time = StringField("Time")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        self.opens_at = read_datetime(self, "opens", "opening")
        self.closes_at = read_datetime(self, "closes", "closing")
        return valid and self.opens_at is not None and self.closes_at is not None

    def prefill(self):
        fill_datetime(self, "opens", utcnow())


class ExtendForm(FlaskForm):
    closes_day, closes_month, closes_year = StringField("Day"), StringField("Month"), StringField("Year")
    closes_time = StringField("Time")
    reason = TextAreaField("Why is it being extended?", validators=[DataRequired("Enter the reason for extending")])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        self.closes_at = read_datetime(self, "closes", "new closing")
        return valid and self.closes_at is not None


class CloseEarlyForm(FlaskForm):
    reason = TextAreaField("Why is it closing early?", validators=[DataRequired("Enter the reason for closing early")])


class NotificationSettingsForm(FlaskForm):
    consultation_emails = BooleanField("Tell me when a consultation opens to me, and a week and a day before it closes")
    reply_emails = BooleanField("Tell me when someone replies to my comment")


class ConfirmForm(FlaskForm):
    """A button and its CSRF token: withdrawing a comment, unsubscribing."""
