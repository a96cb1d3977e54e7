"""Consultation pages: the list, the consultation page with its votes and comments, threads, settings.

Each URL renders a full page; with htmx it renders one named block of the same
template, chosen by the HX-Target header (see _respond). Every form works without
JavaScript: it POSTs and gets a 303 back to the right place, or the page with errors.
"""
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block
from sqlalchemy import select

from app.accounts.models import Role
from app.consultations import notifications as notices
from app.attachments import services as attachments
from app.consultations import queries, services
from app.consultations.charts import audience_label
from app.consultations.forms import (
    CloseEarlyForm, CommentForm, ConfirmForm, ExtendForm, NotificationSettingsForm, OpenConsultationForm, VoteForm,
    fill_datetime,
)
from app.consultations.models import Comment, VoteChoice
from app.consultations.queries import slot_name
from app.consultations.text import linkify
from app.converters import bounded_int
from app.drafts.models import DraftArrangement, DraftVersion, Section
from app.access import load_comment, load_consultation, require
from app.extensions import db, htmx
from app.forms import submit
from app.consultations import memo
from app.fragments import remember_shared_page
from app.security import roles_required

bp = Blueprint("consultations", __name__)

from app.consultations import models  # noqa: E402,F401  (registers the tables)

PAGE = "consultations/consultation.html"
THREAD = "consultations/thread.html"
PENDING_MESSAGE = "Thank you. A moderator will check it before anyone else can see it."


def _held_for_safeguarding(comment):
    """A young person's post that may disclose harm went to the DSL: they see who reads it and where to get help,
    with JavaScript (htmx follows HX-Redirect to the same page) and without."""
    if comment.status != "concern":
        return None
    url = url_for("moderation.held_for_safeguarding", comment_id=comment.id)
    if htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        response.vary.add("HX-Request")
        return response
    return _see_other(url)


@bp.app_template_filter("linkify")
def _linkify(text):
    return linkify(text)


bp.add_app_template_filter(audience_label, "audience_label")
bp.add_app_template_filter(lambda choice: VoteChoice(choice).label, "vote_label")


# --- loading, authorising and responding ---------------------------------------------------------

def _section(consultation, section_id):
    section = db.session.get(Section, section_id)
    if section is None or section.version_id != consultation.version_id:
        abort(404)
    return section


def _render(template, block=None, **context):
    return render_block(template, block, **context) if block else render_template(template, **context)


def _respond(template, block=None, **context):
    """The full page, or one of its named blocks for an htmx request; the response varies on HX-Request."""
    return _response(_render(template, block, **context))


def _response(html):
    response = make_response(html)
    response.vary.add("HX-Request")
    return response


def _see_other(url):
    response = redirect(url, 303)
    response.vary.add("HX-Request")
    return response


def _failed(form):
    """Form errors, or None: what base.html shows as the error summary."""
    return form if form is not None and form.errors else None


def _receipt(message, kind, **ids):
    """Issue 20, part 4: the message after posting, with the link to download its receipt (app/receipts)."""
    from app.receipts.routes import with_receipt_link  # the receipts room builds on this one

    return with_receipt_link(message, url_for(f"receipts.{kind}", **ids))


# --- the list and opening a consultation ---------------------------------------------------------

def _published_versions():
    rows = db.session.execute(
        select(DraftVersion, DraftArrangement.title).join(DraftArrangement)
        .where(DraftArrangement.partnership_id == current_user.partnership_id, DraftVersion.status == "published")
        .order_by(DraftArrangement.title, DraftVersion.number.desc())).all()
    return [(version.id, f"{title}, version {version.number}") for version, title in rows]


@bp.route("/consultations", methods=["GET", "POST"])
@login_required
def index():
    form = None
    if current_user.has_role(Role.FACILITATOR):
        form = OpenConsultationForm()
        form.version.choices = [(None, "Choose a published version")] + _published_versions()
        if not form.is_submitted():
            form.prefill()
    elif request.method == "POST":
        abort(403)
    if form is not None and (done := submit(form, lambda: services.open_consultation(
            current_user, db.session.get(DraftVersion, form.version.data) if form.version.data else None,
            title=form.title.data or "", audiences=form.audiences.data, opens_at=form.opens_at,
            closes_at=form.closes_at))):
        flash(f"“{done.value.title}” has been opened for consultation", "success")
        return _see_other(url_for(".show", consultation_id=done.value.id))
    return render_template("consultations/index.html", consultations=queries.consultations_for(current_user),
                           form=form)


