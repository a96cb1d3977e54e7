"""Tagging many comments with a theme at once. One transaction; one log entry per comment tagged, as if each had
been tagged on its own page. (Beside services.py, whose answer rules other work is changing.)"""
from sqlalchemy import select

from app.consultations.models import Comment
from app.database import transaction
from app.errors import DomainError, NotFound
from app.responses.models import CommentTheme
from app.responses.services import _answerable, _require_facilitator, clean_text, copy_theme_answer, create_theme
from app.trail import services as trail

MAX_AT_ONCE = 500


def tag_comments(by, consultation, comment_ids, *, theme=None, new_theme=None):
    """Tag the chosen comments of `consultation` with a theme (an existing one, or a new one). Returns
    (theme, how many were newly tagged); comments that had the theme already are left as they were."""
    _require_facilitator(by, consultation)
    comment_ids = sorted({int(i) for i in comment_ids or []})
    if not comment_ids:
        raise DomainError("Choose at least one comment to tag", field="comments")
    if len(comment_ids) > MAX_AT_ONCE:
        raise DomainError(f"Tag at most {MAX_AT_ONCE} comments at once", field="comments")
    if theme is None and not clean_text(new_theme):
        raise DomainError("Choose a theme or enter a new one", field="theme")
    if theme is not None and theme.consultation_id != consultation.id:
        raise NotFound("No such theme")
    with transaction() as session:
        comments = session.execute(select(Comment).where(Comment.id.in_(comment_ids))).scalars().all()
        if len(comments) != len(comment_ids):
            raise NotFound("No such comment")
        for comment in comments:
            _answerable(comment, consultation)
        if theme is None:
            theme = create_theme(by, consultation, new_theme)
        tagged = set(session.execute(select(CommentTheme.comment_id).where(
            CommentTheme.theme_id == theme.id, CommentTheme.comment_id.in_(comment_ids))).scalars())
        added = [c.id for c in comments if c.id not in tagged]
        for comment_id in added:
            session.add(CommentTheme(comment_id=comment_id, theme_id=theme.id, tagged_by_id=by.id))
        session.flush()
        for comment_id in added:
            trail.append("comment.tagged", f"comment:{comment_id}", {"theme": theme.id, "bulk": True}, actor=by.id)
        if added:
            copy_theme_answer(theme, by, consultation)
    return theme, len(added)
