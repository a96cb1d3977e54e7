"""The scrutiny pages: who may see them, the timeline's filters and paging, findings, the yearly report."""
import csv
import io
import re
from datetime import date

import pytest

from app.accounts.models import Role
from app.consultations import services as consultations
from app.scrutiny import services
from app.trail import services as trail


@pytest.fixture
def as_scrutineer(client, login, scrutineer):
    login(scrutineer)
    return scrutineer


@pytest.fixture
def as_facilitator(client, login, facilitator):
    login(facilitator)
    return facilitator


def page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:1000]
    return response.get_data(as_text=True)


def test_the_workspace_lists_consultations_and_shows_the_chain_verified_now(client, as_scrutineer, consultation):
    html = page(client, "/scrutiny")
    assert consultation.title in html and f"/scrutiny/consultations/{consultation.id}" in html
    count, head = trail.verify_database()
    assert ">OK<" in html and head in html and str(count) in html
    assert 'href="/scrutiny/verify_log.py"' in html
    assert 'href="/scrutiny"' in html  # the "Scrutiny" item of the main menu


def test_the_consultation_page_shows_the_timeline_comments_history_and_export(
        client, as_scrutineer, consultation, sections, practitioner, young):
    comment = consultations.post_comment(practitioner, consultation, "First text", sections[0])
    consultations.edit_comment(practitioner, comment, "Second text")
    consultations.withdraw_comment(practitioner, comment)
    consultations.post_comment(young, consultation, "A young person's view")
    html = page(client, f"/scrutiny/consultations/{consultation.id}")
    for text in ("consultation.opened", "comment.posted", "comment.edited", "comment.withdrawn", "First text",
                 "Second text", "Withdrawn", "A member of Testshire Youth Council", "Pending",
                 f"/scrutiny/consultations/{consultation.id}/export.zip", f'id="comment-{comment.id}"'):
        assert text in html, text
    assert young.username not in html
    assert f'href="/scrutiny/consultations/{consultation.id}#comment-{comment.id}"' in html  # entries link to it


def test_the_timeline_filters_by_kind_organisation_audience_and_date(
        client, as_scrutineer, consultation, sections, practitioner, young, partnership):
    consultations.post_comment(practitioner, consultation, "A practitioner's comment", sections[0])
    consultations.cast_vote(practitioner, consultation, sections[0], "oppose")
    consultations.post_comment(young, consultation, "A young person's comment")
    path = f"/scrutiny/consultations/{consultation.id}"

    def actions(query):
        html = page(client, f"{path}?{query}")
        table = html.split('id="timeline-table"')[1].split("</table>")[0] if 'id="timeline-table"' in html else ""
        return re.findall(r'data-action="([a-z_]+\.[a-z_.]+)"', table)

    assert actions("") == ["consultation.opened", "comment.posted", "vote.cast", "comment.posted"]
    assert actions("kind=vote") == ["vote.cast"]
    assert actions("audience=young_people") == ["comment.posted"]
    youth = next(o for o in partnership.organisations if o.name == "Testshire Youth Council")
    assert actions(f"organisation={youth.id}") == ["comment.posted"]
    today = date.today().isoformat()
    assert len(actions(f"from_day={today}&to_day={today}")) == 4
    assert actions("to_day=2000-01-01") == []
    assert len(actions(f"from_day-day={date.today().day}&from_day-month={date.today().month}"
                       f"&from_day-year={date.today().year}")) == 4  # GOV.UK date fields
    wrong = page(client, f"{path}?to_day-day=31&to_day-month=2&to_day-year=2026")
    assert "The day to end on must be a real date" in wrong
    assert "must be between 2000 and 2099" in page(client, f"{path}?to_day=9999-12-31")
    assert "No log entries match these filters" in page(client, f"{path}?to_day=2000-01-01")