# --- the consultation page -----------------------------------------------------------------------

def _vote_forms(sections, mine):
    return {s.id: VoteForm(formdata=None, prefix=f"v{s.id}", choice=getattr(mine.get(s.id), "choice", None),
                           reason=getattr(mine.get(s.id), "reason", "")) for s in sections}


def _vote_context(consultation, access, sections):
    section_ids = [s.id for s in sections]
    tallies = queries.tallies(consultation, section_ids)
    mine = queries.my_votes(consultation, access.person_id, section_ids) if access.can_take_part else {}
    return {"tallies": tallies, "my_votes": mine,
            "vote_forms": _vote_forms(sections, mine), "vote_messages": {}}


def _comment_forms(section_ids):
    return {slot_name(sid): CommentForm(formdata=None, prefix=f"c-{slot_name(sid)}") for sid in [None, *section_ids]}


def _my_answers(consultation):
    """Once the consultation has closed: the reader's own comments with their *published* answers ("You said, we
    did"); drafts stay with the facilitators until they publish them."""
    if consultation.state != "closed":
        return []
    from app.responses import services as responses  # the responses room builds on this one

    return responses.answered_comments(consultation, drafts=False, where=(Comment.author_id == current_user.id,))


def _unanswered(consultation):
    """For facilitators: how many published comments still have no answer ("You said, we did")."""
    from app.responses import services as responses  # the responses room builds on this one

    return responses.unanswered_count(consultation)


def _suggestion_counts(consultation, access):
    """{section id: suggestions for new wording this reader sees} (app/suggestions)."""
    from app.suggestions.queries import section_counts  # the suggestions room builds on this one

    return section_counts(consultation, access)


def _page_context(consultation, access):
    sections = consultation.version.sections
    section_ids = [s.id for s in sections]
    return {"consultation": consultation, "access": access, "sections": sections, "my_answers": _my_answers(consultation),
            "suggestion_counts": _suggestion_counts(consultation, access),
            "unanswered": _unanswered(consultation) if access.is_facilitator else None,
            "documents": attachments.by_section(consultation.version.draft_id),
            "version": consultation.version, "pages": queries.first_pages(consultation, access, section_ids),
            "comment_forms": _comment_forms(section_ids), "comment_messages": {},
            "formal": _formal_responses(consultation, access), **_vote_context(consultation, access, sections)}


def _formal_responses(consultation, access):
    """Formal responses from organisations (app/org_responses): a block of their own, apart from the comments."""
    from app.org_responses.routes import page_part  # the formal responses room builds on this one

    return page_part(consultation, current_user, access)


@bp.route("/consultations/<int:consultation_id>")
@login_required
def show(consultation_id):
    return _response(_shared(consultation_id, lambda consultation, access: (
        _render(PAGE, **_page_context(consultation, access)), consultation.next_change_at())))


@bp.route("/consultations/<int:consultation_id>/sections/<int:section_id>/vote", methods=["GET", "POST"])
@login_required
def vote(consultation_id, section_id):
    consultation, access = load_consultation(consultation_id)
    section = _section(consultation, section_id)
    back = url_for(".show", consultation_id=consultation.id, _anchor=f"section-{section.id}")
    if request.method == "GET":
        return redirect(back)
    require(access, "take_part")
    form, fragment, message = VoteForm(prefix=f"v{section.id}"), htmx.target == f"vote-s{section.id}", None
    if done := submit(form, lambda: services.cast_vote(current_user, consultation, section, form.choice.data,
                                                       form.reason.data or "")):
        message = _receipt(f"Your vote on {section.title} has been saved", "vote", vote_id=done.value.id)
        if not fragment:
            flash(message, "success")
            return _see_other(back)
    if not fragment:
        context = _page_context(consultation, access)
        context["vote_forms"][section.id] = form
        return _respond(PAGE, form=_failed(form), **context)
    context = _vote_context(consultation, access, [section])
    if form.errors:
        context["vote_forms"][section.id] = form
    context["vote_messages"][section.id] = message
    return _respond(PAGE, "section_vote", consultation=consultation, access=access, section=section, **context)


