"""The demo loader never acts as a person on an existing database (issue 14): `make run` runs it on every start."""
from sqlalchemy import func, select

from app.accounts.services import find_by_login
from app.consultations.models import Comment
from app.demo import load_demo_data
from app.moderation import services as moderation
from app.trail import services as trail


def _young(db, status):
    db.session.rollback()
    return db.session.scalar(select(func.count()).where(Comment.author_audience == "young_people",
                                                        Comment.status == status))


def test_a_second_run_changes_nothing_even_when_a_young_persons_comment_waits(app, db, runner):
    assert load_demo_data() is True
    facilitator = find_by_login("facilitator@demo.test")
    for comment in db.session.execute(select(Comment).where(Comment.author_audience == "young_people",
                                                            Comment.status == "published")).scalars().all():
        moderation.hide(facilitator, comment, "unkind", "Hidden for this test")
    waiting, head = _young(db, "pending"), trail.head()
    assert waiting >= 1 and _young(db, "published") == 0

    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0 and "nothing changed" in result.output
    assert _young(db, "pending") == waiting and _young(db, "published") == 0
    assert trail.head() == head
