"""The shape of the workshop forms; the rules are in services.py."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.forms import new_submission_key
from app.workshops.models import METHOD_LABELS


class SessionForm(FlaskForm):
    held_on_day = StringField("Day", validators=[Optional()])
    held_on_month = StringField("Month", validators=[Optional()])
    held_on_year = StringField("Year", validators=[Optional()])
    organisation = SelectField("Group", choices=[("", "Another group (type its name below)")], default="",
                               validators=[Optional()])
    group_name = StringField("Group's name (if it is not in the list)", validators=[Optional()])
    participants = StringField("How many people took part?", validators=[Optional()])
    method = RadioField("How did they take part?", choices=[(m.value, label) for m, label in METHOD_LABELS.items()],
                        validators=[Optional()])
    audience = RadioField("Whose voice is this?", choices=[], validators=[Optional()])


class ContributionForm(FlaskForm):
    section = SelectField("Which part of the draft is it about?", choices=[("", "The whole draft")], default="",
                          validators=[Optional()])
    body = TextAreaField("What the group said", validators=[Optional()])
    submission = HiddenField(default=new_submission_key, validators=[Optional(), Length(max=64)])


class PhotoForm(FlaskForm):
    photo = FileField("Upload a photo or scan")
    description = TextAreaField("Describe what it shows", description="For people who cannot see it, for example "
                                "“Flipchart: what makes a safe place (six sticky notes)”")
