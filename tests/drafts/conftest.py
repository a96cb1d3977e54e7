"""Fixtures for the drafts room: a facilitator, readers, and drafts made through the services."""
import pytest

from app.accounts.models import Role
from app.drafts import services
from app.drafts.models import Topic
from app.partnerships.models import PartnerKind


@pytest.fixture
def people(make_person, facilitator):
    """One person for each role the drafts room cares about."""
    lead = make_person(role=Role.LEAD_SIGNATORY, partner=PartnerKind.POLICE)
    return {
        "facilitator": facilitator,
        "scrutineer": make_person(role=Role.SCRUTINEER),
        "lead_signatory": lead,
        "delegated_signatory": make_person(role=Role.DELEGATED_SIGNATORY, partner=PartnerKind.POLICE,
                                           acting_for=lead),
        "practitioner": make_person(role=Role.PRACTITIONER),
        "vcs_partner": make_person(role=Role.VCS_PARTNER),
        "young_person": make_person(role=Role.YOUNG_PERSON),
        "dsl": make_person(role=Role.DSL),
    }


SECTIONS = [
    ("Early Intervention", "Help for families **early**.", "Help comes early.", [Topic.WORKING_TOGETHER]),
    ("Domestic abuse", "Children who live with domestic abuse are noticed.", "Children are noticed.",
     [Topic.RELEVANT_AGENCIES]),
    ("Serious Case Reviews", "The group commissions reviews.", "Learning from mistakes.", [Topic.PRACTICE_REVIEWS]),
]


@pytest.fixture
def make_draft(partnership, facilitator):
    """make_draft(publish=True) -> a draft whose version 1 has three sections (published unless told not to)."""

    def make(title="Proposed working groups", sections=SECTIONS, publish=True):
        draft = services.create_draft(facilitator, partnership, title=title, summary="Working groups")
        version = draft.versions[0]
        for section_title, body, summary, topics in sections:
            services.add_section(facilitator, version, title=section_title, body=body, plain_summary=summary,
                                 topics=topics)
        if publish:
            services.publish_version(facilitator, version, change_note="First version")
        return draft

    return make
