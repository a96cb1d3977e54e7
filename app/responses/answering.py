"""Finding comments to answer, at scale: filters, full-text search and pages for the answers page.

One query function, `find_comments`, whatever the database: SQLite searches its FTS5 table (comment_fts,
migration 0009_issue16), PostgreSQL its full-text index. A page costs the same few statements however many
comments the consultation has (a count, a page of ids, then `answered_comments` for that page).
"""
import math
import re
from dataclasses import dataclass, field

from sqlalchemy import bindparam, exists, func, select, text

from app.accounts.models import Person
from app.consultations.models import Comment, Vote
from app.extensions import db
from app.partnerships.models import Organisation
from app.responses.models import CommentTheme, Response
from app.responses.services import _answered, _needs_answer, answered_comments

PAGE_SIZE = 25
MAX_QUERY = 200


@dataclass
class Filters:
    """What the facilitator asked for; empty values filter nothing."""

    q: str = ""
    section: int | None = None
    audience: str | None = None
    organisation: int | None = None
    theme: int | None = None
    outcome: str | None = None
    answered: str | None = None  # "yes" or "no"
    vote: str | None = None  # the author's vote on the comment's section
    page: int = 1


@dataclass
class Page:
    items: list
    total: int
    number: int
    pages: int
    ids: list = field(default_factory=list)


def _words(q):
    return re.findall(r"\w+", (q or "")[:MAX_QUERY])


def search_condition(q):
    """A condition on Comment matching every word of `q` (stemmed on PostgreSQL, by token on SQLite)."""
    words = _words(q)
    if not words:
        return None
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_tsvector("english", Comment.body).op("@@")(func.plainto_tsquery("english", " ".join(words)))
    # FTS5 query syntax: each word quoted (so no word is read as an operator), all of them needed; a prefix match
    # on each, as people type the start of a word ("school" finds "schools").
    match = " ".join('"' + word.replace('"', '""') + '"*' for word in words)
    return Comment.id.in_(select(text("rowid")).select_from(text("comment_fts"))
                          .where(text("comment_fts MATCH :fts_query").bindparams(bindparam("fts_query", match))))


def _outcome_is(outcome):
    """The answer that applies is its own, or else its theme's (as in answered_comments)."""
    own = exists().where(Response.comment_id == Comment.id)
    own_is = exists().where(Response.comment_id == Comment.id, Response.outcome == outcome)
    theme_is = exists().where(CommentTheme.comment_id == Comment.id, Response.theme_id == CommentTheme.theme_id,
                              Response.outcome == outcome)
    return own_is | (~own & theme_is)


def conditions(consultation, filters):
    conds = list(_needs_answer(consultation.id))
    if filters.section:
        conds.append(Comment.section_id == filters.section)
    if filters.audience:
        conds.append(Comment.author_audience == filters.audience)
    if filters.organisation:
        conds.append(Comment.author_id.in_(select(Person.id).where(Person.organisation_id == filters.organisation)))
    if filters.theme:
        conds.append(exists().where(CommentTheme.comment_id == Comment.id, CommentTheme.theme_id == filters.theme))
    if filters.outcome:
        conds.append(_outcome_is(filters.outcome))
    if filters.answered in ("yes", "no"):
        conds.append(_answered() if filters.answered == "yes" else ~_answered())
    if filters.vote:
        conds.append(exists().where(Vote.consultation_id == Comment.consultation_id, Vote.person_id == Comment.author_id,
                                    Vote.section_id == Comment.section_id, Vote.choice == filters.vote))
    search = search_condition(filters.q)
    if search is not None:
        conds.append(search)
    return conds


def find_comments(consultation, filters, *, page_size=PAGE_SIZE):
    """One page of the comments needing an answer that match `filters`, oldest first."""
    conds = conditions(consultation, filters)
    total = db.session.execute(select(func.count()).select_from(Comment).where(*conds)).scalar_one()
    pages = max(1, math.ceil(total / page_size))
    number = min(max(1, filters.page or 1), pages)
    ids = list(db.session.execute(select(Comment.id).where(*conds).order_by(Comment.id)
                                  .limit(page_size).offset((number - 1) * page_size)).scalars())
    items = answered_comments(consultation, where=(Comment.id.in_(ids),)) if ids else []
    return Page(items=items, total=total, number=number, pages=pages, ids=ids)


def organisations_of(partnership_id):
    return db.session.execute(select(Organisation).where(Organisation.partnership_id == partnership_id)
                              .order_by(Organisation.name)).scalars().all()
