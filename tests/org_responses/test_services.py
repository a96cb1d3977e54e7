"""Formal responses from organisations: the rules, with no HTTP (SQLite, and PostgreSQL under DATABASE_URL)."""
import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.accounts.models import Role
from app.consultations import services as consultations
from app.errors import DomainError, NotAllowed, NotFound
from app.mail.models import OutboxMessage
from app.org_responses import services
from app.org_responses.models import OrgResponse
from app.trail.models import LogEntry
from app.trail.verify_log import text_hash
from tests.org_responses.conftest import rival_draft
from tests.fixtures.consultations import assert_log_verifies, log_actions


def _draft(lead, colleague, consultation):
    response = services.start(lead, consultation)
    services.add_co_author(lead, response, colleague)
    return response


def _entries(action):
    return [(e.seq, e.hash, e.actor, json.loads(e.data_json)) for e in
            __import__("app.extensions", fromlist=["db"]).db.session.execute(
                select(LogEntry).where(LogEntry.action == action).order_by(LogEntry.seq)).scalars()]


def test_the_lead_starts_a_draft_and_adds_a_colleague_of_the_same_organisation(consultation, lead, colleague):
    response = _draft(lead, colleague, consultation)
    assert response.status == "draft" and response.version == 1
    assert response.author_ids == {lead.id, colleague.id}
    assert log_actions()[-2:] == ["org_response.started", "org_response.co_author_added"]
    assert _entries("org_response.co_author_added")[0][3]["person"] == colleague.id
    assert_log_verifies()


def test_only_the_organisations_people_may_be_co_authors(consultation, lead, outsider, young, make_person):
    response = services.start(lead, consultation)
    with pytest.raises(DomainError, match="Only people of Testshire Voluntary Action"):
        services.add_co_author(lead, response, outsider)
    # Of the organisation but not taking part (a young person's account is never an author of an adults' paper).
    member = make_person(Role.SCRUTINEER, name="Scrutineer of the charity", organisation="Testshire Voluntary Action")
    with pytest.raises(DomainError, match="not taking part"):
        services.add_co_author(lead, response, member)
    assert services.co_author_choices(response) == []
    assert response.author_ids == {lead.id}


def test_only_the_lead_adds_co_authors(consultation, lead, colleague, make_person):
    third = make_person(Role.VCS_PARTNER, name="Tia Third", organisation="Testshire Voluntary Action")
    response = _draft(lead, colleague, consultation)
    with pytest.raises(NotAllowed):
        services.add_co_author(colleague, response, third)


def test_who_may_start_one(consultation, lead, young, scrutineer, facilitator, make_consultation, practitioner):
    assert services.may_lead(lead, consultation) and services.may_lead(practitioner, consultation)
    for person in (young, scrutineer, facilitator):
        assert not services.may_lead(person, consultation)
        with pytest.raises(NotAllowed):
            services.start(person, consultation)
    closed = make_consultation(title="Closed one")
    consultations.close_early(facilitator, closed, "Done")
    with pytest.raises(DomainError, match="closed"):
        services.start(lead, closed)


def test_a_save_over_someone_elses_is_refused_with_their_text(consultation, lead, colleague, sections):
    response = _draft(lead, colleague, consultation)
    first = sections[0]
    services.save(colleague, response, sections={first.id: "Add schools."}, overall="We support it.", version=1)
    assert response.version == 2
    with pytest.raises(services.EditConflict) as refused:
        services.save(lead, response, sections={first.id: "Mine."}, overall="Mine overall.", version=1)
    assert "Cal Colleague saved this response after you opened it" in refused.value.message
    assert services.full_text(refused.value.theirs) == f"1. {first.title}\nAdd schools.\n\nOverall statement\nWe support it."
    response = services.get(response.id)
    assert response.version == 2 and response.overall == "We support it."
    # Saving again from their version is a deliberate replacement.
    services.save(lead, response, sections={first.id: "Mine."}, overall="Mine overall.", version=2)
    assert services.get(response.id).version == 3
    assert [e[3]["version"] for e in _entries("org_response.saved")] == [2, 3]


