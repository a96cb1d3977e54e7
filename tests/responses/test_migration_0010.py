"""Migration 0010_issue18_answers: answers written before it were emailed when saved, so they count as published;
the columns are added in place, so the response table keeps its data-version triggers (migration 0007); and it goes
down and up again. SQLite only: on PostgreSQL the test database is shared by the session."""
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app.extensions import db
from app.responses import services
from tests.conftest import backend_url

pytestmark = pytest.mark.skipif(bool(backend_url()), reason="migrates the per-test SQLite file down and up")

TRIGGERS = {"data_version_response_insert", "data_version_response_update", "data_version_response_delete"}


def _triggers():
    return set(db.session.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                       "AND tbl_name = 'response'")).scalars())


def test_earlier_answers_count_as_published_and_the_triggers_stay(app, closed, facilitator):
    item = services.answered_comments(closed)[0]
    services.respond(facilitator, closed, comment=item.comment, outcome="accepted", reason="We did it.")
    db.session.remove()
    db.engine.dispose()
    downgrade(revision="0010_issue16")  # as if the answer had been written before this migration
    assert TRIGGERS <= _triggers()
    db.session.remove()
    db.engine.dispose()
    upgrade()
    published, updated, copied = db.session.execute(
        text("SELECT published_at, updated_at, from_theme_id FROM response")).one()
    assert published is not None and published == updated and copied is None
    assert TRIGGERS <= _triggers()
