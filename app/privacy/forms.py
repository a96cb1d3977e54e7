from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.privacy.models import LAWFUL_BASES, USES


class SettingsForm(FlaskForm):
    controller_name = StringField("Controller (the organisation responsible for the data)",
                                  validators=[DataRequired("Enter the controller's name"), Length(max=200)])
    contact_name = StringField("Data protection contact", validators=[
        DataRequired("Enter who to contact about data protection"), Length(max=200)])
    contact_email = StringField("Their email address", validators=[
        DataRequired("Enter the data protection contact's email address"), Length(max=254)])
    contact_address = TextAreaField("Postal address (optional)", validators=[Optional(), Length(max=1000)])
    lawful_basis = RadioField("Lawful basis for using people's data",
                              choices=[(key, label) for key, (label, _why) in LAWFUL_BASES.items()],
                              validators=[DataRequired("Choose the lawful basis")])
    young_account_months = IntegerField("Young people's accounts are anonymised this many months after the last "
                                        "consultation they took part in closed", validators=[Optional()])
    outbox_days = IntegerField("Email texts are deleted this many days after sending", validators=[Optional()])
    session_days = IntegerField("Sign-in records are deleted this many days after the session ends",
                                validators=[Optional()])


class UseForm(FlaskForm):
    use = RadioField("How may these words be used beyond the partnership?", choices=list(USES.items()),
                     validators=[DataRequired("Choose how your words may be used")])


class EraseForm(FlaskForm):
    confirm = BooleanField("I have checked this request comes from this person",
                           validators=[DataRequired("Tick to confirm you have checked who made the request")])
