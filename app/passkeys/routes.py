"""A signatory's passkeys: list, add (WebAuthn registration in static/js/passkeys.js), remove with a confirmation;
and the partnership setting "Partners must sign with a passkey" (facilitators)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.access import SIGNATORIES
from app.accounts.models import Role
from app.errors import NotFound
from app.forms import submit
from app.passkeys import services
from app.passkeys.forms import AddPasskeyForm, PasskeySettingForm, RemovePasskeyForm
from app.partnerships.services import current_partnership
from app.security import roles_required

bp = Blueprint("passkeys", __name__)

from app.passkeys import models  # noqa: E402,F401  (registers the tables)


@bp.route("/passkeys", methods=["GET", "POST"])
@roles_required(*SIGNATORIES)
def index():
    form = AddPasskeyForm()
    if submit(form, lambda: services.register(current_user, credential_json=form.credential.data,
                                               label=form.label.data)):
        flash(f"Passkey “{' '.join(form.label.data.split())}” added. You can sign off with it now.", "success")
        return redirect(url_for(".index"), 303)
    form.credential.data = ""
    return render_template("passkeys/index.html", form=form, passkeys=services.passkeys_of(current_user),
                           options=services.registration_options(current_user),
                           required=services.passkey_required(current_partnership()))


def _own(passkey_id):
    try:
        return services.get_own(current_user, passkey_id)
    except NotFound:
        abort(404)


@bp.route("/passkeys/<int:passkey_id>/remove", methods=["GET", "POST"])
@roles_required(*SIGNATORIES)
def remove(passkey_id):
    passkey = _own(passkey_id)
    form = RemovePasskeyForm()
    label = passkey.label
    if submit(form, lambda: services.remove(current_user, passkey)):
        flash(f"Passkey “{label}” removed. Sign-offs made with it can still be checked.", "success")
        return redirect(url_for(".index"), 303)
    return render_template("passkeys/remove.html", passkey=passkey, form=form)


@bp.route("/admin/partnership/passkeys", methods=["POST"])
@roles_required(Role.FACILITATOR)
def setting():
    partnership = current_partnership()
    if partnership is None:
        abort(404)
    form = PasskeySettingForm()
    if submit(form, lambda: services.set_passkey_required(current_user, partnership, form.passkey_required.data)):
        flash("Partners must now sign off with a passkey: the password is no longer accepted."
              if form.passkey_required.data else
              "Partners may sign off with a passkey or, if they have none, with their password.", "success")
    return redirect(url_for("partnerships.partnership") + "#passkeys", 303)
