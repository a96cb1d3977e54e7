"""The demo consultation: North Somerset's "Proposed working groups" (version 2) open for six weeks.

`load_demo_consultation(partnership, facilitator, people, drafts)` opens it to practitioners, the voluntary and
community sector and young people's groups, and adds a spread of comments, replies and votes from each audience,
all through the services so the consultation log tells the story. Young people's comments wait for a moderator.
It leaves practitioner@demo.test untouched, so a newcomer can take part from scratch. Running it again finds the
consultation and changes nothing.
"""
from datetime import timedelta

from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import Audience, Person, Role
from app.consultations import services
from app.consultations.models import Consultation
from app.drafts.models import DraftArrangement, DraftVersion
from app.extensions import db
from app.timeutil import utcnow

TITLE = "Proposed working groups"

# login, display name, organisation, role
EXTRA_PEOPLE = [
    ("amy.clarke@demo.test", "Sergeant Amy Clarke", "Avon and Somerset Constabulary", Role.PRACTITIONER),
    ("tom.reeves@demo.test", "Tom Reeves", "Weston College", Role.PRACTITIONER),
    ("hannah.price@demo.test", "Hannah Price", "Bristol, North Somerset and South Gloucestershire ICB",
     Role.PRACTITIONER),
    ("sam.okafor@demo.test", "Sam Okafor", "North Somerset Council", Role.PRACTITIONER),
    ("jo.bennett@demo.test", "Jo Bennett", "Voluntary Action North Somerset", Role.VCS_PARTNER),
    ("youth-demo-2", "Youth council member 2", "North Somerset Youth Council", Role.YOUNG_PERSON),
    ("youth-demo-3", "Youth council member 3", "North Somerset Youth Council", Role.YOUNG_PERSON),
]

# (key, author, section title or None for the whole draft, text, parent key or None)
COMMENTS = [
    ("encompass", "amy", "Domestic abuse",
     "Operation Encompass already lets us tell a school before the next school day. The group should check that it "
     "works at weekends and in the school holidays too, when children are most on their own.", None),
    ("friday", "tom", "Domestic abuse",
     "From the school side: most notifications reach us by 8am, but an incident on a Friday night often reaches us "
     "on Monday afternoon. Agree this needs checking.", "encompass"),
    ("consent", "val", "Domestic abuse",
     "Our family support workers see the same gap. Could voluntary sector workers who already know the family be "
     "told too, with the parent's consent?", "friday"),
    ("specialists", "jo", "Domestic abuse",
     "Please name the specialist domestic abuse services as members of this group, not only as services it "
     "oversees. Survivors' experience needs to be in the room. See https://www.womensaid.org.uk/ for the national "
     "picture.", None),
    ("teen", "youth2", "Domestic abuse",
     "Teenagers might not call it abuse when it's a boyfriend or girlfriend. Can you explain it in a way young "
     "people understand?", None),
    ("health-visitors", "hannah", "Early Intervention",
     "Health visitors see nearly every family from before birth. Early help should start there, so the group needs "
     "a health visiting lead as a member.", None),
    ("first-ask", "val", "Early Intervention",
     "Agree. Community groups and family centres are often where parents ask for help first.", "health-visitors"),
    ("audits", "val", "Quality Assurance",
     "How will multi-agency audits include the voluntary sector? Our volunteers are often the first to notice "
     "neglect.", None),
    ("training-cost", "tom", "Workforce development",
     "Multi-agency training should be free for schools and early years settings, or the small ones will not come.",
     None),
    ("socials", "youth3", "Communications",
     "Put it on Instagram and TikTok, not only on the council website.", None),
    ("cyp-choose", "youth1", "Children and Young People's group",
     "We want to help choose what the group talks about, not just fill in surveys afterwards.", None),
    ("rapid-review", "hannah", "Local child safeguarding practice reviews",
     "15 working days for a rapid review is tight. Will health colleagues get the request for a chronology at the "
     "same time as everyone else?", None),
    ("too-many", "sam", None,
     "Seven working groups is a lot for a small area, and the same people will sit on most of them. Could "
     "Communications be part of Workforce development?", None),
    ("keep-comms", "jo", None,
     "We would rather keep Communications separate: it is how families hear about the help that exists.",
     "too-many"),
    ("diagram", "tom", None,
     "It would help to see on one diagram how these groups relate to the Avon and Somerset-wide groups.", None),
]

