"""Answers published together (issue 18) and a theme's answer copied to each comment (issue 16): drafts are seen by
facilitators and the scrutineer only; publishing (all, or one theme's) shows them to participants and emails each
author once; a published answer's author is emailed again only when the outcome changes; everything is logged."""
import re
from html import unescape

import pytest
from sqlalchemy import select

from app.consultations.models import Comment
from app.errors import DomainError, NotAllowed
from app.extensions import db as _db
from app.mail.models import OutboxMessage
from app.responses import publishing
from app.responses import services
from app.responses.models import Response
from app.trail import services as trail
from tests.fixtures.consultations import assert_log_verifies, log_actions
from tests.responses.test_answering import _bulk, _statements, analysed  # noqa: F401  (a fixture)


def _mail_to(person):
    return _db.session.execute(select(OutboxMessage).where(OutboxMessage.to_address == person.email)
                               .order_by(OutboxMessage.id)).scalars().all()


def _answers(consultation, drafts):
    return {i.comment.id: i.response for i in services.answered_comments(consultation, drafts=drafts)}


def _answer_all(consultation, facilitator, c, theme):
    """The theme's answer (copied to "schools" and "voluntary"), "minutes" answered in the fixture; "whole" too."""
    services.respond(facilitator, consultation, theme=theme, outcome="partly_accepted", reason="Both get a seat.")
    services.respond(facilitator, consultation, comment=c["whole"], outcome="already_covered", reason="It is.")


# --- drafts and publishing ----------------------------------------------------------------------

def test_an_answer_is_a_draft_seen_only_by_staff_until_published(db, consultation, analysed, facilitator,
                                                                  practitioner):
    c, theme, *_ = analysed
    assert _answers(consultation, drafts=True)[c["minutes"].id].reason == "We will."
    assert _answers(consultation, drafts=False)[c["minutes"].id] is None
    assert _mail_to(practitioner) == []
    assert publishing.publication_counts(consultation) == (1, 0)
    assert not publishing.has_published_answers(consultation)
    assert publishing.publish_answers(facilitator, consultation) == 1
    assert _answers(consultation, drafts=False)[c["minutes"].id].reason == "We will."
    assert publishing.publication_counts(consultation) == (0, 1)


def test_publishing_one_theme_leaves_the_other_drafts(db, consultation, analysed, facilitator):
    c, theme, *_ = analysed
    _answer_all(consultation, facilitator, c, theme)
    assert publishing.publication_counts(consultation) == (4, 0)
    assert publishing.publication_counts(consultation, theme) == (2, 0)
    assert publishing.publish_answers(facilitator, consultation, theme) == 3  # the theme's answer and its 2 copies
    published = _answers(consultation, drafts=False)
    assert {cid for cid, r in published.items() if r is not None} == {c["schools"].id, c["voluntary"].id}
    assert publishing.publication_counts(consultation) == (2, 2)
    with pytest.raises(DomainError, match="no draft answers"):
        publishing.publish_answers(facilitator, consultation, theme)
    assert publishing.publish_answers(facilitator, consultation) == 2
    with pytest.raises(DomainError, match="no draft answers"):
        publishing.publish_answers(facilitator, consultation)


def test_publishing_emails_each_author_once_listing_their_answers(db, consultation, analysed, facilitator,
                                                                   practitioner, vcs):
    c, theme, *_ = analysed
    _answer_all(consultation, facilitator, c, theme)
    assert _mail_to(practitioner) == [] and _mail_to(vcs) == []
    publishing.publish_answers(facilitator, consultation)
    mine = _mail_to(practitioner)
    assert len(mine) == 1 and mine[0].subject.startswith("Your comments have been answered")
    assert "Schools need a seat" in mine[0].body_text and "Publish the minutes" in mine[0].body_text
    assert "Both get a seat." in mine[0].body_text and "We will." in mine[0].body_text
    lines = mine[0].body_text.splitlines()  # the plain text keeps each fact on a line of its own
    assert any(line.startswith("What we did: ") for line in lines) and any(line.startswith("Why: ") for line in lines)
    assert any(line.startswith("Your comment on ") for line in lines)
    assert len(_mail_to(vcs)) == 1


def test_publishing_is_logged_once_per_answer_and_the_log_verifies(db, consultation, analysed, facilitator):
    c, theme, *_ = analysed
    _answer_all(consultation, facilitator, c, theme)
    before = len(log_actions())
    publishing.publish_answers(facilitator, consultation)
    entries = list(trail.iter_entries())[before:]
    published = [e for e in entries if e["action"] == "response.published"]
    ids = set(_db.session.execute(select(Response.id)).scalars())
    assert {e["data"]["response"] for e in published} == ids and len(published) == len(ids) == 5
    assert f"theme:{theme.id}" in {e["subject"] for e in published}
    assert_log_verifies()


