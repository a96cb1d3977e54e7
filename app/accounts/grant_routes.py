"""Role grants waiting for a second person's confirmation, and the history of grants and removals."""
import click
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.accounts import grants, services as accounts
from app.accounts.models import Role, RoleGrantRequest
from app.errors import DomainError
from app.extensions import db
from app.forms import attempt
from app.partnerships.services import current_partnership
from app.security import roles_required

bp = Blueprint("role_grants", __name__, cli_group=None)
# The business unit asks; partners confirm; the scrutineer watches.
readers = roles_required(Role.FACILITATOR, Role.LEAD_SIGNATORY, Role.DELEGATED_SIGNATORY, Role.SCRUTINEER)


@bp.route("/role-grants")
@readers
def index():
    partnership = current_partnership() or abort(404)
    pending, history = grants.pending_and_history(partnership)
    user = current_user._get_current_object()
    confirmable = {request.id for request in pending if grants.may_confirm(user, request)}
    return render_template("accounts/role_grants.html", pending=pending, history=history, confirmable=confirmable)


@bp.route("/role-grants/<int:request_id>/confirm", methods=["POST"])
@readers
def confirm(request_id):
    request = db.session.get(RoleGrantRequest, request_id) or abort(404)
    if request.person.partnership_id != current_user.partnership_id:
        abort(404)
    if attempt(lambda: grants.confirm(current_user._get_current_object(), request)):
        flash(f"{request.person.display_name} now holds the role {Role(request.role).label}", "success")
    return redirect(url_for(".index"), 303)


@bp.cli.command("grant-first-lead")
@click.argument("login")
@click.argument("partner_name")
def grant_first_lead(login, partner_name):
    """Make LOGIN the first lead safeguarding partner of the statutory partner PARTNER_NAME."""
    person = accounts.find_by_login(login)
    partnership = current_partnership()
    partner = next((p for p in partnership.statutory_partners if p.name == partner_name), None) if partnership else None
    if person is None or partner is None:
        raise click.ClickException("No such person, or no statutory partner of that name")
    try:
        grants.grant_first_lead(person, partner)
    except DomainError as error:
        raise click.ClickException(error.message)
    click.echo(f"{person.display_name} is now the lead safeguarding partner for {partner.name}")
