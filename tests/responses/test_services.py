"""Themes and responses: the rules, with no HTTP."""
import pytest

from app.accounts.models import Role
from app.consultations import services as consultations
from app.consultations.models import Comment
from app.errors import DomainError, NotAllowed
from app.mail.models import OutboxMessage
from app.responses import publishing
from app.responses import services
from app.responses.models import Outcome
from tests.fixtures.consultations import assert_log_verifies, log_actions


def _comments(consultation):
    return [item.comment for item in services.answered_comments(consultation)]


def test_every_published_comment_needs_an_answer_until_answered(closed, facilitator):
    first, _second = _comments(closed)
    assert services.answer_counts(closed) == (2, 2)
    services.respond(facilitator, closed, comment=first, outcome=Outcome.ACCEPTED, reason="We added schools.")
    assert services.answer_counts(closed) == (2, 1)
    items = services.answered_comments(closed)
    assert items[0].response.outcome == "accepted" and items[1].response is None


def test_answering_a_theme_answers_every_comment_tagged_with_it(closed, facilitator):
    first, second = _comments(closed)
    theme = services.tag_comment(facilitator, first, new_theme="Who sits on the groups")
    assert services.tag_comment(facilitator, second, theme=theme).id == theme.id
    services.respond(facilitator, closed, theme=theme, outcome="partly_accepted", reason="Some seats added.")
    assert services.unanswered_count(closed) == 0
    # Each comment got an answer of its own, copied from the theme's.
    answers = [item.response for item in services.answered_comments(closed)]
    assert {(r.comment_id is not None, r.from_theme_id, r.outcome, r.reason) for r in answers} == {
        (True, theme.id, "partly_accepted", "Some seats added.")}


def test_commenters_with_email_are_told_once_their_answer_is_published(closed, facilitator, db):
    first, _ = _comments(closed)
    services.respond(facilitator, closed, comment=first, outcome="not_accepted", reason="Schools have their own.")
    assert db.session.query(OutboxMessage).filter(OutboxMessage.to_address == first.author.email).count() == 0
    publishing.publish_answers(facilitator, closed)
    mails = db.session.query(OutboxMessage).filter(OutboxMessage.to_address == first.author.email).all()
    assert len(mails) == 1 and "Not accepted" in mails[0].body_text


def test_a_response_needs_an_outcome_and_a_reason_and_a_closed_consultation(consultation, closed, facilitator):
    first, _ = _comments(closed)
    with pytest.raises(DomainError) as error:
        services.respond(facilitator, closed, comment=first, outcome="accepted", reason="  ")
    assert error.value.field == "reason"
    with pytest.raises(DomainError):
        services.respond(facilitator, closed, comment=first, outcome="maybe", reason="x")


def test_answers_are_refused_while_the_consultation_is_open(make_consultation, facilitator, practitioner):
    consultation = make_consultation(title="Still open")
    comment = consultations.post_comment(practitioner, consultation, "Hello")
    with pytest.raises(DomainError):
        services.respond(facilitator, consultation, comment=comment, outcome="accepted", reason="Yes")


def test_only_facilitators_tag_and_answer(closed, practitioner, scrutineer):
    first, _ = _comments(closed)
    for person in (practitioner, scrutineer):
        with pytest.raises(NotAllowed):
            services.respond(person, closed, comment=first, outcome="accepted", reason="x")
        with pytest.raises(NotAllowed):
            services.tag_comment(person, first, new_theme="x")


def test_themes_tags_and_responses_are_logged_with_hashes_only(closed, facilitator):
    first, _ = _comments(closed)
    services.tag_comment(facilitator, first, new_theme="Schools")
    services.respond(facilitator, closed, comment=first, outcome="accepted", reason="We added schools.")
    services.respond(facilitator, closed, comment=first, outcome="partly_accepted", reason="Some schools.")
    assert log_actions()[-4:] == ["theme.created", "comment.tagged", "response.given", "response.revised"]
    from app.trail import services as trail
    text = "".join(trail.export_lines())
    assert "We added schools" not in text and "Schools\"" not in text
    assert_log_verifies()


def test_a_response_can_point_at_a_section_of_the_next_version(closed, facilitator):
    first, _ = _comments(closed)
    key = closed.version.sections[0].key
    response = services.respond(facilitator, closed, comment=first, outcome="accepted", reason="Done",
                                changed_section_key=key)
    assert response.changed_section_key == key
    with pytest.raises(DomainError):
        services.respond(facilitator, closed, comment=first, outcome="accepted", reason="Done",
                         changed_section_key="nope")


def test_participation_counts_people_by_audience_never_names(closed, young):
    rows = services.participation(closed)
    assert {row["audience"]: row["people"] for row in rows} == {"practitioners": 1, "voluntary_and_community": 1}


def test_young_peoples_comments_show_as_a_member_of_their_group(closed, young, facilitator, db):
    comment = Comment(consultation_id=closed.id, author_id=young.id, author_audience="young_people",
                      body="More youth clubs please", status="published", depth=0)
    db.session.add(comment)
    db.session.commit()
    items = services.answered_comments(closed)
    assert items[-1].attribution == "A member of Testshire Youth Council"
    influence = services.group_influence(young.organisation)
    assert [item.comment.body for _, items in influence for item in items] == ["More youth clubs please"]
    assert Role.YOUNG_PERSON in young.roles
