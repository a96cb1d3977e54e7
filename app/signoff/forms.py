"""Forms for sign-off: shape only (app.signoff.services holds the rules)."""
import re
from datetime import date

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from app.signoff.models import Decision
from app.timeutil import sensible_day


def parse_date(text):
    """'29 9 2027', '29/09/2027' or '2027-09-29' -> date, or None."""
    text = (text or "").strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if match:
        year, month, day = match.groups()
    else:
        match = re.fullmatch(r"(\d{1,2})[\s/.-]+(\d{1,2})[\s/.-]+(\d{4})", text)
        if not match:
            return None
        day, month, year = match.groups()
    try:
        day = date(int(year), int(month), int(day))
        return day if sensible_day(day) else None
    except ValueError:
        return None


class RequestSignOffForm(FlaskForm):
    version = SelectField("Final version", coerce=int, validators=[InputRequired("Choose the final version")])
    effective_date = StringField("Date the arrangements take effect",
                                 validators=[InputRequired("Enter the date the arrangements take effect")])
    waiver_reason = TextAreaField("If some comments have no answer yet: why sign-off should go ahead now",
                                  validators=[Optional()])

    def validate_effective_date(self, field):
        if parse_date(field.data) is None:
            raise ValidationError("Enter a real date, like 29 9 2027")

    @property
    def effective(self):
        return parse_date(self.effective_date.data)


class DecideForm(FlaskForm):
    decision = RadioField("Your decision", choices=[(Decision.APPROVED.value, "Approve the arrangements"),
                                                    (Decision.RETURNED.value, "Return them to the facilitator")],
                          validators=[InputRequired("Choose whether to approve or return it")])
    reason = TextAreaField("Reasons (needed if you return it)", validators=[Optional()])
    # The password, or (issue 20, part 5) a passkey assertion over the checkpoint shown: the service says which.
    password = PasswordField("Your password", validators=[Optional()])
    checkpoint = HiddenField(validators=[Optional()])
    assertion = HiddenField(validators=[Optional()])
