"""Analysing and answering a closed consultation: themes, responses, the report, young people's influence."""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from app.access import OVERSEERS, SEES_ALL, SIGNATORIES, load_consultation
from app.accounts.models import Role
from app.consultations import queries
from app.consultations.models import Comment
from app.drafts.compare import compare_versions
from app.extensions import db
from app.forms import attempt, submit
from app.partnerships.models import Organisation, OrganisationKind
from app.responses import answering, bulk, picture, publishing, services
from app.responses.filter_forms import BulkTagForm, FilterForm
from app.responses.forms import PublishForm, ResponseForm, TagForm, ThemeForm
from app.responses.models import Outcome, Theme
from app.security import roles_required
from app.suggestions import queries as suggestions
from app.workshops import services as workshops

bp = Blueprint("responses", __name__)

from app.responses import models  # noqa: F401  (registers the tables)


# --- loading and authorising --------------------------------------------------------------------

def _load(consultation_id, *, readers_only=True):
    """The consultation, for people of its partnership who read everything (or, if not readers_only, who may
    read the consultation at all); 404 or 403 otherwise."""
    return load_consultation(consultation_id, need="oversee" if readers_only else "read")[0]


def _load_comment(comment_id):
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.depth != 0 or comment.status != "published":
        abort(404)
    return comment, _load(comment.consultation_id)


def _load_theme(theme_id):
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    return theme, _load(theme.consultation_id)


def _see_other(url):
    return redirect(url, 303)


def _section_choices(consultation):
    return [("", "No section changed")] + [(s.key, s.title) for s in services.later_sections(consultation)]


def _response_form(consultation, response=None):
    form = ResponseForm(obj=None)
    form.changed_section.choices = _section_choices(consultation)
    if response is not None and not form.is_submitted():
        form.outcome.data, form.reason.data = response.outcome, response.reason
        form.changed_section.data = response.changed_section_key or ""
    return form


# --- pages --------------------------------------------------------------------------------------

@bp.route("/consultations/<int:consultation_id>/responses")
@roles_required(*OVERSEERS)
def index(consultation_id):
    consultation = _load(consultation_id)
    total, unanswered = services.answer_counts(consultation)
    themes = services.themes_of(consultation)
    filter_form = _filter_form(consultation, themes)
    found = answering.find_comments(consultation, filter_form.filters())
    tag_form = BulkTagForm(formdata=None, back=request.query_string.decode(),
                           new_theme=session.pop("bulk_tag_new_theme", None))  # kept after a refusal
    tag_form.theme.choices = [("", "Choose a theme")] + [(t.id, t.name) for t in themes]
    from app.org_responses.routes import report_part  # formal responses from organisations, answered one by one

    return render_template("responses/index.html", consultation=consultation, items=found.items, found=found,
                           formal=report_part(consultation, drafts=True),
                           total=total, unanswered=unanswered, themes=themes, filter_form=filter_form,
                           tag_form=tag_form, page_size=answering.PAGE_SIZE,
                           publication=publishing.publication_counts(consultation),
                           filtered=bool(request.args.keys() - {"page"}),
                           page_args={k: v for k, v in request.args.items() if k != "page"},
                           titles=services.section_titles(consultation), **_vote_reasons(consultation))


def _filter_form(consultation, themes):
    form = FilterForm(request.args)
    form.section.choices = [("", "Any")] + [(s.id, s.title) for s in consultation.version.sections]
    form.theme.choices = [("", "Any")] + [(t.id, t.name) for t in themes]
    form.organisation.choices = [("", "Any")] + [(o.id, o.name) for o in
                                                 answering.organisations_of(current_user.partnership_id)]
    form.validate()  # shape only: a bad value filters nothing
    return form


def _publish(consultation, theme=None):
    if done := attempt(lambda: publishing.publish_answers(current_user, consultation, theme)):
        count = done.value
        flash(f"{count} answer{'' if count == 1 else 's'} published. The people who commented can now read "
              f"{'it' if count == 1 else 'them'}, and those with an email address have been emailed.", "success")


@bp.route("/consultations/<int:consultation_id>/responses/publish", methods=["POST"])
@roles_required(Role.FACILITATOR)
def publish(consultation_id):
    """Publish every draft answer of the consultation; its authors are emailed, once each."""
    consultation = _load(consultation_id)
    if PublishForm().validate_on_submit():
        _publish(consultation)
    return _see_other(url_for(".index", consultation_id=consultation.id))


@bp.route("/themes/<int:theme_id>/publish", methods=["POST"])
@roles_required(Role.FACILITATOR)
def publish_theme(theme_id):
    """Publish the draft answers of one theme: its own and those of the comments under it."""
    theme, consultation = _load_theme(theme_id)
    if PublishForm().validate_on_submit():
        _publish(consultation, theme)
    return _see_other(url_for(".theme", theme_id=theme.id))


