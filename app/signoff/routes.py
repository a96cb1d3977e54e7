"""Asking for sign-off, and each statutory partner's decision (with their password entered again)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.limits import password_checks
from app.access import OVERSEERS, SIGNATORIES, load_consultation, load_signoff_request
from app.accounts.models import Role
from app.drafts.models import DraftVersion
from app.errors import NotAllowed
from app.extensions import db
from app.forms import submit
from app.responses import publishing
from app.responses import services as responses
from app.security import roles_required
from app.signoff import services
from app.signoff.forms import DecideForm, RequestSignOffForm
from app.signoff.passkey_page import passkey_signing
from app.suggestions import queries as suggestions

bp = Blueprint("signoff", __name__)

from app.signoff import models  # noqa: F401  (registers the tables)





def _load_consultation(consultation_id):
    return load_consultation(consultation_id, need="oversee")[0]


@bp.route("/signoff")
@roles_required(*OVERSEERS)
def index():
    returns = services.returns_waiting(current_user.partnership_id) if current_user.has_role(Role.FACILITATOR) else []
    requests = services.open_requests(current_user.partnership_id)
    return render_template("signoff/index.html", requests=requests, facts=services.facts_of(requests),
                           authority=services.authority_of(current_user), returns=returns)


@bp.route("/consultations/<int:consultation_id>/signoff", methods=["GET", "POST"])
@roles_required(*OVERSEERS)
def consultation(consultation_id):
    consultation = _load_consultation(consultation_id)
    facilitator = current_user.has_role(Role.FACILITATOR)
    form = RequestSignOffForm() if facilitator else None
    if form is None and RequestSignOffForm().is_submitted():
        abort(403)
    versions = services.signable_versions(consultation)
    if form is not None:
        form.version.choices = [(v.id, f"Version {v.number}, published {v.published_at.day} {v.published_at:%B %Y}") for v in versions]
    if form is not None and submit(form, lambda: services.request_signoff(
            current_user, consultation, db.session.get(DraftVersion, form.version.data),
            effective_date=form.effective, waiver_reason=form.waiver_reason.data)):
        flash("Sign-off has been asked for. Each statutory partner has been told.", "success")
        return redirect(url_for(".consultation", consultation_id=consultation.id), 303)
    requests = services.requests_for_consultation(consultation)
    open_request = next((r for r in requests if r.status == "open"), None)
    # the version the sign-off pages speak of: the one asked for, else the one that would be, else the last asked for
    signoff_version = open_request.version if open_request else (versions[0] if versions else (
        requests[0].version if requests else None))
    return render_template("signoff/consultation.html", consultation=consultation, requests=requests,
                           signoff_version=signoff_version,
                           suggestion_checks=suggestions.accepted_in(consultation, signoff_version),
                           versions=versions, request_form=form, form=form if form and form.errors else None,
                           total_unanswered=responses.answer_counts(consultation), facts=services.facts_of(requests),
                           draft_answers=publishing.draft_answer_count(consultation),
                           unchanged=responses.unchanged_claims(consultation, versions[0] if versions else None),
                           open_request=open_request)


@bp.route("/signoff/<int:request_id>/decide", methods=["GET", "POST"])
@roles_required(*SIGNATORIES)
# Guessing a signatory's password here is as slow as at /login (only refused attempts count).
@password_checks
def decide(request_id):
    request = load_signoff_request(request_id)
    partner = services.partner_by_id(getattr(services.authority_of(current_user), "partner_id", None))
    try:
        services.check_may_decide(current_user, request, partner)
    except NotAllowed as error:
        return render_template("signoff/decide.html", request=request, form=None, refusal=error.message,
                               partner=partner, facts=services.facts_of([request]), signoff_version=request.version,
                               suggestion_checks=suggestions.accepted_in(request.consultation, request.version)), 403
    form = DecideForm()
    if submit(form, lambda: services.decide(current_user, request, partner, decision=form.decision.data,
                                            password=form.password.data, reason=form.reason.data,
                                            assertion=form.assertion.data, checkpoint=form.checkpoint.data)):
        title = f"“{request.version.draft.title}”, version {request.version.number},"
        flash(f"You have approved {title} for {partner.name}" if form.decision.data == "approved" else
              f"You have returned {title} to the facilitator for {partner.name}, with your reasons", "success")
        return redirect(url_for(".decide", request_id=request.id), 303)
    form.password.data = form.assertion.data = None
    signing = passkey_signing(request, partner, form) if request.status == "open" else None
    mine = next((s for s in request.signoffs if s.statutory_partner_id == partner.id), None)
    returned = services.returned_earlier(request, partner)
    return render_template("signoff/decide.html", request=request, form=form, partner=partner, mine=mine,
                           facts=services.facts_of([request]), refusal=None, returned=returned,
                           returned_reasons=[s for s in services.returned_by(returned)
                                             if s.statutory_partner_id == partner.id] if returned else [],
                           unanswered=responses.unanswered_count(request.consultation), signing=signing,
                           signoff_version=request.version,
                           suggestion_checks=suggestions.accepted_in(request.consultation, request.version))
