"""The shape of the attachment form; the rules (and the file checks) are in services.py and sniff.py."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.attachments.models import LANGUAGES, AttachmentKind

LANGUAGE_CHOICES = [(code, english if english == own else f"{english} ({own})")
                    for code, (english, own) in LANGUAGES.items()]
FILE_HINT = "A PDF, Word document (DOCX), OpenDocument text (ODT), PNG or JPEG, smaller than {limit}."


class AttachmentForm(FlaskForm):
    file = FileField("Upload a file")
    title = StringField("Title", description="What people will see as the link, for example "
                                             "“Proposed working groups: easy read version”")
    kind = RadioField("What kind of document is it?", choices=[(k.value, k.label) for k in AttachmentKind],
                      default=AttachmentKind.DOCUMENT.value, validators=[Optional()])
    language = SelectField("Language", choices=LANGUAGE_CHOICES, default="en", validators=[Optional()])
    section = SelectField("What is it about?", choices=[("", "The whole draft")], default="",
                          validators=[Optional()])
    alt_text = TextAreaField("Describe the image (for an image only)",
                             description="For people who cannot see it: what it shows and why it matters. "
                                         "Leave this empty for a document.")


class ConfirmForm(FlaskForm):
    pass