@bp.route("/consultations/<int:consultation_id>/responses/tag", methods=["POST"])
@roles_required(Role.FACILITATOR)
def bulk_tag(consultation_id):
    """Tag the comments ticked on the answers page with one theme, then back to the same filtered list."""
    consultation = _load(consultation_id)
    form = BulkTagForm()
    form.theme.choices = [("", "Choose a theme")] + [(t.id, t.name) for t in services.themes_of(consultation)]
    if form.validate_on_submit():
        theme = db.session.get(Theme, form.theme.data) if form.theme.data else None
        done = attempt(lambda: bulk.tag_comments(current_user, consultation, form.comments.data, theme=theme,
                                                 new_theme=form.new_theme.data))
        if not done:
            session["bulk_tag_new_theme"] = (form.new_theme.data or "")[:200]  # nothing typed is lost
        else:
            theme, count = done.value
            flash(f"{count} comment{'' if count == 1 else 's'} tagged with “{theme.name}”", "success")
    back = url_for(".index", consultation_id=consultation.id)
    query = form.back.data or ""
    return _see_other(f"{back}?{query}" if query and "\n" not in query and "/" not in query else back)


def _vote_reasons(consultation):
    """The sections with their vote reasons, for the answers page and the report."""
    reasons = picture.vote_reasons(consultation)
    return dict(vote_reasons=[(s, reasons.get(s.id, {})) for s in consultation.version.sections],
                choice_labels=picture.CHOICE_LABELS)


@bp.route("/consultations/<int:consultation_id>/themes", methods=["GET", "POST"])
@roles_required(*OVERSEERS)
def themes(consultation_id):
    consultation = _load(consultation_id)
    form = ThemeForm() if current_user.has_role(Role.FACILITATOR) else None
    if form is None and ThemeForm().is_submitted():
        abort(403)
    if form is not None and (done := submit(form, lambda: services.create_theme(current_user, consultation,
                                                                              form.name.data))):
        flash(f"Theme “{done.value.name}” added", "success")
        return _see_other(url_for(".themes", consultation_id=consultation.id))
    items = services.answered_comments(consultation)
    counts = {}
    for item in items:
        for theme in item.themes:
            counts[theme.id] = counts.get(theme.id, 0) + 1
    return render_template("responses/themes.html", consultation=consultation, themes=services.themes_of(consultation),
                           counts=counts, form=form if form is not None and form.errors else None, theme_form=form)


@bp.route("/themes/<int:theme_id>", methods=["GET", "POST"])
@roles_required(*OVERSEERS)
def theme(theme_id):
    theme, consultation = _load_theme(theme_id)
    response = next((r for r in services.responses_of(consultation) if r.theme_id == theme.id), None)
    form = _response_form(consultation, response) if current_user.has_role(Role.FACILITATOR) else None
    if form is None and ResponseForm().is_submitted():
        abort(403)
    if form is not None and submit(form, lambda: services.respond(
            current_user, consultation, theme=theme, outcome=form.outcome.data, reason=form.reason.data,
            changed_section_key=form.changed_section.data or None, amendment_reason=form.amendment_reason.data)):
        copies, own = services.theme_application(theme)
        flash(f"Your answer to the theme “{theme.name}” has been saved and applied to {copies} "
              f"comment{'' if copies == 1 else 's'}" + (f"; {own} with an answer of {'its' if own == 1 else 'their'}"
                                                       " own kept it" if own else ""), "success")
        return _see_other(url_for(".theme", theme_id=theme.id))
    ids = set(services.theme_comment_ids(theme))
    items = [item for item in services.answered_comments(consultation) if item.comment.id in ids]
    sections = list(consultation.version.sections)
    section_ids = sorted({item.comment.section_id for item in items if item.comment.section_id})
    return render_template("responses/theme.html", consultation=consultation, theme=theme, items=items,
                           may_answer=services.may_answer(consultation),
                           response=response, response_form=form, form=form if form and form.errors else None,
                           sections=[s for s in sections if s.id in section_ids],
                           tallies=queries.tallies(consultation, section_ids),
                           titles=services.section_titles(consultation), frozen=services.frozen(consultation),
                           publication=publishing.publication_counts(consultation, theme),
                           application=services.theme_application(theme))


