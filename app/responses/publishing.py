"""Answers published together (issue 18). An answer is a draft until a facilitator publishes the consultation's
answers, or one theme's: only then do participants see it, and each author is emailed once, listing their answered
comments. One function = one transaction, as in services.py (whose answer rules this builds on).
"""
from sqlalchemy import exists, func, select

from app.consultations.models import Comment
from app.database import transaction
from app.errors import DomainError, NotFound
from app.extensions import db
from app.responses.models import CommentTheme, Response
from app.responses.services import (
    _answered,
    _comments_answered_by,
    _needs_answer,
    _notify_changes,
    _require_closed,
    _require_facilitator,
)
from app.timeutil import utcnow
from app.trail import services as trail


def _drafts_of(consultation, theme=None):
    """The consultation's draft answers; for a theme, its own answer and those of the comments under it."""
    query = select(Response).where(Response.consultation_id == consultation.id, Response.published_at.is_(None))
    if theme is not None:
        query = query.where((Response.theme_id == theme.id) | Response.comment_id.in_(
            select(CommentTheme.comment_id).where(CommentTheme.theme_id == theme.id)))
    return db.session.execute(query.order_by(Response.id)).scalars().all()


def publish_answers(by, consultation, theme=None):
    """Publish the draft answers of the consultation (or of one theme): participants see them from now on, and each
    author whose comments were answered gets one email listing them. One log entry per answer published.
    Returns how many answers were published."""
    _require_facilitator(by, consultation)
    _require_closed(consultation)
    if theme is not None and theme.consultation_id != consultation.id:
        raise NotFound("No such theme")
    with transaction() as session:
        drafts = _drafts_of(consultation, theme)
        if not drafts:
            raise DomainError("There are no draft answers to publish" + (" under this theme" if theme else ""))
        now = utcnow()
        told = {}
        for response in drafts:
            response.published_at = now
            session.flush()
            subject = f"comment:{response.comment_id}" if response.comment_id else f"theme:{response.theme_id}"
            trail.append("response.published", subject,
                         {"consultation": consultation.id, "response": response.id,
                          "theme": theme.id if theme is not None else None}, actor=by.id)
        for response in drafts:
            for comment_id in _comments_answered_by(response):
                told[comment_id] = "answered"
        _notify_changes(consultation, told)
    return len(drafts)


def publication_counts(consultation, theme=None):
    """(comments whose answer is a draft, comments whose answer is published), for the answers and theme pages."""
    conds = list(_needs_answer(consultation.id))
    if theme is not None:
        conds.append(exists().where(CommentTheme.comment_id == Comment.id, CommentTheme.theme_id == theme.id))
    published = _answered(published_only=True)
    count = select(func.count()).select_from(Comment)
    drafts = db.session.execute(count.where(*conds, _answered(), ~published)).scalar_one()
    return drafts, db.session.execute(count.where(*conds, published)).scalar_one()


def draft_answer_count(consultation):
    """Answers (to comments, themes or formal responses from organisations) not yet published: sign-off is not
    asked for while there are any."""
    from app.org_responses.services import draft_answer_count as formal_drafts

    return db.session.execute(select(func.count()).select_from(Response).where(
        Response.consultation_id == consultation.id, Response.published_at.is_(None))).scalar_one() \
        + formal_drafts(consultation.id)


def has_published_answers(consultation):
    return db.session.execute(select(Response.id).where(Response.consultation_id == consultation.id,
                                                        Response.published_at.is_not(None)).limit(1)).first() is not None
