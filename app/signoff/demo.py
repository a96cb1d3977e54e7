"""Demo: the Havering-style "Thematic groups" draft, consulted on last autumn, answered, signed off and published.

So that a newcomer finds a published arrangement at /arrangements/… with its "You said,
we did" summary and the log head hash it was signed over — everything made through the
real services (and so in the log), with times in the past.
"""
from datetime import date, timedelta

from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import Audience
from app.consultations import services as consultations
from app.consultations.models import Consultation
from app.drafts import services as drafts
from app.extensions import db
from app.responses import publishing
from app.responses import services as responses
from app.signoff import services as signoff
from app.timeutil import utcnow

TITLE = "Thematic groups: consultation"

COMMENTS = [
    ("amy.clarke@demo.test", "Adolescent Safeguarding",
     "Please make sure the Adolescent Safeguarding group covers exploitation across council boundaries: "
     "the same young people go missing between North Somerset, Bristol and South Gloucestershire.",
     "accepted", "The group's terms of reference now name cross-border exploitation and missing episodes."),
    ("jo.bennett@demo.test", "Schools and Learners",
     "The voluntary sector runs most of the after-school provision. We would like a seat on Schools and Learners.",
     "partly_accepted", "A voluntary sector representative will join the group for a year, then we will review it."),
    ("tom.reeves@demo.test", None,
     "Four thematic groups feels right, but please publish who sits on each one.",
     "already_covered", "Membership of every group is listed in the published arrangements."),
]


def load_demo_publication(partnership, people, drafts_by_key, password):
    """Consult on, answer, sign off and publish the Thematic groups draft. Idempotent."""
    if db.session.execute(select(Consultation.id).where(Consultation.title == TITLE)).first():
        return None
    draft = drafts_by_key["thematic_groups"]
    version = drafts.published_versions(draft)[-1]
    facilitator = people["facilitator@demo.test"]
    opened = utcnow() - timedelta(days=70)
    consultation = consultations.open_consultation(
        facilitator, version, title=TITLE,
        audiences=[Audience.PRACTITIONERS, Audience.VOLUNTARY_AND_COMMUNITY],
        opens_at=opened, closes_at=opened + timedelta(days=42), now=opened)
    sections = {s.title: s for s in version.sections}
    posted = []
    for index, (login, section_title, text, outcome, reason) in enumerate(COMMENTS):
        author = people.get(login) or accounts.find_by_login(login)
        section = sections.get(section_title) if section_title else None
        comment = consultations.post_comment(author, consultation, text, section=section,
                                             now=opened + timedelta(days=3 + index * 5))
        posted.append((comment, outcome, reason))
    consultation = db.session.get(Consultation, consultation.id)
    for comment, outcome, reason in posted:
        responses.respond(facilitator, consultation, outcome=outcome, reason=reason, comment=comment)
    publishing.publish_answers(facilitator, consultation)  # sign-off is not asked for while answers are drafts
    request = signoff.request_signoff(facilitator, consultation, version,
                                      effective_date=date.today() - timedelta(days=7))
    for login in ("la.partner@demo.test", "police.partner@demo.test", "icb.partner@demo.test"):
        signatory = people[login]
        request = signoff.get_request(request.id)
        partner = signoff.partner_by_id(signoff.authority_of(signatory).partner_id)
        signoff.decide(signatory, request, partner, decision="approved", password=password)
    return signoff.publication_of(version.id)
