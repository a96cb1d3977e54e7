"""A comment form sent twice stores one comment (issue 14): each form shown carries a one-time key."""
import re

from sqlalchemy import func, select

from app.consultations import services
from app.consultations.models import Comment


def _count(db):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Comment))


def _general_form(browser, consultation):
    html = browser.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    key = re.search(r'name="c-general-submission" value="([^"]+)"', html).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return key, token


def test_the_same_form_sent_twice_stores_one_comment(app, db, login, consultation, practitioner):
    browser = app.test_client()
    login(practitioner, target=browser)
    key, token = _general_form(browser, consultation)
    data = {"c-general-body": "Please add a helpline", "c-general-submission": key, "csrf_token": token}
    first = browser.post(f"/consultations/{consultation.id}/comments", data=data)
    second = browser.post(f"/consultations/{consultation.id}/comments", data=data)
    assert first.status_code == second.status_code == 303
    assert _count(db) == 1


def test_each_form_shown_has_its_own_key(app, db, login, consultation, practitioner, vcs):
    browser = app.test_client()
    login(practitioner, target=browser)
    key, token = _general_form(browser, consultation)
    browser.post(f"/consultations/{consultation.id}/comments",
                 data={"c-general-body": "First", "c-general-submission": key, "csrf_token": token})
    again, token = _general_form(browser, consultation)  # a remembered form must not bring the old key back
    assert again != key
    other = app.test_client()
    login(vcs, target=other)
    assert _general_form(other, consultation)[0] not in (key, again)
    browser.post(f"/consultations/{consultation.id}/comments",
                 data={"c-general-body": "Second", "c-general-submission": again, "csrf_token": token})
    assert _count(db) == 2


def test_the_service_answers_a_resend_with_the_first_comment(db, consultation, practitioner):
    first = services.post_comment(practitioner, consultation, "Once", submission_key="k" * 32)
    again = services.post_comment(practitioner, consultation, "Once", submission_key="k" * 32)
    assert again.id == first.id and _count(db) == 1
    parent = first
    reply = services.reply(practitioner, parent, "A reply", submission_key="r" * 32)
    assert services.reply(practitioner, parent, "A reply", submission_key="r" * 32).id == reply.id
    assert _count(db) == 2