# author -> [(section title, choice, reason)]
VOTES = {
    "amy": [("Domestic abuse", "support_with_changes", "Check weekends and school holidays"),
            ("Early Intervention", "support", ""), ("Quality Assurance", "support", ""),
            ("Local child safeguarding practice reviews", "support", "")],
    "tom": [("Domestic abuse", "support", ""),
            ("Workforce development", "support_with_changes", "Free places for small settings"),
            ("Communications", "support", "")],
    "hannah": [("Early Intervention", "support_with_changes", "Name a health visiting lead"),
               ("Domestic abuse", "support", ""),
               ("Local child safeguarding practice reviews", "support_with_changes", "Health in rapid reviews")],
    "sam": [("Communications", "oppose", "Merge it with Workforce development"),
            ("Early Intervention", "support", ""), ("Domestic abuse", "support", "")],
    "val": [("Quality Assurance", "support_with_changes", "Include the voluntary sector in audits"),
            ("Domestic abuse", "support", ""), ("Early Intervention", "support", ""),
            ("Children and Young People's group", "support", "")],
    "jo": [("Domestic abuse", "support_with_changes", "Specialist services as members"),
           ("Communications", "support", "")],
    "youth1": [("Children and Young People's group", "support", ""), ("Domestic abuse", "support", "")],
    "youth2": [("Domestic abuse", "support_with_changes", "Explain it for teenagers")],
    "youth3": [("Communications", "support_with_changes", "Use social media"),
               ("Children and Young People's group", "support", "")],
}


def _people_by_login(people):
    """Accept {login: Person}, a list of people, or nothing; return {login: Person}."""
    values = people.values() if isinstance(people, dict) else (people or [])
    return {person.login_name: person for person in values if person is not None}


def _person(partnership, login, name, organisation, role, password):
    existing = accounts.find_by_login(login)
    if existing is not None:
        return existing
    login_field = {"email": login} if "@" in login else {"username": login}
    organisations = {o.name: o for o in partnership.organisations}
    return accounts.create_account(None, partnership=partnership, display_name=name, roles=[role],
                                   password=password, organisation=organisations.get(organisation), **login_field)


def _one_with_role(partnership, known, login, role):
    if login in known:
        return known[login]
    found = accounts.find_by_login(login)
    if found is not None:
        return found
    return db.session.execute(select(Person).where(Person.partnership_id == partnership.id,
                                                   Person.grants.any(role=role.value))
                              .order_by(Person.id)).scalars().first()


def _latest_published(partnership, drafts):
    draft = (drafts or {}).get("working_groups") or db.session.execute(
        select(DraftArrangement).where(DraftArrangement.partnership_id == partnership.id,
                                       DraftArrangement.title == TITLE)).scalar_one_or_none()
    if draft is None:
        return None
    return db.session.execute(select(DraftVersion).where(DraftVersion.draft_id == draft.id,
                                                         DraftVersion.status == "published")
                              .order_by(DraftVersion.number.desc()).limit(1)).scalar_one_or_none()


def load_demo_consultation(partnership, facilitator, people=None, drafts=None, password=None):
    """Open the demo consultation with its comments, replies and votes. Returns it (or the existing one)."""
    version = _latest_published(partnership, drafts)
    if version is None:
        return None
    existing = db.session.execute(select(Consultation).where(Consultation.version_id == version.id)
                                  .limit(1)).scalar_one_or_none()
    if existing is not None:
        return existing
    if password is None:
        from app.demo import DEMO_PASSWORD as password  # the demo accounts all share one password

    known = _people_by_login(people)
    cast = {"val": _one_with_role(partnership, known, "vcs@demo.test", Role.VCS_PARTNER),
            "youth1": _one_with_role(partnership, known, "youth-demo", Role.YOUNG_PERSON)}
    for key, (login, name, organisation, role) in zip(
            ("amy", "tom", "hannah", "sam", "jo", "youth2", "youth3"), EXTRA_PEOPLE):
        cast[key] = _person(partnership, login, name, organisation, role, password)

    now = utcnow()
    consultation = services.open_consultation(
        facilitator, version, title=TITLE, audiences=[a.value for a in Audience if a != Audience.PUBLIC],
        opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(weeks=6))
    sections = {section.title: section for section in version.sections}
    posted = {}
    for key, author, section_title, text, parent in COMMENTS:
        person = cast.get(author)
        if person is None:
            continue
        if parent:
            if posted.get(parent) is not None and posted[parent].status == "published":
                posted[key] = services.reply(person, posted[parent], text)
        else:
            posted[key] = services.post_comment(person, consultation, text, section=sections.get(section_title))
    for author, votes in VOTES.items():
        for section_title, choice, reason in votes:
            if cast.get(author) is not None and section_title in sections:
                services.cast_vote(cast[author], consultation, sections[section_title], choice, reason)
    return consultation
