"""Personal data rules: settings, consent to publish, access, erasure (no HTTP)."""

import pytest

from app.accounts.models import AuthSession, Person, Role
from app.consultations import services as consultations
from app.consultations.models import Comment, CommentRevision
from app.database import transaction
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.moderation import services as moderation
from app.privacy import ERASED_MARKER, services
from app.trail import services as trail
from tests.fixtures.consultations import assert_log_verifies, log_actions


def entries(action):
    return [e for e in trail.iter_entries() if e["action"] == action]


# --- settings -------------------------------------------------------------------------------------------

def test_unsaved_settings_name_the_partnership_with_the_default_periods(partnership):
    settings = services.settings_for(partnership)
    assert settings.controller_name == partnership.name
    assert (settings.lawful_basis, settings.young_account_months, settings.outbox_days, settings.session_days) == (
        "public_task", 12, 30, 30)


def test_a_facilitator_saves_the_settings_and_the_log_keeps_only_a_hash_of_the_contact(partnership, facilitator):
    services.save_settings(facilitator, partnership, controller_name="Testshire Council", contact_name="Dee Pio",
                           contact_email="DPO@testshire.example", contact_address="", lawful_basis="legitimate_interests",
                           young_account_months=6, outbox_days=14, session_days=7)
    settings = services.settings_for(partnership)
    assert (settings.contact_email, settings.young_account_months) == ("dpo@testshire.example", 6)
    entry = entries("privacy.settings_changed")[-1]
    assert entry["data"]["lawful_basis"] == "legitimate_interests" and "Dee Pio" not in str(entry)
    assert_log_verifies()


@pytest.mark.parametrize("change, field", [
    ({"contact_email": "not an email"}, "contact_email"),
    ({"lawful_basis": "vital_interests"}, "lawful_basis"),
    ({"young_account_months": 0}, "young_account_months"),
    ({"controller_name": "  "}, "controller_name"),
])
def test_bad_settings_are_refused_and_nothing_is_saved(partnership, facilitator, change, field):
    values = dict(controller_name="C", contact_name="D", contact_email="d@example.org", contact_address="",
                  lawful_basis="public_task", young_account_months=12, outbox_days=30, session_days=30)
    before = len(log_actions())
    with pytest.raises(DomainError) as error:
        services.save_settings(facilitator, partnership, **{**values, **change})
    assert error.value.field == field and len(log_actions()) == before


def test_only_facilitators_change_the_settings(partnership, practitioner):
    with pytest.raises(NotAllowed):
        services.save_settings(practitioner, partnership, controller_name="C", contact_name="D",
                               contact_email="d@example.org", contact_address="", lawful_basis="public_task",
                               young_account_months=12, outbox_days=30, session_days=30)


# --- consent to publish ------------------------------------------------------------------------------

def test_adults_default_to_the_wider_use_and_young_people_to_the_narrower(consultation, practitioner, young):
    adult = consultations.post_comment(practitioner, consultation, "Meet monthly")
    child = consultations.post_comment(young, consultation, "Meet after school")
    chosen = consultations.post_comment(practitioner, consultation, "Keep it with you", use="partnership")
    assert (adult.publish_use, child.publish_use, chosen.publish_use) == ("public", "partnership", "partnership")
    assert [e["data"]["use"] for e in entries("comment.posted")] == ["public", "partnership", "partnership"]


def test_a_reply_takes_the_authors_default(consultation, practitioner, young, vcs):
    parent = consultations.post_comment(practitioner, consultation, "Meet monthly")
    assert consultations.reply(vcs, parent, "Agreed").publish_use == "public"
    assert entries("reply.posted")[-1]["data"]["use"] == "public"


def test_an_unknown_use_is_refused(consultation, practitioner):
    with pytest.raises(DomainError) as error:
        consultations.post_comment(practitioner, consultation, "Meet monthly", use="everyone")
    assert error.value.field == "use"


def test_the_author_changes_the_use_until_the_consultation_closes_and_each_change_is_logged(
        consultation, young, practitioner, facilitator):
    comment = consultations.post_comment(young, consultation, "Meet after school")
    services.change_use(young, comment, "public")
    services.change_use(young, comment, "public")  # no change, no entry
    assert comment.publish_use == "public"
    assert [e["data"] for e in entries("comment.use_changed")] == [
        {"consultation": consultation.id, "use": "public", "previous_use": "partnership"}]
    with pytest.raises(NotAllowed):
        services.change_use(practitioner, comment, "partnership")
    consultations.close_early(facilitator, consultation, "Enough responses")
    with pytest.raises(DomainError, match="closed"):
        services.change_use(young, comment, "partnership")
    assert_log_verifies()


# --- access -----------------------------------------------------------------------------------------