def test_only_facilitators_publish(db, consultation, analysed, scrutineer, practitioner):
    for person in (scrutineer, practitioner):
        with pytest.raises(NotAllowed):
            publishing.publish_answers(person, consultation)


def test_editing_a_published_answer_emails_only_when_the_outcome_changes(db, consultation, analysed, facilitator,
                                                                         practitioner):
    c, *_ = analysed
    publishing.publish_answers(facilitator, consultation)
    assert len(_mail_to(practitioner)) == 1
    before = len(log_actions())
    services.respond(facilitator, consultation, comment=c["minutes"], outcome="accepted", reason="We will, monthly.")
    assert len(_mail_to(practitioner)) == 1  # the wording alone changed
    assert log_actions()[before:] == ["response.revised"]
    services.respond(facilitator, consultation, comment=c["minutes"], outcome="not_accepted", reason="We cannot.")
    mails = _mail_to(practitioner)
    assert len(mails) == 2 and mails[-1].subject.startswith("An answer to your comment has changed")
    assert "Not accepted" in mails[-1].body_text and "We cannot." in mails[-1].body_text
    # Still published: the participant sees the new wording at once.
    assert _answers(consultation, drafts=False)[c["minutes"].id].reason == "We cannot."


def test_editing_a_draft_answer_emails_nobody(db, consultation, analysed, facilitator, practitioner):
    c, *_ = analysed
    services.respond(facilitator, consultation, comment=c["minutes"], outcome="not_accepted", reason="No.")
    assert _mail_to(practitioner) == []


def test_a_published_theme_answer_changing_outcome_tells_each_author_once(db, consultation, analysed, facilitator,
                                                                         practitioner, vcs):
    c, theme, *_ = analysed
    _answer_all(consultation, facilitator, c, theme)
    publishing.publish_answers(facilitator, consultation)
    services.respond(facilitator, consultation, theme=theme, outcome="partly_accepted", reason="Both, in time.")
    assert len(_mail_to(practitioner)) == 1 and len(_mail_to(vcs)) == 1
    services.respond(facilitator, consultation, theme=theme, outcome="not_accepted", reason="Neither, sorry.")
    assert len(_mail_to(practitioner)) == 2 and len(_mail_to(vcs)) == 2
    assert "Neither, sorry." in _mail_to(vcs)[-1].body_text


def test_sign_off_is_not_asked_for_while_answers_are_drafts(db, consultation, analysed, facilitator):
    from datetime import date

    from app.signoff import services as signoff

    c, theme, *_ = analysed
    _answer_all(consultation, facilitator, c, theme)
    with pytest.raises(DomainError, match="draft"):
        signoff.request_signoff(facilitator, consultation, consultation.version, effective_date=date(2027, 4, 1))
    publishing.publish_answers(facilitator, consultation)
    assert signoff.request_signoff(facilitator, consultation, consultation.version,
                                   effective_date=date(2027, 4, 1)).id


# --- a theme's answer copied to each comment ----------------------------------------------------

def test_a_theme_answer_is_copied_to_each_comment_with_one_log_entry_each(db, consultation, analysed, facilitator):
    c, theme, *_ = analysed
    before = len(log_actions())
    services.respond(facilitator, consultation, theme=theme, outcome="accepted", reason="Both get a seat.")
    entries = list(trail.iter_entries())[before:]
    assert [(e["action"], e["subject"]) for e in entries] == [
        ("response.given", f"theme:{theme.id}"), ("response.given", f"comment:{c['schools'].id}"),
        ("response.given", f"comment:{c['voluntary'].id}")]
    answers = _answers(consultation, drafts=True)
    for key in ("schools", "voluntary"):
        own = answers[c[key].id]
        assert (own.comment_id, own.from_theme_id, own.outcome, own.reason) == (
            c[key].id, theme.id, "accepted", "Both get a seat.")
    assert services.theme_application(theme) == (2, 0)
    assert_log_verifies()


