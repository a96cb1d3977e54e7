"""Forms check the shape of input only; the rules live in services.py."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
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