def test_what_we_hold_lists_account_comments_with_revisions_votes_and_emails(consultation, sections, practitioner,
                                                                           vcs):
    comment = consultations.post_comment(practitioner, consultation, "First words", sections[0])
    consultations.edit_comment(practitioner, comment, "Second words")
    consultations.cast_vote(practitioner, consultation, sections[0], "oppose", "Too many groups")
    consultations.reply(vcs, comment, "A reply that emails the author")
    held = services.subject_access(practitioner)
    assert held["account"]["email"] == practitioner.email and held["account"]["roles"] == ["practitioner"]
    assert held["comments"][0]["text"] == "Second words"
    assert held["comments"][0]["earlier_texts"][0]["text"] == "First words"
    assert held["votes"][0]["reason"] == "Too many groups"
    assert held["emails"] and all(e["subject"] for e in held["emails"])
    assert {e["action"] for e in held["log_entries"]} >= {"comment.posted", "comment.edited", "vote.cast"}
    assert "A reply that emails the author" not in str(services.subject_access(practitioner)["comments"])


# --- erasure ----------------------------------------------------------------------------------------

@pytest.fixture
def spoken(consultation, sections, young, practitioner):
    comment = consultations.post_comment(young, consultation, "Meet after school please", sections[0])
    consultations.edit_comment(young, comment, "Meet after school on Tuesdays please")
    consultations.cast_vote(young, consultation, sections[0], "support", "Tuesdays are good")
    other = consultations.post_comment(practitioner, consultation, "Someone else's words")
    return comment, other


def test_erasure_replaces_texts_keeps_their_hashes_removes_identity_and_verifies(
        app, spoken, young, facilitator):
    comment, other = spoken
    posted_hash = trail.text_hash("Meet after school on Tuesdays please")
    with transaction():
        db.session.add(AuthSession(person_id=young.id, secret_hash="a" * 64))
    result = services.erase_person(facilitator, young)
    assert result == {"comments": 1, "votes": 1, "changed": True}
    comment = db.session.get(Comment, comment.id)
    assert comment.body == ERASED_MARKER and comment.erased_sha256 == posted_hash
    revision = db.session.execute(db.select(CommentRevision)).scalar_one()
    assert revision.body == ERASED_MARKER and revision.erased_sha256 == trail.text_hash("Meet after school please")
    assert db.session.get(Comment, other.id).body == "Someone else's words"
    person = db.session.get(Person, young.id)
    assert person.erased_at and person.username == f"erased-{young.id}" and person.password_hash is None
    assert person.display_name == "Former participant" and not person.is_active
    assert db.session.execute(db.select(AuthSession).where(AuthSession.person_id == young.id)).first() is None
    erased = entries("comment.erased")
    assert erased[0]["data"]["erased_sha256"] == posted_hash and erased[0]["actor"] == facilitator.id
    assert entries("person.erased")[0]["data"] == {"comments": 1, "vote_reasons": 1}
    assert "Tuesdays" not in "".join(trail.export_lines())
    assert_log_verifies()


def test_running_an_erasure_twice_changes_nothing_the_second_time(spoken, young, facilitator):
    services.erase_person(facilitator, young)
    before = len(log_actions())
    assert services.erase_person(facilitator, young)["changed"] is False
    assert len(log_actions()) == before


def test_an_erasure_waits_until_the_dsl_closes_a_concern_on_the_persons_comment(
        spoken, young, facilitator, make_person):
    comment, _ = spoken
    concern = moderation.raise_concern(facilitator, comment, "Worried about this")
    before = len(log_actions())
    with pytest.raises(DomainError, match="safeguarding concern"):
        services.erase_person(facilitator, young)
    assert db.session.get(Comment, comment.id).erased_sha256 is None and len(log_actions()) == before
    dsl = make_person(Role.DSL)
    moderation.close_concern(dsl, concern, "Spoke to the youth worker")
    assert services.erase_person(facilitator, young)["changed"] is True


def test_only_facilitators_of_the_partnership_carry_out_erasure(spoken, young, practitioner, facilitator):
    with pytest.raises(NotAllowed):
        services.erase_person(practitioner, young)
    with pytest.raises(DomainError):
        services.erase_person(facilitator, facilitator)


def test_an_erasure_that_fails_half_way_leaves_nothing_done(spoken, young, facilitator, monkeypatch):
    comment, _ = spoken

    def broken(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_remove_identity", broken)
    with pytest.raises(RuntimeError):
        services.erase_person(facilitator, young)
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == "Meet after school on Tuesdays please"
    assert entries("comment.erased") == []


def test_mail_to_an_erased_person_is_deleted(consultation, practitioner, vcs, facilitator):
    comment = consultations.post_comment(practitioner, consultation, "Meet monthly")
    consultations.reply(vcs, comment, "Agreed")
    assert services.subject_access(practitioner)["emails"]
    email = practitioner.email
    services.erase_person(facilitator, practitioner)
    from app.mail.models import OutboxMessage
    assert db.session.execute(db.select(OutboxMessage).where(OutboxMessage.to_address == email)).first() is None


def test_the_standalone_verifier_knows_the_same_marker():
    from app.trail import verify_log

    assert verify_log.ERASED_MARKER == ERASED_MARKER
