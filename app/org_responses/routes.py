"""Formal responses from organisations: start one, write it with co-authors, submit it once; answer it.

A draft is shown to its lead and co-authors only: to anyone else its URL is a 404, as if it did not exist.
"""
from dataclasses import dataclass, field

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.access import load_consultation
from app.accounts.models import Person, Role
from app.errors import DomainError
from app.extensions import db
from app.forms import add_domain_error, attempt, submit
from app.org_responses import services
from app.org_responses.forms import AnswerForm, CoAuthorForm, PublishAnswerForm, StartForm, draft_form
from app.org_responses.models import OrgResponse
from app.security import roles_required

bp = Blueprint("org_responses", __name__)


# --- the consultation page's part -----------------------------------------------------------------

@dataclass
class FormalPart:
    """What the consultation page shows of formal responses to one reader."""

    submitted: list
    answers: dict
    drafts: list = field(default_factory=list)  # the reader's own (as lead or co-author)
    may_start: bool = False
    colleagues_draft: object = None  # a draft of the reader's organisation led by a colleague (who may add them)
    organisation: object = None
    own_submitted: object = None  # the reader's organisation's submitted response


def page_part(consultation, person, access):
    submitted, drafts, colleagues = services.for_page(person, consultation.id)
    part = FormalPart(submitted=submitted, answers=services.answers_of(consultation.id, drafts=False), drafts=drafts)
    if services.may_lead(person, consultation):
        part.organisation = person.organisation
        part.own_submitted = next((r for r in submitted if r.organisation_id == person.organisation_id), None)
        part.colleagues_draft = next(iter(colleagues), None) if part.own_submitted is None else None
        part.may_start = access.is_open and part.own_submitted is None and part.colleagues_draft is None and not any(
            d.organisation_id == person.organisation_id for d in part.drafts)
    return part


def report_part(consultation, *, drafts):
    """The consultation report's part: every submitted response and its answer (drafts for those who see all)."""
    return FormalPart(submitted=services.submitted_of(consultation.id),
                      answers=services.answers_of(consultation.id, drafts=drafts))


# --- loading and authorising ----------------------------------------------------------------------

def _consultation(consultation_id):
    return load_consultation(consultation_id, need="read")


def _load(response_id):
    """The response, if the reader may see it: a submitted one with its consultation, a draft by its authors only."""
    response = db.session.get(OrgResponse, response_id)
    if response is None:
        abort(404)
    consultation, access = _consultation(response.consultation_id)
    if not services.may_read(current_user, response):
        abort(404)
    return response, consultation, access


def _see_other(url):
    return redirect(url, 303)


# --- starting and writing -------------------------------------------------------------------------

@bp.route("/consultations/<int:consultation_id>/formal-responses", methods=["POST"])
@login_required
def start(consultation_id):
    consultation, _access = _consultation(consultation_id)
    if StartForm().validate_on_submit():
        if done := attempt(lambda: services.start(current_user, consultation)):
            response = done.value
            flash(f"You have started {response.organisation.name}’s formal response. Only you and the co-authors "
                  "you add can see it until you submit it.", "success")
            return _see_other(url_for(".show", response_id=response.id))
    return _see_other(url_for("consultations.show", consultation_id=consultation.id, _anchor="formal-responses"))


def _texts(form, sections):
    return {s.id: form[f"section_{s.id}"].data or "" for s in sections}


