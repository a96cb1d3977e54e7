"""A report on a comment that keeps to the rules is dismissed with a reason; the reporter is told (issue 16)."""
import pytest
from sqlalchemy import select

from app.consultations import services as consultations
from app.errors import DomainError, NotAllowed
from app.moderation import services
from app.moderation.models import Report
from app.trail import services as trail
from tests.mail.test_smtp import send_mail
from tests.smtp import smtp_settings

REASON = "It disagrees strongly but politely, which the rules allow."


@pytest.fixture
def app_config(smtp):
    return smtp_settings(smtp)


@pytest.fixture
def reported(consultation, practitioner, vcs):
    comment = consultations.post_comment(vcs, consultation, "The executive group is too big to decide anything.")
    services.report(practitioner, comment, "It is rude about the executive", reason_code="unkind")
    return comment


def _post(client, csrf, url, data):
    return client.post(url, data={**data, "csrf_token": csrf(client, "/accessibility")})


def test_dismissing_keeps_the_comment_closes_the_reports_tells_the_reporter_and_is_logged(
        db, runner, smtp, reported, facilitator, practitioner):
    services.dismiss_reports(facilitator, reported, REASON)
    db.session.expire_all()
    report = db.session.execute(select(Report).where(Report.comment_id == reported.id)).scalar_one()
    assert (report.resolved_by_id, report.dismissal_reason) == (facilitator.id, REASON)
    assert reported.status == "published"
    entry = list(trail.iter_entries())[-1]
    assert (entry["action"], entry["subject"], entry["actor"]) == ("comment.reports_dismissed",
                                                                    f"comment:{reported.id}", facilitator.id)
    data = entry["data"]
    assert data["reports"] == [report.id] and data["reason_sha256"] == trail.text_hash(REASON)
    send_mail(runner)
    [message] = smtp.messages
    assert message["To"] == practitioner.email
    assert REASON in message.get_body(preferencelist=("plain",)).get_content()
    assert services.dismissed_reports_for(practitioner) == [report]


def test_a_reason_is_needed_and_only_moderators_dismiss(db, reported, facilitator, practitioner, scrutineer):
    with pytest.raises(DomainError, match="Enter why the comment can stay"):
        services.dismiss_reports(facilitator, reported, "  ")
    for person in (practitioner, scrutineer):
        with pytest.raises(NotAllowed):
            services.dismiss_reports(person, reported, REASON)
    db.session.expire_all()
    assert db.session.execute(select(Report.resolved_at)).scalar_one() is None


def test_reports_are_dismissed_once(db, reported, facilitator):
    services.dismiss_reports(facilitator, reported, REASON)
    with pytest.raises(DomainError, match="no open report"):
        services.dismiss_reports(facilitator, reported, REASON)
    assert [e["action"] for e in trail.iter_entries()].count("comment.reports_dismissed") == 1


def test_the_moderator_dismisses_on_the_comment_page_and_the_reporter_reads_why_at_home(
        client, csrf, as_person, reported, facilitator, practitioner):
    moderator = as_person(facilitator)
    before = moderator.get(f"/moderation/comments/{reported.id}").get_data(as_text=True)
    assert "Dismiss the reports" in before
    assert f"by {practitioner.display_name}: It is unkind, rude or bullying. “It is rude about the executive”" in before
    refused = _post(moderator, csrf, f"/moderation/comments/{reported.id}/dismiss-reports", {"reason": ""})
    assert refused.status_code == 200 and "Enter why the comment can stay" in refused.get_data(as_text=True)
    done = _post(moderator, csrf, f"/moderation/comments/{reported.id}/dismiss-reports", {"reason": REASON})
    assert done.status_code == 303
    assert f"comment-{reported.id}" not in moderator.get("/moderation").get_data(as_text=True).split("Hidden")[0]
    page = moderator.get(f"/moderation/comments/{reported.id}").get_data(as_text=True)
    assert "dismissed by Fran Facilitator" in page and "Dismiss the reports" not in page
    home = as_person(practitioner).get("/").get_data(as_text=True)
    assert "the comment you reported" in home and REASON in home


def test_a_reader_who_only_watches_cannot_post_a_dismissal(csrf, as_person, reported, scrutineer):
    response = _post(as_person(scrutineer), csrf, f"/moderation/comments/{reported.id}/dismiss-reports",
                     {"reason": REASON})
    assert response.status_code == 403
