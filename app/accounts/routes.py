"""Sign in and out, passwords, invitations."""
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.accounts import services
from app.accounts.forms import ChangePasswordForm, ForgottenPasswordForm, LoginForm, SetPasswordForm
from app.accounts.limits import password_checks, sign_in_attempts
from app.accounts.sessions import sign_in, sign_out
from app.extensions import limiter
from app.forms import submit

bp = Blueprint("accounts", __name__)


def _safe_next(target):
    """Only same-site paths, so the login page cannot send anyone elsewhere."""
    # Browsers drop tabs and newlines from URLs ("/\t/evil.example" becomes "//evil.example"), so any
    # control character, space or backslash disqualifies a target, as does anything urlsplit reads as a host.
    if (target and target.startswith("/") and not target.startswith("//")
            and not any(ord(c) <= 0x20 or ord(c) == 0x7F or c == "\\" for c in target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@sign_in_attempts
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        person = services.authenticate(form.email.data, form.password.data)
        if person is not None:
            sign_in(person)
            return redirect(_safe_next(request.args.get("next")), 303)
        form.email.errors.append("Enter a correct email address (or username) and password")
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    sign_out()
    flash("You have signed out", "success")
    return redirect(url_for("accounts.login"), 303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
@password_checks  # the current-password check is a sign-in by another door
def change_password():
    form = ChangePasswordForm()
    if submit(form, lambda: services.change_password(current_user, form.current_password.data, form.password.data)):
        sign_in(current_user._get_current_object())  # old sessions ended; this browser gets a new one
        flash("Your password has been changed. You have been signed out everywhere else.", "success")
        return redirect(url_for("main.home"), 303)
    return render_template("accounts/change_password.html", form=form)


@bp.route("/password/forgotten", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        started = time.monotonic()
        services.request_password_reset(form.email.data)
        # A known address costs a token, an email and a log entry; an unknown one, one query. Both answers wait
        # until the same moment, so the time taken does not tell which addresses have accounts.
        time.sleep(max(0.0, started + current_app.config["PASSWORD_RESET_ANSWER_SECONDS"] - time.monotonic()))
        return render_template("accounts/reset_sent.html"), 200
    return render_template("accounts/forgotten_password.html", form=form)


def _privacy_settings():
    """The privacy notice's key facts, shown where people join (app/privacy)."""
    from app.partnerships.services import current_partnership
    from app.privacy.services import settings_for

    partnership = current_partnership()
    return settings_for(partnership) if partnership is not None else None


def _set_password_page(token, purpose, template, service):
    if services.token_person(token, purpose) is None:
        return render_template("accounts/link_expired.html", purpose=purpose), 410
    form = SetPasswordForm()
    if done := submit(form, lambda: service(token, form.password.data)):
        person = done.value
        sign_in(person)
        flash("Your password has been set", "success")
        return redirect(url_for("main.home"), 303)
    return render_template(template, form=form, privacy_settings=_privacy_settings())


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def reset_password(token):
    return _set_password_page(token, "password_reset", "accounts/reset_password.html", services.reset_password)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def accept_invitation(token):
    return _set_password_page(token, "invitation", "accounts/accept_invitation.html", services.accept_invitation)


def _join_attempts_limit():
    return f"{current_app.config.get('JOIN_ATTEMPTS_PER_MINUTE', 10)} per minute"


@bp.route("/password/code", methods=["GET", "POST"])
@limiter.limit(_join_attempts_limit, methods=["POST"], deduct_when=lambda response: response.status_code == 200)
def reset_with_code():
    """A young person sets a new password with the one-time code their youth worker gave them in person."""
    from app.moderation.forms import ResetCodeForm

    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = ResetCodeForm()
    if done := submit(form, lambda: services.reset_with_code(form.username.data, form.code.data, form.password.data)):
        person = done.value
        sign_in(person)
        flash("Your new password is set", "success")
        return redirect(url_for("main.home"), 303)
    return render_template("accounts/reset_with_code.html", form=form)


# --- young people join their group with a code (the rules: app.moderation.services.join) -------------------

@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(_join_attempts_limit, methods=["POST"], deduct_when=lambda response: response.status_code == 200)
def join():
    """A young person enters their group's code, chooses a username and password, and agrees to the rules."""
    from app.moderation import services as moderation
    from app.moderation.forms import JoinForm

    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = JoinForm()
    if done := submit(form, lambda: moderation.join(form.code.data, form.username.data, form.password.data,
                                                    form.accept.data)):
        person = done.value
        sign_in(person)
        return redirect(url_for("accounts.join_welcome"), 303)
    return render_template("accounts/join.html", form=form, privacy_settings=_privacy_settings())


@bp.route("/join/welcome")
@login_required
def join_welcome():
    return render_template("accounts/join_welcome.html")
