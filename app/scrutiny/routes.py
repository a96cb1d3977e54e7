"""The independent scrutineer's workspace, findings, exports, the verifier and the yearly report.

Every page is a full page; the timeline's filters are a GET form that works without JavaScript.
"""
from datetime import date, timedelta

from flask import (Blueprint, Response, abort, flash, make_response, redirect, render_template, request,
                   send_file, stream_with_context, url_for)
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import select

from app.access import load_consultation, load_finding
from app.accounts.models import Role
from app.consultations.models import Consultation, Vote
from app.converters import bounded_int
from app.extensions import db, htmx, limiter
from app.forms import attempt, submit
from app import dates
from app.scrutiny import exports, queries, report, services, words
from app.scrutiny.forms import AnswerForm, FindingForm, TimelineFilterForm, VisibilityForm
from app.security import roles_required
from app.timeutil import utcnow
from app.trail import services as trail
from app.trail.checkpoint import verify as checkpoint_check
from config import BASE_DIR

bp = Blueprint("scrutiny", __name__)

scrutineers_only = roles_required(Role.SCRUTINEER)
facilitators_and_scrutineers = roles_required(Role.FACILITATOR, Role.SCRUTINEER)
VERIFIER = BASE_DIR / "app" / "trail" / "verify_log.py"
PAGE = "scrutiny/consultation.html"
OPEN_DATA_LIMIT = "30 per minute"  # per address: plenty for people, not for a script hammering the database
TIMELINE = "timeline-results"  # the id of the page's timeline_results block


def _load(consultation_id):
    """A consultation of the signed-in person's partnership, or 404."""
    return load_consultation(consultation_id, need="partnership")[0]


def _chain_status():
    """The chain checked from the last verified entry on; every entry when the page is asked with ?full=1."""
    full = request.args.get("full") == "1"
    try:
        count, head, checked_from, checkpoint = checkpoint_check(full=full)
    except trail.ChainError as error:
        return {"ok": False, "seq": error.seq, "reason": error.reason, "count": None, "head": None, "full": full}
    return {"ok": True, "count": count, "head": head, "checked_from": checked_from, "full": full,
            "full_verified_at": checkpoint.full_verified_at if checkpoint else None}


@bp.route("/scrutiny")
@scrutineers_only
def index():
    from app.witness.routes import workspace_context  # issue 20 part 3: checkpoints seen, and the alarm
    return render_index(**workspace_context(current_user))


def render_index(status=200, **extra):
    consultations = queries.consultations_of(current_user.partnership_id)
    return render_template("scrutiny/index.html", consultations=consultations, chain=_chain_status(), **extra), status


def _timeline_filters(consultation):
    form = TimelineFilterForm(request.args)
    form.kind.choices = [("", "All")] + [(kind, words.KIND_LABELS.get(kind, kind.replace("_", " ").capitalize()))
                                         for kind in queries.action_kinds(consultation.id)]
    form.organisation.choices = [("", "All")] + [(str(o.id), o.name)
                                                 for o in queries.organisations_of(current_user.partnership_id)]
    valid = form.validate()
    from_day, from_error = dates.day_from(request.args, "from_day", "The day to start from")
    to_day, to_error = dates.day_from(request.args, "to_day", "The day to end on")
    form.day_errors = {"from_day": from_error, "to_day": to_error}
    form.day_fields = {name: dates.date_fields(name, value, request.args)
                       for name, value in (("from_day", from_day), ("to_day", to_day))}
    organisation = form.organisation.data if valid and form.organisation.data else ""
    filters = queries.TimelineFilter(
        kind=form.kind.data if valid else "", organisation=int(organisation) if organisation.isdigit() else None,
        audience=form.audience.data if valid else "", from_day=from_day, to_day=to_day)
    return form, filters


def _timeline_context(consultation):
    filter_form, filters = _timeline_filters(consultation)
    after = bounded_int(request.args.get("after"), 0)
    entries, next_after = queries.timeline(consultation.id, filters, after=after, limit=queries.PAGE_SIZE)
    query = {key: value for key, value in request.args.items() if key != "after" and value}
    labels = queries.person_labels(current_user.partnership_id)
    lookups = words.load_lookups(consultation.version.draft.partnership, labels)
    return dict(consultation=consultation, filter_form=filter_form, entries=entries, after=after,
                next_after=next_after, query=query, labels=labels, entry_time=queries.entry_time,
                lookups=lookups, describe=lambda entry: words.describe(entry.as_dict(), lookups),
                in_words=lambda columns, row: words.in_words(columns, row, lookups))


def _render_consultation(consultation, finding_form=None, status=200):
    context = _timeline_context(consultation)
    optional = {key: queries.optional_model(key) for key in queries.OPTIONAL_MODELS}
    tables = {key: (queries.columns_of(model), list(queries.rows_for_consultation(model, consultation.id)))
              for key, model in optional.items() if model is not None and key != "publications"}
    votes = db.session.execute(select(Vote).where(Vote.consultation_id == consultation.id)
                               .order_by(Vote.id)).scalars().all()
    html = render_template(
        PAGE, chain=_chain_status(), comments=queries.comments_of(consultation.id),
        comment_log=queries.comment_log(consultation.id), votes=votes, tables=tables,
        findings=services.findings_for(current_user, consultation), form=finding_form or FindingForm(),
        visibility_form=VisibilityForm(), **context)
    response = make_response(html, status)
    response.vary.add("HX-Request")
    return response


