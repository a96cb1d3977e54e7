"""Error pages. A 500 rolls the session back so a crash leaves no half change."""
from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from app.errors import DomainError
from app.extensions import db

MESSAGES = {
    400: ("There is a problem with this request", "Go back, reload the page and try again."),
    403: ("You do not have permission to see this page", "If you think you should, ask the partnership's business unit."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("This page does not accept that request", "Go back and try again."),
    409: ("That could not be done", ""),
    410: ("This link has expired", ""),
    413: ("What you sent is too large", "Go back, send less at a time and try again."),
    429: ("Too many attempts", "Wait a minute, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you sent has been saved."),
}


def _render(status, detail=None):
    title, hint = MESSAGES.get(status, MESSAGES[500])
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=title), status
    return render_template("errors/error.html", status=status, title=title, hint=detail or hint), status


def register(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(400, "The form had expired or was sent from somewhere else. Go back, reload the page and try again.")

    for status in (400, 403, 404, 405, 409, 410, 429):
        app.register_error_handler(status, lambda error, status=status: _render(status))

    @app.errorhandler(413)
    def too_large(error):
        """Found walking: a file over the limit was told to "send less at a time" without the limit."""
        from app.attachments.models import size_label

        return _render(413, f"A file can be up to {size_label(app.config['UPLOAD_MAX_BYTES'])}. Go back, choose a "
                            "smaller file (a long document can often be saved as a smaller PDF) and try again.")

    @app.errorhandler(DomainError)
    def domain_error(error):
        """A rule broken that no view turned into a form error: its own status (403, 404, 409), never a 500."""
        db.session.rollback()
        status = error.status_code if error.status_code in MESSAGES else 409
        return _render(status, error.message)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _render(500)
