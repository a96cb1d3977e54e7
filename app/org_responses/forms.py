"""Forms for formal responses: shape only (app.org_responses.services holds the rules)."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from app.responses.models import Outcome


class StartForm(FlaskForm):
    """Start a formal response for my organisation: a button, with CSRF."""


def draft_form(sections, formdata=None, **data):
    """The draft's form: a comment per section of the consulted version, the overall statement, and the version
    the author started from (saved with it, so a save made over someone else's is refused)."""

    class DraftForm(FlaskForm):
        version = IntegerField(widget=HiddenField.widget, validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])
        overall = TextAreaField("Overall statement", validators=[Optional()])
        action = HiddenField()

    for number, section in enumerate(sections, start=1):
        setattr(DraftForm, f"section_{section.id}",
                TextAreaField(f"{number}. {section.title}", validators=[Optional()]))
    return DraftForm(formdata=formdata, data=data) if formdata is not None else DraftForm(data=data)


class CoAuthorForm(FlaskForm):
    person = SelectField("Add a co-author from your organisation", coerce=lambda v: int(v) if v else None,
                         validators=[InputRequired("Choose a person of your organisation")])


class AnswerForm(FlaskForm):
    outcome = RadioField("What did the partnership do?", choices=[(o.value, o.label) for o in Outcome],
                         validators=[InputRequired("Choose what the partnership did")])
    reason = TextAreaField("Why", validators=[InputRequired("Enter the reason")])


class PublishAnswerForm(FlaskForm):
    """Publish the answer: a button, with CSRF."""
