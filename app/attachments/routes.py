"""Attach, remove and download a draft's documents.

Facilitators attach and remove (from the draft's page). Anyone who may read the draft or a consultation on it may
download (services.may_read); everyone else gets a 404, as if there were nothing there.
"""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.accounts.models import Role
from app.attachments import services, storage
from app.attachments.forms import FILE_HINT, AttachmentForm, ConfirmForm
from app.attachments.models import DraftAttachment, size_label
from app.converters import accepts_files
from app.errors import DomainError
from app.extensions import db
from app.forms import add_domain_error
from app.security import roles_required

bp = Blueprint("attachments", __name__)

facilitators_only = roles_required(Role.FACILITATOR)


def _draft(draft_id):
    from app.drafts.models import DraftArrangement

    draft = db.session.get(DraftArrangement, draft_id)
    if draft is None or draft.partnership_id != current_user.partnership_id:
        abort(404)
    return draft


def _attachment(attachment_id):
    attachment = db.session.get(DraftAttachment, attachment_id)
    if attachment is None:
        abort(404)
    return attachment


def file_hint():
    return FILE_HINT.format(limit=size_label(current_app.config["UPLOAD_MAX_BYTES"]))


@bp.route("/drafts/<int:draft_id>/attachments/new", methods=["GET", "POST"])
@facilitators_only
@accepts_files
def new(draft_id):
    draft = _draft(draft_id)
    form = AttachmentForm()
    sections = services._section_keys(draft)
    form.section.choices = [("", "The whole draft")] + [(key, f"Section: {title}") for key, title in sections.items()]
    if request.method == "GET" and request.args.get("section") in sections:
        form.section.data = request.args["section"]
    if form.is_submitted():
        valid = form.validate()
        chosen = request.files.get("file")  # every missing answer is said at once, before any file is read
        if chosen is None or not (chosen.filename or "").strip():
            form.file.errors = list(form.file.errors) + ["Select a file"]
        if not (form.title.data or "").strip():
            form.title.errors = list(form.title.errors) + ["Enter a title for the document"]
        if valid and not form.file.errors and not form.title.errors:
            try:
                attachment = services.attach(current_user, draft, request.files.get("file"), title=form.title.data,
                                             kind=form.kind.data, language=form.language.data,
                                             alt_text=form.alt_text.data, section_key=form.section.data or None)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                flash(f"“{attachment.title}” has been attached ({attachment.file.type.label}, "
                      f"{attachment.file.size_label})", "success")
                return redirect(url_for("drafts.draft", draft_id=draft.id, _anchor="attachments"), 303)
    return render_template("attachments/new.html", draft=draft, form=form, file_hint=file_hint())


@bp.route("/attachments/<int:attachment_id>/remove", methods=["GET", "POST"])
@facilitators_only
def remove(attachment_id):
    attachment = _attachment(attachment_id)
    draft = _draft(attachment.draft_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = attachment.title
        services.remove(current_user, attachment)  # a refusal reaches the app's 403/404/409 page with its words
        flash(f"“{title}” has been removed", "success")
        return redirect(url_for("drafts.draft", draft_id=draft.id, _anchor="attachments"), 303)
    return render_template("attachments/remove.html", draft=draft, attachment=attachment, form=form)


@bp.route("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id):
    attachment = _attachment(attachment_id)
    from app.drafts.models import DraftArrangement

    if not services.may_read(current_user, db.session.get(DraftArrangement, attachment.draft_id)):
        abort(404)
    stored = attachment.file
    return storage.send(stored, storage.download_name(attachment.title, stored.type),
                        inline=stored.type.is_image and request.args.get("view") == "inline")

