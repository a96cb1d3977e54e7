"""Scrutiny forms: they check the shape of input; app.scrutiny.services checks the rules."""
from flask_wtf import FlaskForm
from wtforms import DateField, Form, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from app.accounts.models import Audience
from app.forms import SensibleDay
from app.scrutiny.models import Severity, Visibility


class TimelineFilterForm(Form):
    """The timeline's filters: a GET form (no CSRF), read from the query string."""

    kind = SelectField("Kind of action", choices=[("", "All")], default="", validators=[Optional()])
    organisation = SelectField("Organisation of the person", choices=[("", "All")], default="",
                               validators=[Optional()])
    audience = SelectField("Audience of the person", default="", validators=[Optional()],
                           choices=[("", "All")] + [(a.value, a.label) for a in Audience])
    from_day = DateField("From (date)", validators=[Optional(), SensibleDay()])
    to_day = DateField("To (date)", validators=[Optional(), SensibleDay()])


class FindingForm(FlaskForm):
    observation = TextAreaField("What did you observe?", validators=[DataRequired("Enter what you observed")])
    recommendation = TextAreaField("What do you recommend? (optional)", validators=[Optional()])
    severity = RadioField("How serious is it?", choices=[(s.value, s.label) for s in Severity],
                          validators=[DataRequired("Choose how serious this is: low, medium or high")])
    entries = StringField("Log entries it is about (optional)", validators=[Optional()],
                          description="The seq numbers from the timeline, separated by commas, like 12, 15")


class ManyOnAPageForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect still checks the token of every POST


class VisibilityForm(ManyOnAPageForm):
    visibility = HiddenField(validators=[DataRequired()])

    def validate_visibility(self, field):
        if field.data not in (Visibility.SHARED.value, Visibility.RELEASED.value):
            raise ValueError("Choose whether to share or release the finding")


class AnswerForm(ManyOnAPageForm):
    body = TextAreaField("Your answer", validators=[DataRequired("Enter your answer")])