@bp.route("/scrutiny/consultations/<int:consultation_id>")
@scrutineers_only
def consultation(consultation_id):
    consultation = _load(consultation_id)
    if htmx.target == TIMELINE:  # the filter form or a page link, with JavaScript: the timeline alone
        response = make_response(render_block(PAGE, "timeline_results", **_timeline_context(consultation)))
        response.vary.add("HX-Request")
        return response
    return _render_consultation(consultation)


@bp.route("/scrutiny/consultations/<int:consultation_id>/findings", methods=["POST"])
@scrutineers_only
def record_finding(consultation_id):
    consultation = _load(consultation_id)
    form = FindingForm()
    if done := submit(form, lambda: services.record_finding(
            current_user, consultation, observation=form.observation.data,
            recommendation=form.recommendation.data, severity=form.severity.data, entries=form.entries.data)):
        finding = done.value
        flash("Finding recorded. Only scrutineers can see it until you share or release it", "success")
        return redirect(url_for(".consultation", consultation_id=consultation.id,
                                _anchor=f"finding-{finding.id}"), 303)
    return _render_consultation(consultation, finding_form=form, status=400)


@bp.route("/scrutiny/findings/<int:finding_id>/visibility", methods=["POST"])
@scrutineers_only
def finding_visibility(finding_id):
    finding = load_finding(finding_id)
    form = VisibilityForm()
    if not form.validate_on_submit():
        abort(400)
    if attempt(lambda: services.set_visibility(current_user, finding, form.visibility.data)):
        flash("Finding shared with facilitators, who can now answer it" if form.visibility.data == "shared"
              else "Finding released: it now shows on the published arrangement", "success")
    return redirect(url_for(".consultation", consultation_id=finding.consultation_id,
                            _anchor=f"finding-{finding.id}"), 303)


@bp.route("/scrutiny/findings")
@facilitators_and_scrutineers
def findings():
    found = services.findings_for(current_user)
    found = [f for f in found if f.consultation.partnership_id == current_user.partnership_id]
    return render_template("scrutiny/findings.html", findings=found, answer_form=AnswerForm(), answering=None)


@bp.route("/scrutiny/findings/<int:finding_id>/answer", methods=["POST"])
@roles_required(Role.FACILITATOR)
def answer_finding(finding_id):
    finding = load_finding(finding_id)
    form = AnswerForm()
    if submit(form, lambda: services.answer_finding(current_user, finding, form.body.data)):
        flash("Your answer has been recorded", "success")
        return redirect(url_for(".findings", _anchor=f"finding-{finding.id}"), 303)
    form.body.id = f"answer-{finding.id}"  # the error summary links to this finding's answer box
    found = [f for f in services.findings_for(current_user)
             if f.consultation.partnership_id == current_user.partnership_id]
    return render_template("scrutiny/findings.html", findings=found, answer_form=form, answering=finding.id,
                           form=form), 400


# --- exports -------------------------------------------------------------------------------------

@bp.route("/scrutiny/consultations/<int:consultation_id>/export.zip")
@scrutineers_only
def export_zip(consultation_id):
    consultation = _load(consultation_id)
    by_id, partnership_id = current_user.id, consultation.partnership_id
    filename = f"consultation-{consultation.id}-scrutiny-export-{utcnow():%Y%m%d-%H%M%S}.zip"
    # Logged once the last byte is produced: a download that fails or stops half-way is not logged as served.
    chunks = exports.scrutiny_zip(consultation_id, partnership_id,
                                  on_served=lambda: services.log_export(by_id, "scrutiny", consultation_id))
    response = Response(stream_with_context(chunks), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/scrutiny/verify_log.py")
def verifier():
    """The standalone verifier (standard library only): anyone may check a log against a published head."""
    return send_file(VERIFIER, mimetype="text/x-python", as_attachment=True, download_name="verify_log.py")


def open_data_available(consultation):
    """Only once the arrangement is published (closed consultations while publications are not recorded)."""
    publications = queries.optional_model("publications")
    if publications is not None and queries.about_consultations(publications, [consultation.id]) is not None:
        return any(True for _ in queries.rows_for_consultation(publications, consultation.id))
    return consultation.state == "closed"


@bp.route("/open-data/consultations/<int:consultation_id>.csv")
@limiter.limit(OPEN_DATA_LIMIT)
def open_data(consultation_id):
    """Public: never logged (anonymous requests never write to the log) and rate-limited per address."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or not open_data_available(consultation):
        abort(404)
    response = Response(stream_with_context(exports.open_data_csv(consultation)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="consultation-{consultation.id}-comments.csv"'
    return response


# --- the yearly report ---------------------------------------------------------------------------

def _report_start():
    """The start of the 12 months from GOV.UK date fields (or `from=YYYY-MM-DD` in a link); by default the 12
    months that end today. (start, error message or None): a wrong date is never silently ignored."""
    start, error = dates.day_from(request.args, "from", "The start date")
    if start is None:
        return report.year_before(date.today()) + timedelta(days=1), error
    return start, None


@bp.route("/scrutiny/yearly")
@facilitators_and_scrutineers
def yearly():
    start, error = _report_start()
    data = report.yearly_report(current_user.partnership_id, start)
    return render_template("scrutiny/yearly.html", report=data, error=error,
                           fields=dates.date_fields("from", data.start, request.args if error else None)), \
        (400 if error else 200)


@bp.route("/scrutiny/yearly.csv")
@facilitators_and_scrutineers
def yearly_csv():
    start, error = _report_start()
    if error:
        abort(400)
    rows = list(report.yearly_report(current_user.partnership_id, start).rows())  # all loaded before streaming
    response = Response(exports.csv_chunks(["section", "item", "value"], rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="yearly-report-{start.isoformat()}.csv"'
    return response
