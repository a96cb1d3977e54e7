"""Sign-off pages: asking, deciding with the password, who may do what; the public page afterwards."""
import pytest

from app.accounts.models import Role
from app.partnerships.models import PartnerKind
from app.responses import publishing
from app.responses import services as responses
from app.signoff import services
from app.signoff.models import Publication, SignOff
from tests.conftest import PASSWORD
from tests.fixtures.consultations import log_actions


def _answer_all(consultation, facilitator):
    for item in responses.answered_comments(consultation):
        responses.respond(facilitator, consultation, comment=item.comment, outcome="accepted", reason="Done")
    publishing.publish_answers(facilitator, consultation)  # sign-off is not asked for while answers are drafts


def _ask(client, csrf, closed, **data):
    path = f"/consultations/{closed.id}/signoff"
    form = {"csrf_token": csrf(client, path), "version": str(closed.version.id), "effective_date": "29 9 2027"}
    form.update(data)
    return client.post(path, data=form)


def test_sign_off_is_refused_with_unanswered_comments_unless_waived(client, login, csrf, closed, facilitator, db):
    login(facilitator)
    response = _ask(client, csrf, closed)
    assert response.status_code == 200 and "still have no answer" in response.get_data(as_text=True)
    assert _ask(client, csrf, closed, waiver_reason="Statutory deadline").status_code == 303
    html = client.get(f"/consultations/{closed.id}/signoff").get_data(as_text=True)
    assert "Waiting for decisions" in html and "Statutory deadline" in html


def test_the_full_journey_through_the_pages(app, client, login, csrf, closed, facilitator, leads, db):
    _answer_all(closed, facilitator)
    login(facilitator)
    assert _ask(client, csrf, closed).status_code == 303
    request = db.session.query(services.SignOffRequest).one()
    path = f"/signoff/{request.id}/decide"
    for kind in PartnerKind:
        other = app.test_client()
        login(leads[kind], target=other)
        assert path in other.get("/").get_data(as_text=True)
        page = other.get(path).get_data(as_text=True)
        assert "<html" in page and "Your decision for" in page
        response = other.post(path, data={"csrf_token": csrf(other, path), "decision": "approved",
                                          "password": PASSWORD})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
    publication = db.session.query(Publication).one()
    public = app.test_client()  # signed out
    html = public.get(f"/arrangements/{publication.slug}").get_data(as_text=True)
    assert "<html" in html and publication.log_head in html and f"--seq {publication.log_seq}" in html
    assert "You said, we did" in html and "Done" in html


def test_a_wrong_password_on_the_page_fails_and_is_logged(client, login, csrf, closed, facilitator, leads, db):
    _answer_all(closed, facilitator)
    request = services.request_signoff(facilitator, closed, closed.version,
                                       effective_date=__import__("datetime").date(2027, 1, 1))
    login(leads[PartnerKind.POLICE])
    path = f"/signoff/{request.id}/decide"
    response = client.post(path, data={"csrf_token": csrf(client, path), "decision": "approved", "password": "nope"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "The password is not right" in html
    assert db.session.query(SignOff).count() == 0
    assert log_actions()[-1] == "signoff.password_failed"


def test_returning_needs_reasons(client, login, csrf, closed, facilitator, leads, db):
    _answer_all(closed, facilitator)
    request = services.request_signoff(facilitator, closed, closed.version,
                                       effective_date=__import__("datetime").date(2027, 1, 1))
    login(leads[PartnerKind.ICB])
    path = f"/signoff/{request.id}/decide"
    response = client.post(path, data={"csrf_token": csrf(client, path), "decision": "returned", "password": PASSWORD})
    assert "Enter why you are returning it" in response.get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf(client, path), "decision": "returned",
                                       "password": PASSWORD, "reason": "Training is missing"})
    assert response.status_code == 303
    assert db.session.query(SignOff).one().decision == "returned"


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.YOUNG_PERSON, Role.SCRUTINEER, Role.FACILITATOR,
                                  Role.VCS_PARTNER, Role.DSL])
def test_only_signatories_reach_the_decision_page(client, login, csrf, closed, facilitator, make_person, role):
    request = services.request_signoff(facilitator, closed, closed.version,
                                       effective_date=__import__("datetime").date(2027, 1, 1),
                                       waiver_reason="Deadline")
    login(make_person(role))
    path = f"/signoff/{request.id}/decide"
    assert client.get(path).status_code == 403
    token = csrf(client, "/accessibility")
    assert client.post(path, data={"csrf_token": token, "decision": "approved", "password": PASSWORD}
                       ).status_code == 403


@pytest.mark.parametrize("role,status", [(Role.FACILITATOR, 200), (Role.SCRUTINEER, 200), (Role.LEAD_SIGNATORY, 200),
                                         (Role.PRACTITIONER, 403), (Role.YOUNG_PERSON, 403)])
def test_who_sees_the_sign_off_pages(client, login, closed, make_person, role, status):
    login(make_person(role))
    assert client.get(f"/consultations/{closed.id}/signoff").status_code == status
    assert client.get("/signoff").status_code == status


def test_only_facilitators_ask_for_sign_off(client, login, csrf, closed, make_person):
    login(make_person(Role.SCRUTINEER))
    assert _ask(client, csrf, closed, waiver_reason="x").status_code == 403


def test_guessing_a_signatorys_password_is_rate_limited(app, client, login, csrf, closed, facilitator, leads):
    request = services.request_signoff(facilitator, closed, closed.version,
                                       effective_date=__import__("datetime").date(2027, 1, 1), waiver_reason="x")
    login(leads[PartnerKind.LOCAL_AUTHORITY])
    path = f"/signoff/{request.id}/decide"
    limit = app.config["LOGIN_FAILURES_PER_MINUTE"]
    codes = [client.post(path, data={"csrf_token": csrf(client, path), "decision": "approved",
                                     "password": f"guess {n}"}).status_code for n in range(limit + 1)]
    assert codes == [200] * limit + [429]
