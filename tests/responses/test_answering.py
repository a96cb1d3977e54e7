"""Answering at scale: filters, full-text search (FTS5 on SQLite, full-text search on PostgreSQL), pages whose
statement count does not grow with the comments, and bulk tagging logged per comment."""
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import insert, select, update

from app.accounts.models import Role
from app.consultations import services as consultations
from app.consultations.models import Comment
from app.errors import DomainError, NotAllowed
from app.extensions import db as _db
from app.responses import answering, bulk, services
from app.responses.answering import Filters
from app.responses.models import CommentTheme
from app.timeutil import utcnow
from app.trail import services as trail
from tests.fixtures.consultations import log_actions
from tests.consultations.test_scale import counting


@pytest.fixture
def analysed(consultation, facilitator, practitioner, vcs, young):
    """Four comments on two sections from three audiences, votes, a theme, one answer; then closed."""
    first, second = consultation.version.sections[:2]
    c = {
        "schools": consultations.post_comment(practitioner, consultation, "Schools need a seat on this group.",
                                              section=first),
        "voluntary": consultations.post_comment(vcs, consultation, "The voluntary sector is missing.", section=first),
        "minutes": consultations.post_comment(practitioner, consultation, "Publish the minutes, please.",
                                              section=second),
        "whole": consultations.post_comment(vcs, consultation, "Good plan overall; schools will like it."),
    }
    consultations.cast_vote(practitioner, consultation, first, "oppose", "Schools are left out.")
    consultations.cast_vote(vcs, consultation, first, "support")
    consultations.close_early(facilitator, consultation, "Enough responses")
    theme = services.create_theme(facilitator, consultation, "Membership")
    services.tag_comment(facilitator, c["schools"], theme=theme)
    services.tag_comment(facilitator, c["voluntary"], theme=theme)
    services.respond(facilitator, consultation, comment=c["minutes"], outcome="accepted", reason="We will.")
    return c, theme, first, second


def _found(consultation, **filters):
    return [item.comment.id for item in answering.find_comments(consultation, Filters(**filters)).items]


def test_each_filter_finds_the_right_comments(consultation, analysed, practitioner, vcs):
    c, theme, first, second = analysed
    ids = {key: comment.id for key, comment in c.items()}
    assert _found(consultation) == sorted(ids.values())
    assert _found(consultation, section=first.id) == [ids["schools"], ids["voluntary"]]
    assert _found(consultation, audience="voluntary_and_community") == [ids["voluntary"], ids["whole"]]
    assert _found(consultation, organisation=vcs.organisation_id) == [ids["voluntary"], ids["whole"]]
    assert _found(consultation, theme=theme.id) == [ids["schools"], ids["voluntary"]]
    assert _found(consultation, outcome="accepted") == [ids["minutes"]]
    assert _found(consultation, answered="yes") == [ids["minutes"]]
    assert _found(consultation, answered="no") == [ids["schools"], ids["voluntary"], ids["whole"]]
    assert _found(consultation, vote="oppose") == [ids["schools"]]
    assert _found(consultation, vote="support") == [ids["voluntary"]]


def test_a_theme_answer_counts_for_the_outcome_filter(consultation, analysed, facilitator):
    c, theme, *_ = analysed
    services.respond(facilitator, consultation, theme=theme, outcome="partly_accepted", reason="One seat each.")
    assert _found(consultation, outcome="partly_accepted") == [c["schools"].id, c["voluntary"].id]


def test_full_text_search_needs_every_word_and_is_safe_with_any_input(consultation, analysed):
    c, *_ = analysed
    assert _found(consultation, q="school") == [c["schools"].id, c["whole"].id]
    assert _found(consultation, q="schools seat") == [c["schools"].id]
    assert _found(consultation, q="school", section=consultation.version.sections[0].id) == [c["schools"].id]
    assert _found(consultation, q="nothing-like-this") == []
    for odd in ('"', "OR NOT (", "NEAR(a b)", "*", "minutes'); DROP TABLE comment; --"):
        answering.find_comments(consultation, Filters(q=odd))  # no error, whatever it finds


def test_search_follows_edits(consultation, analysed, practitioner):
    c, *_ = analysed
    _db.session.execute(update(Comment).where(Comment.id == c["minutes"].id).values(body="Publish the agenda."))
    _db.session.commit()
    assert _found(consultation, q="minutes") == []
    assert _found(consultation, q="agenda") == [c["minutes"].id]


def _bulk(consultation, authors, count):
    now = utcnow() - timedelta(hours=1)
    sections = [None] + [s.id for s in consultation.version.sections]
    _db.session.execute(insert(Comment), [
        dict(consultation_id=consultation.id, section_id=sections[n % len(sections)], depth=0,
             author_id=authors[n % len(authors)], author_audience="practitioners", status="published",
             body=f"Bulk comment {n} about schools", created_at=now) for n in range(count)])
    _db.session.execute(update(Comment).where(Comment.thread_id.is_(None)).values(thread_id=Comment.id))
    _db.session.commit()


def _statements(client, url):
    client.get(url)
    _db.session.remove()
    with counting(_db.engine) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements), unescape(response.get_data(as_text=True))


