"""Moderation: the queue, each comment's decisions, reports, invite codes, safeguarding concerns, "I'm worried".

Thin views in a fixed order: load and authorise (404/403), validate the form, call one service, then 303.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from app.access import MODERATION_READERS, MODERATORS, load_comment
from app.accounts.models import Audience, Role
from app.consultations import queries as consultation_queries
from app.consultations.models import Comment, CommentStatus
from app.extensions import db
from app.forms import attempt, submit
from app.moderation import queries, services
from app.moderation.forms import (
    ApproveForm,
    CloseConcernForm,
    ConfirmForm,
    DismissReportsForm,
    InviteCodeForm,
    NoteForm,
    ReasonForm,
    ReportForm,
    ReviewConcernForm,
    WorriedForm,
)
from app.moderation.models import HOLDING_REPORT, REPORT_REASONS, SafeguardingConcern
from app.security import roles_required
from app.timeutil import utcnow

bp = Blueprint("moderation", __name__)



@bp.app_context_processor
def _moderation_globals():
    def moderation_status():
        """For the header: items waiting for moderators, open concerns for the DSL (None for others)."""
        if not getattr(current_user, "is_authenticated", False):
            return None
        status = {}
        try:
            if current_user.has_role(*MODERATORS):
                status["waiting"] = services.waiting_count(current_user.partnership_id)
            if current_user.has_role(Role.DSL):
                status["concerns"] = services.open_concern_count(current_user.partnership_id)
        except SQLAlchemyError:  # an error page must still render when the database is the problem
            db.session.rollback()
            return None
        return status or None

    return {"moderation_status": moderation_status}


def _can_moderate():
    return current_user.has_role(*MODERATORS)


def _see_other(endpoint, **values):
    return redirect(url_for(endpoint, **values), 303)


def _moderated_comment(comment_id):
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.consultation.partnership_id != current_user.partnership_id:
        abort(404)
    if comment.status == CommentStatus.CONCERN.value and not current_user.has_role(Role.DSL, Role.SCRUTINEER):
        abort(404)  # under a concern: the DSL's (and scrutineers', elsewhere) alone
    if not queries.in_remit(current_user, comment):
        abort(404)  # a DSL reads what safeguarding needs, not the whole consultation
    return comment


# --- the queue and one comment ---------------------------------------------------------------------

@bp.route("/moderation")
@roles_required(*MODERATION_READERS)
def queue():
    partnership_id = current_user.partnership_id
    reader = current_user._get_current_object()
    return render_template("moderation/queue.html", can_moderate=_can_moderate(),
                           pending=queries.pending(partnership_id, reader=reader),
                           reported=queries.reported(partnership_id, reader=reader),
                           hidden=queries.hidden(partnership_id, reader=reader))


def _comment_page(comment, **forms):
    context = {"approve_form": ApproveForm(formdata=None), "reject_form": ReasonForm(formdata=None),
               "hide_form": ReasonForm(formdata=None), "restore_form": NoteForm(formdata=None),
               "concern_form": NoteForm(formdata=None), "dismiss_form": DismissReportsForm(formdata=None), **forms}
    failed = next((form for form in forms.values() if form.errors), None)
    return render_template("moderation/comment.html", item=queries.item(comment), can_moderate=_can_moderate(),
                           report_reasons=REPORT_REASONS,
                           acts=queries.acts_for(comment.id), form=failed, **context)


@bp.route("/moderation/comments/<int:comment_id>")
@roles_required(*MODERATION_READERS)
def comment(comment_id):
    return _comment_page(_moderated_comment(comment_id))


def _decide(comment_id, form_class, form_name, service, message, *args):
    comment = _moderated_comment(comment_id)
    if request.method == "GET":
        return _see_other(".comment", comment_id=comment.id)
    form = form_class()
    if submit(form, lambda: service(current_user, comment, *[getattr(form, name).data or "" for name in args])):
        flash(message, "success")
        return _after_decision(form_name, comment)
    return _comment_page(comment, **{form_name: form}), 200


def _after_decision(form_name, comment):
    """Where a moderator lands: never a page they may no longer open (a success message on an error page)."""
    if form_name == "concern_form":
        concern = queries.concern_for(comment.id)
        if current_user.has_role(Role.DSL) and concern is not None:
            return _see_other(".concern_record", concern_id=concern.id)
        return _see_other(".queue")
    if form_name in ("approve_form", "reject_form"):
        return _see_other(".queue")
    return _see_other(".comment", comment_id=comment.id)


@bp.route("/moderation/comments/<int:comment_id>/approve", methods=["GET", "POST"])
@roles_required(*MODERATORS)
def approve(comment_id):
    return _decide(comment_id, ApproveForm, "approve_form", services.approve, "The comment has been published",
                   "confirm_not_harm")


@bp.route("/moderation/comments/<int:comment_id>/reject", methods=["GET", "POST"])
@roles_required(*MODERATORS)
def reject(comment_id):
    return _decide(comment_id, ReasonForm, "reject_form", services.reject,
                   "The comment has been rejected. Its author will be told why.", "reason_code", "reason")


@bp.route("/moderation/comments/<int:comment_id>/hide", methods=["GET", "POST"])
@roles_required(*MODERATORS)
def hide(comment_id):
    return _decide(comment_id, ReasonForm, "hide_form", services.hide,
                   "The comment has been hidden. Its author will be told why.", "reason_code", "reason")


@bp.route("/moderation/comments/<int:comment_id>/dismiss-reports", methods=["GET", "POST"])
@roles_required(*MODERATORS)
def dismiss_reports(comment_id):
    return _decide(comment_id, DismissReportsForm, "dismiss_form", services.dismiss_reports,
                   "The reports have been dismissed and the comment stays published. The people who reported it "
                   "will be told why.", "reason")


@bp.route("/moderation/comments/<int:comment_id>/restore", methods=["GET", "POST"])
@roles_required(*MODERATORS)
def restore(comment_id):
    return _decide(comment_id, NoteForm, "restore_form", services.restore, "The comment has been restored", "reason")


@bp.route("/moderation/comments/<int:comment_id>/concern", methods=["GET", "POST"])
@roles_required(*MODERATORS)
def concern(comment_id):
    return _decide(comment_id, NoteForm, "concern_form", services.raise_concern,
                   "A safeguarding concern has been raised. The comment is hidden and the designated safeguarding "
                   "lead has been alerted.", "reason")


# --- reporting a comment ---------------------------------------------------------------------------

@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
def report(comment_id):
    # watchers (scrutineer, partners, facilitators) do not report (403); the service says so too
    comment, consultation, access = load_comment(comment_id, need="take_part")
    form = ReportForm()
    if submit(form, lambda: services.report(current_user, comment, form.reason.data or "",
                                            reason_code=form.reason_code.data)):
        flash("Thank you. The comment is hidden until a moderator checks it." if form.reason_code.data ==
              HOLDING_REPORT else "Thank you. A moderator will look at this comment.", "success")
        return _see_other("consultations.replies", comment_id=comment.thread_id or comment.id,
                          _anchor=f"comment-{comment.id}")
    return render_template("moderation/report.html", form=form, consultation=consultation,
                           comment=consultation_queries.comment_view(comment, access), access=access)


# --- invite codes ----------------------------------------------------------------------------------

@bp.route("/moderation/invite-codes", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR, Role.YOUTH_WORKER)
def invite_codes():
    groups = services.groups_for(current_user)
    form = InviteCodeForm()
    form.organisation.choices = [(g.id, g.name) for g in groups]
    if done := submit(form, lambda: services.issue_invite_code(
            current_user, next((g for g in groups if g.id == form.organisation.data), None),
            max_uses=form.max_uses.data, expires_at=services.expiry(form.days.data))):
        invite, new_code = done.value
        # Shown this once (the page is not cached: signed-in pages send Cache-Control: no-store).
        return render_template("moderation/invite_code_created.html", invite=invite, code=new_code)
    return render_template("moderation/invite_codes.html", form=form, groups=groups,
                           codes=services.codes_for(current_user), now=utcnow())


# --- safeguarding concerns -------------------------------------------------------------------------

def _concern(concern_id):
    concern = db.session.get(SafeguardingConcern, concern_id)
    if concern is None or concern.partnership_id != current_user.partnership_id:
        abort(404)
    return concern


@bp.route("/concerns")
@roles_required(Role.DSL, Role.SCRUTINEER)
def concerns():
    return render_template("moderation/concerns.html", concerns=services.concerns_for(current_user))


@bp.route("/concerns/<int:concern_id>", methods=["GET", "POST"])
@roles_required(Role.DSL, Role.SCRUTINEER)
def concern_record(concern_id):
    concern = _concern(concern_id)
    form = CloseConcernForm()
    if request.method == "POST":
        if not current_user.has_role(Role.DSL):
            abort(403)
        if submit(form, lambda: services.close_concern(current_user, concern, form.action_taken.data)):
            flash("The concern has been closed and what was done is recorded", "success")
            return _see_other(".concern_record", concern_id=concern.id)
    return _concern_page(concern, close_form=form)


def _concern_page(concern, **forms):
    context = {"close_form": CloseConcernForm(formdata=None), "review_form": ReviewConcernForm(formdata=None), **forms}
    failed = next((form for form in forms.values() if form.errors), None)
    acts = queries.acts_for(concern.comment_id) if concern.comment_id else []
    return render_template("moderation/concern.html", concern=concern, redact_form=ConfirmForm(), acts=acts,
                           form=failed, **context)


@bp.route("/concerns/<int:concern_id>/review", methods=["GET", "POST"])
@roles_required(Role.DSL)
def review_concern(concern_id):
    """The DSL confirms a possible disclosure, or says it is not one (the post goes back to the queue)."""
    concern = _concern(concern_id)
    if request.method == "GET":
        return _see_other(".concern_record", concern_id=concern.id)
    form = ReviewConcernForm()
    if submit(form, lambda: services.review_concern(current_user, concern, form.decision.data,
                                                    form.reason.data or "")):
        flash("Not a disclosure: the concern is closed and the post is back in the moderation queue"
              if form.decision.data == "not_disclosure" else
              "Confirmed as a safeguarding concern. Record what was done when you close it.", "success")
        return _see_other(".concern_record", concern_id=concern.id)
    return _concern_page(concern, review_form=form), 200


@bp.route("/concerns/<int:concern_id>/redact", methods=["GET", "POST"])
@roles_required(Role.DSL)
def redact(concern_id):
    concern = _concern(concern_id)
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        if attempt(lambda: services.redact(current_user, concern), category="info"):
            flash("The comment's text has been removed from the consultation record and kept in this record",
                  "success")
    return _see_other(".concern_record", concern_id=concern.id)


# --- a young person's own worry --------------------------------------------------------------------

@bp.route("/worried", methods=["GET", "POST"])
@roles_required(Role.YOUNG_PERSON)
def worried():
    comment = None
    comment_id = request.values.get("comment", type=int)
    if comment_id:
        comment = db.session.get(Comment, comment_id)
        if comment is None or comment.author_id != current_user.id:
            abort(404)
    form = WorriedForm()
    if submit(form, lambda: services.raise_concern(current_user, comment, form.message.data or "")
              if comment is not None else services.raise_own_worry(current_user, form.message.data or "")):
        return _see_other(".worried_sent")
    return render_template("moderation/worried.html", form=form, comment=comment)


@bp.route("/worried/sent")
@roles_required(Role.YOUNG_PERSON)
def worried_sent():
    return render_template("moderation/worried_sent.html")


@bp.route("/comments/<int:comment_id>/sent-to-safeguarding-lead")
@roles_required(Role.YOUNG_PERSON, Role.PUBLIC)
def held_for_safeguarding(comment_id):
    """What a young person, parent, carer or member of the public sees after a post that may disclose harm: who
    reads it, that it is not kept secret, and where to get help now (in words for their age)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.author_id != current_user.id:
        abort(404)
    return render_template("moderation/held.html", comment=comment,
                           young=comment.author_audience == Audience.YOUNG_PEOPLE.value)