@bp.route("/formal-responses/<int:response_id>", methods=["GET", "POST"])
@login_required
def show(response_id):
    response, consultation, access = _load(response_id)
    sections = list(consultation.version.sections)
    if response.is_submitted or not services.is_author(current_user, response):
        if request.method == "POST":
            abort(409 if response.is_submitted else 404)
        return render_template("org_responses/submitted.html", response=response, consultation=consultation,
                               parts=services.parts(response, consultation),
                               answer=services.answers_of(consultation.id, drafts=access.sees_all).get(response.id))
    initial = {f"section_{s.id}": response.text_for(s.id) for s in sections}
    form = draft_form(sections, version=response.version, overall=response.overall, **initial)
    version, theirs = response.version, None
    if form.validate_on_submit():
        submitting = request.form.get("action") == "submit"
        try:
            if submitting:
                receipt = services.submit(current_user, response, version=form.version.data,
                                          sections=_texts(form, sections), overall=form.overall.data)
            else:
                services.save(current_user, response, sections=_texts(form, sections), overall=form.overall.data,
                              version=form.version.data)
        except services.EditConflict as conflict:
            add_domain_error(form, conflict)
            theirs, version = services.parts(conflict.theirs, consultation), conflict.theirs.version
        except DomainError as error:
            add_domain_error(form, error)
            version = form.version.data
        else:
            if submitting:
                flash(f"{response.organisation.name}’s formal response has been submitted. We have emailed you a "
                      f"copy; the consultation log records it as entry {receipt['seq']}.", "success")
                return _see_other(url_for("consultations.show", consultation_id=consultation.id,
                                          _anchor=f"formal-response-{response.id}"))
            flash("Your draft has been saved", "success")
            return _see_other(url_for(".show", response_id=response.id))
    elif form.is_submitted():
        version = form.version.data or response.version
    co_author_form = None
    if current_user.id == response.lead_id:
        co_author_form = CoAuthorForm(formdata=None)
        co_author_form.person.choices = _co_author_choices(response)
    return render_template("org_responses/draft.html", response=response, consultation=consultation, access=access,
                           sections=sections, draft=form, version=version, theirs=theirs,
                           form=form if form.errors else None, co_author_form=co_author_form,
                           is_lead=current_user.id == response.lead_id)


def _co_author_choices(response):
    return [("", "Choose a person")] + [(p.id, p.display_name) for p in services.co_author_choices(response)]


@bp.route("/formal-responses/<int:response_id>/co-authors", methods=["POST"])
@login_required
def add_co_author(response_id):
    response, _consultation_, _access = _load(response_id)
    if response.is_submitted or current_user.id != response.lead_id:
        abort(403 if services.is_author(current_user, response) else 404)
    form = CoAuthorForm()
    form.person.choices = _co_author_choices(response)
    if form.validate_on_submit():
        person = db.session.get(Person, form.person.data) if form.person.data else None
        if attempt(lambda: services.add_co_author(current_user, response, person)):
            flash(f"{person.display_name} can now see and edit this draft", "success")
    else:
        flash(next(iter(form.errors.values()))[0] if form.errors else "Choose a person", "error")
    return _see_other(url_for(".show", response_id=response.id, _anchor="co-authors"))


# --- answering ("You said, we did") ---------------------------------------------------------------

@bp.route("/formal-responses/<int:response_id>/answer", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR)
def answer(response_id):
    response, consultation, _access = _load(response_id)
    if not response.is_submitted:
        abort(404)
    existing = services.answer_of(response)
    form = AnswerForm()
    if existing is not None and not form.is_submitted():
        form.outcome.data, form.reason.data = existing.outcome, existing.reason
    if submit(form, lambda: services.answer(current_user, response, outcome=form.outcome.data,
                                            reason=form.reason.data)):
        flash("Your answer has been saved. It is a draft until you publish it.", "success")
        return _see_other(url_for(".answer", response_id=response.id))
    return render_template("org_responses/answer.html", response=response, consultation=consultation,
                           parts=services.parts(response, consultation), existing=existing, answer_form=form,
                           publish_form=PublishAnswerForm(formdata=None), form=form if form.errors else None)


@bp.route("/formal-responses/<int:response_id>/answer/publish", methods=["POST"])
@roles_required(Role.FACILITATOR)
def publish_answer(response_id):
    response, _consultation_, _access = _load(response_id)
    if PublishAnswerForm().validate_on_submit():
        if attempt(lambda: services.publish_answer(current_user, response)):
            flash(f"Your answer has been published and {response.organisation.name}’s lead has been emailed",
                  "success")
    return _see_other(url_for(".answer", response_id=response.id))
