"""The shape of what people send about suggested wording; the rules are in services.py.

The suggest page holds two forms (type the passage and its new wording, or edit a copy of the section's text), so
they take a prefix and leave CSRF to CSRFProtect, which checks every POST app-wide.
"""
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from app.consultations.forms import ManyOnAPageForm
from app.forms import new_submission_key
from app.privacy.models import USES
from app.suggestions.models import SuggestionOutcome

HOW = ("passage", "edit")


class _SuggestionForm(ManyOnAPageForm):
    reason = TextAreaField("Why do you suggest this wording?", validators=[InputRequired("Enter why you suggest "
                                                                                        "this wording")])
    made_against = HiddenField(validators=[Optional(), Length(max=64)])  # the SHA-256 of the text shown
    submission = HiddenField(default=new_submission_key, validators=[Optional(), Length(max=64)])
    use = RadioField("How may your words be used beyond the partnership?", choices=list(USES.items()),
                     validators=[Optional()])


class PassageForm(_SuggestionForm):
    passage = TextAreaField("The words you want to change", validators=[
        InputRequired("Enter the words of the section you want to change")])
    replacement = TextAreaField("Your wording", validators=[Optional()])


class EditForm(_SuggestionForm):
    edited = TextAreaField("The section’s text, with your change made in it", validators=[
        InputRequired("Enter the section’s text with your change made in it")])


class SupportForm(FlaskForm):
    action = HiddenField(validators=[AnyOf(["support", "withdraw"], message="Choose to support or withdraw")])


class DecideForm(FlaskForm):
    outcome = RadioField("What does the partnership do with this suggestion?",
                         choices=[(SuggestionOutcome.ACCEPTED.value, "Accept: the suggested wording goes into the draft"),
                                  (SuggestionOutcome.ACCEPTED_WITH_CHANGES.value,
                                   "Accept with changes: your wording goes into the draft"),
                                  (SuggestionOutcome.DECLINED.value, "Decline: the draft keeps its wording")],
                         validators=[InputRequired("Choose whether to accept, accept with changes or decline the "
                                                   "suggestion")])
    final_text = TextAreaField("The wording that goes into the draft (if you accept it with changes)",
                               validators=[Optional()])
    reason = TextAreaField("Why", validators=[InputRequired("Enter the reason, in words the person who suggested "
                                                            "it will understand")])
    # Shown once sign-off has been asked for: the service refuses a change without it (as for every answer).
    amendment_reason = TextAreaField("Why are you amending this answer after sign-off was asked for?",
                                     validators=[Optional()])
