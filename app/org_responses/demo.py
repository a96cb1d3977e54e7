"""The demo's formal responses (issue 19): on the open consultation, Voluntary Action North Somerset's, submitted
(Val Voluntary led it with Jo Bennett), and North Somerset Council's still a draft that only its authors see."""
from sqlalchemy import select

from app.accounts.models import Person
from app.extensions import db
from app.org_responses import services
from app.org_responses.models import OrgResponse

CHARITY = {
    "Early Intervention": "Our members run most of the early help in the district. Name the voluntary sector as "
                          "a member of the group, not a guest.",
    None: "Voluntary Action North Somerset supports the working groups, provided the voluntary sector has a seat "
          "on each and the papers reach us a week before every meeting.",
}
COUNCIL_DRAFT = "Children's services would chair the early help group. (Draft: to agree with the director first.)"


def _person(email):
    return db.session.execute(select(Person).where(Person.email == email)).scalar_one_or_none()


def load_demo_org_responses(consultation):
    """Load them once (nothing if the consultation already has any)."""
    if consultation is None or db.session.execute(select(OrgResponse.id).where(
            OrgResponse.consultation_id == consultation.id).limit(1)).first() is not None:
        return
    val, jo = _person("vcs@demo.test"), _person("jo.bennett@demo.test")
    sections = {s.title: s.id for s in consultation.version.sections}
    if val is not None and services.may_lead(val, consultation):
        response = services.start(val, consultation)
        if jo is not None:
            services.add_co_author(val, response, jo)
        texts = {sections[title]: text for title, text in CHARITY.items() if title in sections}
        services.save(jo or val, response, sections=texts, overall=CHARITY[None], version=1)
        services.submit(val, response, version=2)
    sam = _person("sam.okafor@demo.test")
    if sam is not None and services.may_lead(sam, consultation):
        draft = services.start(sam, consultation)
        first = next(iter(sections.values()), None)
        services.save(sam, draft, sections={first: COUNCIL_DRAFT} if first else {}, overall="", version=1)
