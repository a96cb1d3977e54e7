"""A return is seen and acted on: who is told, where the facilitator sees it, and what the next round shows."""
from html import unescape

import pytest

from app.accounts.models import Role
from app.drafts import services as drafts
from app.mail.models import OutboxMessage
from app.partnerships.models import PartnerKind
from app.signoff import services
from app.signoff.models import SignOffRequest
from tests.conftest import PASSWORD
from tests.fixtures.consultations import log_actions
from tests.signoff.test_services import EFFECTIVE, answer_all

LA, POLICE, ICB = PartnerKind.LOCAL_AUTHORITY, PartnerKind.POLICE, PartnerKind.ICB
REASONS = "Section 2 must say how Stockton's schools are included."


@pytest.fixture
def request_(closed, facilitator):
    answer_all(closed, facilitator)
    return services.request_signoff(facilitator, closed, closed.version, effective_date=EFFECTIVE)


def _decide(person, request, kind, partnership, decision="approved", reason=""):
    return services.decide(person, services.get_request(request.id), partnership.slots[kind], decision=decision,
                           password=PASSWORD, reason=reason)


def _sent_to(db, template_subject="Returned by"):
    return sorted(m.to_address for m in db.session.query(OutboxMessage) if m.subject.startswith(template_subject))


def test_a_return_tells_the_facilitators_and_those_who_approved_once_each(db, request_, leads, partnership,
                                                                         facilitator, make_person):
    other_facilitator = make_person(Role.FACILITATOR)
    _decide(leads[LA], request_, LA, partnership)
    _decide(leads[POLICE], request_, POLICE, partnership, "returned", REASONS)
    assert _sent_to(db) == sorted([facilitator.email, other_facilitator.email, leads[LA].email])
    message = next(m for m in db.session.query(OutboxMessage) if m.to_address == facilitator.email
                   and m.subject.startswith("Returned by"))
    assert message.subject == f"Returned by Testshire Police: {request_.version.draft.title}"
    assert REASONS in message.body_text and "make a new version" in message.body_text
    assert log_actions()[-2:] == ["signoff.return_notified", "signoff.disagreement_notified"]


def test_a_return_with_no_approval_before_tells_only_the_facilitators(db, request_, leads, partnership, facilitator):
    _decide(leads[ICB], request_, ICB, partnership, "returned", REASONS)
    assert _sent_to(db) == [facilitator.email]


def _new_round(facilitator, consultation):
    working = drafts.new_version_from(facilitator, consultation.version)
    drafts.publish_version(facilitator, working, change_note="Section 2 now names Stockton's schools.")
    return services.request_signoff(facilitator, consultation, working, effective_date=EFFECTIVE)


def test_the_facilitator_sees_the_return_and_the_next_step_until_asking_again(client, login, db, request_, leads,
                                                                               partnership, facilitator, closed):
    _decide(leads[POLICE], request_, POLICE, partnership, "returned", REASONS)
    login(facilitator)
    for path in ("/", "/signoff"):
        html = unescape(client.get(path).get_data(as_text=True))
        assert "was returned" in html and REASONS in html and "Testshire Police" in html, path
        assert f'href="/drafts/{closed.version.draft_id}"' in html
        assert f'href="/consultations/{closed.id}/signoff"' in html
    _new_round(facilitator, closed)
    assert REASONS not in client.get("/").get_data(as_text=True)


def test_signatories_do_not_see_returns_on_their_home_page(client, login, request_, leads, partnership):
    _decide(leads[POLICE], request_, POLICE, partnership, "returned", REASONS)
    login(leads[LA])
    assert "was returned" not in client.get("/").get_data(as_text=True)


def test_the_next_round_shows_what_changed_since_the_returned_and_the_consulted_version(
        app, client, login, db, request_, leads, partnership, facilitator, closed):
    _decide(leads[POLICE], request_, POLICE, partnership, "returned", REASONS)
    second = _new_round(facilitator, closed)
    draft_id, one, two = closed.version.draft_id, closed.version.number, second.version.number
    login(leads[POLICE])
    html = unescape(client.get(f"/signoff/{second.id}/decide").get_data(as_text=True))
    assert f"What changed since version {one}, which Testshire Police returned" in html
    assert f"/drafts/{draft_id}/compare?a={one}&b={two}" in html
    assert f"What changed since version {one}, the version consulted on" in html
    assert REASONS in html and "Section 2 now names Stockton's schools." in html
    compare = client.get(f"/drafts/{draft_id}/compare?a={one}&b={two}")
    assert compare.status_code == 200
    # A partner who did not return it sees the consulted-version comparison, not a return of their own.
    client = app.test_client()
    login(leads[ICB], target=client)
    html = unescape(client.get(f"/signoff/{second.id}/decide").get_data(as_text=True))
    assert "which Testshire ICB returned" not in html and "the version consulted on" in html


def test_returned_earlier_finds_only_that_partners_return(db, request_, leads, partnership, facilitator, closed):
    _decide(leads[POLICE], request_, POLICE, partnership, "returned", REASONS)
    second = _new_round(facilitator, closed)
    assert services.returned_earlier(second, partnership.slots[POLICE]).id == request_.id
    assert services.returned_earlier(second, partnership.slots[ICB]) is None
    assert db.session.query(SignOffRequest).count() == 2
