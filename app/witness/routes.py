"""The witness part of the scrutineer's workspace: check for new checkpoints, check one you kept, deal with an
alarm. The workspace page itself (/scrutiny) shows the alarms and the checkpoints seen (workspace_context)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.models import Role
from app.forms import submit
from app.security import roles_required
from app.witness import services
from app.witness.forms import CheckForm, DealtWithForm, PastedCheckpointForm

bp = Blueprint("witness", __name__)
scrutineers_only = roles_required(Role.SCRUTINEER)


def workspace_context(person, dealt_with_form=None, dealing=None):
    """What the workspace shows of the witness: new checkpoints are seen first (so an alarm shows at once)."""
    services.check_new_checkpoints(person)
    return dict(witness_alarms=services.active_alarms(), witness_seen=services.seen(), witness_check_form=CheckForm(),
                witness_dealt_form=dealt_with_form or DealtWithForm(), witness_dealing=dealing,
                witness_paste_form=PastedCheckpointForm(), short_root=services.short_root)


@bp.route("/scrutiny/checkpoints/check", methods=["POST"])
@scrutineers_only
def check():
    form = CheckForm()
    if done := submit(form, lambda: services.check_new_checkpoints(current_user)):
        added, alarms = done.value
        if alarms:
            flash(f"{len(alarms)} checkpoint(s) disagree with the log: see the warning", "error")
        elif added:
            flash(f"{len(added)} new checkpoint(s) seen, each consistent with the one before", "success")
        else:
            flash("No new checkpoints since the last one seen", "success")
    return redirect(url_for("scrutiny.index", _anchor="witness"), 303)


@bp.route("/scrutiny/checkpoints/kept", methods=["GET", "POST"])
@scrutineers_only
def kept():
    """Check a checkpoint a witness kept (pasted from the email) against the log as it is now."""
    form = PastedCheckpointForm()
    answer = None
    if done := submit(form, lambda: services.check_pasted(current_user, form.note.data)):
        answer = done.value
    status = 400 if form.errors else 200
    return render_template("witness/kept.html", form=form, answer=answer), status


@bp.route("/scrutiny/alarms/<int:alarm_id>/dealt-with", methods=["POST"])
@scrutineers_only
def dealt_with(alarm_id):
    form = DealtWithForm()
    if submit(form, lambda: services.deal_with_alarm(current_user, alarm_id, form.note.data)):
        flash("What was done has been recorded; the alarm stays in the log and the list of alarms", "success")
        return redirect(url_for("scrutiny.index", _anchor="witness"), 303)
    from app.scrutiny.routes import render_index  # the workspace again, with the error on this alarm's form
    form.note.id = f"dealt-{alarm_id}"
    return render_index(status=400, form=form, **workspace_context(current_user, form, alarm_id))
