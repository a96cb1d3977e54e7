"""Two signatories approving at the same moment both count, once each (PostgreSQL, separate processes).

Each process has its own app and connection; they wait at a barrier and then decide. Decisions on one
request are serialised by a row lock on the request, and the database holds one decision per partner per
request, so the rule is checked once with every decision counted, and publication happens exactly once.
"""
import os
import uuid
from datetime import date, timedelta
from multiprocessing import get_context

import pytest

from app import create_app
from app.accounts import services as accounts
from app.accounts.models import Role
from app.consultations import services as consultations
from app.drafts import services as drafts
from app.errors import DomainError
from app.extensions import db
from app.partnerships import services as partnerships
from app.partnerships.models import OrganisationKind, PartnerKind
from app.signoff import services
from app.signoff.models import Publication, SignOff
from app.timeutil import utcnow
from app.trail import services as trail
from config import TestConfig
from tests.conftest import (
    PASSWORD,
    POSTGRES_URL,
    create_postgres_database,
    drop_postgres_database,
)


def _person(partnership, role, partner=None, acting_for=None):
    org = next(o for o in partnership.organisations if o.name == (partner.name if partner else "Council"))
    return accounts.create_account(None, partnership=partnership, display_name=role.label, roles=[role],
                                   password=PASSWORD, email=f"{uuid.uuid4().hex[:8]}@example.org", organisation=org,
                                   statutory_partner_id=partner.id if partner else None,
                                   acting_for_id=acting_for.id if acting_for else None)


def _setup(url):
    """A request waiting for decisions; returns ids: request, {kind: (lead id, partner id)}, police delegate id."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        p = partnerships.create_partnership(name="Race", slug="race", areas=["Raceshire"])
        slots = {}
        for kind, name in [(PartnerKind.LOCAL_AUTHORITY, "Council"), (PartnerKind.POLICE, "Police"),
                           (PartnerKind.ICB, "ICB")]:
            slots[kind] = partnerships.add_statutory_partner(None, p, name=name, kind=kind)
            partnerships.add_organisation(None, p, name=name, kind=OrganisationKind(kind.value),
                                          statutory_partner=slots[kind])
        facilitator = _person(p, Role.FACILITATOR)
        leads = {kind: _person(p, Role.LEAD_SIGNATORY, slots[kind]) for kind in PartnerKind}
        delegate = _person(p, Role.DELEGATED_SIGNATORY, slots[PartnerKind.POLICE], leads[PartnerKind.POLICE])
        draft = drafts.create_draft(facilitator, p, title="Race arrangements")
        version = draft.versions[0]
        drafts.add_section(facilitator, version, title="Working together", body="Text")
        drafts.publish_version(facilitator, version)
        now = utcnow()
        consultation = consultations.open_consultation(facilitator, version, title="Race", audiences=["practitioners"],
                                                       opens_at=now - timedelta(minutes=1),
                                                       closes_at=now + timedelta(days=1))
        consultations.close_early(facilitator, consultation, "Done")
        request = services.request_signoff(facilitator, consultation, version, effective_date=date(2027, 1, 1))
        ids = (request.id, {k: (leads[k].id, slots[k].id) for k in PartnerKind}, delegate.id)
        db.session.remove()
        db.engine.dispose()
    return ids


def decide_at_once(url, request_id, person_id, partner_id, barrier, results):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        from app.accounts.models import Person

        person = db.session.get(Person, person_id)
        request = services.get_request(request_id)
        partner = services.partner_by_id(partner_id)
        _ = person.grants, request.consultation.version.draft  # load before the start line
        barrier.wait()
        try:
            services.decide(person, request, partner, decision="approved", password=PASSWORD)
            results.put(("ok", person_id))
        except DomainError as error:
            results.put(("refused", error.message))
        db.session.remove()
        db.engine.dispose()


def _race(url, request_id, deciders):
    context = get_context("spawn")
    barrier = context.Barrier(len(deciders), timeout=120)
    results = context.Queue()
    processes = [context.Process(target=decide_at_once, args=(url, request_id, person, partner, barrier, results))
                 for person, partner in deciders]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0] * len(deciders)
    return outcomes


def _counts(url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        result = (db.session.query(SignOff).count(), db.session.query(Publication).count(),
                  [e["action"] for e in trail.iter_entries()].count("arrangement.published"))
        trail.verify_database()
        db.session.remove()
        db.engine.dispose()
    return result


@pytest.fixture
def postgres_url():
    name = f"portal_signoff_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    url = create_postgres_database(POSTGRES_URL, name)
    yield url
    drop_postgres_database(POSTGRES_URL, name)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_partners_approving_at_the_same_moment_both_count_and_publish_once(postgres_url):
    request_id, leads, _delegate = _setup(postgres_url)
    _race(postgres_url, request_id, [leads[PartnerKind.LOCAL_AUTHORITY]])
    assert _counts(postgres_url) == (1, 0, 0)
    # The last two approve at once: both count, and exactly one of them publishes.
    outcomes = _race(postgres_url, request_id, [leads[PartnerKind.POLICE], leads[PartnerKind.ICB]])
    assert sorted(kind for kind, _ in outcomes) == ["ok", "ok"]
    assert _counts(postgres_url) == (3, 1, 1)


@pytest.mark.slow
@pytest.mark.postgres
def test_the_same_partner_approving_twice_at_once_counts_once(postgres_url):
    request_id, leads, delegate_id = _setup(postgres_url)
    police_lead, police = leads[PartnerKind.POLICE]
    outcomes = _race(postgres_url, request_id, [(police_lead, police), (delegate_id, police), (police_lead, police)])
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused", "refused"]
    assert _counts(postgres_url) == (1, 0, 0)
