"""Draft arrangements: facilitators write and publish versions; scrutineers and signatories read and compare.

Who sees what: facilitators see and change everything, including the working (unpublished) version;
independent scrutineers and statutory partner signatories read published versions only (a working
version is a 404 to them, and every change is a 403); everybody else gets a 403.
"""
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_blocks

from app.access import OVERSEERS
from app.accounts.models import Role
from app.attachments import services as attachments
from app.drafts import services
from app.drafts.compare import UNCHANGED, compare_versions
from app.drafts.forms import CompareForm, ConfirmForm, DraftForm, MoveForm, PublishForm, SectionForm
from app.drafts.models import DraftArrangement, Section
from app.errors import DomainError
from app.extensions import db, htmx
from app.forms import submit
from app.partnerships.models import Partnership
from app.security import roles_required
from app.suggestions import queries as suggestions

bp = Blueprint("drafts", __name__)

from app.drafts import models  # noqa: E402,F401  (registers the tables)

readers_only = roles_required(*OVERSEERS)
facilitators_only = roles_required(Role.FACILITATOR)


# --- loading and authorising --------------------------------------------------------------------

def _can_edit():
    return current_user.has_role(Role.FACILITATOR)


def _get_draft(draft_id):
    """A draft of the signed-in person's partnership, or 404. Readers only see drafts with a published version."""
    draft = db.session.get(DraftArrangement, draft_id)
    if draft is None or draft.partnership_id != current_user.partnership_id:
        abort(404)
    if not _can_edit() and not services.published_versions(draft):
        abort(404)
    return draft


def _get_version(draft, number):
    version = services.get_version(draft.id, number)
    if version is None or (not version.is_published and not _can_edit()):
        abort(404)
    return version


def _get_section(draft, section_id):
    section = db.session.get(Section, section_id)
    if section is None or section.version.draft_id != draft.id:
        abort(404)
    return section


def _visible_versions(draft):
    """Every version for facilitators; published ones only for readers."""
    return [v for v in draft.versions if v.is_published or _can_edit()]


def _conflict(draft, message):
    """A clear page (409) when a change asks for something the rules refuse, e.g. editing a published version."""
    return render_template("drafts/conflict.html", draft=draft, message=message), 409


def _vary(response):
    response = make_response(response)
    response.headers.add("Vary", "HX-Request")
    return response


# --- the list of drafts ---------------------------------------------------------------------------

@bp.route("/drafts", methods=["GET", "POST"])
@readers_only
def index():
    form = DraftForm() if _can_edit() else None
    if request.method == "POST":
        if form is None:
            abort(403)
        if done := submit(form, lambda: services.create_draft(
                current_user, db.session.get(Partnership, current_user.partnership_id), title=form.title.data,
                summary=form.summary.data)):
            flash(f"“{done.value.title}” has been created. Add its sections, then publish version 1.", "success")
            return redirect(url_for(".draft", draft_id=done.value.id), 303)
    partnership = db.session.get(Partnership, current_user.partnership_id)
    drafts = services.drafts_of(partnership)
    if not _can_edit():
        drafts = [draft for draft in drafts if services.published_versions(draft)]
    rows = [(draft, services.latest_published(draft), services.working_version(draft) if _can_edit() else None)
            for draft in drafts]
    extra = {"form": form} if form is not None else {}
    return render_template("drafts/index.html", rows=rows, **extra)


# --- one draft ------------------------------------------------------------------------------------

def _draft_context(draft, **extra):
    editing = _can_edit()
    working = services.working_version(draft) if editing else None
    latest = services.latest_published(draft)
    shown = working or latest
    context = {
        "draft": draft, "editing": editing, "working": working, "latest": latest, "shown": shown,
        "versions": _visible_versions(draft),
        "checklist": services.checklist(shown) if shown else [],
        "missing": services.missing_topics(shown) if shown else [],
        "confirm_form": ConfirmForm(),
        "publish_form": PublishForm(formdata=None),
        "status_message": "",
        "documents": attachments.by_section(draft.id),  # {None: the whole draft's, section key: that section's}
        "applied": suggestions.applied_to(working) if working else {},  # suggestions accepted into each section
    }
    context.update(extra)
    return context


@bp.route("/drafts/<int:draft_id>")
@readers_only
def draft(draft_id):
    return render_template("drafts/draft.html", **_draft_context(_get_draft(draft_id)))


@bp.route("/drafts/<int:draft_id>/v/<int:number>/publish", methods=["POST"])
@facilitators_only
def publish(draft_id, number):
    draft = _get_draft(draft_id)
    version = _get_version(draft, number)
    if version.is_published:
        return _conflict(draft, f"Version {number} has already been published; a published version never changes.")
    form = PublishForm()
    if submit(form, lambda: services.publish_version(current_user, version, change_note=form.change_note.data)):
        flash(f"Version {number} has been published. It can no longer change.", "success")
        return redirect(url_for(".version", draft_id=draft.id, number=number), 303)
    return render_template("drafts/draft.html", **_draft_context(draft, publish_form=form, form=form))


@bp.route("/drafts/<int:draft_id>/v/<int:number>/new-version", methods=["POST"])
@facilitators_only
def new_version(draft_id, number):
    draft = _get_draft(draft_id)
    version = _get_version(draft, number)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        new = services.new_version_from(current_user, version)
    except DomainError as error:
        return _conflict(draft, error.message)
    flash(f"Version {new.number} has been made from version {number}. Edit it, then publish it.", "success")
    return redirect(url_for(".draft", draft_id=draft.id), 303)


# --- versions and compare ---------------------------------------------------------------------------