def test_saving_the_theme_again_updates_only_the_copies_not_edited_by_hand(db, consultation, analysed, facilitator):
    c, theme, *_ = analysed
    services.respond(facilitator, consultation, theme=theme, outcome="accepted", reason="Both get a seat.")
    services.respond(facilitator, consultation, comment=c["voluntary"], outcome="partly_accepted",
                     reason="An observer seat for now.")
    assert services.theme_application(theme) == (1, 1)
    before = len(log_actions())
    services.respond(facilitator, consultation, theme=theme, outcome="accepted", reason="Seats from April.")
    answers = _answers(consultation, drafts=True)
    assert answers[c["schools"].id].reason == "Seats from April."
    assert answers[c["voluntary"].id].reason == "An observer seat for now."
    assert answers[c["voluntary"].id].from_theme_id is None
    entries = list(trail.iter_entries())[before:]
    assert [(e["action"], e["subject"]) for e in entries] == [
        ("response.revised", f"theme:{theme.id}"), ("response.revised", f"comment:{c['schools'].id}")]


def test_a_copied_answer_is_editable_on_the_comments_page(client, login, csrf, db, consultation, analysed,
                                                          facilitator):
    c, theme, *_ = analysed
    services.respond(facilitator, consultation, theme=theme, outcome="accepted", reason="Both get a seat.")
    login(facilitator)
    path = f"/responses/comments/{c['schools'].id}"
    html = unescape(client.get(path).get_data(as_text=True))
    assert "It is a copy of its theme’s answer" in html and "Both get a seat." in html
    assert "Draft — not yet published" in html
    response = client.post(path, data={"csrf_token": csrf(client, path), "outcome": "not_accepted",
                                       "reason": "Schools already sit on the education group."})
    assert response.status_code == 303
    own = _answers(consultation, drafts=True)[c["schools"].id]
    assert (own.outcome, own.from_theme_id) == ("not_accepted", None)
    html = unescape(client.get(f"/themes/{theme.id}").get_data(as_text=True))
    assert "Applied to 1 comment:" in html and "1 comment has an answer of its own" in html


# --- pages --------------------------------------------------------------------------------------

def test_the_answers_page_publishes_with_a_banner_and_counts(client, login, csrf, db, consultation, analysed,
                                                              facilitator, practitioner):
    c, theme, *_ = analysed
    _answer_all(consultation, facilitator, c, theme)
    login(facilitator)
    path = f"/consultations/{consultation.id}/responses"
    html = unescape(client.get(path).get_data(as_text=True))
    assert "4 comments have draft answers; 0 have their answers published." in html
    assert html.count("Draft — not yet published") == 4
    assert f'action="{path}/publish"' in html
    response = client.post(f"{path}/publish", data={"csrf_token": csrf(client, path)})
    assert response.status_code == 303 and response.headers["Location"].endswith(path)
    html = unescape(client.get(path).get_data(as_text=True))
    assert "5 answers published." in html and "govuk-notification-banner--success" in html
    assert "0 comments have draft answers; 4 have their answers published." in html
    assert "Draft — not yet published" not in html and f'action="{path}/publish"' not in html
    assert len(_mail_to(practitioner)) == 1


def test_a_theme_page_publishes_its_own_answers(client, login, csrf, db, consultation, analysed, facilitator):
    c, theme, *_ = analysed
    _answer_all(consultation, facilitator, c, theme)
    login(facilitator)
    path = f"/themes/{theme.id}"
    html = unescape(client.get(path).get_data(as_text=True))
    assert "2 comments under this theme have draft answers" in html and "Applied to 2 comments" in html
    client.post(f"{path}/publish", data={"csrf_token": csrf(client, path)})
    html = unescape(client.get(path).get_data(as_text=True))
    assert "3 answers published." in html
    assert publishing.publication_counts(consultation) == (2, 2)


def test_saving_a_theme_answer_says_how_many_comments_it_was_applied_to(client, login, csrf, db, consultation,
                                                                        analysed, facilitator):
    c, theme, *_ = analysed
    login(facilitator)
    path = f"/themes/{theme.id}"
    response = client.post(path, data={"csrf_token": csrf(client, path), "outcome": "accepted",
                                       "reason": "Both get a seat."}, follow_redirects=True)
    assert "has been saved and applied to 2 comments" in unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("who", ["scrutineer", "practitioner", "lead_signatory"])
