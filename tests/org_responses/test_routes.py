"""Formal responses' pages: starting, co-authors, the "someone else saved this" message, submitting once, and a
draft nobody else sees (not the facilitator, not the scrutineer, not another participant) until it is submitted."""
import re

import pytest

from app.consultations import services as consultations
from app.errors import DomainError
from app.org_responses import services
from app.org_responses.models import OrgResponse

DRAFT_WORDS = "Draft words of the charity, not for anyone else yet"


def _form(html):
    """The draft form's hidden fields, as a browser would send them back."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    return {"csrf_token": token, "version": version}


def _start(client, consultation):
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Start a formal response for Testshire Voluntary Action" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/consultations/{consultation.id}/formal-responses", data={"csrf_token": token})
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_the_lead_starts_one_and_adds_a_co_author_from_the_organisation_only(as_person, consultation, lead,
                                                                              colleague, outsider, db):
    browser = as_person(lead)
    response_id = _start(browser, consultation)
    html = browser.get(f"/formal-responses/{response_id}").get_data(as_text=True)
    assert "<html" in html and "Testshire Voluntary Action’s formal response" in html
    assert "Cal Colleague" in html and "Olu Outsider" not in html  # only the organisation's people are offered
    data = {**_form(html)}
    refused = browser.post(f"/formal-responses/{response_id}/co-authors", data={**data, "person": outsider.id})
    assert refused.status_code == 303
    assert db.session.get(OrgResponse, response_id).author_ids == {lead.id}
    added = browser.post(f"/formal-responses/{response_id}/co-authors", data={**data, "person": colleague.id})
    assert added.status_code == 303
    assert db.session.get(OrgResponse, response_id).author_ids == {lead.id, colleague.id}
    co_author = as_person(colleague)
    their_form = _form(co_author.get(f"/formal-responses/{response_id}").get_data(as_text=True))
    assert co_author.post(f"/formal-responses/{response_id}/co-authors",
                          data={**their_form, "person": colleague.id}).status_code == 403  # only the lead adds


def test_a_draft_is_seen_by_its_authors_only(as_person, consultation, lead, colleague, outsider, facilitator,
                                            scrutineer, sections):
    draft = services.start(lead, consultation)
    services.add_co_author(lead, draft, colleague)
    services.save(lead, draft, sections={sections[0].id: DRAFT_WORDS}, overall=DRAFT_WORDS, version=1)
    assert DRAFT_WORDS in as_person(colleague).get(f"/formal-responses/{draft.id}").get_data(as_text=True)
    for person in (outsider, facilitator, scrutineer):
        browser = as_person(person)
        assert browser.get(f"/formal-responses/{draft.id}").status_code == 404
        assert browser.post(f"/formal-responses/{draft.id}", data={"overall": "x", "version": 2}).status_code in (400, 404)
        for path in (f"/consultations/{consultation.id}", f"/consultations/{consultation.id}/report",
                     f"/scrutiny/consultations/{consultation.id}", f"/consultations/{consultation.id}/responses"):
            page = browser.get(path)
            assert DRAFT_WORDS not in page.get_data(as_text=True), (person.display_name, path)
        page = browser.get(f"/consultations/{consultation.id}").get_data(as_text=True)
        assert "0 formal responses submitted" in page and "Response from Testshire Voluntary Action" not in page


def test_a_save_over_a_co_authors_says_so_and_shows_theirs(as_person, consultation, lead, colleague, sections):
    draft = services.start(lead, consultation)
    services.add_co_author(lead, draft, colleague)
    mine, theirs = as_person(lead), as_person(colleague)
    path = f"/formal-responses/{draft.id}"
    lead_form, colleague_form = _form(mine.get(path).get_data(as_text=True)), _form(theirs.get(path).get_data(as_text=True))
    saved = theirs.post(path, data={**colleague_form, "overall": "Colleague's overall view", "action": "save"})
    assert saved.status_code == 303
    refused = mine.post(path, data={**lead_form, "overall": "Lead's overall view", "action": "save"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "There is a problem" in html
    assert "Someone else saved this: here is theirs" in html and "Cal Colleague saved this response" in html
    assert "Colleague&#39;s overall view" in html and "Lead&#39;s overall view" in html  # theirs shown, mine kept
    assert services.get(draft.id).overall == "Colleague's overall view"
    again = mine.post(path, data={**_form(html), "overall": "Lead's overall view", "action": "save"})
    assert again.status_code == 303 and services.get(draft.id).overall == "Lead's overall view"


def test_the_lead_submits_once_and_everyone_reads_it_apart_from_the_comments(as_person, consultation, lead,
                                                                             outsider, facilitator, sections, db):
    mine = as_person(lead)
    response_id = _start(mine, consultation)
    path = f"/formal-responses/{response_id}"
    empty = mine.post(path, data={**_form(mine.get(path).get_data(as_text=True)), "overall": "", "action": "submit"})
    assert empty.status_code == 200 and "Write the overall statement before you submit" in empty.get_data(as_text=True)
    form = _form(mine.get(path).get_data(as_text=True))
    submitted = mine.post(path, data={**form, f"section_{sections[0].id}": "Name a lead for schools.",
                                      "overall": "The charity supports it.", "action": "submit"})
    assert submitted.status_code == 303 and submitted.headers["Location"].endswith(f"#formal-response-{response_id}")
    assert mine.post(path, data={**form, "overall": "Again", "action": "submit"}).status_code == 409
    for person in (outsider, facilitator):
        page = as_person(person).get(f"/consultations/{consultation.id}").get_data(as_text=True)
        block = page[page.index('id="formal-responses"'):]
        assert "1 formal response submitted" in block and "Response from Testshire Voluntary Action" in block
        assert "Name a lead for schools." in block and "The charity supports it." in block
        general = page[page.index('id="general"'):page.index('id="formal-responses"')]
        assert "The charity supports it." not in general  # not mixed with the individual comments
    assert as_person(outsider).get(path).status_code == 200
    page = mine.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Start a formal response" not in page  # one per organisation


def test_the_report_counts_formal_responses_apart_and_facilitators_answer_them(as_person, consultation, lead,
                                                                              practitioner, facilitator, csrf):
    consultations.post_comment(practitioner, consultation, "A practitioner's own comment.")
    response = services.start(lead, consultation)
    services.submit(lead, response, version=1, sections={}, overall="The charity's overall view.")
    consultations.close_early(facilitator, consultation, "Done")
    fran = as_person(facilitator)
    path = f"/formal-responses/{response.id}/answer"
    answered = fran.post(path, data={"csrf_token": csrf(fran, path), "outcome": "accepted",
                                     "reason": "We added a seat for the charity."})
    assert answered.status_code == 303
    published = fran.post(f"{path}/publish", data={"csrf_token": csrf(fran, path)})
    assert published.status_code == 303
    report = fran.get(f"/consultations/{consultation.id}/report").get_data(as_text=True)
    assert "Formal responses submitted on behalf of organisations: <strong>1</strong>" in report
    assert "Response from Testshire Voluntary Action" in report and "We added a seat for the charity." in report
    who = report[report.index('id="who-title"'):report.index('id="formal-response-count"')]
    assert "Voluntary and community sector" not in who  # the lead is not counted as a commenter
    assert as_person(lead).get(path).status_code == 403


def test_what_we_hold_lists_the_responses_a_person_wrote(as_person, consultation, lead, colleague):
    draft = services.start(lead, consultation)
    services.add_co_author(lead, draft, colleague)
    services.save(colleague, draft, sections={}, overall=DRAFT_WORDS, version=1)
    held = as_person(colleague).get("/my-data.json").get_json()
    assert held["formal_responses"] == [{"id": draft.id, "consultation_id": consultation.id,
                                         "organisation": "Testshire Voluntary Action", "as": "co-author",
                                         "status": "draft", "submitted_at": None,
                                         "text": f"Overall statement\n{DRAFT_WORDS}"}]
    assert "as lead: a draft" in as_person(lead).get("/my-data").get_data(as_text=True)


def test_the_answers_page_lists_formal_responses_to_answer(as_person, consultation, lead, facilitator):
    response = services.start(lead, consultation)
    services.submit(lead, response, version=1, sections={}, overall="Ours.")
    consultations.close_early(facilitator, consultation, "Done")
    html = as_person(facilitator).get(f"/consultations/{consultation.id}/responses").get_data(as_text=True)
    section = html[html.index('id="formal-responses"'):]
    assert "Response from Testshire Voluntary Action</a>:" in section and "not answered yet" in section
    assert f"/formal-responses/{response.id}/answer" in section


def test_a_colleague_is_pointed_to_the_draft_already_started_instead_of_a_rival_one(as_person, consultation, lead,
                                                                                    colleague):
    """Found walking: a second person of the organisation was offered "Start a formal response" beside a colleague's
    draft, submitted their own, and left the colleague with a dead draft."""
    services.start(lead, consultation)
    page = as_person(colleague).get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert f"{lead.display_name} is preparing {lead.organisation.name}’s formal response" in page
    assert "Start a formal response" not in page
    with pytest.raises(DomainError, match="Ask them to add you as a co-author"):
        services.start(colleague, consultation)