@bp.route("/drafts/<int:draft_id>/v/<int:number>")
@readers_only
def version(draft_id, number):
    draft = _get_draft(draft_id)
    version = _get_version(draft, number)
    earlier = [v for v in _visible_versions(draft) if v.number < version.number]
    return render_template("drafts/version.html", draft=draft, version=version, editing=_can_edit(),
                           previous=earlier[-1] if earlier else None, checklist=services.checklist(version),
                           missing=services.missing_topics(version), applied=suggestions.applied_to(version))


@bp.route("/drafts/<int:draft_id>/compare")
@readers_only
def compare(draft_id):
    draft = _get_draft(draft_id)
    visible = _visible_versions(draft)
    form = CompareForm(formdata=request.args if request.args else None)
    form.a.choices = form.b.choices = [
        (v.number, f"Version {v.number}" + ("" if v.is_published else " (being edited)")) for v in visible]
    status = 200
    if request.args:
        if not form.validate():
            for field, which in ((form.a, "earlier"), (form.b, "later")):
                if field.errors:
                    field.errors = [f"Choose the {which} version from the list: this draft has versions "
                                    + ", ".join(str(v.number) for v in visible)]
            status = 400
    else:
        form.a.data = visible[-2].number if len(visible) > 1 else visible[-1].number
        form.b.data = visible[-1].number
    comparison = None
    if status == 200:
        by_number = {v.number: v for v in visible}
        comparison = compare_versions(by_number[form.a.data], by_number[form.b.data])
    return render_template("drafts/compare.html", draft=draft, form=form, comparison=comparison,
                           UNCHANGED=UNCHANGED, only_one=len(visible) == 1), status


# --- sections of the working version ----------------------------------------------------------------

def _section_fields(form):
    return dict(title=form.title.data, body=form.body.data, plain_summary=form.plain_summary.data or "",
                topics=form.topics.data or [])


@bp.route("/drafts/<int:draft_id>/v/<int:number>/sections/new", methods=["GET", "POST"])
@facilitators_only
def new_section(draft_id, number):
    draft = _get_draft(draft_id)
    version = _get_version(draft, number)
    if version.is_published:
        return _conflict(draft, f"Version {number} has been published and can no longer change. "
                                "Make a new version to add sections.")
    form = SectionForm()
    if done := submit(form, lambda: services.add_section(current_user, version, **_section_fields(form))):
        section = done.value
        flash(f"“{section.title}” has been added to version {number}", "success")
        return redirect(url_for(".draft", draft_id=draft.id, _anchor=f"section-{section.id}"), 303)
    return render_template("drafts/section_form.html", draft=draft, version=version, form=form, section=None,
                           action=url_for(".new_section", draft_id=draft.id, number=number))


@bp.route("/drafts/<int:draft_id>/sections/<int:section_id>/edit", methods=["GET", "POST"])
@facilitators_only
def edit_section(draft_id, section_id):
    draft = _get_draft(draft_id)
    section = _get_section(draft, section_id)
    version = section.version
    if version.is_published:
        return _conflict(draft, f"Version {version.number} has been published and can no longer change. "
                                "Make a new version to edit this section.")
    form = SectionForm()
    if not form.is_submitted():
        form.title.data, form.body.data, form.plain_summary.data = section.title, section.body, section.plain_summary
        form.topics.data = [topic.value for topic in section.topic_set]
    if submit(form, lambda: services.update_section(current_user, section, **_section_fields(form))):
        flash(f"“{section.title}” has been saved", "success")
        return redirect(url_for(".draft", draft_id=draft.id, _anchor=f"section-{section.id}"), 303)
    return render_template("drafts/section_form.html", draft=draft, version=version, form=form, section=section,
                           action=url_for(".edit_section", draft_id=draft.id, section_id=section.id))


@bp.route("/drafts/<int:draft_id>/sections/<int:section_id>/move", methods=["POST"])
@facilitators_only
def move_section(draft_id, section_id):
    """Move a section up or down. With htmx the sections list is replaced in place; without, back to the page."""
    draft = _get_draft(draft_id)
    section = _get_section(draft, section_id)
    form = MoveForm()
    title, ok = section.title, False
    if not form.validate_on_submit():
        message = "Choose whether to move the section up or down"
    else:
        try:
            services.move_section(current_user, section, -1 if form.direction.data == "up" else 1)
        except DomainError as error:
            message = error.message
        else:
            message, ok = f"“{title}” moved {form.direction.data}", True
    if htmx.target == "sections":
        context = _draft_context(draft, status_message=message, oob=True)
        return _vary(render_blocks("drafts/draft.html", ["sections", "sections_status"], **context))
    flash(message, "success" if ok else "error")
    return _vary(redirect(url_for(".draft", draft_id=draft.id, _anchor=f"section-{section_id}"), 303))


@bp.route("/drafts/<int:draft_id>/sections/<int:section_id>/remove", methods=["GET", "POST"])
@facilitators_only
def remove_section(draft_id, section_id):
    draft = _get_draft(draft_id)
    section = _get_section(draft, section_id)
    if section.version.is_published:
        return _conflict(draft, f"Version {section.version.number} has been published and can no longer change.")
    form = ConfirmForm()
    if form.validate_on_submit():
        title = section.title
        try:
            services.remove_section(current_user, section)
        except DomainError as error:
            return _conflict(draft, error.message)
        flash(f"“{title}” has been removed from this version", "success")
        return redirect(url_for(".draft", draft_id=draft.id, _anchor="sections"), 303)
    return render_template("drafts/remove_section.html", draft=draft, section=section, confirm_form=form)
