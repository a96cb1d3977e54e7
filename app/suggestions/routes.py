"""Suggested wording: suggesting (with JavaScript from a selection, or without it by typing the passage or editing
a copy of the section's text), a suggestion's page (support it, comment on it), the facilitator's decision, a
consultation's list of suggestions and their open data.

Who sees what follows the consultation and the suggestion's comment: a suggestion is shown to whoever may see its
comment (app/consultations/queries.py, access_for and can_see), and only facilitators decide.
"""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required

from app.access import load_comment, load_consultation
from app.accounts.models import Role
from app.consultations import queries as consultation_queries
from app.consultations.models import Consultation
from app.drafts.models import Section
from app.errors import DomainError
from app.extensions import db, limiter
from app.forms import add_domain_error, submit
from app.scrutiny.routes import OPEN_DATA_LIMIT, open_data_available
from app.security import roles_required
from app.suggestions import exports, queries, services, text
from app.suggestions.forms import HOW, DecideForm, EditForm, PassageForm, SupportForm
from app.suggestions.models import Suggestion

bp = Blueprint("suggestions", __name__)

from app.suggestions import models  # noqa: E402,F401  (registers the tables)

PENDING_MESSAGE = "Thank you. A moderator will check your suggestion before anyone else can see it."


# --- loading and authorising --------------------------------------------------------------------

def _consultation(consultation_id):
    return load_consultation(consultation_id)


def _load(suggestion_id):
    """A suggestion is seen by whoever sees its reason (a comment): app/access.py's one rule."""
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None:
        abort(404)
    _comment, consultation, access = load_comment(suggestion.comment_id)
    return suggestion, consultation, access


def _section(consultation, section_id):
    section = db.session.get(Section, section_id)
    if section is None or section.version_id != consultation.version_id:
        abort(404)
    return section


def _see_other(url):
    return redirect(url, 303)


# --- suggesting ---------------------------------------------------------------------------------

def _forms(section, posted=None):
    """The two ways to suggest, each with its own prefix; the one sent keeps what was typed."""
    current = text.sha256(section.body or "")
    passage = PassageForm(prefix="p", formdata=request.form if posted == "passage" else None)
    edit = EditForm(prefix="e", formdata=request.form if posted == "edit" else None)
    if posted != "passage":
        chosen = (request.args.get("passage") or "")[:services.MAX_PASSAGE]
        passage.passage.data = passage.replacement.data = chosen
    if posted != "edit":
        edit.edited.data = section.body
    for form, how in ((passage, "passage"), (edit, "edit")):
        if how != posted:  # the form sent keeps the text it was made against: the service checks it
            form.made_against.data = current
    return passage, edit


@bp.route("/consultations/<int:consultation_id>/sections/<int:section_id>/suggest", methods=["GET", "POST"])
@login_required
def suggest(consultation_id, section_id):
    consultation, access = _consultation(consultation_id)
    section = _section(consultation, section_id)
    if not access.can_take_part:
        abort(403)
    posted = request.form.get("how") if request.method == "POST" else None
    if request.method == "POST" and posted not in HOW:
        abort(400)
    passage_form, edit_form = _forms(section, posted)
    form = passage_form if posted == "passage" else edit_form
    if posted and form.validate_on_submit():
        try:
            suggestion = services.suggest(
                current_user, consultation, section, reason=form.reason.data, made_against=form.made_against.data,
                passage=form.passage.data if posted == "passage" else None,
                replacement=(form.replacement.data or "") if posted == "passage" else None,
                edited=form.edited.data if posted == "edit" else None, use=form.use.data,
                submission_key=form.submission.data)
        except DomainError as error:
            add_domain_error(form, error)
            if error.message == services.STALE:
                form.made_against.data = text.sha256(section.body or "")
        else:
            comment = suggestion.comment
            if comment.status == "concern":
                return _see_other(url_for("moderation.held_for_safeguarding", comment_id=comment.id))
            flash(f"Your suggestion for “{section.title}” has been saved" if comment.status == "published"
                  else PENDING_MESSAGE, "success")
            return _see_other(url_for("consultations.show", consultation_id=consultation.id,
                                      _anchor=f"comment-{comment.id}"))
    return render_template("suggestions/suggest.html", consultation=consultation, access=access, section=section,
                           passage_form=passage_form, edit_form=edit_form, posted=posted,
                           form=form if posted and form.errors else None)


# --- one suggestion -----------------------------------------------------------------------------

