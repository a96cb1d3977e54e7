"""Sign-off and publication: the rules, with no HTTP."""
from datetime import date

import pytest
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from app.accounts.models import Role
from app.drafts import services as drafts
from app.drafts.models import Section
from app.errors import DomainError, NotAllowed
from app.mail.models import OutboxMessage
from app.partnerships.models import PartnerKind, SignOffRule
from app.responses import publishing
from app.responses import services as responses
from app.signoff import services
from app.signoff.models import Publication, SignOff
from app.trail import services as trail
from tests.conftest import PASSWORD
from tests.fixtures.consultations import assert_log_verifies, log_actions

EFFECTIVE = date(2027, 1, 1)


def answer_all(consultation, facilitator):
    for item in responses.answered_comments(consultation):
        responses.respond(facilitator, consultation, comment=item.comment, outcome="accepted", reason="Done")
    publishing.publish_answers(facilitator, consultation)  # sign-off is not asked for while answers are drafts


@pytest.fixture
def request_(closed, facilitator):
    answer_all(closed, facilitator)
    return services.request_signoff(facilitator, closed, closed.version, effective_date=EFFECTIVE)


def approve(person, request, partner, password=PASSWORD):
    return services.decide(person, request, partner, decision="approved", password=password)


def test_every_partner_approving_publishes_exactly_at_the_last(request_, leads, partnership, db):
    slots = partnership.slots
    approve(leads[PartnerKind.LOCAL_AUTHORITY], request_, slots[PartnerKind.LOCAL_AUTHORITY])
    approve(leads[PartnerKind.POLICE], request_, slots[PartnerKind.POLICE])
    assert db.session.query(Publication).count() == 0
    approve(leads[PartnerKind.ICB], request_, slots[PartnerKind.ICB])
    publication = db.session.query(Publication).one()
    assert publication.version_id == request_.version_id and publication.effective_date == EFFECTIVE
    seq, head = publication.log_seq, publication.log_head
    entries = {e["seq"]: e for e in trail.iter_entries()}
    assert entries[seq]["hash"] == head and entries[seq]["action"] == "signoff.approved"
    assert log_actions()[-1] == "arrangement.published"
    signoffs = db.session.query(SignOff).all()
    assert {s.version_hash for s in signoffs} == {request_.version.content_hash}
    assert_log_verifies()


def test_sign_off_records_the_head_the_signatory_saw(request_, leads, partnership):
    seq, head = trail.head()
    signoff = approve(leads[PartnerKind.POLICE], request_, partnership.slots[PartnerKind.POLICE])
    assert (signoff.log_seq, signoff.log_head) == (seq, head)


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.YOUNG_PERSON, Role.SCRUTINEER, Role.FACILITATOR])
def test_people_who_are_not_signatories_cannot_sign_off(request_, make_person, partnership, role):
    with pytest.raises(NotAllowed):
        approve(make_person(role), request_, partnership.slots[PartnerKind.LOCAL_AUTHORITY])


def test_a_police_signatory_cannot_sign_for_the_icb(request_, leads, partnership, db):
    with pytest.raises(NotAllowed):
        approve(leads[PartnerKind.POLICE], request_, partnership.slots[PartnerKind.ICB])
    assert db.session.query(SignOff).count() == 0


def test_a_delegate_signs_only_for_their_own_leads_partner(request_, leads, make_person, partnership):
    delegate = make_person(Role.DELEGATED_SIGNATORY, partner=PartnerKind.POLICE, acting_for=leads[PartnerKind.POLICE])
    with pytest.raises(NotAllowed):
        approve(delegate, request_, partnership.slots[PartnerKind.ICB])
    signoff = approve(delegate, request_, partnership.slots[PartnerKind.POLICE])
    assert signoff.acting_for_id == leads[PartnerKind.POLICE].id
    # A delegate cannot even be recorded for another partner than their lead's.
    with pytest.raises(DomainError):
        make_person(Role.DELEGATED_SIGNATORY, partner=PartnerKind.ICB, acting_for=leads[PartnerKind.POLICE])


def test_a_wrong_password_fails_and_is_logged(request_, leads, partnership, db):
    with pytest.raises(DomainError) as error:
        approve(leads[PartnerKind.POLICE], request_, partnership.slots[PartnerKind.POLICE], password="wrong")
    assert error.value.field == "password"
    assert db.session.query(SignOff).count() == 0
    assert log_actions()[-1] == "signoff.password_failed"
    assert_log_verifies()


def test_the_same_partner_cannot_decide_twice(request_, leads, make_person, partnership):
    approve(leads[PartnerKind.POLICE], request_, partnership.slots[PartnerKind.POLICE])
    delegate = make_person(Role.DELEGATED_SIGNATORY, partner=PartnerKind.POLICE, acting_for=leads[PartnerKind.POLICE])
    with pytest.raises(DomainError):
        approve(delegate, request_, partnership.slots[PartnerKind.POLICE])


