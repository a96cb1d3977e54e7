"""Forms for themes and responses: shape only (app.responses.services holds the rules)."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.forms import SingleLine
from app.responses.models import Outcome


class ThemeForm(FlaskForm):
    name = StringField("New theme", validators=[InputRequired("Enter a name for the theme"), SingleLine()])


class TagForm(FlaskForm):
    theme = SelectField("Theme", coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                        validators=[Optional()])
    new_theme = StringField("Or a new theme", validators=[Optional(), SingleLine()])


class ResponseForm(FlaskForm):
    outcome = RadioField("What did the partnership do?", choices=[(o.value, o.label) for o in Outcome],
                         validators=[InputRequired("Choose what the partnership did")])
    reason = TextAreaField("Why", validators=[InputRequired("Enter the reason")])
    changed_section = SelectField("Section of the next version that changed (optional)", validators=[Optional()])
    # Shown once sign-off has been asked for: the service refuses a change without it.
    amendment_reason = TextAreaField("Why are you amending this answer after sign-off was asked for?",
                                     validators=[Optional()])


class PublishForm(FlaskForm):
    """Publish the draft answers (all of a consultation's, or one theme's): a button, with CSRF."""
