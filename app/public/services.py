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
    items = responses.answered_comments(consultation, public=True)
    counts = {}
    for item in items:
        key = item.response.outcome if item.response else "unanswered"
        counts[key] = counts.get(key, 0) + 1
    return consultation, items, counts
