"""The demo data ends with one published arrangement, so a newcomer can read it signed out."""
from app.demo import load_demo_data
from app.extensions import db
from app.signoff.models import Publication
from app.trail import services as trail


def test_demo_data_publishes_the_thematic_groups_arrangement(app, client):
    assert load_demo_data() is True
    count, head = trail.verify_database()
    html = client.get("/arrangements/thematic-groups").get_data(as_text=True)
    assert "Thematic groups" in html and "You said, we did" in html
    publication = db.session.query(Publication).one()
    assert publication.log_head in html and trail.verify_database()[0] == count
    # Running it again changes nothing.
    assert load_demo_data() is False
    assert trail.head() == (count, head)