def test_the_answers_page_costs_the_same_statements_for_10_or_1000_comments(
        client, login, consultation, facilitator, practitioner, vcs):
    consultations.close_early(facilitator, consultation, "Enough responses")
    login(facilitator)
    url = f"/consultations/{consultation.id}/responses?q=schools&answered=no&page=2"
    _bulk(consultation, [practitioner.id, vcs.id], 10)
    few, html = _statements(client, url)
    assert "10 comments match" in html
    _bulk(consultation, [practitioner.id, vcs.id], 990)
    many, html = _statements(client, url)
    assert "1000 comments match; page 2 of 40" in html and "Comment 26" in html and "Comment 51" not in html
    assert many == few


def test_bulk_tagging_logs_each_comment(db, consultation, analysed, facilitator):
    c, theme, *_ = analysed
    before = len(log_actions())
    chosen = [c["schools"].id, c["minutes"].id, c["whole"].id]
    tagged_theme, count = bulk.tag_comments(facilitator, consultation, chosen, theme=theme)
    assert (tagged_theme.id, count) == (theme.id, 2)  # "schools" had the theme already
    assert log_actions()[before:] == ["comment.tagged", "comment.tagged"]
    new_theme, count = bulk.tag_comments(facilitator, consultation, chosen, new_theme="Schools")
    assert count == 3 and log_actions()[-4:] == ["theme.created", "comment.tagged", "comment.tagged", "comment.tagged"]
    tags = set(db.session.execute(select(CommentTheme.comment_id).where(CommentTheme.theme_id == new_theme.id)).scalars())
    assert tags == set(chosen)


def test_bulk_tagging_refuses_what_is_not_answerable(db, consultation, analysed, facilitator, make_person,
                                                    make_consultation):
    c, theme, *_ = analysed
    with pytest.raises(DomainError):
        bulk.tag_comments(facilitator, consultation, [], theme=theme)
    with pytest.raises(NotAllowed):
        bulk.tag_comments(make_person(Role.PRACTITIONER), consultation, [c["schools"].id], theme=theme)
    with pytest.raises(DomainError):
        bulk.tag_comments(facilitator, consultation, [c["schools"].id], theme=None, new_theme=" ")


def test_the_answers_page_filters_and_tags_through_its_forms(client, login, csrf, db, consultation, analysed,
                                                             facilitator):
    c, theme, first, _second = analysed
    login(facilitator)
    path = f"/consultations/{consultation.id}/responses"
    html = unescape(client.get(f"{path}?section={first.id}&q=voluntary").get_data(as_text=True))
    assert "1 comment matches" in html and "The voluntary sector is missing." in html
    assert "Publish the minutes" not in html
    response = client.post(f"{path}/tag", data={
        "csrf_token": csrf(client, path), "comments": [str(c["minutes"].id), str(c["whole"].id)],
        "theme": "", "new_theme": "Openness", "back": "answered=no"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{path}?answered=no")
    html = unescape(client.get(f"{path}?answered=no").get_data(as_text=True))
    assert "2 comments tagged with “Openness”" in html


def test_a_refused_bulk_tag_keeps_the_theme_name_typed(client, login, csrf, consultation, analysed, facilitator):
    login(facilitator)
    path = f"/consultations/{consultation.id}/responses"
    response = client.post(f"{path}/tag", data={"csrf_token": csrf(client, path), "theme": "",
                                                "new_theme": "Information sharing", "back": ""})
    assert response.status_code == 303
    html = unescape(client.get(path).get_data(as_text=True))
    assert "Choose at least one comment to tag" in html
    assert 'value="Information sharing"' in html  # back in the box, ready to use
    assert 'value="Information sharing"' not in unescape(client.get(path).get_data(as_text=True))  # once


def test_only_facilitators_tag_in_bulk(client, login, csrf, consultation, analysed, scrutineer):
    c, *_ = analysed
    login(scrutineer)
    path = f"/consultations/{consultation.id}/responses"
    assert client.get(path).status_code == 200
    response = client.post(f"{path}/tag", data={"csrf_token": csrf(client, path), "comments": [str(c["whole"].id)],
                                                "new_theme": "X"})
    assert response.status_code == 403


def test_a_theme_answer_is_logged_on_each_comment_and_each_stays_editable(db, consultation, analysed, facilitator):
    c, theme, *_ = analysed
    before = len(log_actions())
    services.respond(facilitator, consultation, comment=c["voluntary"], outcome="not_accepted", reason="Own answer.")
    services.respond(facilitator, consultation, theme=theme, outcome="accepted", reason="Both get a seat.")

    entries = list(trail.iter_entries())[before + 1:]
    # The theme's answer, then a copy of it given to the one comment with no answer of its own.
    assert [e["action"] for e in entries] == ["response.given", "response.given"]
    assert entries[1]["subject"] == f"comment:{c['schools'].id}"  # "voluntary" has its own answer
    assert entries[1]["data"]["from_theme"] == theme.id
    services.respond(facilitator, consultation, comment=c["schools"], outcome="partly_accepted", reason="Changed.")
    answers = {i.comment.id: i.response for i in services.answered_comments(consultation)}
    assert answers[c["schools"].id].reason == "Changed." and answers[c["voluntary"].id].reason == "Own answer."
