"""Moderation and joining forms: they check the shape of input; app.moderation.services checks the rules."""
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from app.moderation.models import HIDE_REASONS, REPORT_REASONS


class OnePageForm(FlaskForm):
    """Several of these share a page; CSRFProtect checks every POST's token app-wide."""

    class Meta:
        csrf = False


class ConfirmForm(OnePageForm):
    pass


class ApproveForm(OnePageForm):
    confirm_not_harm = BooleanField("I have read this comment and it does not tell us that a child is being harmed",
                                    false_values=("", "false", "n"))


class ReviewConcernForm(OnePageForm):
    decision = RadioField("Could this be a disclosure of harm?", choices=[
        ("confirmed", "Yes, or it might be: treat it as a safeguarding concern"),
        ("not_disclosure", "No, it is not a disclosure: return it to the moderation queue")],
        validators=[InputRequired("Choose whether this could be a disclosure of harm")])
    reason = TextAreaField("Why it is not a disclosure", validators=[Optional(), Length(max=2000)])


class SuspendForm(OnePageForm):
    reason = TextAreaField("Why are you suspending this account?", validators=[
        DataRequired("Enter why you are suspending this account"), Length(max=2000)])


class ChangeCodeForm(OnePageForm):
    max_uses = IntegerField("How many people can use it?", validators=[
        InputRequired("Enter how many people can use the code"),
        NumberRange(1, 500, "The number of people must be between 1 and 500")])
    days = IntegerField("Days from today until it expires", validators=[
        InputRequired("Enter how many days the code lasts"),
        NumberRange(1, 366, "The code must last between 1 and 366 days")])


class ResetCodeForm(FlaskForm):
    username = StringField("Your username", validators=[DataRequired("Enter your username"), Length(max=40)])
    code = StringField("Your reset code", validators=[DataRequired("Enter the reset code your youth worker gave you"),
                                                      Length(max=40)])
    password = PasswordField("Choose a new password", validators=[DataRequired("Choose a new password"),
                                                                  Length(max=256)])
    confirm = PasswordField("Type your new password again", validators=[
        DataRequired("Type your new password again"), EqualTo("password", "The two passwords are not the same")])


class ReasonForm(OnePageForm):
    reason_code = RadioField("Why?", choices=list(HIDE_REASONS.items()),
                             validators=[InputRequired("Choose a reason")])
    reason = TextAreaField("More detail (the author will read this)", validators=[Optional(), Length(max=2000)])


class NoteForm(OnePageForm):
    reason = TextAreaField("Note (optional)", validators=[Optional(), Length(max=2000)])


class ReportForm(FlaskForm):
    reason_code = RadioField("What is wrong with this comment?", choices=list(REPORT_REASONS.items()),
                             validators=[InputRequired("Choose what is wrong with this comment")])
    reason = TextAreaField("Tell the moderator more (needed for “Something else”)",
                           validators=[Optional(), Length(max=2000)])


class WorriedForm(FlaskForm):
    message = TextAreaField("What are you worried about?", validators=[Optional(), Length(max=2000)])


class CloseConcernForm(OnePageForm):
    action_taken = TextAreaField("What was done", validators=[DataRequired("Enter what was done"), Length(max=2000)])


class InviteCodeForm(FlaskForm):
    organisation = SelectField("Young people's group", coerce=int, validators=[InputRequired("Choose a group")])
    max_uses = IntegerField("How many people can use it?", default=1, validators=[
        InputRequired("Enter how many people can use the code"),
        NumberRange(1, 500, "The number of people must be between 1 and 500")])
    days = IntegerField("How many days until it expires?", default=14, validators=[
        InputRequired("Enter how many days the code lasts"),
        NumberRange(1, 366, "The code must last between 1 and 366 days")])


class JoinForm(FlaskForm):
    code = StringField("Your code", validators=[DataRequired("Enter the code your group leader gave you"),
                                                Length(max=40)])
    username = StringField("Choose a username", validators=[DataRequired("Choose a username"), Length(max=30)])
    password = PasswordField("Choose a password", validators=[DataRequired("Choose a password"), Length(max=256)])
    confirm = PasswordField("Type your password again", validators=[
        DataRequired("Type your password again"), EqualTo("password", "The two passwords are not the same")])
    accept = BooleanField("I agree to the rules")


class DismissReportsForm(OnePageForm):
    reason = TextAreaField("Why the comment can stay (the people who reported it will read this)", validators=[
        DataRequired("Enter why the comment can stay"), Length(max=2000, message="Enter 2,000 characters or fewer")])
