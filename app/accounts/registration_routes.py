"""Parents, carers and the public register, confirm their email address, and ask for the link again (issue 17)."""
import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts import registration
from app.accounts.forms import ConfirmEmailForm, RegisterForm, ResendConfirmationForm
from app.accounts.sessions import sign_in
from app.errors import DomainError
from app.extensions import limiter
from app.forms import add_domain_error

bp = Blueprint("registration", __name__)


def _per_hour():
    return f"{current_app.config['REGISTRATIONS_PER_HOUR']} per hour"


def _per_address_typed():
    return f"{current_app.config['REGISTRATION_EMAILS_PER_HOUR']} per hour"


def _typed_email():
    """Each email we send because of a form is one someone else may have typed: few to any one address."""
    return "email:" + (request.form.get("email") or "").strip().lower()


# Per sender's address (REGISTRATIONS_PER_HOUR), and per email address typed (REGISTRATION_EMAILS_PER_HOUR), so
# nobody can fill a stranger's inbox with "confirm your address" or "you already have an account".
limited = [limiter.limit(_per_hour, methods=["POST"]),
           limiter.limit(_per_address_typed, key_func=_typed_email, methods=["POST"])]


def _rate_limited(view):
    for limit in limited:
        view = limit(view)
    return view


def _privacy_settings():
    from app.accounts.routes import _privacy_settings as settings

    return settings()


def _answer_evenly(started):
    """A new address costs an account, a hash and an email; a known one, an email. Both answers wait until the same
    moment, so the time taken does not tell which addresses have accounts (as "forgotten your password")."""
    time.sleep(max(0.0, started + current_app.config["PASSWORD_RESET_ANSWER_SECONDS"] - time.monotonic()))


@bp.route("/register", methods=["GET", "POST"])
@_rate_limited
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        started = time.monotonic()
        try:
            registration.register(form.email.data, form.kind.data, form.password.data)
        except DomainError as error:
            add_domain_error(form, error)
            _add_problems(form)
        else:
            _answer_evenly(started)
            return redirect(url_for("registration.check_email"), 303)
    elif form.is_submitted():
        _add_problems(form)
    return render_template("accounts/register.html", form=form, privacy_settings=_privacy_settings())


def _add_problems(form):
    """The rules' own problems beside the form's, one a field, so that every one shows at once."""
    for error in registration.problems(form.email.data, form.kind.data, form.password.data):
        field = getattr(form, error.field, None)
        if field is not None and not field.errors:
            field.errors = [error.message]


@bp.route("/register/check-your-email")
def check_email():
    return render_template("accounts/register_sent.html")


@bp.route("/register/resend", methods=["GET", "POST"])
@_rate_limited
def resend():
    form = ResendConfirmationForm()
    if current_user.is_authenticated and not form.is_submitted():
        form.email.data = current_user.email
    if form.validate_on_submit():
        started = time.monotonic()
        registration.resend_confirmation(form.email.data)
        _answer_evenly(started)
        return redirect(url_for("registration.check_email"), 303)
    return render_template("accounts/register_resend.html", form=form)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def confirm(token):
    """A page with a button, not a link that confirms: mail scanners that open links must not use the token up."""
    if registration.confirmation_token(token) is None:
        return render_template("accounts/link_expired.html", purpose="email_confirmation"), 410
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        try:
            person = registration.confirm_email(token)
        except DomainError:
            return render_template("accounts/link_expired.html", purpose="email_confirmation"), 410
        sign_in(person)  # the link proves the address; the password was chosen when they registered
        flash("Your email address is confirmed. You can now comment on consultations open to the public.", "success")
        return redirect(url_for("main.home"), 303)
    return render_template("accounts/register_confirm.html", form=form, token=token)
