"""Witness forms: they check the shape of input; app.witness.services checks the rules."""
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired


class CheckForm(FlaskForm):
    """"Check for new checkpoints": a button and its CSRF token."""


class PastedCheckpointForm(FlaskForm):
    note = TextAreaField("The checkpoint you kept", validators=[DataRequired("Paste the checkpoint you kept")],
                         description="Paste the lines from the email, from the portal's address line down to the "
                                     "signature line that starts with a dash (—)")


class DealtWithForm(FlaskForm):
    class Meta:
        csrf = False  # one form per alarm on the page; CSRFProtect still checks the token of every POST

    note = TextAreaField("What was done about it", validators=[DataRequired("Enter what was done about the alarm")])
