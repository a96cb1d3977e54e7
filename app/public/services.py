"""Reading published arrangements (no sign-in): nothing here changes data."""
from sqlalchemy import func, select

from app.extensions import db
from app.responses import services as responses
from app.signoff.models import Decision, Publication
from app.signoff.services import partners_with_decisions


def publications_of(slug):
    """Every published version under a slug, newest first."""
    return db.session.execute(select(Publication).where(Publication.slug == slug)
                              .order_by(Publication.version_number.desc())).scalars().all()


def publication(slug, number=None):
    found = publications_of(slug)
    if number is not None:
        found = [p for p in found if p.version_number == number]
    return found[0] if found else None


def latest_publications():
    """The newest publication of each arrangement."""
    newest = select(Publication.slug, func.max(Publication.version_number).label("number")) \
        .group_by(Publication.slug).subquery()
    return db.session.execute(select(Publication).join(newest, (newest.c.slug == Publication.slug)
                                                       & (newest.c.number == Publication.version_number))
                              .order_by(Publication.published_at.desc())).scalars().all()


def signatures(publication):
    """[(partner, approval)] of the request that published this version."""
    return [(partner, decision) for partner, decision in partners_with_decisions(publication.request)
            if decision is not None and decision.decision == Decision.APPROVED.value]


def you_said_we_did(publication):
    """The answers given in the consultation behind this version (public attribution: no names)."""
    consultation = publication.request.consultation
    items = responses.answered_comments(consultation, public=True, drafts=False)
    counts = {}
    for item in items:
        key = item.response.outcome if item.response else "unanswered"
        counts[key] = counts.get(key, 0) + 1
    return consultation, items, counts


def front_door(partnership, now=None):
    """What the public reads at /: the partnership, its published arrangements, and its consultations (the open
    ones, and the closed ones with what came of them). Titles and dates only: no comment is shown here."""
    from app.consultations.models import Consultation
    from app.drafts.models import DraftArrangement, DraftVersion
    from app.timeutil import utcnow

    now = now or utcnow()
    consultations = db.session.execute(
        select(Consultation).join(DraftVersion, Consultation.version_id == DraftVersion.id)
        .join(DraftArrangement, DraftVersion.draft_id == DraftArrangement.id)
        .where(DraftArrangement.partnership_id == partnership.id, Consultation.opens_at <= now)
        .order_by(Consultation.closes_at.desc())).scalars().all()
    published = latest_publications()
    published_by_consultation = {p.request.consultation_id: p for p in published}
    open_now = [c for c in consultations if c.state_at(now) == "open"]
    closed = [(c, published_by_consultation.get(c.id)) for c in consultations if c.state_at(now) == "closed"]
    return {"partnership": partnership, "publications": published, "open_consultations": open_now,
            "closed_consultations": closed}
