"""Moderators and a DSL (the consultation factories are tests/fixtures/consultations.py, for every room)."""
import pytest

from app.accounts.models import Role


@pytest.fixture
def dsl(make_person):
    return make_person(Role.DSL, name="Dana Safeguarding", email="dsl@example.org")


@pytest.fixture
def group(partnership):
    return next(o for o in partnership.organisations if o.name == "Testshire Youth Council")
