from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from app.extensions import db
from app.partnerships.services import current_partnership

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    """Signed in: what is waiting for this person. Not signed in: the partnership's front door for the public."""
    from app.accounts.models import Role

    if not current_user.is_authenticated:
        from app.public.services import front_door

        partnership = current_partnership()
        if partnership is None:
            return redirect(url_for("accounts.login"))
        return render_template("public/front_door.html", **front_door(partnership))
    from app.moderation import services as moderation

    open_concerns = [c for c in moderation.concerns_for(current_user) if c.is_open] \
        if current_user.has_role(Role.DSL) else []
    groups = moderation.groups_for(current_user) if current_user.has_role(Role.FACILITATOR, Role.YOUTH_WORKER) else []
    to_scrutinise = []
    if current_user.has_role(Role.SCRUTINEER):
        from app.scrutiny.queries import consultations_of

        to_scrutinise = consultations_of(current_user.partnership_id)
    roles_to_confirm = []
    if current_user.has_role(Role.LEAD_SIGNATORY):
        from app.accounts.grants import waiting_for

        roles_to_confirm = waiting_for(current_user)
    from app.consultations.queries import consultations_for
    from app.signoff import services as signoff

    facilitator = current_user.has_role(Role.FACILITATOR)
    return render_template(
        "main/home.html", partnership=current_partnership(), roles=current_user.roles, open_concerns=open_concerns,
        groups=groups, to_scrutinise=to_scrutinise, roles_to_confirm=roles_to_confirm,
        consultations=consultations_for(current_user) if facilitator or current_user.audiences else [],
        returns=signoff.returns_waiting(current_user.partnership_id) if facilitator else [],
        waiting=signoff.waiting_for(current_user), notices=moderation.notices_for(current_user),
        dismissed=moderation.dismissed_reports_for(current_user))


@bp.route("/accessibility")
def accessibility():
    return render_template("main/accessibility.html")


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any failure to reach the database is "unhealthy"
        db.session.rollback()
        return jsonify(status="error", database=f"unreachable: {type(error).__name__}"), 503
    return jsonify(status="ok", database="ok")
