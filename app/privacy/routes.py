"""Privacy notices (no sign-in), what we hold about you, consent changes, erasure and the data protection settings."""
import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.accounts.models import Person, Role
from app.consultations.models import Comment
from app.extensions import db
from app.forms import submit
from app.partnerships.services import current_partnership
from app.privacy import processing, services
from app.privacy.forms import EraseForm, SettingsForm, UseForm
from app.privacy.models import LAWFUL_BASES, USES
from app.security import roles_required

bp = Blueprint("privacy", __name__)
facilitators_only = roles_required(Role.FACILITATOR)


def _notice_context():
    partnership = current_partnership()
    if partnership is None:
        abort(404)
    return {"partnership": partnership, "settings": services.settings_for(partnership), "uses": USES}


@bp.route("/privacy")
def notice():
    return render_template("privacy/notice.html", **_notice_context())


@bp.route("/privacy/young-people")
def young_notice():
    return render_template("privacy/young_notice.html", **_notice_context())


# --- what we hold about you ------------------------------------------------------------------------

@bp.route("/my-data")
@login_required
def my_data():
    return render_template("privacy/my_data.html", held=services.subject_access(current_user), uses=USES,
                           form=UseForm(formdata=None))


@bp.route("/my-data.json")
@login_required
def my_data_json():
    body = json.dumps(services.subject_access(current_user), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="what-we-hold-about-you.json"',
                             "Cache-Control": "no-store"})


@bp.route("/my-data/comments/<int:comment_id>/use", methods=["POST"])
@login_required
def change_use(comment_id):
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.author_id != current_user.id:
        abort(404)
    form = UseForm()
    if submit(form, lambda: services.change_use(current_user, comment, form.use.data)):
        flash("Your choice has been saved", "success")
        return redirect(url_for(".my_data", _anchor=f"comment-{comment_id}"), 303)
    # The page's forms are one per comment: the summary names the problem without a field link.
    form.form_errors.extend(message for field in form for message in field.errors)
    for field in form:
        field.errors = []
    return render_template("privacy/my_data.html", held=services.subject_access(current_user), uses=USES,
                           form=form)


# --- facilitators: erasure, settings, the record of processing ----------------------------------------

def _person(person_id):
    person = db.session.get(Person, person_id)
    if person is None or person.partnership_id != current_user.partnership_id:
        abort(404)
    return person


@bp.route("/admin/people/<int:person_id>/erase", methods=["GET", "POST"])
@facilitators_only
def erase(person_id):
    person = _person(person_id)
    form = EraseForm()
    if done := submit(form, lambda: services.erase_person(current_user, person)):
        result = done.value
        n = result["comments"]
        flash(f"Erasure carried out: {n} comment text{'' if n == 1 else 's'} removed" if result["changed"]
              else "Nothing left to erase: this request had already been carried out", "success")
        return redirect(url_for(".erase", person_id=person.id), 303)
    return render_template("privacy/erase.html", person=person, form=form,
                           concerns=services.open_concerns(person), signoffs=services.published_signoffs(person),
                           held=services.subject_access(person))


@bp.route("/admin/data-protection/settings", methods=["GET", "POST"])
@facilitators_only
def settings():
    partnership = current_partnership()
    current = services.settings_for(partnership)
    form = SettingsForm(obj=current)
    if submit(form, lambda: services.save_settings(current_user, partnership, **{
            name: field.data for name, field in form._fields.items() if name != "csrf_token"})):
        flash("The data protection settings have been saved", "success")
        return redirect(url_for(".settings"), 303)
    return render_template("privacy/settings.html", form=form, bases=LAWFUL_BASES)


@bp.route("/admin/data-protection")
@facilitators_only
def record():
    partnership = current_partnership()
    return render_template("privacy/record.html", settings=services.settings_for(partnership),
                           tables=processing.record(services.settings_for(partnership)))