def test_only_its_authors_see_a_draft(consultation, lead, colleague, outsider, facilitator, scrutineer, sections):
    response = _draft(lead, colleague, consultation)
    services.save(lead, response, sections={}, overall="Draft words", version=1)
    for person in (outsider, facilitator, scrutineer):
        assert not services.may_read(person, response) and services.drafts_for(person, consultation.id) == []
        with pytest.raises(NotFound):
            services.save(person, response, sections={}, overall="x", version=2)
    assert [r.id for r in services.drafts_for(colleague, consultation.id)] == [response.id]
    assert services.submitted_of(consultation.id) == [] and services.submitted_count([consultation.id]) == {}


def test_submitting_logs_the_texts_hash_and_emails_the_lead_a_receipt(consultation, lead, colleague, sections, db):
    response = _draft(lead, colleague, consultation)
    services.save(colleague, response, sections={sections[1].id: "Name the refuges."}, overall="We support it.",
                  version=1)
    receipt = services.submit(lead, response, version=2)
    response = services.get(response.id)
    words = f"2. {sections[1].title}\nName the refuges.\n\nOverall statement\nWe support it."
    assert response.is_submitted and response.body_sha256 == text_hash(words)
    seq, digest, actor, data = _entries("org_response.submitted")[0]
    assert (seq, digest) == (receipt["seq"], receipt["hash"]) and actor == lead.id
    assert data == {"consultation": consultation.id, "organisation": response.organisation_id, "version": 2,
                    "co_authors": [colleague.id], "sections": [sections[1].id], "body_sha256": text_hash(words)}
    assert "Name the refuges" not in json.dumps(data)  # the log keeps the hash, never the words
    mail = db.session.execute(select(OutboxMessage).where(OutboxMessage.to_address == lead.email)).scalar_one()
    assert mail.subject == f"Your formal response has been submitted: {consultation.title}"
    for part in ("Name the refuges.", "We support it.", str(seq), digest, text_hash(words)):
        assert part in mail.body_text
    assert [r.id for r in services.submitted_of(consultation.id)] == [response.id]
    assert services.submitted_count([consultation.id]) == {consultation.id: 1}
    assert_log_verifies()


def test_submit_saves_the_leads_form_first_in_one_transaction(consultation, lead, sections):
    response = services.start(lead, consultation)
    services.submit(lead, response, version=1, sections={sections[0].id: "Yes."}, overall="Overall yes.")
    response = services.get(response.id)
    assert response.is_submitted and response.version == 2 and response.overall == "Overall yes."


def test_a_second_submission_is_refused(consultation, lead, colleague, sections, db):
    first = services.start(lead, consultation)
    second = rival_draft(colleague, consultation)  # a colleague's own draft, before the first was submitted
    services.submit(lead, first, version=1, sections={}, overall="Ours.")
    with pytest.raises(DomainError, match="already submitted"):
        services.submit(colleague, second, version=1, sections={}, overall="Also ours.")
    with pytest.raises(DomainError, match="already submitted"):
        services.start(lead, consultation)
    with pytest.raises(DomainError, match="submitted"):
        services.submit(lead, services.get(first.id), version=2)
    assert services.get(second.id).status == "draft"


def test_the_database_allows_one_submitted_response_per_organisation(consultation, lead, colleague, db):
    first = services.start(lead, consultation)
    second = rival_draft(colleague, consultation)
    services.submit(lead, first, version=1, sections={}, overall="Ours.")
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE org_response SET status = 'submitted', submitted_at = created_at, "
                                "body_sha256 = 'x' WHERE id = :id"), {"id": second.id})
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("statement", [
    "UPDATE org_response SET overall = 'changed' WHERE id = :id",
    "DELETE FROM org_response WHERE id = :id",
    "UPDATE org_response_section SET body = 'changed' WHERE org_response_id = :id",
    "DELETE FROM org_response_section WHERE org_response_id = :id",
    "DELETE FROM org_response_author WHERE org_response_id = :id",
])
def test_the_database_refuses_any_change_to_a_submitted_response(consultation, lead, colleague, sections, db,
                                                                  statement):
    response = _draft(lead, colleague, consultation)
    services.submit(lead, response, version=1, sections={sections[0].id: "Yes."}, overall="Ours.")
    with pytest.raises(DBAPIError, match="a submitted formal response never changes"):
        db.session.execute(text(statement), {"id": response.id})
        db.session.flush()
    db.session.rollback()