def test_the_workspace_reads_as_sentences_with_names_not_ids(client, as_scrutineer, consultation, sections,
                                                           practitioner, young):
    consultations.post_comment(practitioner, consultation, "A comment", sections[0])
    consultations.cast_vote(practitioner, consultation, sections[0], "support_with_changes")
    html = page(client, f"/scrutiny/consultations/{consultation.id}")
    assert f"Priya Practitioner, Testshire Council commented on “{sections[0].title}”" in html
    assert f"Priya Practitioner, Testshire Council voted “support with changes” on “{sections[0].title}”" in html
    assert "What the log holds" in html  # the codes and hashes, one click away
    assert ">comment.posted<" not in html.split('id="timeline-table"')[1].split("<details")[0]
    assert not re.search(r"(Partnership|Organisation|Person) \d", html)


def test_the_timeline_pages_with_a_cursor(client, as_scrutineer, consultation, practitioner, monkeypatch):
    from app.scrutiny import queries

    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    for n in range(3):
        consultations.post_comment(practitioner, consultation, f"Comment {n}")
    path = f"/scrutiny/consultations/{consultation.id}"
    first = page(client, f"{path}?kind=comment")
    match = re.search(r'href="([^"]*after=(\d+)[^"]*)"[^>]*>Next page', first)
    assert match and "kind=comment" in match.group(1)
    second = page(client, match.group(1).replace("&amp;", "&"))
    assert "Next page" not in second and "First page" in second


def test_a_scrutineer_records_a_finding_and_shares_then_releases_it(
        client, csrf, as_scrutineer, consultation, app, login, facilitator):
    path = f"/scrutiny/consultations/{consultation.id}"
    response = client.post(f"{path}/findings", data={
        "csrf_token": csrf(client, path), "observation": "Notice was short", "recommendation": "Give 6 weeks",
        "severity": "high", "entries": "1"})
    assert response.status_code == 303
    finding = services.findings_for(as_scrutineer, consultation)[0]
    assert response.headers["Location"].endswith(f"{path}#finding-{finding.id}")
    html = page(client, path)
    assert "Notice was short" in html and "Private to scrutineers" in html and "entry 1" in html

    other = app.test_client()
    login(facilitator, target=other)
    assert "Notice was short" not in other.get("/scrutiny/findings").get_data(as_text=True)
    assert other.post(f"/scrutiny/findings/{finding.id}/answer",
                      data={"csrf_token": csrf(other, "/scrutiny/findings"), "body": "x"}).status_code == 404
    assert other.get(path).status_code == 403

    client.post(f"/scrutiny/findings/{finding.id}/visibility",
                data={"csrf_token": csrf(client, path), "visibility": "shared"})
    assert "Notice was short" in other.get("/scrutiny/findings").get_data(as_text=True)
    response = other.post(f"/scrutiny/findings/{finding.id}/answer",
                          data={"csrf_token": csrf(other, "/scrutiny/findings"), "body": "We agree"})
    assert response.status_code == 303
    assert "We agree" in page(client, path)
    client.post(f"/scrutiny/findings/{finding.id}/visibility",
                data={"csrf_token": csrf(client, path), "visibility": "released"})
    assert "Released publicly" in page(client, path)
    assert [e["action"] for e in trail.iter_entries()][-4:] == [
        "finding.recorded", "finding.shared", "finding.answered", "finding.released"]