def _show(suggestion, consultation, access, support_form=None, status=200):
    item = queries.one(suggestion, access)
    root = consultation_queries.thread(consultation, access, suggestion.comment_id)
    others = [other for other in queries.for_consultation(consultation, access)
              if other.section.id == suggestion.section_id and other.suggestion.id != suggestion.id]
    return render_template("suggestions/show.html", consultation=consultation, access=access, item=item, root=root,
                           others=others, support_form=support_form or SupportForm(formdata=None),
                           form=support_form if support_form is not None and support_form.errors else None), status


@bp.route("/suggestions/<int:suggestion_id>")
@login_required
def show(suggestion_id):
    return _show(*_load(suggestion_id))


@bp.route("/suggestions/<int:suggestion_id>/support", methods=["POST"])
@login_required
def support(suggestion_id):
    suggestion, consultation, access = _load(suggestion_id)
    if not access.can_take_part:
        abort(403)
    form = SupportForm()
    supporting = form.action.data == "support"
    if submit(form, lambda: services.support(current_user, suggestion) if supporting
              else services.withdraw_support(current_user, suggestion)):
        flash(f"You support suggestion {suggestion.id}" if supporting
              else f"You no longer support suggestion {suggestion.id}", "success")
        return _see_other(url_for(".show", suggestion_id=suggestion.id))
    return _show(suggestion, consultation, access, support_form=form)


# --- the facilitator's decision -----------------------------------------------------------------

def _decide_form(suggestion, response):
    form = DecideForm()
    if not form.is_submitted():
        form.outcome.data = suggestion.outcome
        form.final_text.data = suggestion.final_text or suggestion.replacement
        form.reason.data = response.reason if response is not None else ""
    return form


def _destination(suggestion):
    """Where accepting would put the wording: (version number, made anew?, refusal or None)."""
    draft_id = suggestion.section.version.draft_id
    working = services.working_version(draft_id)
    if working is None:
        latest = services.latest_published(draft_id)
        section = next((s for s in latest.sections if s.key == suggestion.section_key), None)
        number, new = latest.number + 1, True
    else:
        section = next((s for s in working.sections if s.key == suggestion.section_key), None)
        number, new = working.number, False
    problem = None
    if section is None:
        problem = f"“{suggestion.section.title}” is not in the newest version, so accepting it cannot change the draft."
    else:
        try:
            services.place_in(section, suggestion)
        except DomainError as error:
            problem = error.message
    return number, new, problem


@bp.route("/suggestions/<int:suggestion_id>/decide", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR)
def decide(suggestion_id):
    from app.responses import services as responses

    suggestion, consultation, access = _load(suggestion_id)
    item = queries.one(suggestion, access)
    form = _decide_form(suggestion, item.response)
    if submit(form, lambda: services.decide(
            current_user, suggestion, outcome=form.outcome.data, reason=form.reason.data,
            final_text=form.final_text.data, amendment_reason=form.amendment_reason.data)):
        decided = suggestion.outcome_enum
        where = f" into version {suggestion.applied_version.number}" if suggestion.applied_version else ""
        flash(f"Suggestion {suggestion.id}: {decided.label.lower()}{where}. Its answer is a draft until you publish "
              "the answers.", "success")
        return _see_other(url_for(".index", consultation_id=consultation.id, _anchor=f"suggestion-{suggestion.id}"))
    number, new, problem = _destination(suggestion)
    return render_template("suggestions/decide.html", consultation=consultation, access=access, item=item,
                           decide_form=form, form=form if form.errors else None, number=number, new_version=new,
                           problem=problem, may_answer=responses.may_answer(consultation),
                           frozen=responses.frozen(consultation))


# --- a consultation's suggestions -----------------------------------------------------------------

@bp.route("/consultations/<int:consultation_id>/suggestions")
@login_required
def index(consultation_id):
    consultation, access = _consultation(consultation_id)
    items = queries.for_consultation(consultation, access)
    sections = [(section, [item for item in items if item.section.id == section.id])
                for section in consultation.version.sections]
    return render_template("suggestions/index.html", consultation=consultation, access=access, sections=sections,
                           items=items)


@bp.route("/open-data/consultations/<int:consultation_id>/suggestions.csv")
@limiter.limit(OPEN_DATA_LIMIT)
def open_data(consultation_id):
    """Public, as the comments' open data: never logged, rate-limited, only once the arrangement is published."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or not open_data_available(consultation):
        abort(404)
    response = Response(stream_with_context(exports.open_data_csv(consultation)), mimetype="text/csv")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="consultation-{consultation.id}-suggestions.csv"'
    return response
