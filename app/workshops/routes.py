"""Workshop and paper input: record a session, type in its contributions, add photos of its flipcharts.

Facilitators and youth workers record and enter (RECORDERS); they, the DSL and the scrutineer read sessions and see
their photos (READERS); everyone else gets a 403 (a session of another partnership, a 404). Every form works without
JavaScript, the photo upload included (a plain file input in a multipart form).
"""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import load_consultation
from app.accounts.models import Audience
from app.attachments import storage
from app.attachments.models import size_label
from app.converters import accepts_files
from app.errors import DomainError
from app.extensions import db
from app.forms import add_domain_error
from app.security import roles_required
from app.workshops import services
from app.workshops.forms import ContributionForm, PhotoForm, SessionForm
from app.workshops.models import SESSION_AUDIENCES, WorkshopPhoto, WorkshopSession

bp = Blueprint("workshops", __name__)

recorders_only = roles_required(*services.RECORDERS)
readers_only = roles_required(*services.READERS)


def _consultation(consultation_id):
    return load_consultation(consultation_id, need="partnership")[0]


def _session(session_id):
    workshop = db.session.get(WorkshopSession, session_id)
    if workshop is None or workshop.consultation.partnership_id != current_user.partnership_id:
        abort(404)
    return workshop


@bp.route("/workshops")
@readers_only
def index():
    from app.scrutiny.queries import consultations_of

    rows = [(c, services.sessions_of(c.id)) for c in consultations_of(current_user.partnership_id)]
    return render_template("workshops/index.html", rows=rows, can_record=services.can_record(current_user))


def _read_day(form):
    parts = [(form[f"held_on_{name}"].data or "").strip() for name in ("day", "month", "year")]
    if not all(parts):
        form.held_on_day.errors = list(form.held_on_day.errors) + ["Enter the date the session was held"]
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except (ValueError, OverflowError):
        form.held_on_day.errors = list(form.held_on_day.errors) + ["The date the session was held must be a real "
                                                                   "date, for example 27 3 2026"]
        return None


def _read_count(form):
    text = (form.participants.data or "").strip().replace(",", "")
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        form.participants.errors = list(form.participants.errors) + [
            "Enter how many people took part as a number, for example 12"]
        return None
    return int(text)


@bp.route("/consultations/<int:consultation_id>/workshops/new", methods=["GET", "POST"])
@recorders_only
def new(consultation_id):
    from app.moderation.services import young_peoples_groups
    from app.partnerships.models import Organisation

    consultation = _consultation(consultation_id)
    form = SessionForm()
    groups = young_peoples_groups(current_user.partnership_id)
    others = [o for o in db.session.execute(db.select(Organisation).where(
        Organisation.partnership_id == current_user.partnership_id).order_by(Organisation.name)).scalars()
        if o not in groups]
    form.organisation.choices = ([("", "Another group (type its name below)")]
                                 + [(str(o.id), o.name) for o in groups + others])
    audiences = [a for a in Audience if a.value in SESSION_AUDIENCES and a in consultation.audience_set]
    form.audience.choices = [(a.value, a.label) for a in audiences]
    if request.method == "GET":
        if current_user.organisation_id and any(o.id == current_user.organisation_id for o in groups):
            form.organisation.data = str(current_user.organisation_id)
        form.method.data = "workshop"
        if len(audiences) >= 1:
            form.audience.data = audiences[0].value
    if form.is_submitted():
        if form.validate():
            held_on, participants = _read_day(form), _read_count(form)
            organisation = next((o for o in groups + others if str(o.id) == form.organisation.data), None)
            if held_on is not None and participants is not None:
                try:
                    workshop = services.record_session(
                        current_user, consultation, held_on=held_on, participants=participants,
                        method=form.method.data, audience=form.audience.data, organisation=organisation,
                        group_name=form.group_name.data or "")
                except DomainError as error:
                    if error.field == "held_on":
                        error.field = "held_on_day"
                    add_domain_error(form, error)
                else:
                    flash(f"The session has been recorded as “{workshop.voice_name}”. Now type in what they said.",
                          "success")
                    return redirect(url_for(".session", session_id=workshop.id), 303)
    return render_template("workshops/new.html", consultation=consultation, form=form,
                           no_audience=not audiences)


