"""Asking for sign-off, and each statutory partner's decision (with their password entered again)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.limits import password_checks
from app.access import OVERSEERS, SIGNATORIES
from app.accounts.models import Role
from app.consultations.models import Consultation
from app.drafts.models import DraftVersion
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.forms import add_domain_error
from app.responses import publishing
from app.responses import services as responses
from app.security import roles_required
from app.signoff import services
from app.signoff.forms import DecideForm, RequestSignOffForm
from app.signoff.models import SignOffRequest

bp = Blueprint("signoff", __name__)

from app.signoff import models  # noqa: F401  (registers the tables)



@bp.app_template_global("signoff_waiting")
def _signoff_waiting(person):
    """For the home page: requests waiting for this signatory's organisation."""
    authority = services.authority_of(person)
    if authority is None:
        return []
    return [r for r in services.open_requests(person.partnership_id)
            if authority.partner_id not in {s.statutory_partner_id for s in r.signoffs}]


@bp.app_template_global("signoff_returns")
def _signoff_returns(person):
    """For a facilitator's home page: returned arrangements waiting for their next step."""
    if not person.has_role(Role.FACILITATOR):
        return []
    return services.returns_waiting(person.partnership_id)


def _load_consultation(consultation_id):
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or consultation.partnership_id != current_user.partnership_id:
        abort(404)
    if not current_user.has_role(*OVERSEERS):
        abort(403)
    return consultation


def _load_request(request_id):
    request = db.session.get(SignOffRequest, request_id)
    if request is None or request.consultation.partnership_id != current_user.partnership_id:
        abort(404)
    return request


@bp.route("/signoff")
@roles_required(*OVERSEERS)
def index():
    returns = services.returns_waiting(current_user.partnership_id) if current_user.has_role(Role.FACILITATOR) else []
    return render_template("signoff/index.html", requests=services.open_requests(current_user.partnership_id),
                           authority=services.authority_of(current_user), services=services, returns=returns)


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
    if form is not None and form.validate_on_submit():
        version = db.session.get(DraftVersion, form.version.data)
        try:
            services.request_signoff(current_user, consultation, version, effective_date=form.effective,
                                     waiver_reason=form.waiver_reason.data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            flash("Sign-off has been asked for. Each statutory partner has been told.", "success")
            return redirect(url_for(".consultation", consultation_id=consultation.id), 303)
    requests = services.requests_for_consultation(consultation)
    return render_template("signoff/consultation.html", consultation=consultation, requests=requests,
                           versions=versions, request_form=form, form=form if form and form.errors else None,
                           total_unanswered=responses.answer_counts(consultation), services=services,
                           draft_answers=publishing.draft_answer_count(consultation),
                           unchanged=responses.unchanged_claims(consultation, versions[0] if versions else None),
                           open_request=next((r for r in requests if r.status == "open"), None))


@bp.route("/signoff/<int:request_id>/decide", methods=["GET", "POST"])
@roles_required(*SIGNATORIES)
# Guessing a signatory's password here is as slow as at /login (only refused attempts count).
@password_checks
def decide(request_id):
    request = _load_request(request_id)
    partner = services.partner_by_id(getattr(services.authority_of(current_user), "partner_id", None))
    try:
        services.check_may_decide(current_user, request, partner)
    except NotAllowed as error:
        return render_template("signoff/decide.html", request=request, form=None, refusal=error.message,
                               partner=partner, services=services), 403
    form = DecideForm()
    if form.validate_on_submit():
        try:
            services.decide(current_user, request, partner, decision=form.decision.data,
                            password=form.password.data, reason=form.reason.data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            title = f"“{request.version.draft.title}”, version {request.version.number},"
            flash(f"You have approved {title} for {partner.name}" if form.decision.data == "approved" else
                  f"You have returned {title} to the facilitator for {partner.name}, with your reasons", "success")
            return redirect(url_for(".decide", request_id=request.id), 303)
    form.password.data = None
    mine = next((s for s in request.signoffs if s.statutory_partner_id == partner.id), None)
    return render_template("signoff/decide.html", request=request, form=form, partner=partner, mine=mine,
                           services=services, refusal=None, returned=services.returned_earlier(request, partner),
                           unanswered=responses.unanswered_count(request.consultation))
