"""The demo consultation loads through the services, once, with every audience taking part."""
from sqlalchemy import func, select

from app.accounts.services import find_by_login
from app.consultations.demo import load_demo_consultation
from app.consultations.models import Comment, Vote
from app.demo import load_demo_data
from app.drafts.demo import load_demo_drafts
from app.extensions import db as _db
from app.partnerships.services import current_partnership

from tests.fixtures.consultations import assert_log_verifies


def test_demo_consultation(app, client, login):
    load_demo_data()
    partnership, facilitator = current_partnership(), find_by_login("facilitator@demo.test")
    drafts = load_demo_drafts(partnership, facilitator)
    consultation = load_demo_consultation(partnership, facilitator, {}, drafts)
    assert consultation.state == "open" and consultation.version.number == 2
    assert {a.audience for a in consultation.audiences} == {"practitioners", "voluntary_and_community",
                                                            "young_people"}
    audiences = dict(_db.session.execute(select(Comment.author_audience, func.count())
                                         .group_by(Comment.author_audience)).all())
    assert set(audiences) == {"practitioners", "voluntary_and_community", "young_people"}
    statuses = set(_db.session.scalars(select(Comment.status).where(Comment.author_audience == "young_people")))
    # the moderation demo approves one; a flagged one went to the DSL as a possible disclosure
    assert "pending" in statuses and statuses <= {"pending", "published", "concern"}
    assert _db.session.scalar(select(func.count()).where(Comment.depth > 0)) >= 3
    assert set(_db.session.scalars(select(Vote.audience))) == {"practitioners", "voluntary_and_community",
                                                               "young_people"}
    priya = find_by_login("practitioner@demo.test")
    assert _db.session.scalar(select(func.count()).where(Comment.author_id == priya.id)) == 0
    # Idempotent: a second run changes nothing.
    def counts():
        return _db.session.scalar(select(func.count(Comment.id))), _db.session.scalar(select(func.count(Vote.id)))

    before = counts()
    assert load_demo_consultation(partnership, facilitator, {}, drafts).id == consultation.id
    assert counts() == before
    assert_log_verifies()
    # The newcomer's walk-through: the page shows the other people's comments on Domestic abuse.
    login(priya, password="demo-password-2019")
    html = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Operation Encompass" in html and "Teenagers might not call it abuse" not in html