def _session_page(workshop, contribution_form=None, photo_form=None, status=200):
    sections = workshop.consultation.version.sections
    contribution_form = contribution_form or ContributionForm(formdata=None)
    contribution_form.section.choices = [("", "The whole draft")] + [(str(s.id), s.title) for s in sections]
    photo_form = photo_form or PhotoForm(formdata=None)
    form = contribution_form if contribution_form.errors else photo_form if photo_form.errors else None
    context = {"workshop": workshop, "contributions": services.contributions_of(workshop),
               "sections": {s.id: s.title for s in sections}, "contribution_form": contribution_form,
               "photo_form": photo_form, "can_record": services.can_record(current_user),
               "is_open": workshop.consultation.state == "open",
               "file_hint": "A PNG or JPEG photo or scan, smaller than "
                            f"{size_label(current_app_config('UPLOAD_MAX_BYTES'))}. Camera and location details "
                            "are removed when it is stored."}
    if form is not None:
        context["form"] = form
    return render_template("workshops/session.html", **context), status


def current_app_config(name):
    from flask import current_app

    return current_app.config[name]


@bp.route("/workshops/<int:session_id>")
@readers_only
def session(session_id):
    workshop = _session(session_id)
    return _session_page(workshop)


@bp.route("/workshops/<int:session_id>/contributions", methods=["POST"])
@recorders_only
def contribute(session_id):
    workshop = _session(session_id)
    form = ContributionForm()
    sections = {str(s.id): s for s in workshop.consultation.version.sections}
    form.section.choices = [("", "The whole draft")] + [(key, s.title) for key, s in sections.items()]
    if form.validate():
        try:
            comment = services.enter_contribution(current_user, workshop, form.body.data,
                                                  section=sections.get(form.section.data),
                                                  submission_key=form.submission.data or None)
        except DomainError as error:
            if error.field == "body" or error.field is None:
                error.field = "body"
            add_domain_error(form, error)
        else:
            held = comment.status == "concern"
            flash("Saved. It may tell us a child is being harmed, so it has gone to the designated safeguarding "
                  "lead, who has been emailed" if held else "Saved. It waits for a moderator before anyone else "
                  "sees it.", "success")
            return redirect(url_for(".session", session_id=workshop.id, _anchor="contributions"), 303)
    return _session_page(workshop, contribution_form=form)


@bp.route("/workshops/<int:session_id>/photos", methods=["POST"])
@recorders_only
@accepts_files
def add_photo(session_id):
    workshop = _session(session_id)
    form = PhotoForm()
    if form.validate():
        try:
            services.add_photo(current_user, workshop, request.files.get("photo"), form.description.data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            flash("The photo has been added. Camera and location details were removed.", "success")
            return redirect(url_for(".session", session_id=workshop.id, _anchor="photos"), 303)
    return _session_page(workshop, photo_form=form)


@bp.route("/workshop-photos/<int:photo_id>")
@readers_only
def photo(photo_id):
    item = db.session.get(WorkshopPhoto, photo_id)
    if item is None or not services.can_read(current_user, item.session):
        abort(404)
    return storage.send(item.file, storage.download_name(f"Workshop {item.session_id} photo {item.id}",
                                                         item.file.type),
                        inline=request.args.get("view") == "inline")


@bp.app_template_global()
def voice_account_html(person):
    """For the DSL's concern page: a group voice's comment was typed in by staff from a session (app/workshops)."""
    from markupsafe import Markup, escape

    workshop = db.session.execute(db.select(WorkshopSession).where(WorkshopSession.voice_id == person.id)).scalar()
    if workshop is None:
        return escape(person.display_name)
    by = workshop.recorded_by.display_name if workshop.recorded_by else "a member of staff"
    return Markup('{name}: typed in by {by} from <a class="govuk-link" href="{href}">the {method} of {day}</a>').format(
        name=person.display_name, by=by, href=url_for("workshops.session", session_id=workshop.id),
        method=workshop.method_label.lower(), day=workshop.held_on.strftime("%-d %B %Y"))