def test_sign_off_is_refused_while_comments_are_unanswered_unless_waived(closed, facilitator, db):
    with pytest.raises(DomainError) as error:
        services.request_signoff(facilitator, closed, closed.version, effective_date=EFFECTIVE)
    assert error.value.field == "waiver_reason"
    request = services.request_signoff(facilitator, closed, closed.version, effective_date=EFFECTIVE,
                                       waiver_reason="The deadline is statutory; answers follow in the report.")
    assert request.unanswered == 2
    assert log_actions()[-2:] == ["signoff.requested", "signoff.waiver_recorded"]


def test_a_return_then_a_new_version_needs_fresh_approvals_from_everyone(request_, closed, leads, partnership,
                                                                        facilitator, make_person, db):
    slots = partnership.slots
    scrutineer = make_person(Role.SCRUTINEER)
    approve(leads[PartnerKind.LOCAL_AUTHORITY], request_, slots[PartnerKind.LOCAL_AUTHORITY])
    services.decide(leads[PartnerKind.POLICE], request_, slots[PartnerKind.POLICE], decision="returned",
                    password=PASSWORD, reason="The training section is thin.")
    assert request_.status == "returned"
    # The partners disagree: the scrutineer is told.
    assert db.session.query(OutboxMessage).filter_by(to_address=scrutineer.email).filter(
        ~OutboxMessage.subject.startswith("Consultation log checkpoint")).count() == 1  # beside the checkpoints (witness)
    with pytest.raises(DomainError):
        approve(leads[PartnerKind.ICB], request_, slots[PartnerKind.ICB])
    # The old version is superseded by a new one: it can no longer be signed off.
    new = drafts.new_version_from(facilitator, closed.version)
    drafts.publish_version(facilitator, new, change_note="More on training")
    with pytest.raises(DomainError):
        services.request_signoff(facilitator, closed, closed.version, effective_date=EFFECTIVE)
    second = services.request_signoff(facilitator, closed, new, effective_date=EFFECTIVE)
    approve(leads[PartnerKind.LOCAL_AUTHORITY], second, slots[PartnerKind.LOCAL_AUTHORITY])
    approve(leads[PartnerKind.ICB], second, slots[PartnerKind.ICB])
    assert db.session.query(Publication).count() == 0  # the earlier approval does not carry over
    approve(leads[PartnerKind.POLICE], second, slots[PartnerKind.POLICE])
    assert db.session.query(Publication).one().version_id == new.id


def test_a_signed_off_version_cannot_change(request_, leads, partnership, facilitator, closed, db):
    for kind in PartnerKind:
        approve(leads[kind], request_, partnership.slots[kind])
    section = closed.version.sections[0]
    with pytest.raises(DomainError, match="published"):
        drafts.update_section(facilitator, section, title="Changed", body="Changed")
    with pytest.raises(DBAPIError):  # the database itself refuses (triggers), whatever the code does
        db.session.execute(update(Section).where(Section.id == section.id).values(body="Changed"))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(DomainError):
        services.request_signoff(facilitator, closed, closed.version, effective_date=EFFECTIVE)


def _set_rule(db, partnership, rule, quorum=None):
    partnership.signoff_rule, partnership.signoff_quorum = rule.value, quorum
    db.session.commit()


def test_n_of_m_publishes_at_the_quorum(closed, facilitator, leads, partnership, db):
    _set_rule(db, partnership, SignOffRule.N_OF_M, 2)
    answer_all(closed, facilitator)
    request = services.request_signoff(facilitator, closed, closed.version, effective_date=EFFECTIVE)
    approve(leads[PartnerKind.ICB], request, partnership.slots[PartnerKind.ICB])
    assert db.session.query(Publication).count() == 0
    approve(leads[PartnerKind.POLICE], request, partnership.slots[PartnerKind.POLICE])
    assert db.session.query(Publication).count() == 1


def test_all_leads_needs_each_lead_in_person(closed, facilitator, leads, partnership, make_person, db):
    _set_rule(db, partnership, SignOffRule.ALL_LEADS)
    answer_all(closed, facilitator)
    request = services.request_signoff(facilitator, closed, closed.version, effective_date=EFFECTIVE)
    delegate = make_person(Role.DELEGATED_SIGNATORY, partner=PartnerKind.POLICE, acting_for=leads[PartnerKind.POLICE])
    with pytest.raises(NotAllowed):
        approve(delegate, request, partnership.slots[PartnerKind.POLICE])
    for kind in (PartnerKind.LOCAL_AUTHORITY, PartnerKind.POLICE):
        approve(leads[kind], request, partnership.slots[kind])
    assert db.session.query(Publication).count() == 0
    approve(leads[PartnerKind.ICB], request, partnership.slots[PartnerKind.ICB])
    assert db.session.query(Publication).count() == 1


def test_sign_off_needs_a_closed_consultation_and_a_facilitator(make_consultation, facilitator, practitioner):
    consultation = make_consultation(title="Open still")
    with pytest.raises(DomainError):
        services.request_signoff(facilitator, consultation, consultation.version, effective_date=EFFECTIVE)
    with pytest.raises(NotAllowed):
        services.request_signoff(practitioner, consultation, consultation.version, effective_date=EFFECTIVE)
