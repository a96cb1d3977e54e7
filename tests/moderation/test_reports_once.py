"""Only participants report, and once each (issue 14)."""
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Role
from app.consultations import services as consultations
from app.database import transaction
from app.errors import DomainError, NotAllowed
from app.moderation import services
from app.moderation.models import Report
from app.partnerships.models import PartnerKind


def _reports(db):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Report))


@pytest.mark.parametrize("role", [Role.SCRUTINEER, Role.LEAD_SIGNATORY, Role.FACILITATOR, Role.DSL])
def test_people_who_only_watch_do_not_report(db, consultation, vcs, make_person, role):
    comment = consultations.post_comment(vcs, consultation, "A view")
    watcher = make_person(role, partner=PartnerKind.POLICE if role == Role.LEAD_SIGNATORY else None)
    with pytest.raises(NotAllowed):
        services.report(watcher, comment, "I object")
    assert _reports(db) == 0


def test_one_report_per_person_per_comment(db, consultation, vcs, practitioner):
    comment = consultations.post_comment(vcs, consultation, "A view")
    services.report(practitioner, comment, "It is rude")
    with pytest.raises(DomainError, match="already reported"):
        services.report(practitioner, comment, "It is still rude")
    assert _reports(db) == 1


def test_the_database_keeps_one_report_per_person_per_comment(db, consultation, vcs, practitioner):
    comment = consultations.post_comment(vcs, consultation, "A view")
    services.report(practitioner, comment, "It is rude")
    with pytest.raises(IntegrityError):
        with transaction() as session:
            session.add(Report(comment_id=comment.id, by_id=practitioner.id, reason="again"))
    assert _reports(db) == 1


def test_the_report_page_is_refused_to_watchers(app, login, consultation, vcs, scrutineer):
    comment = consultations.post_comment(vcs, consultation, "A view")
    browser = app.test_client()
    login(scrutineer, target=browser)
    assert browser.get(f"/comments/{comment.id}/report").status_code == 403
    html = browser.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert f"/comments/{comment.id}/report" not in html
