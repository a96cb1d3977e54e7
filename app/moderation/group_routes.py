"""A young people's group as its youth worker looks after it: members, reset codes, suspension, invite codes.

Thin views in a fixed order: load and authorise (404/403), validate the form, call one service, then 303.
The services (app.moderation.members) check again that the person leads this group.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.accounts.models import Person, Role
from app.extensions import db
from app.forms import attempt, submit
from app.moderation import members, services
from app.moderation.forms import ChangeCodeForm, ConfirmForm, SuspendForm
from app.moderation.models import InviteCode
from app.partnerships.models import Organisation
from app.security import roles_required
from app.timeutil import utcnow

bp = Blueprint("groups", __name__)

GROUP_LEADS = (Role.FACILITATOR, Role.YOUTH_WORKER)


def _group(organisation_id):
    group = db.session.get(Organisation, organisation_id)
    if group is None or group.partnership_id != current_user.partnership_id:
        abort(404)
    if not services.can_issue_codes(current_user, group):
        abort(403)
    return group


def _member(person_id):
    member = db.session.get(Person, person_id)
    if member is None or not member.has_role(Role.YOUNG_PERSON) or member.organisation is None:
        abort(404)
    return member, _group(member.organisation_id)


def _invite(code_id):
    invite = db.session.get(InviteCode, code_id)
    if invite is None:
        abort(404)
    return invite, _group(invite.organisation_id)


def _back(group, anchor=None):
    return redirect(url_for(".group", organisation_id=group.id, _anchor=anchor), 303)


@bp.route("/groups/<int:organisation_id>")
@roles_required(*GROUP_LEADS)
def group(organisation_id):
    group = _group(organisation_id)
    return render_template("moderation/group.html", group=group, members=members.members_of(current_user, group),
                           codes=members.codes_of(group), now=utcnow())


@bp.route("/groups/members/<int:person_id>/reset-code", methods=["POST"])
@roles_required(*GROUP_LEADS)
def reset_code(person_id):
    member, group = _member(person_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not (done := attempt(lambda: members.issue_reset_code(current_user, member), "info")):
        return _back(group, f"member-{member.id}")
    code = done.value
    # Post/Redirect/Get: the code waits in the signed session cookie for the one page that shows it, then goes;
    # only its SHA-256 is kept on the server.
    session[_RESET_CODE] = {"person": member.id, "code": code}
    return redirect(url_for(".reset_code_shown", person_id=member.id), 303)


@bp.route("/groups/members/<int:person_id>/reset-code")
@roles_required(*GROUP_LEADS)
def reset_code_shown(person_id):
    member, group = _member(person_id)
    kept = session.pop(_RESET_CODE, None)
    if not kept or kept.get("person") != member.id:
        flash("That reset code has already been shown. Give the member a new one if they need it.", "info")
        return _back(group, f"member-{member.id}")
    return render_template("moderation/reset_code_created.html", group=group, member=member, code=kept["code"],
                           hours=members.RESET_CODE_HOURS)


_RESET_CODE = "reset_code_to_show"


@bp.route("/groups/members/<int:person_id>/suspend", methods=["GET", "POST"])
@roles_required(*GROUP_LEADS)
def suspend(person_id):
    member, group = _member(person_id)
    form = SuspendForm()
    if submit(form, lambda: members.suspend(current_user, member, form.reason.data)):
        flash(f"{member.username}’s account is suspended: they cannot sign in. Their published comments stay.",
              "success")
        return _back(group, f"member-{member.id}")
    return render_template("moderation/suspend.html", group=group, member=member, form=form)


@bp.route("/groups/members/<int:person_id>/reactivate", methods=["POST"])
@roles_required(*GROUP_LEADS)
def reactivate(person_id):
    member, group = _member(person_id)
    if ConfirmForm().validate_on_submit() and attempt(lambda: members.reactivate(current_user, member), "info"):
        flash(f"{member.username} can sign in again", "success")
    return _back(group, f"member-{member.id}")


@bp.route("/groups/invite-codes/<int:code_id>/revoke", methods=["POST"])
@roles_required(*GROUP_LEADS)
def revoke_code(code_id):
    invite, group = _invite(code_id)
    if ConfirmForm().validate_on_submit() and attempt(lambda: members.revoke_code(current_user, invite), "info"):
        flash("The code has been stopped: nobody else can join with it", "success")
    return _back(group, f"code-{invite.id}")


@bp.route("/groups/invite-codes/<int:code_id>", methods=["GET", "POST"])
@roles_required(*GROUP_LEADS)
def change_code(code_id):
    invite, group = _invite(code_id)
    form = ChangeCodeForm(max_uses=invite.max_uses)
    if request.method == "GET":
        form.days.data = max(1, (invite.expires_at - utcnow()).days)
    if submit(form, lambda: members.change_code(current_user, invite, max_uses=form.max_uses.data,
                                                expires_at=services.expiry(form.days.data))):
        flash("The code has been changed", "success")
        return _back(group, f"code-{invite.id}")
    return render_template("moderation/change_code.html", group=group, invite=invite, form=form,
                           confirm_form=ConfirmForm())
