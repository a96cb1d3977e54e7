"""The shape of what facilitators send about drafts; the rules are in services.py."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.drafts.models import TOPIC_LABELS
from app.forms import SingleLine

TOPIC_CHOICES = [(topic.value, label) for topic, label in TOPIC_LABELS.items()]

BODY_HINT = ("Write in Markdown. Leave a blank line between paragraphs. Start a line with “## ” for a heading, "
             "“- ” for a bulleted list or “1. ” for a numbered list. Use **two stars** for bold, *one star* for "
             "italics and [link text](https://example.org) for a link. HTML and images are not allowed: they show "
             "as plain text.")
SUMMARY_HINT = ("For young people: what this section means for them, in short sentences and everyday words "
                "(a reading age of about 11). Plain text, no Markdown.")


class DraftForm(FlaskForm):
    title = StringField("Title", description="For example, “Proposed working groups”",
                        validators=[DataRequired("Enter the draft's title"), SingleLine(),
                                    Length(max=200, message="The title must be 200 characters or fewer")])
    summary = TextAreaField("Summary (optional)", description="What this draft arrangement is about, in a sentence "
                            "or two", validators=[Optional(), Length(max=2000, message="The summary must be "
                                                                                        "2,000 characters or fewer")])


class SectionForm(FlaskForm):
    title = StringField("Section title", validators=[
        DataRequired("Enter the section's title"), SingleLine(),
        Length(max=200, message="The section's title must be 200 characters or fewer")])
    body = TextAreaField("Text of the proposal", description=BODY_HINT, validators=[
        DataRequired("Enter the text of this section"),
        Length(max=20000, message="The text must be 20,000 characters or fewer")])
    plain_summary = TextAreaField("Plain-language summary (optional)", description=SUMMARY_HINT, validators=[
        Optional(), Length(max=2000, message="The plain-language summary must be 2,000 characters or fewer")])
    topics = SelectMultipleField("Which required content does this section cover?", choices=TOPIC_CHOICES,
                                 validators=[Optional()])


class PublishForm(FlaskForm):
    change_note = TextAreaField("What changed in this version", validators=[
        DataRequired("Say what changed in this version"),
        Length(max=2000, message="The change note must be 2,000 characters or fewer")])


class ConfirmForm(FlaskForm):
    """A button and the CSRF token: make a new version, remove a section."""


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"], message="Choose up or down")])


class CompareForm(FlaskForm):
    """The GET form that picks two versions; its values come from the query string."""

    class Meta:
        csrf = False

    a = SelectField("Earlier version", coerce=int, validate_choice=True)
    b = SelectField("Later version", coerce=int, validate_choice=True)
