from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField


class CheckReceiptForm(FlaskForm):
    """Upload the receipt file or paste its text; which of the two, and whether it is a receipt, the view checks
    (app/receipts/services.check) and reports as one error on the field used."""

    receipt_file = FileField("Upload your receipt file")
    receipt_text = TextAreaField("Or paste the receipt’s text")
