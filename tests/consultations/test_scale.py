"""The consultation page costs the same number of SQL statements with 10 comments or 10,000."""
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import event, insert, select, update

from app.consultations.queries import FIRST_THREADS
from app.consultations.models import Comment, CommentRevision, Vote
from app.extensions import db as _db
from app.timeutil import utcnow


@contextmanager
def counting(engine):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _seed(consultation_id, section_ids, authors, count, start=0):
    """Bulk-insert `count` comments: threads on every section and the whole draft, replies, some edited."""
    sections = [None, *section_ids]
    now = utcnow() - timedelta(hours=1)
    threads = [dict(consultation_id=consultation_id, section_id=sections[n % len(sections)], depth=0,
                    author_id=authors[n % len(authors)], author_audience="practitioners",
                    body=f"Bulk comment {start + n}", status="published", created_at=now)
               for n in range(count * 3 // 4)]
    _db.session.execute(insert(Comment), threads)
    _db.session.execute(update(Comment).where(Comment.thread_id.is_(None)).values(thread_id=Comment.id))
    parents = _db.session.execute(select(Comment.id, Comment.section_id).where(Comment.depth == 0)
                                  .order_by(Comment.id.desc()).limit(count - len(threads))).all()
    replies = [dict(consultation_id=consultation_id, section_id=section_id, parent_id=parent, thread_id=parent,
                    depth=1, author_id=authors[n % len(authors)], author_audience="practitioners",
                    body=f"Bulk reply {start + n}", status="published", created_at=now, edited_at=now)
               for n, (parent, section_id) in enumerate(parents)]
    _db.session.execute(insert(Comment), replies)
    edited = _db.session.execute(select(Comment.id).where(Comment.edited_at.is_not(None))).scalars().all()
    _db.session.execute(insert(CommentRevision), [dict(comment_id=i, body="earlier", written_at=now)
                                                  for i in edited])
    _db.session.commit()


def _statements(client, url):
    client.get(url)  # settles anything done once a minute (the session's last-seen time)
    _db.session.remove()  # start from an empty identity map, as a real request does
    current_app.extensions["shared_pages"].clear()  # count the page being drawn, not served remembered
    with counting(_db.engine) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["consultation", "more", "thread"])
def test_query_count_is_flat_from_10_to_10000_comments(client, login, consultation, practitioner, vcs, make_person,
                                                      page):
    authors, consultation_id = [practitioner.id, vcs.id], consultation.id
    section_ids = [s.id for s in consultation.version.sections]
    _seed(consultation_id, section_ids, authors, 10)
    _db.session.execute(insert(Vote), [dict(consultation_id=consultation_id, section_id=section_id, person_id=p,
                                            audience="practitioners", choice="support", reason="")
                                       for section_id in section_ids for p in authors])
    _db.session.commit()
    login(practitioner)
    first_thread = _db.session.scalar(select(Comment.id).where(Comment.depth == 0).order_by(Comment.id))
    urls = {"consultation": f"/consultations/{consultation_id}",
            "more": f"/consultations/{consultation_id}/comments?after=999999999",
            "thread": f"/comments/{first_thread}/replies"}
    small, _ = _statements(client, urls[page])
    _seed(consultation_id, section_ids, authors, 9990, start=10)
    assert _db.session.query(Comment).count() == 10000
    large, html = _statements(client, urls[page])
    assert large == small, f"{small} statements with 10 comments, {large} with 10,000"
    # The page drawn afresh (a remembered one costs a handful): comments, replies, votes, suggestions, documents,
    # formal responses and the reader's own parts. Was < 25 before suggestions, documents and formal responses.
    assert small < 30
    if page == "consultation":
        assert html.count('class="portal-thread"') == FIRST_THREADS * (1 + len(section_ids))
        assert "Show more comments" in html
