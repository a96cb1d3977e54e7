"""The whole picture around a comment, for whoever answers it: its replies, the votes on its section with their
reasons, and the other comments under its themes. Read-only; each function is one or two queries whatever the
number of comments or votes. (Kept apart from services.py, whose answer rules other work is changing.)"""
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from app.accounts.models import Person
from app.consultations.models import Comment, CommentStatus, Vote, VoteChoice
from app.extensions import db
from app.partnerships.models import Organisation
from app.responses.models import CommentTheme
from app.responses.services import answered_comments, attribution


@dataclass
class Said:
    """One reply or one vote's reason, with who said it as the reader may see it."""

    attribution: str
    text: str
    audience: str | None


def replies_to(comment):
    """The published replies in a comment's thread, oldest first (pending, hidden and withdrawn ones are left out:
    a facilitator answers what participants could read)."""
    rows = db.session.execute(
        select(Comment, Person, Organisation).join(Person, Comment.author_id == Person.id)
        .outerjoin(Organisation, Person.organisation_id == Organisation.id)
        .where(Comment.thread_id == comment.id, Comment.id != comment.id,
               Comment.status == CommentStatus.PUBLISHED.value)
        .order_by(Comment.id)).all()
    return [Said(attribution(p, o, c.author_audience), c.body, c.author_audience) for c, p, o in rows]


def vote_reasons(consultation, section_ids=None):
    """{section id: {choice: {audience: [Said]}}} for the votes that gave a reason ("Why?"), in the order of the
    choices. Young people are shown only as a member of their group."""
    query = (select(Vote, Person, Organisation).join(Person, Vote.person_id == Person.id)
             .outerjoin(Organisation, Person.organisation_id == Organisation.id)
             .where(Vote.consultation_id == consultation.id, Vote.reason != "")
             .order_by(Vote.section_id, Vote.audience, Vote.id))
    if section_ids is not None:
        query = query.where(Vote.section_id.in_(list(section_ids)))
    grouped = defaultdict(lambda: {choice.value: defaultdict(list) for choice in VoteChoice})
    for vote, person, organisation in db.session.execute(query):
        grouped[vote.section_id][vote.choice][vote.audience or ""].append(
            Said(attribution(person, organisation, vote.audience), vote.reason, vote.audience))
    return {section_id: {choice: dict(by_audience) for choice, by_audience in choices.items() if by_audience}
            for section_id, choices in grouped.items()}


def same_theme(consultation, item):
    """The other comments sharing a theme with `item` (an AnsweredComment), with their answers."""
    theme_ids = [theme.id for theme in item.themes]
    if not theme_ids:
        return []
    others = select(CommentTheme.comment_id).where(CommentTheme.theme_id.in_(theme_ids))
    return answered_comments(consultation, where=(Comment.id.in_(others), Comment.id != item.comment.id))


def under_themes(items, themes):
    """[(theme, [AnsweredComment])] for the report: each theme with the comments tagged with it."""
    return [(theme, [item for item in items if theme in item.themes]) for theme in themes]


CHOICE_LABELS = {choice.value: choice.label for choice in VoteChoice}
