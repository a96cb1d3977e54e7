"""Safeguarding comes first: a possible disclosure reaches the DSL at once, is never published by accident, and
stays out of exports; youth workers look after their group's accounts and codes. Real SMTP where email matters."""
import csv
import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.accounts.models import Role
from app.consultations import services as consultations
from app.consultations.models import Comment
from app.errors import DomainError, NotAllowed
from app.mail.models import OutboxMessage
from app.moderation import members, services
from app.moderation import queries as moderation_queries
from app.moderation.signals import signals_in
from app.scrutiny import exports
from app.timeutil import utcnow
from app.trail import services as trail
from tests.conftest import PASSWORD
from tests.mail.test_smtp import send_mail
from tests.smtp import smtp_settings

DISCLOSURE = "someone at home hurts me"


@pytest.fixture
def app_config(smtp):
    return smtp_settings(smtp)


@pytest.fixture
def youth_worker(make_person):
    return make_person(Role.YOUTH_WORKER, name="Yusuf Youthworker", organisation="Testshire Youth Council")


def _post(client, csrf, url, data=None, **headers):
    return client.post(url, data={**(data or {}), "csrf_token": csrf(client, "/accessibility")}, headers=headers)


def _html(response):
    return response.get_data(as_text=True)


def _actions():
    return [entry["action"] for entry in trail.iter_entries()]


def _outbox_to(address):
    return [m for m in OutboxMessage.query.all() if m.to_address == address]


# --- the word list -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [DISCLOSURE, "my stepdad hits me", "I want to kms", "he said dont tell anyone",
                                  "i think about sucide", "Mum's boyfriend beats me up", "im scared to go home",
                                  # as a parent or carer may tell it (issue 17)
                                  "My partner hits my son when he drinks and I don't know who to tell",
                                  "her boyfriend touched our daughter", "I'm frightened of my partner",
                                  "he shakes the baby when she cries"])
def test_common_phrasings_and_misspellings_are_signals(text):
    assert signals_in(text)


@pytest.mark.parametrize("text", ["The early help group should meet monthly", "hurtle", "Schools need training on "
                                  "online safety", "I like the plan for young people",
                                  "Cuts hit the children's centres hardest", "Parents of the kids in care need a say"])
def test_ordinary_comments_are_not_signals(text):
    assert signals_in(text) == []


# --- a possible disclosure reaches the DSL at once ------------------------------------------------------

def test_a_young_persons_possible_disclosure_is_held_and_opens_one_concern_with_one_email(
        smtp, runner, consultation, young, dsl, sections):
    comment = consultations.post_comment(young, consultation, DISCLOSURE, section=sections[0])
    assert comment.status == "concern"
    concern = moderation_queries.concern_for(comment.id)
    assert concern.source == "signal" and concern.review == "unreviewed" and concern.is_open
    assert concern.review_label == "Possible disclosure — not yet reviewed"
    assert _actions()[-2:] == ["comment.posted", "concern.raised"]
    send_mail(runner)
    assert [m["To"] for m in smtp.messages] == [dsl.email]
    body = smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "hurts me" not in body and f"/concerns/{concern.id}" in body  # a link to sign in, never the words
    send_mail(runner)
    assert len(smtp.messages) == 1  # once


def test_replies_and_edits_are_screened_too(consultation, young, practitioner, dsl, sections):
    parent = consultations.post_comment(practitioner, consultation, "What do young people think?")
    reply = consultations.reply(young, parent, "my stepdad hits me")
    assert reply.status == "concern"
    comment = consultations.post_comment(young, consultation, "I like it", section=sections[0])
    consultations.edit_comment(young, comment, "I like it but someone at home hurts me")
    assert comment.status == "concern"
    assert len(services.concerns_for(dsl)) == 2
    assert len(_outbox_to(dsl.email)) == 2


def test_adults_comments_are_not_held_by_the_word_list(consultation, practitioner, dsl):
    comment = consultations.post_comment(practitioner, consultation, "Domestic abuse and neglect need a group")
    assert comment.status == "published" and services.concerns_for(dsl) == []


