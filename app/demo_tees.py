"""`flask demo-data --shape hartlepool-stockton`: a combined two-area partnership (seed 004, Cabinet report of
13 December 2018): Hartlepool and Stockton-on-Tees Safeguarding Children Partnership, hosted by Hartlepool
Borough Council. Four statutory partners, each with its own lead: two councils (one area each), Cleveland Police
and the ICB (both areas). A draft of the arrangements, written from the report, is open for consultation.

Made through the services (so every step is in the consultation log); a second run changes nothing.
"""
from datetime import timedelta

from app.accounts import services as accounts
from app.accounts.models import Audience, Role
from app.consultations import services as consultations
from app.drafts import services as drafts
from app.drafts.models import Topic as T
from app.partnerships import services as partnerships
from app.partnerships.models import OrganisationKind as Kind, PartnerKind
from app.timeutil import utcnow

SLUG = "hartlepool-stockton"
AREAS = ["Hartlepool", "Stockton-on-Tees"]

# statutory partner (and its organisation), kind, areas covered
PARTNERS = [
    ("Hartlepool Borough Council", PartnerKind.LOCAL_AUTHORITY, Kind.LOCAL_AUTHORITY, ["Hartlepool"]),
    ("Stockton-on-Tees Borough Council", PartnerKind.LOCAL_AUTHORITY, Kind.LOCAL_AUTHORITY, ["Stockton-on-Tees"]),
    ("Cleveland Police", PartnerKind.POLICE, Kind.POLICE, AREAS),
    ("North East and North Cumbria ICB", PartnerKind.ICB, Kind.ICB, AREAS),
]
OTHER_ORGANISATIONS = [
    ("Hartlepool and Stockton Children's Hub", Kind.RELEVANT_AGENCY),
    ("Tees Valley Adoption Agency", Kind.RELEVANT_AGENCY),
    ("Stockton Primary Heads Forum", Kind.EDUCATION_OR_CHILDCARE),
    ("Catalyst Stockton", Kind.VOLUNTARY_OR_COMMUNITY),
    ("Tees Independent Scrutiny", Kind.RELEVANT_AGENCY),
]
# login, display name, organisation, roles, statutory partner they sign for (the lead comes before a delegate)
ACCOUNTS = [
    ("facilitator@tees.demo.test", "Fran Tees", "Hartlepool Borough Council", [Role.FACILITATOR], None),
    ("hartlepool.lead@tees.demo.test", "Hana Hartlepool", "Hartlepool Borough Council", [Role.LEAD_SIGNATORY],
     "Hartlepool Borough Council"),
    ("stockton.lead@tees.demo.test", "Stan Stockton", "Stockton-on-Tees Borough Council", [Role.LEAD_SIGNATORY],
     "Stockton-on-Tees Borough Council"),
    ("police.lead@tees.demo.test", "Clare Cleveland", "Cleveland Police", [Role.LEAD_SIGNATORY], "Cleveland Police"),
    ("police.delegate@tees.demo.test", "Dev Delegate", "Cleveland Police", [Role.DELEGATED_SIGNATORY],
     "Cleveland Police"),
    ("icb.lead@tees.demo.test", "Nina North East", "North East and North Cumbria ICB", [Role.LEAD_SIGNATORY],
     "North East and North Cumbria ICB"),
    ("practitioner@tees.demo.test", "Priya Hub", "Hartlepool and Stockton Children's Hub", [Role.PRACTITIONER], None),
    ("teacher@tees.demo.test", "Theo Teacher", "Stockton Primary Heads Forum", [Role.PRACTITIONER], None),
    ("vcs@tees.demo.test", "Val Catalyst", "Catalyst Stockton", [Role.VCS_PARTNER], None),
    ("scrutineer@tees.demo.test", "Sam Scrutineer", "Tees Independent Scrutiny", [Role.SCRUTINEER], None),
    ("dsl@tees.demo.test", "Dana Safeguarding", "Hartlepool Borough Council", [Role.DSL], None),
]

