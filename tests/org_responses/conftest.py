"""Factories for formal responses: a charity's two people (a lead and a colleague), someone of another organisation."""
import pytest

from app.accounts.models import Role

CHARITY = "Testshire Voluntary Action"


@pytest.fixture
def lead(make_person):
    return make_person(Role.VCS_PARTNER, name="Lina Lead", organisation=CHARITY)


@pytest.fixture
def colleague(make_person):
    return make_person(Role.VCS_PARTNER, name="Cal Colleague", organisation=CHARITY)


@pytest.fixture
def outsider(make_person):
    """A practitioner of the council: taking part, but not of the charity."""
    return make_person(Role.PRACTITIONER, name="Olu Outsider", organisation="Testshire Council")


def rival_draft(person, consultation):
    """A second draft of the same organisation, made behind the service's back: the service now points a colleague to
    the draft already started, but the database's own rule (one *submitted* response per organisation) must hold
    whatever drafts exist."""
    from app.database import transaction
    from app.org_responses.models import OrgResponse, OrgResponseStatus
    from app.timeutil import utcnow

    now = utcnow()
    with transaction() as session:
        response = OrgResponse(consultation_id=consultation.id, organisation_id=person.organisation_id,
                               lead_id=person.id, status=OrgResponseStatus.DRAFT.value, overall="", version=1,
                               updated_by_id=person.id, created_at=now, updated_at=now)
        session.add(response)
    return response