def test_the_dsl_confirms_or_says_not_a_disclosure_which_returns_the_post_to_the_queue(
        consultation, young, facilitator, dsl, sections):
    held = consultations.post_comment(young, consultation, DISCLOSURE, section=sections[0])
    concern = moderation_queries.concern_for(held.id)
    with pytest.raises(NotAllowed):
        services.review_concern(facilitator, concern, "not_disclosure", "fine")
    with pytest.raises(DomainError, match="why this is not a disclosure"):
        services.review_concern(dsl, concern, "not_disclosure", "")
    services.review_concern(dsl, concern, "not_disclosure", "A line from a story they are writing")
    assert held.status == "pending" and not concern.is_open and concern.review == "not_disclosure"
    assert [i.comment.id for i in moderation_queries.pending(facilitator.partnership_id)] == [held.id]
    assert _actions()[-1] == "concern.not_disclosure"

    other = consultations.post_comment(young, consultation, "my stepdad hits me", section=sections[1])
    confirmed = services.review_concern(dsl, moderation_queries.concern_for(other.id), "confirmed")
    assert confirmed.review == "confirmed" and confirmed.is_open and other.status == "concern"
    with pytest.raises(DomainError, match="already been reviewed"):
        services.review_concern(dsl, confirmed, "not_disclosure", "changed my mind")


def test_a_flagged_post_is_never_approved_without_the_moderators_confirmation(
        consultation, young, facilitator, dsl, sections):
    held = consultations.post_comment(young, consultation, DISCLOSURE, section=sections[0])
    services.review_concern(dsl, moderation_queries.concern_for(held.id), "not_disclosure", "A song lyric")
    with pytest.raises(DomainError, match="Tick to confirm"):
        services.approve(facilitator, held)
    assert held.status == "pending"
    services.approve(facilitator, held, confirmed_not_harm=True)
    assert held.status == "published"
    entry = list(trail.iter_entries())[-1]
    assert entry["action"] == "comment.approved" and entry["data"]["confirmed_not_harm"] is True
    assert entry["actor"] == facilitator.id


def test_the_queue_offers_no_one_click_approve_for_a_flagged_post(
        csrf, as_person, consultation, young, facilitator, dsl, sections):
    held = consultations.post_comment(young, consultation, DISCLOSURE, section=sections[0])
    services.review_concern(dsl, moderation_queries.concern_for(held.id), "not_disclosure", "A song lyric")
    moderator = as_person(facilitator)
    queue = _html(moderator.get("/moderation"))
    assert f'id="approve-{held.id}"' not in queue and "Read and decide" in queue
    page = _html(moderator.get(f"/moderation/comments/{held.id}"))
    assert page.index("Raise a safeguarding concern") < page.index("Approve and publish")
    assert page.index("may tell us a child is being harmed") < page.index("Raise a safeguarding concern")
    response = _post(moderator, csrf, f"/moderation/comments/{held.id}/approve")
    assert response.status_code == 200 and "Tick to confirm you have read this comment" in _html(response)
    response = _post(moderator, csrf, f"/moderation/comments/{held.id}/approve", {"confirm_not_harm": "y"})
    assert response.status_code == 303 and held.status == "published"


def test_raising_a_concern_lands_the_facilitator_on_a_page_they_can_open(
        csrf, as_person, consultation, young, facilitator, sections):
    comment = consultations.post_comment(young, consultation, "I sleep in the car most nights", section=sections[0])
    moderator = as_person(facilitator)
    response = _post(moderator, csrf, f"/moderation/comments/{comment.id}/concern", {"reason": "Please check"})
    assert response.status_code == 303
    landing = moderator.get(response.location)
    assert landing.status_code == 200 and "A safeguarding concern has been raised" in _html(landing)


def test_the_dsl_home_page_lists_the_possible_disclosure_and_the_dsl_reviews_it(
        csrf, as_person, consultation, young, dsl, sections):
    held = consultations.post_comment(young, consultation, DISCLOSURE, section=sections[0])
    concern = moderation_queries.concern_for(held.id)
    lead = as_person(dsl)
    home = _html(lead.get("/"))
    assert "1 possible disclosure is waiting for your review" in home and f"Safeguarding concern {concern.id}" in home
    response = _post(lead, csrf, f"/concerns/{concern.id}/review", {"decision": "not_disclosure"})
    assert response.status_code == 200 and "Enter why this is not a disclosure" in _html(response)
    response = _post(lead, csrf, f"/concerns/{concern.id}/review", {"decision": "confirmed"})
    assert response.status_code == 303
    assert "Confirmed by the designated safeguarding lead" in _html(lead.get(f"/concerns/{concern.id}"))


