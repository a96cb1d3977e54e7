"""Moderation pages: joining with a code, the queue, reporting and hiding, concerns (with a real SMTP server)."""
import json
import re
from datetime import timedelta

import pytest

from app.consultations import services as consultations
from app.moderation import services
from app.timeutil import utcnow
from app.trail import services as trail
from tests.conftest import PASSWORD
from tests.mail.test_smtp import send_mail
from tests.smtp import smtp_settings


@pytest.fixture
def app_config(smtp):
    return smtp_settings(smtp)


def _post(client, csrf, url, data=None):
    return client.post(url, data={**(data or {}), "csrf_token": csrf(client, "/accessibility")})


def _html(response):
    return response.get_data(as_text=True)


# --- joining ---------------------------------------------------------------------------------------

def _join(client, csrf, code, username="river-otter", accept="y"):
    data = {"code": code, "username": username, "password": PASSWORD, "confirm": PASSWORD,
            "csrf_token": csrf(client, "/join")}
    if accept:
        data["accept"] = accept
    return client.post("/join", data=data)


def test_the_join_page_says_who_reads_comments_and_that_harm_is_not_kept_secret(client):
    html = _html(client.get("/join"))
    assert "A moderator reads every comment first" in html
    assert "We will not keep it secret" in html
    assert "email" in html and 'name="username"' in html and 'name="email"' not in html


def test_a_young_person_joins_with_a_code(client, csrf, facilitator, group):
    _, code = services.issue_invite_code(facilitator, group, max_uses=3, expires_at=utcnow() + timedelta(days=3))
    response = _join(client, csrf, code)
    assert response.status_code == 303 and response.headers["Location"].endswith("/join/welcome")
    html = _html(client.get("/join/welcome"))
    assert "river-otter" in html and "0800 1111" in html and "999" in html
    assert "I’m worried about something" in _html(client.get("/"))


@pytest.mark.parametrize("case, message", [
    ("wrong", "We do not recognise that code"), ("guessed", "We do not recognise that code"),
    ("expired", "That code has expired"), ("used up", "already been used by everyone")])
def test_bad_codes_are_refused_with_a_clear_message(app, client, csrf, facilitator, group, case, message):
    expires = utcnow() + (timedelta(seconds=1) if case == "expired" else timedelta(days=1))
    invite, code = services.issue_invite_code(facilitator, group, max_uses=1, expires_at=expires)
    if case == "expired":
        invite.expires_at = utcnow() - timedelta(minutes=1)  # as if a day had passed
        from app.extensions import db
        db.session.commit()
    if case == "used up":
        services.join(code, "first-person", PASSWORD, True)
    attempt = {"wrong": "NSYC-DEMO-2018", "guessed": services.new_code()}.get(case, code)
    response = _join(client, csrf, attempt)
    assert response.status_code == 200
    assert message in _html(response) and "There is a problem" in _html(response)


def test_code_entry_is_rate_limited(client, csrf):
    for _ in range(10):
        assert _join(client, csrf, services.new_code()).status_code == 200
    assert _join(client, csrf, services.new_code()).status_code == 429


# --- pre-moderation --------------------------------------------------------------------------------

def test_a_young_persons_comment_is_invisible_until_approved(client, csrf, as_person, consultation, young,
                                                             practitioner, facilitator, sections):
    comment = consultations.post_comment(young, consultation, "Please explain it for teenagers",
                                         section=sections[1])
    reader = as_person(practitioner)
    assert "Please explain it for teenagers" not in _html(reader.get(f"/consultations/{consultation.id}"))
    moderator = as_person(facilitator)
    queue = _html(moderator.get("/moderation"))
    assert "Please explain it for teenagers" in queue and "A member of Testshire Youth Council" in queue
    assert "1 comment waiting for a moderator" in _html(moderator.get("/"))
    response = _post(moderator, csrf, f"/moderation/comments/{comment.id}/approve")
    assert response.status_code == 303
    page = _html(reader.get(f"/consultations/{consultation.id}"))
    assert "Please explain it for teenagers" in page and "A member of Testshire Youth Council" in page
    assert young.username not in page
    assert "0 comments waiting for a moderator" in _html(moderator.get("/"))


def test_moderators_decide_and_the_scrutineer_reads_every_decision(csrf, as_person, consultation, young,
                                                                    practitioner, scrutineer, dsl, sections):
    comment = consultations.post_comment(young, consultation, "Waiting here", section=sections[0])
    assert as_person(practitioner).get("/moderation").status_code == 403
    assert as_person(practitioner).get(f"/moderation/comments/{comment.id}").status_code == 403
    lead = as_person(dsl)
    assert "Approve" in _html(lead.get("/moderation"))
    assert _post(lead, csrf, f"/moderation/comments/{comment.id}/approve").status_code == 303
    scrutiny = as_person(scrutineer)
    queue = _html(scrutiny.get("/moderation"))
    assert "only moderators decide" in queue and 'action="/moderation/comments/' not in queue
    record = _html(scrutiny.get(f"/moderation/comments/{comment.id}"))
    assert "approved by Dana Safeguarding" in record and "Hide comment" not in record
    assert _post(scrutiny, csrf, f"/moderation/comments/{comment.id}/hide",
                 {"reason_code": "spam"}).status_code == 403


