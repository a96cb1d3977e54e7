"""Forms check the shape of input only; the rules live in services.py."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = StringField("Email address or username", validators=[
        DataRequired("Enter your email address or username"), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password"), Length(max=256)])


class ForgottenPasswordForm(FlaskForm):
    email = StringField("Email address", validators=[DataRequired("Enter your email address"), Length(max=254)])


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired("Enter a new password"), Length(max=256)])
    confirm = PasswordField("Confirm new password", validators=[
        DataRequired("Enter the new password again"), EqualTo("password", "The passwords do not match")])


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password"), Length(max=256)])


class RegisterForm(FlaskForm):
    """A parent, carer or member of the public registers (app/accounts/registration.py)."""

    email = StringField("Email address", validators=[DataRequired("Enter your email address"), Length(max=254)])
    kind = RadioField("Which describes you?", choices=[("parent_or_carer", "I am a parent or carer"),
                                                       ("member_of_public", "I am a member of the public")],
                      validators=[DataRequired("Choose whether you are a parent or carer or a member of the public")])
    password = PasswordField("Choose a password", validators=[DataRequired("Choose a password"), Length(max=256)])
    confirm = PasswordField("Type your password again", validators=[
        DataRequired("Type your password again"), EqualTo("password", "The two passwords are not the same")])


class ResendConfirmationForm(FlaskForm):
    email = StringField("Email address", validators=[DataRequired("Enter your email address"), Length(max=254)])


class ConfirmEmailForm(FlaskForm):
    pass
