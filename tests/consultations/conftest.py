"""Factories for the consultation tests: a published draft, an open consultation and its people."""
from datetime import timedelta

import pytest

from app.accounts.models import Audience, Role
from app.consultations import services
from app.drafts import services as drafts
from app.timeutil import utcnow
from app.trail import services as trail

ALL_AUDIENCES = [a.value for a in Audience]
SECTIONS = [
    ("Early Intervention", "A **multi-agency** group to help families early.",
     "Help for families before things get worse."),
    ("Domestic abuse", "A group on domestic abuse and its effect on children.", "Keeping children safe at home."),
    ("Quality Assurance", "Audits of multi-agency practice.", ""),
]


@pytest.fixture
def make_version(partnership, facilitator):
    """make_version(title, sections=SECTIONS, publish=True) -> DraftVersion."""

    def make(title="Proposed working groups", sections=SECTIONS, publish=True):
        draft = drafts.create_draft(facilitator, partnership, title=title)
        version = draft.versions[0]
        for section_title, body, summary in sections:
            drafts.add_section(facilitator, version, title=section_title, body=body, plain_summary=summary)
        if publish:
            drafts.publish_version(facilitator, version)
        return version

    return make


@pytest.fixture
def make_consultation(make_version, facilitator):
    """make_consultation(audiences=all, opens_in=-1 minute, closes_in=6 weeks) -> an open Consultation."""

    def make(audiences=ALL_AUDIENCES, opens_in=timedelta(minutes=-1), closes_in=timedelta(weeks=6), version=None,
             title="Proposed working groups"):
        version = version or make_version(title)
        now = utcnow()
        return services.open_consultation(facilitator, version, title=title, audiences=audiences,
                                          opens_at=now + opens_in, closes_at=now + closes_in)

    return make


@pytest.fixture
def consultation(make_consultation):
    return make_consultation()


@pytest.fixture
def practitioner(make_person):
    return make_person(Role.PRACTITIONER, name="Priya Practitioner")


@pytest.fixture
def vcs(make_person):
    return make_person(Role.VCS_PARTNER, name="Val Voluntary", organisation="Testshire Voluntary Action")


@pytest.fixture
def young(make_person):
    return make_person(Role.YOUNG_PERSON, name="Youth Council member")


@pytest.fixture
def scrutineer(make_person):
    return make_person(Role.SCRUTINEER, name="Sam Scrutineer")


@pytest.fixture
def sections(consultation):
    return list(consultation.version.sections)


def log_actions():
    return [entry["action"] for entry in trail.iter_entries()]


def assert_log_verifies():
    count, _ = trail.verify_database()
    assert count == len(log_actions())
