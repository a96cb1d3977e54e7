"""Forms for passkeys: shape only (app/passkeys/services.py holds the rules)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import InputRequired, Length, Optional


class AddPasskeyForm(FlaskForm):
    label = StringField("Name this passkey", validators=[
        InputRequired("Enter a name for this passkey, like ‘Work laptop’"),
        Length(max=80, message="The name must be 80 characters or fewer")])
    credential = HiddenField(validators=[Optional()])


class RemovePasskeyForm(FlaskForm):
    pass


class PasskeySettingForm(FlaskForm):
    passkey_required = BooleanField("Partners must sign with a passkey")