def test_only_facilitators_may_publish_through_the_pages(client, login, csrf, db, consultation, analysed, request,
                                                        make_person, who):
    from app.accounts.models import Role

    c, theme, *_ = analysed
    person = request.getfixturevalue(who) if who != "lead_signatory" else make_person(Role.LEAD_SIGNATORY)
    login(person)
    token = csrf(client, "/account/notifications")
    for path in (f"/consultations/{consultation.id}/responses/publish", f"/themes/{theme.id}/publish"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403
    assert publishing.publication_counts(consultation) == (1, 0)


def test_publishing_needs_the_csrf_token(client, login, db, consultation, analysed, facilitator):
    login(facilitator)
    client.post(f"/consultations/{consultation.id}/responses/publish", data={})
    assert publishing.publication_counts(consultation) == (1, 0)


def test_the_scrutineer_sees_drafts_marked(client, login, db, consultation, analysed, scrutineer):
    login(scrutineer)
    html = unescape(client.get(f"/consultations/{consultation.id}/report").get_data(as_text=True))
    assert "We will." in html and "Draft — not yet published" in html


def test_participants_see_their_answer_on_the_consultation_page_once_published(client, login, db, consultation,
                                                                               analysed, facilitator, practitioner):
    c, *_ = analysed
    login(practitioner)
    path = f"/consultations/{consultation.id}"
    html = unescape(client.get(path).get_data(as_text=True))
    assert "What the partnership did with your comments" in html and "We will." not in html
    assert "has not published its answer to 2 of your comments yet" in html
    publishing.publish_answers(facilitator, consultation)
    html = unescape(client.get(path).get_data(as_text=True))
    assert "We will." in html and "Draft" not in html
    assert "has not published its answer to 1 of your comments yet" in html  # "schools" is not answered yet
    report = unescape(client.get(f"{path}/report").get_data(as_text=True))
    assert "We will." in report and "The answers are not published yet" not in report


def test_the_open_data_never_carries_draft_answers(client, db, consultation, analysed, facilitator):
    from app.scrutiny import exports

    text = "".join(exports.open_data_csv(consultation))
    assert "We will." not in text


def test_the_consultation_page_and_report_cost_the_same_statements_for_few_or_many_answers(
        client, login, db, consultation, facilitator, practitioner, vcs):
    from app.accounts.models import Person
    from app.consultations import services as consultations
    from app.consultations.models import Consultation

    consultations.close_early(facilitator, consultation, "Enough responses")
    ids = consultation.id, facilitator.id, [practitioner.id, vcs.id]

    def answer_all():
        here, by = _db.session.get(Consultation, ids[0]), _db.session.get(Person, ids[1])
        for item in services.answered_comments(here):
            if item.response is None:
                services.respond(by, here, comment=item.comment, outcome="accepted", reason="Yes.")
        publishing.publish_answers(by, here)

    login(practitioner)
    _bulk(consultation, ids[2], 4)
    answer_all()
    few = [_statements(client, f"/consultations/{ids[0]}{tail}")[0] for tail in ("", "/report")]
    _bulk(_db.session.get(Consultation, ids[0]), ids[2], 40)
    answer_all()
    many = [_statements(client, f"/consultations/{ids[0]}{tail}")[0] for tail in ("", "/report")]
    assert many == few


def test_a_comment_tagged_after_the_theme_was_answered_gets_its_own_copy(db, consultation, analysed, facilitator,
                                                                         vcs):
    c, theme, *_ = analysed
    services.respond(facilitator, consultation, theme=theme, outcome="accepted", reason="Both get a seat.")
    publishing.publish_answers(facilitator, consultation)
    told = len(_mail_to(vcs))
    before = len(log_actions())
    services.tag_comment(facilitator, c["whole"], theme=theme)
    assert log_actions()[before:] == ["comment.tagged", "response.given"]
    own = _answers(consultation, drafts=False)[c["whole"].id]
    assert (own.comment_id, own.from_theme_id, own.reason) == (c["whole"].id, theme.id, "Both get a seat.")
    assert len(_mail_to(vcs)) == told + 1  # published with its theme's answer, so its author is told
    assert_log_verifies()


def test_the_scrutineers_timeline_says_in_words_that_an_answer_was_published():
    from app.scrutiny.words import Lookups, describe

    entry = {"action": "response.published", "actor": None, "subject": "comment:7",
             "data": {"consultation": 1, "response": 12}}
    assert describe(entry, Lookups(people={})) == "The portal published answer 12 (“You said, we did”)"


def test_the_influence_page_shows_staff_the_drafts_marked_and_members_nothing(client, login, db, closed, young,
                                                                            facilitator, scrutineer):
    comment = Comment(consultation_id=closed.id, author_id=young.id, author_audience="young_people",
                      body="More youth clubs", status="published", depth=0)
    db.session.add(comment)
    db.session.commit()
    services.respond(facilitator, closed, comment=comment, outcome="partly_accepted", reason="Two more clubs.")
    path = f"/groups/{young.organisation.id}/influence"
    for person in (facilitator, scrutineer):
        login(person)
        html = unescape(client.get(path).get_data(as_text=True))
        assert "Two more clubs." in html and "Draft — not yet published" in html
        client.post("/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)})
    login(young)
    assert "Two more clubs." not in client.get(path).get_data(as_text=True)
