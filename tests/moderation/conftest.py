"""The consultation factories (tests/consultations/conftest.py), plus moderators and a DSL."""
import pytest

from app.accounts.models import Role
from tests.consultations.conftest import *


@pytest.fixture
def dsl(make_person):
    return make_person(Role.DSL, name="Dana Safeguarding", email="dsl@example.org")


@pytest.fixture
def group(partnership):
    return next(o for o in partnership.organisations if o.name == "Testshire Youth Council")