# --- the young person is helped at that moment -------------------------------------------------------

@pytest.mark.parametrize("htmx", [False, True])
def test_after_a_flagged_post_the_young_person_sees_who_reads_it_and_where_to_get_help(
        db, csrf, as_person, consultation, young, sections, htmx):
    person = as_person(young)
    section = sections[0]
    headers = {"HX-Request": "true", "HX-Target": f"comments-s{section.id}"} if htmx else {}
    response = _post(person, csrf, f"/consultations/{consultation.id}/sections/{section.id}/comments",
                     {f"c-s{section.id}-body": DISCLOSURE}, **headers)
    comment_id = db.session.execute(select(func.max(Comment.id)).where(Comment.author_id == young.id)).scalar_one()
    url = response.headers["HX-Redirect"] if htmx else response.location
    assert url.endswith(f"/comments/{comment_id}/sent-to-safeguarding-lead")
    html = _html(person.get(url))
    for words in ("a person whose job is to keep young people safe", "We cannot keep it secret", "call 999",
                  "0800 1111", "childline.org.uk", "your youth worker"):
        assert words in html


# --- reports: "It could identify a child or family" --------------------------------------------------------

def test_a_report_that_it_could_identify_a_child_hides_the_comment_at_once(
        csrf, as_person, consultation, practitioner, vcs, facilitator):
    comment = consultations.post_comment(vcs, consultation, "The Smith family at 4 Elm Road were let down")
    reader = as_person(practitioner)
    response = _post(reader, csrf, f"/comments/{comment.id}/report", {"reason_code": "identifies_child"})
    assert response.status_code == 303 and comment.status == "pending"
    assert "The Smith family" not in _html(reader.get(f"/consultations/{consultation.id}"))
    queue = _html(as_person(facilitator).get("/moderation"))
    assert "The Smith family" in queue and "It could identify a child or family" in queue
    assert _actions()[-2:] == ["comment.reported", "comment.held"]


def test_every_adult_comment_form_reminds_not_to_identify_a_child(as_person, consultation, practitioner):
    html = _html(as_person(practitioner).get(f"/consultations/{consultation.id}"))
    assert "Do not include anything that could identify a child or family" in html


# --- youth workers look after their group's accounts ----------------------------------------------------

def test_a_youth_worker_sees_their_groups_members_and_nobody_elses(
        as_person, consultation, young, youth_worker, practitioner, group, partnership, sections):
    consultations.post_comment(young, consultation, "I like it", section=sections[0])
    html = _html(as_person(youth_worker).get(f"/groups/{group.id}"))
    assert young.username in html and "Last took part" in html
    other = next(o for o in partnership.organisations if o.name == "Testshire Voluntary Action")
    assert as_person(youth_worker).get(f"/groups/{other.id}").status_code == 403
    assert as_person(practitioner).get(f"/groups/{group.id}").status_code == 403


def test_a_reset_code_works_once_cancels_older_ones_and_expires(app, client, csrf, young, youth_worker):
    first = members.issue_reset_code(youth_worker, young)
    second = members.issue_reset_code(youth_worker, young)
    with pytest.raises(DomainError, match="do not match"):
        accounts.reset_with_code(young.username, first, "a brand new password for me")  # cancelled by the second
    accounts.reset_with_code(young.username, second.lower(), "a brand new password for me")
    assert accounts.authenticate(young.username, "a brand new password for me") is not None
    with pytest.raises(DomainError, match="do not match"):
        accounts.reset_with_code(young.username, second, "yet another new password")  # single use
    third = members.issue_reset_code(youth_worker, young, now=utcnow() - timedelta(hours=25))
    with pytest.raises(DomainError, match="expired"):
        accounts.reset_with_code(young.username, third, "yet another new password")
    assert _actions().count("young_person.reset_code_issued") == 3
    assert _actions().count("person.password_reset") == 1