@bp.route("/responses/comments/<int:comment_id>", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR)
def comment(comment_id):
    comment, consultation = _load_comment(comment_id)
    from app.suggestions.services import find_for_comment

    suggestion = find_for_comment(comment.id)
    if suggestion is not None:  # answered by deciding on the wording it suggests (issue 19)
        return _see_other(url_for("suggestions.decide", suggestion_id=suggestion.id))
    item = next(i for i in services.answered_comments(consultation, where=(Comment.id == comment.id,)))
    own = item.response if item.response is not None and item.response.comment_id == comment.id else None
    form = _response_form(consultation, own)
    if submit(form, lambda: services.respond(
            current_user, consultation, comment=comment, outcome=form.outcome.data, reason=form.reason.data,
            changed_section_key=form.changed_section.data or None, amendment_reason=form.amendment_reason.data)):
        flash("Your answer has been saved", "success")
        return _see_other(url_for(".index", consultation_id=consultation.id, _anchor=f"comment-{comment.id}"))
    tag_form = TagForm(formdata=None)
    tag_form.theme.choices = [("", "Choose a theme")] + [(t.id, t.name) for t in services.themes_of(consultation)]
    section_ids = [comment.section_id] if comment.section_id else []
    return render_template("responses/comment.html", consultation=consultation, item=item, own=own,
                           response_form=form, tag_form=tag_form, form=form if form.errors else None,
                           titles=services.section_titles(consultation), frozen=services.frozen(consultation),
                           may_answer=services.may_answer(consultation), replies=picture.replies_to(comment),
                           reasons=picture.vote_reasons(consultation, section_ids).get(comment.section_id, {}),
                           same_theme=picture.same_theme(consultation, item), choice_labels=picture.CHOICE_LABELS)


@bp.route("/responses/comments/<int:comment_id>/tag", methods=["POST"])
@roles_required(Role.FACILITATOR)
def tag(comment_id):
    comment, consultation = _load_comment(comment_id)
    form = TagForm()
    form.theme.choices = [("", "Choose a theme")] + [(t.id, t.name) for t in services.themes_of(consultation)]
    if form.validate_on_submit():
        theme = db.session.get(Theme, form.theme.data) if form.theme.data else None
        if done := attempt(lambda: services.tag_comment(current_user, comment, theme=theme,
                                                        new_theme=form.new_theme.data)):
            flash(f"Tagged with “{done.value.name}”", "success")
    return _see_other(url_for(".comment", comment_id=comment.id))


@bp.route("/consultations/<int:consultation_id>/report")
@login_required
def report(consultation_id):
    consultation = _load(consultation_id, readers_only=False)
    drafts = current_user.has_role(*SEES_ALL)
    # Participants read the report once answers are published, or once sign-off was asked for (with none to publish).
    if not drafts and not (publishing.has_published_answers(consultation) or services.frozen(consultation)):
        return render_template("responses/report_pending.html", consultation=consultation)
    final = _latest_published(consultation)
    comparison = compare_versions(consultation.version, final) if final and final.id != consultation.version_id \
        else None
    section_list = list(consultation.version.sections)
    items = services.answered_comments(consultation, public=not drafts, drafts=drafts)
    themes = services.themes_of(consultation)
    from app.org_responses.routes import report_part  # formal responses from organisations, counted apart

    return render_template("responses/report.html", consultation=consultation, final=final, comparison=comparison,
                           participation=services.participation(consultation), sections=section_list,
                           formal=report_part(consultation, drafts=drafts),
                           tallies=queries.tallies(consultation, [s.id for s in section_list]),
                           themes=themes, items=items, themed=picture.under_themes(items, themes),
                           outcome_counts=_outcome_counts(items), titles=services.section_titles(consultation),
                           unchanged=services.unchanged_claims(consultation, final)
                           if current_user.has_role(Role.FACILITATOR) else [],
                           workshops=workshops.tally(consultation.id),
                           **suggestions.report_part(consultation, final, sees_drafts=drafts, viewer_id=current_user.id,
                                                     wider=not current_user.has_role(*SEES_ALL, Role.DSL, *SIGNATORIES),
                                                     public=not drafts),
                           **(_vote_reasons(consultation) if current_user.has_role(*SEES_ALL) else {}))


def _latest_published(consultation):
    versions = [v for v in consultation.version.draft.versions if v.is_published]
    return versions[-1] if versions else None


def _outcome_counts(items):
    counts = {outcome.value: 0 for outcome in Outcome}
    for item in items:
        if item.response:
            counts[item.response.outcome] += 1
    return counts


@bp.route("/groups/<int:organisation_id>/influence")
@login_required
def influence(organisation_id):
    """A young people's group's page: what it said and what the partnership did, in plain words."""
    group = db.session.get(Organisation, organisation_id)
    if group is None or group.kind != OrganisationKind.YOUNG_PEOPLES_GROUP.value \
            or group.partnership_id != current_user.partnership_id:
        abort(404)
    member = current_user.organisation_id == group.id and current_user.has_role(Role.YOUNG_PERSON)
    if not (member or current_user.has_role(Role.FACILITATOR, Role.SCRUTINEER)):
        abort(403)
    return render_template("responses/influence.html", group=group, consultations=services.group_influence(
                               group, drafts=current_user.has_role(Role.FACILITATOR, Role.SCRUTINEER)),
                           titles=services.section_titles)