@bp.route("/consultations/<int:consultation_id>/comments", defaults={"section_id": None}, methods=["GET", "POST"])
@bp.route("/consultations/<int:consultation_id>/sections/<int:section_id>/comments", methods=["GET", "POST"])
@login_required
def comments(consultation_id, section_id):
    """GET: a page of threads after the cursor ("more comments"). POST: a new comment."""
    if request.method == "POST":
        consultation, access = load_consultation(consultation_id, need="take_part")
        return _post_comment(consultation, access, _section(consultation, section_id) if section_id else None)

    return _response(_shared(consultation_id, lambda consultation, access: _comments_page(
        consultation, access, section_id, bounded_int(request.args.get("after")))))


def _comments_page(consultation, access, section_id, after):
    section = _section(consultation, section_id) if section_id else None
    page = queries.threads_page(consultation, access, section_id, after)
    block = "threads_page" if htmx.target == f"more-{page.slot}" else None
    return (_render("consultations/comments.html", block, consultation=consultation, access=access,
                    section=section, page=page), consultation.next_change_at())


def _shared(consultation_id, draw):
    """A page of this consultation drawn by `draw(consultation, access) -> (html, valid_until)` once per
    consultation version and kind of reader, and served with the reader's own parts filled in (issue 15, memo:
    app/consultations/memo.py)."""
    consultation, access, versions = memo.load_with_versions(consultation_id)  # as load_consultation, + versions
    kind = memo.reader_kind(current_user, consultation, access)
    return remember_shared_page(
        lambda: draw(consultation, access), (consultation_id, versions, kind), current_user.id,
        memo.is_personal(current_user, consultation, access),
        memo.page_filler(consultation, access, _vote_forms, versions),
        lambda: memo.still_current(consultation_id, versions), memo.authors_of)


def _post_comment(consultation, access, section):
    section_id = section.id if section else None
    slot = slot_name(section_id)
    form, fragment, message = CommentForm(prefix=f"c-{slot}"), htmx.target == f"comments-{slot}", None
    if done := submit(form, lambda: services.post_comment(current_user, consultation, form.body.data, section=section,
                                                          submission_key=form.submission.data, use=form.use.data)):
        comment = done.value
        held = _held_for_safeguarding(comment)
        if held is not None:
            return held
        message = _receipt("Your comment has been posted" if comment.status == "published" else PENDING_MESSAGE,
                           "comment", comment_id=comment.id)
        if not fragment:
            flash(message, "success")
            return _see_other(url_for(".show", consultation_id=consultation.id, _anchor=f"comment-{comment.id}"))
        form = CommentForm(formdata=None, prefix=f"c-{slot}")
    if not fragment:
        context = _page_context(consultation, access)
        context["comment_forms"][slot] = form
        return _respond(PAGE, form=_failed(form), **context)
    page = queries.threads_page(consultation, access, section_id, size=queries.FIRST_THREADS)
    return _respond(PAGE, "section_comments" if section else "general_comments", consultation=consultation,
                    access=access, section=section, pages={section_id: page}, comment_forms={slot: form},
                    comment_messages={slot: message})


# --- threads, replies, editing and withdrawing ---------------------------------------------------

def _thread_context(consultation, access, thread_id, **extra):
    root = queries.thread(consultation, access, thread_id)
    if root is None:
        abort(404)
    section = db.session.get(Section, root.section_id) if root.section_id else None
    return {"consultation": consultation, "access": access, "root": root, "section": section, **extra}


@bp.route("/comments/<int:comment_id>/replies")
@login_required
def replies(comment_id):
    """The whole thread a comment belongs to, replies included (htmx: in place of the collapsed thread)."""
    comment, consultation, access = load_comment(comment_id)
    thread_id = comment.thread_id or comment.id
    block = "thread" if htmx.target == f"thread-{thread_id}" else None
    return _respond(THREAD, block, **_thread_context(consultation, access, thread_id))