def test_a_co_author_cannot_submit_and_nobody_submits_once_closed(consultation, lead, colleague, facilitator):
    response = _draft(lead, colleague, consultation)
    services.save(lead, response, sections={}, overall="Ours.", version=1)
    with pytest.raises(NotAllowed):
        services.submit(colleague, response, version=2)
    consultations.close_early(facilitator, consultation, "Done")
    with pytest.raises(DomainError, match="closed"):
        services.submit(lead, services.get(response.id), version=2)
    with pytest.raises(DomainError, match="closed"):
        services.save(colleague, services.get(response.id), sections={}, overall="Late", version=2)
    assert services.get(response.id).status == "draft"


def test_the_overall_statement_is_needed_to_submit(consultation, lead, sections):
    response = services.start(lead, consultation)
    with pytest.raises(DomainError, match="overall statement") as refused:
        services.submit(lead, response, version=1, sections={sections[0].id: "Only this."}, overall="")
    assert refused.value.field == "overall"
    assert services.get(response.id).version == 1  # the save before it was rolled back with it


def test_a_submitted_response_is_answered_and_the_answer_published(consultation, lead, facilitator, db, sections):
    response = services.start(lead, consultation)
    services.submit(lead, response, version=1, sections={}, overall="Ours.")
    response = services.get(response.id)
    with pytest.raises(DomainError, match="closed"):
        services.answer(facilitator, response, outcome="accepted", reason="Yes")
    consultations.close_early(facilitator, consultation, "Done")
    with pytest.raises(NotAllowed):
        services.answer(lead, response, outcome="accepted", reason="Yes")
    given = services.answer(facilitator, response, outcome="partly_accepted", reason="Some of it.")
    assert services.answers_of(consultation.id, drafts=False) == {}
    assert services.draft_answer_count(consultation.id) == 1
    services.publish_answer(facilitator, response)
    assert services.answers_of(consultation.id, drafts=False)[response.id].id == given.id
    assert services.draft_answer_count(consultation.id) == 0
    told = db.session.execute(select(OutboxMessage).where(OutboxMessage.to_address == lead.email)
                              .order_by(OutboxMessage.id)).scalars().all()
    assert "Some of it." in told[-1].body_text and "Partly accepted" in told[-1].body_text
    assert log_actions()[-2:] == ["org_response.answered", "org_response.answer_published"]
    assert_log_verifies()


def test_starting_again_opens_the_draft_already_written(consultation, lead, colleague):
    response = _draft(lead, colleague, consultation)
    assert services.start(lead, consultation).id == response.id
    assert services.start(colleague, consultation).id == response.id  # the co-author's, not a rival draft
    assert log_actions().count("org_response.started") == 1


def test_sign_off_waits_for_a_formal_responses_draft_answer(consultation, lead, facilitator):
    from datetime import date

    from app.signoff import services as signoff

    response = services.start(lead, consultation)
    services.submit(lead, response, version=1, sections={}, overall="Ours.")
    consultations.close_early(facilitator, consultation, "Done")
    response = services.get(response.id)
    services.answer(facilitator, response, outcome="accepted", reason="Done as you asked.")
    with pytest.raises(DomainError, match="1 answer is a draft"):
        signoff.request_signoff(facilitator, consultation, consultation.version, effective_date=date(2027, 1, 1))
    services.publish_answer(facilitator, response)
    assert signoff.request_signoff(facilitator, consultation, consultation.version,
                                   effective_date=date(2027, 1, 1)).status == "open"
    with pytest.raises(DomainError, match="frozen"):
        services.answer(facilitator, response, outcome="not_accepted", reason="Changed our mind.")
