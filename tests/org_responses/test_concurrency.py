"""Co-authors saving at the same moment on PostgreSQL: exactly one save from a version wins, every other is told
someone else saved (never a silent overwrite); two drafts of one organisation submitted at once: one is submitted."""
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import create_app
from app.accounts.models import Person, Role
from app.extensions import db as _db
from app.org_responses import services
from app.org_responses.models import OrgResponse
from app.partnerships.models import OrganisationKind
from config import TestConfig
from tests.conftest import POSTGRES_URL, create_postgres_database, drop_postgres_database
from tests.fixtures.consultations import assert_log_verifies, log_actions
from tests.org_responses.conftest import rival_draft

WRITERS = 6


def _setup():
    from app.accounts import services as accounts
    from app.consultations import services as consultations
    from app.drafts import services as drafts
    from app.partnerships import services as partnerships
    from app.timeutil import utcnow

    partnership = partnerships.create_partnership(name="Concurrency", slug="c", areas=["Here"])
    charity = partnerships.add_organisation(None, partnership, name="Charity",
                                            kind=OrganisationKind.VOLUNTARY_OR_COMMUNITY)
    facilitator = accounts.create_account(None, partnership=partnership, display_name="F", email="f@example.org",
                                          roles=[Role.FACILITATOR], password="long enough password")
    people = [accounts.create_account(None, partnership=partnership, display_name=f"P{n}", email=f"p{n}@example.org",
                                      roles=[Role.VCS_PARTNER], password="long enough password", organisation=charity)
              for n in range(WRITERS)]
    draft = drafts.create_draft(facilitator, partnership, title="Draft")
    drafts.add_section(facilitator, draft.versions[0], title="One", body="Body")
    version = drafts.publish_version(facilitator, draft.versions[0])
    now = utcnow()
    consultation = consultations.open_consultation(facilitator, version, title="C", audiences=["voluntary_and_community"],
                                                   opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=9))
    return consultation, people


def _at_once(app, count, work):
    barrier, outcomes = threading.Barrier(count), [None] * count

    def run(n):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                outcomes[n] = work(n)
            except Exception as error:  # collected and judged below
                outcomes[n] = error
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.postgres
def test_simultaneous_saves_and_submissions_on_postgresql():
    name = f"portal_orgresp_{uuid.uuid4().hex[:8]}"
    url = create_postgres_database(POSTGRES_URL, name)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    try:
        with app.app_context():
            consultation, people = _setup()
            response = services.start(people[0], consultation)
            for person in people[1:]:
                services.add_co_author(people[0], response, person)
            ids = {"response": response.id, "people": [p.id for p in people]}
            _db.session.remove()

        def save(n):
            person = _db.session.get(Person, ids["people"][n])
            draft = _db.session.get(OrgResponse, ids["response"])
            services.save(person, draft, sections={}, overall=f"Overall by writer {n}", version=1)
            return n

        outcomes = _at_once(app, WRITERS, save)
        winners = [o for o in outcomes if isinstance(o, int)]
        assert len(winners) == 1, outcomes
        assert all(isinstance(o, services.EditConflict) for o in outcomes if not isinstance(o, int)), outcomes
        with app.app_context():
            draft = _db.session.get(OrgResponse, ids["response"])
            assert (draft.version, draft.overall) == (2, f"Overall by writer {winners[0]}")
            # On a second consultation every writer starts a draft of their own, and all submit at once: one is.
            from app.consultations import services as consultations
            from app.timeutil import utcnow

            first = services.consultation_of(draft)
            facilitator = _db.session.scalars(select(Person).where(Person.email == "f@example.org")).one()
            now = utcnow()
            second = consultations.open_consultation(facilitator, first.version, title="Second",
                                                     audiences=["voluntary_and_community"],
                                                     opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=9))
            drafts = [rival_draft(_db.session.get(Person, pid), second).id for pid in ids["people"][1:]]
            assert len(set(drafts)) == WRITERS - 1
            _db.session.remove()

        def submit(n):
            person = _db.session.get(Person, ids["people"][n + 1])
            own = _db.session.get(OrgResponse, drafts[n])
            return services.submit(person, own, version=1, sections={}, overall=f"Submitted by {n}")

        outcomes = _at_once(app, len(drafts), submit)
        assert sum(isinstance(o, dict) for o in outcomes) == 1, outcomes
        assert all("already submitted" in str(o) for o in outcomes if not isinstance(o, dict)), outcomes
        with app.app_context():
            submitted = _db.session.scalars(select(OrgResponse).where(OrgResponse.status == "submitted")).all()
            assert len(submitted) == 1 and log_actions().count("org_response.submitted") == 1
            assert_log_verifies()
            _db.session.remove()
            _db.engine.dispose()
    finally:
        drop_postgres_database(POSTGRES_URL, name)