DRAFT_TITLE = "Hartlepool and Stockton-on-Tees safeguarding arrangements"
SECTIONS = [
    ("Partners, area and host", "Hartlepool Borough Council, Stockton-on-Tees Borough Council, Cleveland Police "
     "and the integrated care board form one partnership for **both** local authority areas. Hartlepool Borough "
     "Council hosts it. The budget for the first year is the same as the two boards' budget the year before.",
     "Four organisations keep children safe across Hartlepool and Stockton together.",
     [T.PARTNERS_AND_AREA]),
    ("Executive partnership", "An executive partnership of the statutory partners leads the arrangements and "
     "receives what action learning finds, so that learning reaches every agency.",
     "The leaders of the council, police and health meet to make decisions.", [T.WORKING_TOGETHER]),
    ("Engine room group", "An engine room group identifies key lines of enquiry from data, local and national "
     "reviews and single- and multi-agency audits, and commissions action learning on them.",
     "A working group looks at facts and reviews to decide what to learn about next.",
     [T.USE_OF_DATA, T.PRACTICE_REVIEWS]),
    ("Action learning with front-line practitioners", "Action learning brings front-line practitioners together "
     "on each theme, so that they learn as they take part. It replaces most multi-agency training courses.",
     "People who work with children learn together from real cases.", [T.TRAINING]),
    ("Schools and relevant agencies", "Schools take part through the heads' forums of both towns; the Children's "
     "Hub and the Tees Valley Adoption Agency are relevant agencies.",
     "Schools and other services are part of the partnership.", [T.RELEVANT_AGENCIES, T.EDUCATION_SETTINGS]),
]
COMMENTS = [
    ("practitioner@tees.demo.test", "Action learning with front-line practitioners",
     "Action learning works in the Hub already. Please protect time for practitioners to take part."),
    ("teacher@tees.demo.test", "Schools and relevant agencies",
     "Stockton's primary heads would like a seat on the engine room group, not only the forums."),
    ("vcs@tees.demo.test", "Engine room group",
     "How will voluntary sector audits feed the engine room? We see families before anyone else."),
    ("practitioner@tees.demo.test", "Executive partnership",
     "Will the executive partnership publish its decisions for practitioners in both towns?"),
]


def load(password):
    """Create the Hartlepool and Stockton partnership, its people and an open consultation."""
    partnership = partnerships.create_partnership(
        name="Hartlepool and Stockton-on-Tees Safeguarding Children Partnership", slug=SLUG, areas=AREAS)
    areas = {area.name: area for area in partnership.areas}
    partners, organisations = {}, {}
    for name, partner_kind, organisation_kind, covered in PARTNERS:
        partners[name] = partnerships.add_statutory_partner(None, partnership, name=name, kind=partner_kind,
                                                            areas=[areas[a] for a in covered])
        organisations[name] = partnerships.add_organisation(None, partnership, name=name, kind=organisation_kind,
                                                            statutory_partner=partners[name])
    for name, kind in OTHER_ORGANISATIONS:
        organisations[name] = partnerships.add_organisation(None, partnership, name=name, kind=kind)
    people, leads = {}, {}
    for login, name, organisation, roles, partner in ACCOUNTS:
        acting_for = leads.get(partner) if Role.DELEGATED_SIGNATORY in roles else None
        people[login] = accounts.create_account(
            None, partnership=partnership, display_name=name, roles=roles, password=password, email=login,
            organisation=organisations[organisation], statutory_partner_id=partners[partner].id if partner else None,
            acting_for_id=acting_for.id if acting_for else None)
        if Role.LEAD_SIGNATORY in roles:
            leads[partner] = people[login]
    _consultation(partnership, people)
    return partnership


def _consultation(partnership, people):
    facilitator = people["facilitator@tees.demo.test"]
    draft = drafts.create_draft(facilitator, partnership, title=DRAFT_TITLE,
                                summary="One partnership for Hartlepool and Stockton-on-Tees, hosted by Hartlepool.")
    version = drafts.working_version(draft)
    for title, body, plain, topics in SECTIONS:
        drafts.add_section(facilitator, version, title=title, body=body, plain_summary=plain, topics=topics)
    drafts.publish_version(facilitator, version, change_note="First version, from the Cabinet report of "
                                                             "13 December 2018.")
    now = utcnow()
    consultation = consultations.open_consultation(
        facilitator, version, title="One partnership for Hartlepool and Stockton-on-Tees",
        audiences=[Audience.PRACTITIONERS.value, Audience.VOLUNTARY_AND_COMMUNITY.value],
        opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(weeks=6))
    sections = {section.title: section for section in version.sections}
    for login, section_title, text in COMMENTS:
        consultations.post_comment(people[login], consultation, text, section=sections[section_title])
    return consultation