def test_a_finding_with_errors_shows_them_on_the_page(client, csrf, as_scrutineer, consultation):
    path = f"/scrutiny/consultations/{consultation.id}"
    response = client.post(f"{path}/findings", data={"csrf_token": csrf(client, path), "observation": "Seen",
                                                     "severity": "low", "entries": "424242"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in html and "There is no log entry 424242" in html
    assert services.findings_for(as_scrutineer, consultation) == []


def test_an_empty_answer_is_refused_with_a_message(client, csrf, as_facilitator, consultation, scrutineer):
    finding = services.record_finding(scrutineer, consultation, observation="O", recommendation="",
                                      severity="low")
    services.set_visibility(scrutineer, finding, "shared")
    response = client.post(f"/scrutiny/findings/{finding.id}/answer",
                           data={"csrf_token": csrf(client, "/scrutiny/findings"), "body": " "})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter your answer" in html
    assert f'href="#answer-{finding.id}"' in html and f'id="answer-{finding.id}"' in html  # the summary links to it


def test_a_scrutineer_cannot_comment_vote_moderate_or_sign(client, csrf, as_scrutineer, consultation, sections,
                                                           practitioner, app):
    comment = consultations.post_comment(practitioner, consultation, "A comment")
    token = csrf(client, "/scrutiny")
    attempts = [
        f"/consultations/{consultation.id}/comments",
        f"/consultations/{consultation.id}/sections/{sections[0].id}/vote",
        f"/comments/{comment.id}/reply",
        f"/moderation/comments/{comment.id}/hide",
        f"/moderation/comments/{comment.id}/approve",
        f"/consultations/{consultation.id}/signoff",
        "/signoff/1/decide",
    ]
    adapter = app.url_map.bind("localhost")
    routed = [path for path in attempts if _routes(adapter, path)]
    assert len(routed) == len(attempts), set(attempts) - set(routed)
    for path in routed:
        response = client.post(path, data={"csrf_token": token, "body": "x", "choice": "support",
                                           "reason": "x", "reason_code": "other", "decision": "approved"})
        assert response.status_code == 403, path
    assert [e["action"] for e in trail.iter_entries()][-1] == "comment.posted"  # nothing else was logged


def _routes(adapter, path):
    try:
        adapter.match(path, method="POST")
    except Exception:
        return False
    return True


def test_the_yearly_report_page_and_csv(client, as_facilitator, consultation, sections, practitioner, young,
                                        scrutineer):
    consultations.post_comment(practitioner, consultation, "A comment", sections[0])
    consultations.cast_vote(practitioner, consultation, sections[0], "support")
    consultations.post_comment(young, consultation, "A young person's comment")
    services.record_finding(scrutineer, consultation, observation="O", recommendation="", severity="medium")
    start = date.today().replace(day=1).isoformat()
    html = page(client, f"/scrutiny/yearly?from={start}")
    assert consultation.title in html and "Participation by audience" in html and "Scrutiny findings" in html
    rows = list(csv.reader(io.StringIO(page(client, f"/scrutiny/yearly.csv?from={start}"))))
    values = {(section, item): value for section, item, value in rows[1:]}
    assert values[("consultations", "run")] == "1"
    assert values[("participation", "Practitioners: people who commented or voted")] == "1"
    assert values[("participation", "Practitioners: votes")] == "1"
    # the young person's comment waits for a moderator: like the consultation report, only published ones count
    assert values[("participation", "Young people's groups: published comments and replies")] == "0"
    assert values[("participation", "Practitioners: published comments and replies")] == "1"
    assert values[("scrutiny findings", "medium: recorded")] == "1"
    assert values[("scrutiny findings", "medium: released")] == "0"
    assert page(client, "/scrutiny/yearly?from=2001-01-01").count(consultation.title) == 0
    assert "The start date must be a real date" in page(client, "/scrutiny/yearly?from=nonsense", status=400)
    assert client.get("/scrutiny/yearly.csv?from=nonsense").status_code == 400


def test_the_yearly_report_takes_gov_uk_date_fields_and_its_default_period_includes_today(
        client, as_facilitator, consultation):
    today = date.today()
    html = page(client, "/scrutiny/yearly")
    assert f"to {today.day} {today:%B %Y}" in html  # the 12 months that end today
    typed = page(client, f"/scrutiny/yearly?from-day=1&from-month=4&from-year={today.year - 1}")
    assert f"1 April {today.year - 1} to 31 March {today.year}" in typed
    assert "1 April" in page(client, f"/scrutiny/yearly?from=1 4 {today.year - 1}")  # as a person types it
    wrong = page(client, "/scrutiny/yearly?from-day=31&from-month=2&from-year=2026", status=400)
    assert "The start date must be a real date" in wrong and 'value="31"' in wrong  # what was typed stays
    assert "must include a month" in page(client, "/scrutiny/yearly?from-day=1&from-year=2026", status=400)


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.FACILITATOR, Role.YOUNG_PERSON, Role.DSL])
def test_only_scrutineers_use_the_workspace(client, login, make_person, consultation, role):
    login(make_person(role))
    for path in ("/scrutiny", f"/scrutiny/consultations/{consultation.id}",
                 f"/scrutiny/consultations/{consultation.id}/export.zip"):
        assert client.get(path).status_code == 403, path
    expected = 200 if role == Role.FACILITATOR else 403
    assert client.get("/scrutiny/yearly").status_code == expected
    assert client.get("/scrutiny/findings").status_code == expected


