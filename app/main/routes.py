from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import text

from app.extensions import db
from app.partnerships.services import current_partnership

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    from app.accounts.models import Role
    from app.moderation import services as moderation

    open_concerns = [c for c in moderation.concerns_for(current_user) if c.is_open] \
        if current_user.has_role(Role.DSL) else []
    groups = moderation.groups_for(current_user) if current_user.has_role(Role.FACILITATOR, Role.YOUTH_WORKER) else []
    return render_template("main/home.html", partnership=current_partnership(), roles=current_user.roles,
                           open_concerns=open_concerns, groups=groups)


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
