"""Moderation rules without HTTP: codes, joining, the queue, hiding, concerns, redaction and the log."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.consultations import queries
from app.consultations import services as consultations
from app.consultations.models import CommentRevision
from app.errors import DomainError, NotAllowed
from app.mail.models import OutboxMessage
from app.moderation import queries as moderation_queries
from app.moderation import services
from app.moderation.models import InviteCode, RedactedText
from app.moderation.signals import signals_in
from app.timeutil import utcnow
from app.trail import services as trail
from tests.conftest import PASSWORD


def _visible_texts(person, consultation):
    access = queries.access_for(person, consultation)
    pages = queries.first_pages(consultation, access, [s.id for s in consultation.version.sections])
    return {view.body: view for page in pages.values() for view in page.threads}


def _log():
    return [(e["action"], e["subject"], e["data"]) for e in trail.iter_entries()]


# --- invite codes and joining ----------------------------------------------------------------------

def test_a_code_is_stored_only_as_a_hash_and_lets_a_young_person_join(db, facilitator, group):
    invite, code = services.issue_invite_code(facilitator, group, max_uses=2, expires_at=utcnow() + timedelta(days=7))
    assert code not in invite.code_hash and invite.code_hash == services.code_hash(code)
    person = services.join(code.lower().replace("-", " "), "Skater_22", PASSWORD, True)
    assert person.username == "skater_22" and person.email is None and person.has_role(Role.YOUNG_PERSON)
    assert person.organisation_id == group.id and invite.uses == 1
    log = _log()
    assert ("invite_code.issued", f"invite_code:{invite.id}") in [(a, s) for a, s, _ in log]
    joined = [d for a, s, d in log if a == "young_person.joined"]
    assert joined == [{"invite_code": invite.id, "organisation": group.id}]
    assert "skater" not in json.dumps(log).lower()  # no username in the log


@pytest.mark.parametrize("case, message", [
    ("wrong", services.WRONG_CODE), ("guessed", services.WRONG_CODE), ("expired", services.EXPIRED_CODE),
    ("used up", services.USED_UP_CODE)])
def test_bad_codes_are_refused_with_a_clear_message(db, facilitator, group, case, message):
    invite, code = services.issue_invite_code(facilitator, group, max_uses=1, expires_at=utcnow() + timedelta(days=1))
    attempt = {"wrong": code[:-1] + ("A" if code[-1] != "A" else "B"), "guessed": services.new_code(),
               "expired": code, "used up": code}[case]
    now = None
    if case == "expired":
        now = utcnow() + timedelta(days=2)
    if case == "used up":
        services.join(code, "first-one", PASSWORD, True)
    with pytest.raises(DomainError) as error:
        services.join(attempt, "second-one", PASSWORD, True, now=now)
    assert error.value.message == message and error.value.field == "code"
    assert db.session.get(InviteCode, invite.id).uses == (1 if case == "used up" else 0)


def test_joining_needs_the_rules_accepted_and_a_good_username(db, facilitator, group, young):
    _, code = services.issue_invite_code(facilitator, group, max_uses=5, expires_at=utcnow() + timedelta(days=1))
    with pytest.raises(DomainError, match="agree to the rules"):
        services.join(code, "newcomer", PASSWORD, False)
    with pytest.raises(DomainError, match="agree to the rules"):  # the same answer for a taken name
        services.join(code, young.username, PASSWORD, False)
    with pytest.raises(DomainError, match="username"):
        services.join(code, "a@b", PASSWORD, True)


def test_only_facilitators_issue_codes_and_only_for_young_peoples_groups(db, practitioner, facilitator, partnership,
                                                                        group):
    with pytest.raises(NotAllowed):
        services.issue_invite_code(practitioner, group, max_uses=1, expires_at=utcnow() + timedelta(days=1))
    council = next(o for o in partnership.organisations if o.name == "Testshire Council")
    with pytest.raises(DomainError, match="young people's group"):
        services.issue_invite_code(facilitator, council, max_uses=1, expires_at=utcnow() + timedelta(days=1))


# --- pre-moderation --------------------------------------------------------------------------------

def test_a_young_persons_comment_waits_then_shows_as_a_member_of_their_group(
        db, consultation, young, practitioner, facilitator, sections):
    comment = consultations.post_comment(young, consultation, "Explain it for teenagers", section=sections[1])
    assert "Explain it for teenagers" not in _visible_texts(practitioner, consultation)
    assert [i.comment.id for i in moderation_queries.pending(facilitator.partnership_id)] == [comment.id]
    assert services.waiting_count(facilitator.partnership_id) == 1
    services.approve(facilitator, comment)
    view = _visible_texts(practitioner, consultation)["Explain it for teenagers"]
    assert view.author_name == "A member of Testshire Youth Council" and young.username not in view.author_name
    assert services.waiting_count(facilitator.partnership_id) == 0
    assert ("comment.approved", f"comment:{comment.id}") in [(a, s) for a, s, _ in _log()]


def test_flagged_comments_come_first_in_the_queue(db, consultation, young, facilitator, dsl, sections):
    plain = consultations.post_comment(young, consultation, "I like the plan", section=sections[0])
    worrying = consultations.post_comment(young, consultation, "My step dad hurts me", section=sections[0])
    assert [i.comment.id for i in moderation_queries.pending(facilitator.partnership_id)] == [plain.id]
    services.review_concern(dsl, moderation_queries.concern_for(worrying.id), "not_disclosure",
                            "A story from the workshop, checked with the youth worker")
    queue = moderation_queries.pending(facilitator.partnership_id)
    assert [i.comment.id for i in queue] == [worrying.id, plain.id]
    assert queue[0].signals == ["hurts me"] and queue[1].signals == []


def test_the_word_list_is_a_hint_on_whole_words():
    assert signals_in("He HIT ME and said keep it secret") == ["hit me", "keep it secret"]
    assert signals_in("The hurtle and the abusers") == []


def test_a_young_persons_reply_is_emailed_to_the_parent_author_only_on_approval(
        db, consultation, young, practitioner, facilitator, sections):
    parent = consultations.post_comment(practitioner, consultation, "What do young people think?")
    reply = consultations.reply(young, parent, "We think it is good")
    assert db.session.execute(select(OutboxMessage)).scalars().all() == []
    services.approve(facilitator, reply)
    emails = db.session.execute(select(OutboxMessage)).scalars().all()
    assert [m.to_address for m in emails] == [practitioner.email]
    assert "A young person replied" in emails[0].body_text and "We think it is good" not in emails[0].body_text


def test_rejecting_keeps_the_comment_hidden_and_tells_the_young_person(db, consultation, young, facilitator,
                                                                       practitioner, sections):
    comment = consultations.post_comment(young, consultation, "My school is Testshire High", section=sections[0])
    with pytest.raises(DomainError, match="Choose a reason"):
        services.reject(facilitator, comment, "nonsense")
    services.reject(facilitator, comment, "personal_information", "Please do not name your school")
    assert comment.status == "hidden"
    notices = services.notices_for(young)
    assert len(notices) == 1 and "Please do not name your school" in notices[0].reason
    assert db.session.execute(select(OutboxMessage)).scalars().all() == []  # young people have no email
    assert "My school is Testshire High" not in _visible_texts(practitioner, consultation)
    with pytest.raises(NotAllowed):
        services.approve(practitioner, comment)


# --- reporting, hiding and restoring ---------------------------------------------------------------

def test_report_hide_and_restore_with_what_each_role_sees(db, consultation, practitioner, vcs, facilitator,
                                                          scrutineer, sections):
    comment = consultations.post_comment(vcs, consultation, "Rude words here")
    report = services.report(practitioner, comment, "It is rude")
    assert [i.comment.id for i in moderation_queries.reported(facilitator.partnership_id)] == [comment.id]
    with pytest.raises(DomainError):
        services.report(vcs, comment, "my own")

    services.hide(facilitator, comment, "unkind", "Be kind")
    assert report.resolved_at is not None and moderation_queries.reported(facilitator.partnership_id) == []
    assert "Rude words here" not in _visible_texts(practitioner, consultation)
    for reader in (facilitator, scrutineer):
        view = _visible_texts(reader, consultation)["Rude words here"]
        assert "Be kind" in view.note
    own = _visible_texts(vcs, consultation)["Rude words here"]
    assert "Be kind" in own.note
    emails = db.session.execute(select(OutboxMessage)).scalars().all()
    assert [m.to_address for m in emails] == [vcs.email] and "Be kind" in emails[0].body_text
    assert [n.kind for n in services.notices_for(vcs)] == ["hidden"]

    services.restore(facilitator, comment, "On reflection it is fine")
    assert "Rude words here" in _visible_texts(practitioner, consultation)
    assert services.notices_for(vcs) == []
    actions = [a for a, _, _ in _log()]
    assert actions[-3:] == ["comment.reported", "comment.hidden", "comment.restored"]
    assert "Rude words" not in json.dumps(_log()) and "It is rude" not in json.dumps(_log())


# --- safeguarding concerns -------------------------------------------------------------------------

def test_a_concern_hides_the_comment_from_all_but_the_dsl_and_scrutineers(
        db, consultation, young, facilitator, practitioner, scrutineer, dsl, sections):
    comment = consultations.post_comment(young, consultation, "Someone at home is mean", section=sections[1])
    services.approve(facilitator, comment)
    consultations.edit_comment(young, comment, "Someone at home is mean and hits me")  # held for the DSL at once
    assert comment.status == "concern"
    concern = moderation_queries.concern_for(comment.id)
    assert concern.source == "signal" and concern.review == "unreviewed"
    assert comment.status == "concern"
    text = "Someone at home is mean and hits me"
    assert text not in _visible_texts(practitioner, consultation)
    assert text not in _visible_texts(facilitator, consultation)
    assert text in _visible_texts(scrutineer, consultation)
    emails = db.session.execute(select(OutboxMessage)).scalars().all()
    assert [m.to_address for m in emails] == [dsl.email]
    assert "hits me" not in emails[0].body_text and f"/concerns/{concern.id}" in emails[0].body_text
    assert services.concerns_for(dsl) == [concern] and services.concerns_for(practitioner) == []
    assert services.open_concern_count(dsl.partnership_id) == 1
    with pytest.raises(DomainError):
        services.raise_concern(facilitator, comment)  # once only: no second email
    with pytest.raises(NotAllowed):
        services.close_concern(facilitator, concern, "done")

    services.close_concern(dsl, concern, "Spoke to the youth worker; referral made")
    assert not concern.is_open and services.open_concern_count(dsl.partnership_id) == 0
    raised, _closed = [d for a, _, d in _log() if a in ("concern.raised", "concern.closed")]
    assert raised["comment"] == comment.id and raised["dsl_alerted"] == [dsl.id]
    assert "referral" not in json.dumps(_log()) and "hits me" not in json.dumps(_log())


def test_a_young_person_can_raise_a_worry_without_a_comment(db, young, dsl):
    with pytest.raises(DomainError, match="what you are worried about"):
        services.raise_own_worry(young, "  ")
    concern = services.raise_own_worry(young, "I am scared of someone at school")
    assert concern.source == "self" and concern.comment_id is None and concern.person_id == young.id
    assert len(db.session.execute(select(OutboxMessage)).scalars().all()) == 1
    assert "scared" not in json.dumps(_log())


def test_redaction_moves_the_text_to_the_dsl_record_and_the_log_still_verifies(
        db, consultation, young, facilitator, dsl, sections):
    comment = consultations.post_comment(young, consultation, "First words", section=sections[0])
    consultations.edit_comment(young, comment, "He hurts me at home")
    concern = moderation_queries.concern_for(comment.id)  # the edit went to the DSL by itself
    services.redact(dsl, concern)
    assert comment.body == "" and comment.redacted_at is not None
    revisions = db.session.execute(select(CommentRevision).where(CommentRevision.comment_id == comment.id)).scalars()
    assert [r.body for r in revisions] == [""]
    kept = db.session.execute(select(RedactedText.body).where(RedactedText.concern_id == concern.id)).scalars().all()
    assert sorted(kept) == ["First words", "He hurts me at home"]
    redacted = [(s, d) for a, s, d in _log() if a == "comment.redacted"]
    assert redacted == [(f"comment:{comment.id}", {"concern": concern.id, "body_sha256": trail.text_hash(
        "He hurts me at home"), "revisions": [r.id for r in comment.revisions]})]
    count, _ = trail.verify_database()
    assert count == len(_log())
    with pytest.raises(DomainError):
        services.redact(dsl, concern)


def test_a_youth_worker_issues_codes_for_their_own_group_only(db, make_person, partnership, group):
    worker = make_person(Role.YOUTH_WORKER, organisation="Testshire Youth Council")
    assert services.groups_for(worker) == [group]
    invite, _ = services.issue_invite_code(worker, group, max_uses=10, expires_at=utcnow() + timedelta(days=30))
    assert services.codes_for(worker) == [invite]
    elsewhere = make_person(Role.YOUTH_WORKER, organisation="Testshire Voluntary Action")
    assert services.groups_for(elsewhere) == [] and services.codes_for(elsewhere) == []
    with pytest.raises(NotAllowed):
        services.issue_invite_code(elsewhere, group, max_uses=1, expires_at=utcnow() + timedelta(days=1))