def test_the_reset_code_page_sets_a_new_password(client, csrf, young, youth_worker):
    code = members.issue_reset_code(youth_worker, young)
    data = {"username": young.username, "code": code, "password": "river otter lantern",
            "confirm": "river otter lantern", "csrf_token": csrf(client, "/password/code")}
    assert client.post("/password/code", data=data).status_code == 303
    assert accounts.authenticate(young.username, "river otter lantern") is not None


def test_a_suspended_member_cannot_sign_in_and_their_published_comments_stay(
        as_person, client, csrf, consultation, young, youth_worker, facilitator, practitioner, sections):
    comment = consultations.post_comment(young, consultation, "Make it fun", section=sections[0])
    services.approve(facilitator, comment)
    signed_in = as_person(young)
    with pytest.raises(DomainError, match="why you are suspending"):
        members.suspend(youth_worker, young, "")
    members.suspend(youth_worker, young, "Shared their password with a friend")
    assert signed_in.get("/password").status_code in (302, 303)  # their session has ended
    response = client.post("/login", data={"email": young.username, "password": PASSWORD,
                                           "csrf_token": csrf(client, "/login")})
    assert response.status_code == 200 and "Enter a correct" in _html(response)
    page = _html(as_person(practitioner).get(f"/consultations/{consultation.id}"))
    assert "Make it fun" in page and young.username not in page
    members.reactivate(youth_worker, young)
    assert accounts.authenticate(young.username, PASSWORD) is not None
    assert _actions()[-2:] == ["young_person.suspended", "young_person.reactivated"]


def test_a_revoked_code_refuses_joins_with_a_clear_message_and_codes_can_be_changed(
        client, csrf, facilitator, youth_worker, group):
    invite, code = services.issue_invite_code(facilitator, group, max_uses=3, expires_at=utcnow() + timedelta(days=3))
    members.change_code(youth_worker, invite, max_uses=10, expires_at=utcnow() + timedelta(days=30))
    assert invite.max_uses == 10
    members.revoke_code(youth_worker, invite)
    data = {"code": code, "username": "river-otter", "password": PASSWORD, "confirm": PASSWORD, "accept": "y",
            "csrf_token": csrf(client, "/join")}
    response = client.post("/join", data=data)
    assert response.status_code == 200 and "That code has been stopped by your group leader" in _html(response)
    with pytest.raises(DomainError, match="stopped"):
        members.change_code(youth_worker, invite, max_uses=5, expires_at=utcnow() + timedelta(days=3))
    assert _actions()[-2:] == ["invite_code.changed", "invite_code.revoked"]


def test_the_codes_list_shows_who_issued_each_and_how_many_joined(as_person, facilitator, youth_worker, group):
    services.issue_invite_code(facilitator, group, max_uses=3, expires_at=utcnow() + timedelta(days=3))
    html = _html(as_person(youth_worker).get(f"/groups/{group.id}"))
    assert "by Fran Facilitator" in html and "0 of 3 places used" in html


# --- disclosures stay out of exports ---------------------------------------------------------------------

def _zip_csv(consultation, name):
    data = b"".join(exports.scrutiny_zip(consultation.id, consultation.version.draft.partnership_id))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_exports_carry_the_marker_not_the_words(consultation, young, practitioner, dsl, sections):
    held = consultations.post_comment(young, consultation, DISCLOSURE, section=sections[0])
    concern = moderation_queries.concern_for(held.id)
    services.review_concern(dsl, concern, "confirmed")
    services.close_concern(dsl, concern, "Referred to children's social care")
    consultations.post_comment(practitioner, consultation, "An ordinary comment")
    rows = {int(r["comment_id"]): r for r in _zip_csv(consultation, "comments.csv")}
    assert rows[held.id]["body"] == f"[withheld: safeguarding concern {concern.id}]"
    assert any(r["body"] == "An ordinary comment" for r in rows.values())
    everything = b"".join(exports.scrutiny_zip(consultation.id, consultation.version.draft.partnership_id))
    assert b"hurts me" not in everything
    assert b"hurts me" not in b"".join(chunk.encode() if isinstance(chunk, str) else chunk
                                        for chunk in exports.open_data_csv(consultation))