def test_reject_needs_a_reason_and_the_young_person_is_told_on_their_home_page(
        csrf, as_person, consultation, young, facilitator, sections):
    comment = consultations.post_comment(young, consultation, "I go to Testshire High", section=sections[0])
    moderator = as_person(facilitator)
    response = _post(moderator, csrf, f"/moderation/comments/{comment.id}/reject", {"reason_code": ""})
    assert response.status_code == 200 and "Choose a reason" in _html(response)
    response = _post(moderator, csrf, f"/moderation/comments/{comment.id}/reject",
                     {"reason_code": "personal_information", "reason": "Leave out your school"})
    assert response.status_code == 303
    home = _html(as_person(young).get("/"))
    assert "did not publish" in home and "Leave out your school" in home


# --- reporting, hiding and restoring ---------------------------------------------------------------

def test_report_hide_restore_and_what_each_role_sees(smtp, runner, csrf, as_person, consultation, practitioner, vcs,
                                                     facilitator, scrutineer):
    comment = consultations.post_comment(vcs, consultation, "Something unkind")
    page = f"/consultations/{consultation.id}"
    reader, author, moderator, scrutiny = (as_person(p) for p in (practitioner, vcs, facilitator, scrutineer))
    assert f"/comments/{comment.id}/report" in _html(reader.get(page))
    response = _post(reader, csrf, f"/comments/{comment.id}/report", {"reason_code": "unkind", "reason": "It is unkind"})
    assert response.status_code == 303
    assert "It is unkind" in _html(moderator.get("/moderation"))

    response = _post(moderator, csrf, f"/moderation/comments/{comment.id}/hide",
                     {"reason_code": "unkind", "reason": "Please disagree kindly"})
    assert response.status_code == 303
    assert "Something unkind" not in _html(reader.get(page))
    for viewer in (moderator, scrutiny, author):
        html = _html(viewer.get(page))
        assert "Something unkind" in html and "Please disagree kindly" in html
    assert "Please disagree kindly" in _html(author.get("/"))
    send_mail(runner)
    assert [m["To"] for m in smtp.messages] == [vcs.email]

    response = _post(moderator, csrf, f"/moderation/comments/{comment.id}/restore", {"reason": ""})
    assert response.status_code == 303
    assert "Something unkind" in _html(reader.get(page))
    assert "Please disagree kindly" not in _html(author.get("/"))


def test_a_hidden_comment_cannot_be_reported(csrf, as_person, consultation, practitioner, vcs, facilitator):
    comment = consultations.post_comment(vcs, consultation, "Soon hidden")
    services.hide(facilitator, comment, "spam")
    assert as_person(practitioner).get(f"/comments/{comment.id}/report").status_code == 404


# --- safeguarding concerns -------------------------------------------------------------------------

def test_a_raised_concern_hides_the_comment_alerts_the_dsl_once_and_is_closed(
        smtp, runner, csrf, as_person, consultation, young, practitioner, facilitator, scrutineer, dsl, sections):
    comment = consultations.post_comment(young, consultation, "I sleep in the car most nights", section=sections[1])
    services.approve(facilitator, comment)
    page = f"/consultations/{consultation.id}"
    reader, moderator, scrutiny, lead = (as_person(p) for p in (practitioner, facilitator, scrutineer, dsl))
    assert "I sleep in the car most nights" in _html(reader.get(page))

    response = _post(moderator, csrf, f"/moderation/comments/{comment.id}/concern", {"reason": "Urgent"})
    assert response.status_code == 303 and response.location.endswith("/moderation")  # not a page they cannot open
    assert "I sleep in the car most nights" not in _html(reader.get(page))
    assert "I sleep in the car most nights" not in _html(moderator.get(page))
    assert "I sleep in the car most nights" in _html(scrutiny.get(page))

    send_mail(runner)
    send_mail(runner)
    assert [m["To"] for m in smtp.messages] == [dsl.email]
    assert "car" not in smtp.messages[0].get_body(preferencelist=("plain",)).get_content()

    dashboard = _html(lead.get("/concerns"))
    assert f"Concern 1 about comment {comment.id}" in dashboard and "Testshire Youth Council" in dashboard
    record = _html(lead.get("/concerns/1"))
    assert "I sleep in the car most nights" in record and young.username in record and "Testshire Youth Council" in record
    assert "Safeguarding concern 1" in _html(lead.get("/"))
    response = lead.post("/concerns/1", data={"action_taken": "", "csrf_token": csrf(lead, "/concerns/1")})
    assert response.status_code == 200 and "Enter what was done" in _html(response)
    response = lead.post("/concerns/1", data={"action_taken": "Referred to children's social care",
                                              "csrf_token": csrf(lead, "/concerns/1")})
    assert response.status_code == 303
    assert "Referred to children&#39;s social care" in _html(lead.get("/concerns/1"))

    # The scrutineer sees the whole trail; a practitioner sees nothing of it.
    trail_page = _html(scrutiny.get("/concerns/1"))
    assert "Referred to children&#39;s social care" in trail_page and "concern by Fran Facilitator" in trail_page
    assert scrutiny.post("/concerns/1", data={"action_taken": "x", "csrf_token": csrf(scrutiny, "/")}).status_code == 403
    assert reader.get("/concerns").status_code == 403 and reader.get("/concerns/1").status_code == 403
    assert as_person(practitioner).get(f"/moderation/comments/{comment.id}").status_code == 403
    actions = [e["action"] for e in trail.iter_entries()]
    assert actions[-2:] == ["concern.raised", "concern.closed"]


