"""Downloading your receipt (the author only) and "Check a receipt" (anyone, no sign-in).

The check page is one URL for the whole page and, with htmx, its `checker` block (the error summary, the answer
and the form); without JavaScript the form posts and the whole page comes back.
"""
from flask import Blueprint, abort, make_response, render_template, request
from markupsafe import Markup
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block

from app.access import load_own_comment, load_own_vote
from app.converters import accepts_files
from app.extensions import htmx, limiter
from app.receipts import services
from app.receipts.forms import CheckReceiptForm
from app.trail.verify_log import ReceiptError

bp = Blueprint("receipts", __name__)

CHECK = "receipts/check.html"
CHECK_LIMIT = "30 per minute"  # checks per address: plenty for people, not for a script (no sign-in needed)


def _download(row):
    if row is None:  # no entry by this person (a comment entered for a workshop voice, say)
        abort(404)
    receipt = services.build(row)
    response = make_response(services.to_json(receipt))
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{services.filename(receipt)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/comments/<int:comment_id>/receipt")
@login_required
def comment(comment_id):
    """The receipt for a comment or reply of one's own: 404 for anyone but its author."""
    return _download(services.comment_entry(load_own_comment(comment_id), current_user.id))


@bp.get("/votes/<int:vote_id>/receipt")
@login_required
def vote(vote_id):
    """The receipt for one's own vote (its latest entry: cast, or changed since): 404 for anyone else."""
    return _download(services.vote_entry(load_own_vote(vote_id), current_user.id))


def _submitted_text(form):
    """The receipt's text from the file (preferred) or the text box; ReceiptError naming the field otherwise."""
    upload = request.files.get(form.receipt_file.name)
    if upload is not None and upload.filename:
        data = upload.stream.read(services.RECEIPT_MAX_BYTES + 1)
        if len(data) > services.RECEIPT_MAX_BYTES:
            raise ReceiptError(f"A receipt is at most {services.RECEIPT_MAX_BYTES // 1024} KB: this file is too "
                               "large to be one")
        try:
            return form.receipt_file, data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ReceiptError("The file is not a receipt: a receipt is text (JSON)") from None
    return form.receipt_text, form.receipt_text.data or ""


@bp.route("/receipts/check", methods=["GET", "POST"])
@limiter.limit(CHECK_LIMIT, methods=["POST"])
@accepts_files
def check():
    form, result = CheckReceiptForm(), None
    if request.method == "POST" and form.validate_on_submit():
        field, text = form.receipt_text, ""
        try:
            field, text = _submitted_text(form)
            result = services.check(text)
        except ReceiptError as error:
            field.errors = [str(error).splitlines()[0]]
    context = {"receipt_form": form, "result": result}
    html = render_block(CHECK, "checker", **context) if htmx.target == "receipt-checker" else \
        render_template(CHECK, **context)
    response = make_response(html)  # errors too are 200, as every form here (htmx swaps only 2xx answers)
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = "no-store"
    return response


class ReceiptMessage(Markup):
    """A "posted" message holding its receipt link (HTML); `announce` is the words alone, for the live region."""

    announce = ""


def with_receipt_link(message, url):
    """A "posted" message with the link to its receipt: the flash banner (no JavaScript) and the htmx status line
    show it alike; screen readers are told the message alone (templates/consultations/_comments.html announce)."""
    html = ReceiptMessage(Markup('{} <a class="govuk-link govuk-notification-banner__link" href="{}" download>'
                                 'Download your receipt</a>').format(message, url))
    html.announce = str(message)
    return html