def test_another_partnerships_consultation_is_not_found(client, as_scrutineer):
    assert client.get("/scrutiny/consultations/999999").status_code == 404
    assert client.get("/scrutiny/findings/999999/visibility").status_code == 405


def test_moderation_concerns_and_responses_show_who_when_and_why(
        client, as_scrutineer, consultation, practitioner, young, facilitator, make_person):
    from app.moderation import services as moderation
    from app.responses import services as responses

    dsl = make_person(Role.DSL, name="Dana Safeguarding")
    hidden = consultations.post_comment(practitioner, consultation, "Names a child at school")
    moderation.hide(facilitator, hidden, "personal_information", "Names a pupil")
    worrying = consultations.post_comment(young, consultation, "Something worrying")
    concern = moderation.raise_concern(dsl, worrying, "Moderator's note for the DSL")
    answered = consultations.post_comment(practitioner, consultation, "Add schools")
    consultations.close_early(facilitator, consultation, "Enough views")
    responses.respond(facilitator, consultation, outcome="not_accepted", reason="Out of scope", comment=answered)

    html = page(client, f"/scrutiny/consultations/{consultation.id}")
    for text in ("comment.hidden", "Names a pupil", "Fran Facilitator, Testshire Council", "personal_information",
                 f'id="safeguarding_concerns-{concern.id}"', "Moderator&#39;s note for the DSL", "Out of scope",
                 "not_accepted", "concern.raised", "Requests for sign-off"):
        assert text in html, text
    assert young.username not in html and young.display_name not in html
    assert f'href="/scrutiny/consultations/{consultation.id}#safeguarding_concerns-{concern.id}"' in html


def test_with_htmx_the_filters_answer_with_the_timeline_alone(client, as_scrutineer, consultation, practitioner):
    consultations.post_comment(practitioner, consultation, "A comment")
    path = f"/scrutiny/consultations/{consultation.id}?kind=comment"
    response = client.get(path, headers={"HX-Request": "true", "HX-Target": "timeline-results"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "<html" not in html and html.lstrip().startswith('<div id="timeline-results">')
    assert "comment.posted" in html and "consultation.opened" not in html
    full = client.get(path, headers={"HX-Request": "true", "HX-Target": "main-content"})
    assert "<html" in full.get_data(as_text=True)  # any other target: the whole page


@pytest.mark.parametrize("kind, words", [("opened", "that the consultation had opened"),
                                         ("week_before", "that it closes in a week"),
                                         ("reply", "that someone replied to their comment")])
def test_emails_in_the_timeline_are_described_in_words(kind, words):
    from app.scrutiny.words import describe

    entry = {"action": "notification.queued", "subject": "consultation:1", "actor": None,
             "data": {"kind": kind, "people": [1, 2]}}
    assert describe(entry, lookups=None) == f"The portal emailed 2 people {words}"
