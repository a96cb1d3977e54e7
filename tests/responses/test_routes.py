"""Responses pages: full pages, who may see and post, the unanswered count, the report and influence page."""
import pytest

from app.accounts.models import Role
from app.consultations.models import Comment
from app.responses import publishing
from app.responses import services
from app.responses.models import CommentTheme, Response


def _first(closed):
    return services.answered_comments(closed)[0].comment


def test_a_facilitator_answers_a_comment_through_the_page(client, login, csrf, closed, facilitator, db):
    login(facilitator)
    comment = _first(closed)
    page = client.get(f"/consultations/{closed.id}")
    assert "2 comments still unanswered" in page.get_data(as_text=True)
    path = f"/responses/comments/{comment.id}"
    response = client.post(path, data={"csrf_token": csrf(client, path), "outcome": "accepted",
                                       "reason": "We added schools.", "changed_section": ""})
    assert response.status_code == 303
    assert db.session.query(Response).one().comment_id == comment.id
    html = client.get(f"/consultations/{closed.id}/responses").get_data(as_text=True)
    assert "<html" in html and "We added schools." in html and "1 still unanswered" in html
    assert "1 comment still unanswered" in client.get(f"/consultations/{closed.id}").get_data(as_text=True)


def test_while_the_consultation_is_open_the_answer_page_says_when_answering_starts(
        client, login, consultation, practitioner, facilitator):
    from app.consultations import services as consultations

    comment = consultations.post_comment(practitioner, consultation, "Early thoughts on the groups.")
    login(facilitator)
    html = client.get(f"/responses/comments/{comment.id}").get_data(as_text=True)
    assert "You can answer once the consultation has closed" in html
    assert "Save the answer" not in html  # no form that would only be refused


def test_a_response_without_a_reason_shows_the_error(client, login, csrf, closed, facilitator):
    login(facilitator)
    path = f"/responses/comments/{_first(closed).id}"
    response = client.post(path, data={"csrf_token": csrf(client, path), "outcome": "accepted", "reason": ""})
    assert response.status_code == 200 and "There is a problem" in response.get_data(as_text=True)


def test_themes_are_made_as_the_facilitator_goes_and_answered_together(client, login, csrf, closed, facilitator, db):
    login(facilitator)
    comment = _first(closed)
    path = f"/responses/comments/{comment.id}"
    assert client.post(f"{path}/tag", data={"csrf_token": csrf(client, path), "theme": "",
                                            "new_theme": "Schools"}).status_code == 303
    tag = db.session.query(CommentTheme).one()
    theme_path = f"/themes/{tag.theme_id}"
    html = client.get(theme_path).get_data(as_text=True)
    assert "Schools" in html and "Votes on" in html
    assert client.post(theme_path, data={"csrf_token": csrf(client, theme_path), "outcome": "already_covered",
                                         "reason": "Section 3 covers it."}).status_code == 303
    assert services.unanswered_count(closed) == 1
    assert "Schools" in client.get(f"/consultations/{closed.id}/themes").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.VCS_PARTNER, Role.YOUNG_PERSON, Role.DSL])
def test_participants_cannot_see_or_answer(client, login, csrf, closed, make_person, role):
    login(make_person(role))
    comment = _first(closed)
    assert client.get(f"/consultations/{closed.id}/responses").status_code == 403
    assert client.get(f"/responses/comments/{comment.id}").status_code == 403
    token = csrf(client, "/accessibility")
    assert client.post(f"/responses/comments/{comment.id}/tag", data={"csrf_token": token}).status_code == 403


@pytest.mark.parametrize("role", [Role.SCRUTINEER, Role.LEAD_SIGNATORY])
def test_scrutineers_and_signatories_read_but_do_not_answer(client, login, csrf, closed, make_person, role):
    login(make_person(role))
    assert client.get(f"/consultations/{closed.id}/responses").status_code == 200
    assert client.get(f"/responses/comments/{_first(closed).id}").status_code == 403
    theme_path = f"/consultations/{closed.id}/themes"
    assert client.get(theme_path).status_code == 200
    assert client.post(theme_path, data={"csrf_token": csrf(client, "/accessibility"), "name": "x"}).status_code == 403


def test_the_report_counts_people_by_audience_and_shows_answers(client, login, closed, facilitator, practitioner):
    services.respond(facilitator, closed, comment=_first(closed), outcome="accepted", reason="We added schools.")
    login(practitioner)
    html = client.get(f"/consultations/{closed.id}/report").get_data(as_text=True)
    # A draft answer: the report is not open to participants yet.
    assert "The answers are not published yet" in html and "We added schools." not in html
    publishing.publish_answers(facilitator, closed)
    html = client.get(f"/consultations/{closed.id}/report").get_data(as_text=True)
    assert "<html" in html and "Who took part" in html and "We added schools." in html
    assert "Votes on" in html and "What changed after the consultation" in html


def test_the_report_shows_young_people_only_as_a_member_of_their_group(client, login, closed, young, facilitator,
                                                                       db):
    db.session.add(Comment(consultation_id=closed.id, author_id=young.id, author_audience="young_people",
                           body="More youth clubs", status="published", depth=0))
    db.session.commit()
    login(facilitator)
    html = client.get(f"/consultations/{closed.id}/report").get_data(as_text=True)
    assert "A member of Testshire Youth Council" in html and young.display_name not in html


def test_the_influence_page_for_a_group(client, login, closed, young, facilitator, make_person, db):
    group = young.organisation
    login(young)
    html = client.get("/").get_data(as_text=True)
    assert f"/groups/{group.id}/influence" in html
    html = client.get(f"/groups/{group.id}/influence").get_data(as_text=True)
    assert "<html" in html and "Nothing here yet" in html
    comment = Comment(consultation_id=closed.id, author_id=young.id, author_audience="young_people",
                      body="More youth clubs", status="published", depth=0)
    db.session.add(comment)
    db.session.commit()
    services.respond(facilitator, closed, comment=comment, outcome="partly_accepted", reason="Two more clubs.")
    html = client.get(f"/groups/{group.id}/influence").get_data(as_text=True)
    assert "Two more clubs." not in html  # a draft, until the answers are published
    publishing.publish_answers(facilitator, closed)
    html = client.get(f"/groups/{group.id}/influence").get_data(as_text=True)
    assert "A member of Testshire Youth Council" in html and "More youth clubs" in html
    assert "We changed part of the plan because of this" in html and "Two more clubs." in html


@pytest.mark.parametrize("role,status", [(Role.FACILITATOR, 200), (Role.SCRUTINEER, 200), (Role.PRACTITIONER, 403),
                                         (Role.DSL, 403), (Role.LEAD_SIGNATORY, 403)])
def test_who_sees_a_groups_influence_page(client, login, partnership, make_person, role, status):
    group = next(o for o in partnership.organisations if o.kind == "young_peoples_group")
    login(make_person(role))
    assert client.get(f"/groups/{group.id}/influence").status_code == status


def test_a_young_person_of_another_group_cannot_see_it(client, login, partnership, make_person):
    from app.partnerships import services as partnerships
    from app.partnerships.models import OrganisationKind

    other = partnerships.add_organisation(None, partnership, name="Children in Care Council",
                                          kind=OrganisationKind.YOUNG_PEOPLES_GROUP)
    login(make_person(Role.YOUNG_PERSON))
    assert client.get(f"/groups/{other.id}/influence").status_code == 403
