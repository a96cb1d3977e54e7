"""Factories for responses, sign-off and public tests: a closed consultation with comments, and signatories."""
import pytest

from app.accounts.models import Role
from app.consultations import services as consultations
from app.partnerships.models import PartnerKind
from tests.consultations.conftest import *


@pytest.fixture
def closed(consultation, facilitator, practitioner, vcs):
    """A consultation with two comments (one on a section), then closed early."""
    section = consultation.version.sections[0]
    consultations.post_comment(practitioner, consultation, "Please add schools to this group.", section=section)
    consultations.post_comment(vcs, consultation, "The voluntary sector needs a seat.")
    consultations.close_early(facilitator, consultation, "Enough responses")
    return consultation


@pytest.fixture
def leads(make_person):
    """{PartnerKind: the lead signatory of that partner}."""
    return {kind: make_person(Role.LEAD_SIGNATORY, partner=kind, name=f"{kind.label} lead") for kind in PartnerKind}