def test_a_young_person_says_they_are_worried_and_is_never_promised_secrecy(
        smtp, runner, csrf, as_person, young, dsl):
    browser = as_person(young)
    form = _html(browser.get("/worried"))
    assert "999" in form and "0800 1111" in form and "will not keep it secret" in form
    response = _post(browser, csrf, "/worried", {"message": ""})
    assert response.status_code == 200 and "Enter what you are worried about" in _html(response)
    response = _post(browser, csrf, "/worried", {"message": "Someone online asks me for photos"})
    assert response.status_code == 303
    sent = _html(browser.get(response.headers["Location"]))
    assert "cannot keep it secret" in sent and "0800 1111" in sent and "999" in sent
    assert "secret" not in sent.replace("cannot keep it secret", "")
    send_mail(runner)
    assert [m["To"] for m in smtp.messages] == [dsl.email]
    assert "photos" in _html(as_person(dsl).get("/concerns/1"))
    assert "photos" not in json.dumps(list(trail.iter_entries()))


def test_redaction_blanks_the_text_and_the_exported_log_still_verifies(
        runner, csrf, as_person, consultation, young, facilitator, scrutineer, dsl, sections, tmp_path):
    comment = consultations.post_comment(young, consultation, "He hurts me", section=sections[0])
    assert comment.status == "concern"  # held for the DSL by the harm-signal list
    lead = as_person(dsl)
    response = lead.post("/concerns/1/redact", data={"csrf_token": csrf(lead, "/concerns/1")})
    assert response.status_code == 303
    assert "He hurts me" in _html(lead.get("/concerns/1"))
    assert "He hurts me" not in _html(as_person(scrutineer).get(f"/consultations/{consultation.id}"))
    redacted = [e for e in trail.iter_entries() if e["action"] == "comment.redacted"]
    assert redacted[0]["subject"] == f"comment:{comment.id}"
    assert redacted[0]["data"]["body_sha256"] == trail.text_hash("He hurts me")
    path = tmp_path / "log.jsonl"
    assert runner.invoke(args=["export-log", str(path)]).exit_code == 0
    result = runner.invoke(args=["verify-log", str(path)])
    assert result.exit_code == 0 and "OK" in result.output


def test_a_code_is_shown_once_when_it_is_issued(client, csrf, as_person, make_person, group):
    worker = as_person(make_person("youth_worker", organisation="Testshire Youth Council"))
    page = _html(worker.get("/moderation/invite-codes"))
    assert "Testshire Youth Council" in page and "No codes yet" in page
    response = _post(worker, csrf, "/moderation/invite-codes",
                     {"organisation": str(group.id), "max_uses": "12", "days": "30"})
    assert response.status_code == 200 and "you will not see it again" in _html(response)
    code = _html(response).split('id="invite-code">')[1].split("<")[0]
    listing = _html(worker.get("/moderation/invite-codes"))
    assert "0 of 12" in listing and code not in listing
    assert _join(client, csrf, code).status_code == 303
    response = _post(worker, csrf, "/moderation/invite-codes", {"organisation": str(group.id), "max_uses": "0",
                                                                 "days": "30"})
    assert "between 1 and 500" in _html(response)


# --- issue 14: no enumeration of usernames with a public code -----------------------------------------------

def test_a_taken_username_gets_the_same_answer_as_a_free_one(app, csrf, facilitator, group, young):
    _, code = services.issue_invite_code(facilitator, group, max_uses=5, expires_at=utcnow() + timedelta(days=3))
    free, taken = app.test_client(), app.test_client()
    free_answer = _join(free, csrf, code, username="brand-new-name")
    taken_answer = _join(taken, csrf, code, username=young.username)
    assert (free_answer.status_code, free_answer.headers["Location"]) == \
        (taken_answer.status_code, taken_answer.headers["Location"]) == (303, "/join/welcome")
    welcome = _html(taken.get("/join/welcome"))
    assert f"Your username is {young.username}-" in welcome  # their own variant, to remember
    # Mistakes are told the same way for both: nothing about whether the name exists.
    refused = [_html(_join(app.test_client(), csrf, code, username=name, accept=None))
               for name in ("another-free-name", young.username)]
    summaries = [re.search(r'<div class="govuk-error-summary__body">.*?</div>', html, re.S).group(0)
                 for html in refused]
    assert summaries[0] == summaries[1] and "agree to the rules" in summaries[0]