@bp.route("/comments/<int:comment_id>/reply", methods=["GET", "POST"])
@login_required
def reply(comment_id):
    parent, consultation, access = load_comment(comment_id, need="take_part")
    thread_id = parent.thread_id or parent.id
    form = CommentForm(prefix=f"r{parent.id}")
    if done := submit(form, lambda: services.reply(current_user, parent, form.body.data,
                                                   submission_key=form.submission.data)):
        comment = done.value
        held = _held_for_safeguarding(comment)
        if held is not None:
            return held
        message = _receipt("Your reply has been posted" if comment.status == "published" else PENDING_MESSAGE,
                           "comment", comment_id=comment.id)
        if htmx.target == f"thread-{thread_id}":
            return _respond(THREAD, "thread", **_thread_context(consultation, access, thread_id,
                                                                 thread_message=message))
        flash(message, "success")
        return _see_other(url_for(".replies", comment_id=thread_id, _anchor=f"comment-{comment.id}"))
    context = _thread_context(consultation, access, thread_id, parent=queries.comment_view(parent, access),
                              reply_form=form)
    if htmx.target in (f"reply-slot-{parent.id}", f"thread-{thread_id}"):
        response = _respond(THREAD, "reply_form", inline_reply=True, **context)
        response.headers["HX-Retarget"], response.headers["HX-Reswap"] = f"#reply-slot-{parent.id}", "innerHTML"
        return response
    return _respond(THREAD, form=_failed(form), **context)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id):
    comment, consultation, access = load_comment(comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    form, editing = CommentForm(prefix=f"e{comment.id}"), True
    if not form.is_submitted():
        form.body.data = comment.body
    elif submit(form, lambda: services.edit_comment(current_user, comment, form.body.data)):
        held = _held_for_safeguarding(comment)
        if held is not None:
            return held
        if htmx.target != f"comment-{comment.id}":
            flash("Your comment has been changed", "success")
            return _see_other(url_for(".replies", comment_id=comment.thread_id or comment.id,
                                      _anchor=f"comment-{comment.id}"))
        editing = False
    block = "comment" if htmx.target == f"comment-{comment.id}" else None
    return _respond("consultations/edit.html", block, consultation=consultation, access=access, editing=editing,
                    comment=queries.comment_view(comment, access), edit_form=form, form=_failed(form))


@bp.route("/comments/<int:comment_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(comment_id):
    comment, consultation, access = load_comment(comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    form = ConfirmForm()
    if submit(form, lambda: services.withdraw_comment(current_user, comment)):
        flash("Your comment has been withdrawn", "success")
        return _see_other(url_for(".replies", comment_id=comment.thread_id or comment.id,
                                  _anchor=f"comment-{comment.id}"))
    return render_template("consultations/withdraw.html", consultation=consultation, access=access,
                           comment=queries.comment_view(comment, access), form=form)


# --- facilitators: extend and close early --------------------------------------------------------

@bp.route("/consultations/<int:consultation_id>/extend", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR)
def extend(consultation_id):
    consultation, _ = load_consultation(consultation_id, need="facilitate")
    form = ExtendForm()
    if not form.is_submitted():
        fill_datetime(form, "closes", consultation.closes_at)
    if submit(form, lambda: services.extend(current_user, consultation, form.closes_at, form.reason.data)):
        flash("The closing date has been changed", "success")
        return _see_other(url_for(".show", consultation_id=consultation.id))
    return render_template("consultations/extend.html", consultation=consultation, form=form)


@bp.route("/consultations/<int:consultation_id>/close", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR)
def close_early(consultation_id):
    consultation, _ = load_consultation(consultation_id, need="facilitate")
    form = CloseEarlyForm()
    if submit(form, lambda: services.close_early(current_user, consultation, form.reason.data)):
        flash("The consultation has been closed", "success")
        return _see_other(url_for(".show", consultation_id=consultation.id))
    return render_template("consultations/close.html", consultation=consultation, form=form)


# --- email settings ------------------------------------------------------------------------------

@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def notifications():
    settings = notices.notification_settings(current_user)
    form = NotificationSettingsForm(obj=None if request.method == "POST" else settings)
    if current_user.email and form.validate_on_submit():
        notices.set_notification_settings(current_user, consultation_emails=form.consultation_emails.data,
                                           reply_emails=form.reply_emails.data)
        flash("Your email settings have been saved", "success")
        return _see_other(url_for(".notifications"))
    return render_template("consultations/notifications.html", form=form)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    """One click from an email: GET asks to confirm (mail scanners follow links), POST turns the emails off."""
    found = notices.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    person, kind = found
    form, done = ConfirmForm(), False
    if form.validate_on_submit():
        notices.unsubscribe(person, kind)
        done = True
    return render_template("consultations/unsubscribe.html", form=form, kind=kind, done=done,
                           email=person.email)
