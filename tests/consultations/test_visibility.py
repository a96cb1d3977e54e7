"""Which comments each kind of reader sees: one rule (app/access.py) for the SQL filter, the Python check and the
text shown, and the consultation page (drawn, then remembered) showing exactly that to every kind of reader."""
import pytest
from sqlalchemy import select, update

from app.access import can_read_comment_text, can_see_comment, comment_visible_sql
from app.accounts.models import Role
from app.consultations import queries, services
from app.consultations.models import Comment, CommentStatus
from app.extensions import db

READERS = [Role.FACILITATOR, Role.SCRUTINEER, Role.DSL, Role.PRACTITIONER, Role.VCS_PARTNER, Role.YOUNG_PERSON,
           Role.LEAD_SIGNATORY]


@pytest.fixture
def planted(consultation, sections, make_person):
    """One comment by somebody else in each status, each carrying a marker in its text, spread over the page's
    slots so that each is among the newest threads the page opens with."""
    author = make_person(Role.PRACTITIONER, name="Other Author")
    comments = {}
    for status, section in zip(CommentStatus, [None, *sections, None]):
        comment = services.post_comment(author, consultation, f"MARKER-{status.value}-other", section=section)
        comments[status.value] = comment.id
    for status, comment_id in comments.items():
        db.session.execute(update(Comment).where(Comment.id == comment_id).values(status=status))
    db.session.commit()
    return comments


def _own(reader, consultation):
    """The reader's own comment in each status (for those who may post)."""
    own = {}
    for status in CommentStatus:
        comment = Comment(consultation_id=consultation.id, author_id=reader.id, body=f"MARKER-{status.value}-own",
                          status=status.value, author_audience="practitioners", depth=0)
        db.session.add(comment)
        db.session.flush()
        comment.thread_id = comment.id
        own[status.value] = comment.id
    db.session.commit()
    return own


@pytest.mark.parametrize("role", READERS, ids=lambda r: r.value)
def test_sql_and_python_agree_for_every_reader_status_and_author(consultation, planted, make_person, role):
    reader = make_person(role)
    own = _own(reader, consultation)
    access = queries.access_for(reader, consultation)
    ids = [*planted.values(), *own.values()]
    in_sql = set(db.session.execute(select(Comment.id).where(Comment.id.in_(ids), comment_visible_sql(access)))
                 .scalars())
    for comment in db.session.execute(select(Comment).where(Comment.id.in_(ids))).scalars():
        assert (comment.id in in_sql) == can_see_comment(comment, access), (role, comment.status, comment.body)
        if comment.author_id == reader.id:  # one's own comments are always seen, with their text
            assert comment.id in in_sql and can_read_comment_text(comment, access)
    # what the rule is, in words: concerns only for those who read all and concerns; moderated text for readers
    # of everything; everyone else published and withdrawn ones (the latter as a note)
    seen = {status for status, cid in planted.items() if cid in in_sql}
    if role == Role.SCRUTINEER:
        assert seen == {s.value for s in CommentStatus}
    elif role == Role.FACILITATOR:
        assert seen == {s.value for s in CommentStatus} - {"concern"}
    else:
        assert seen == {"published", "withdrawn"}


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.SCRUTINEER, Role.PRACTITIONER, Role.VCS_PARTNER,
                                  Role.YOUNG_PERSON, Role.LEAD_SIGNATORY], ids=lambda r: r.value)
def test_the_page_shows_each_reader_exactly_the_text_the_rule_allows_drawn_and_remembered(
        app, consultation, planted, make_person, as_person, role):
    reader = make_person(role)
    access = queries.access_for(reader, consultation)
    assert access.can_read
    browser = as_person(reader)
    # A reader who sees everything opened the page first, so a remembered copy of *their* page exists.
    as_person(make_person(Role.SCRUTINEER)).get(f"/consultations/{consultation.id}")
    pages = [browser.get(f"/consultations/{consultation.id}") for _ in range(2)]  # drawn, then remembered
    for response in pages:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        for status, comment_id in planted.items():
            comment = db.session.get(Comment, comment_id)
            shown = f"MARKER-{status}-other" in html
            assert shown == can_read_comment_text(comment, access) and shown == (
                status in ({"published"} if not access.sees_all else
                           {s.value for s in CommentStatus} - ({"concern"} if not access.sees_concerns else set()))
            ), (role, status)
