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
