"""The consultation pages: each as a full page and as its htmx fragment, with and without JavaScript."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.consultations import notifications, services
from app.consultations.models import Comment, Consultation, ConsultationExtension, NotificationSetting, Vote
from app.extensions import db as _db

from tests.fixtures.consultations import assert_log_verifies, log_actions


@pytest.fixture
def token(client, csrf):
    """The signed-in client's CSRF token (valid for the whole session)."""
    return lambda: csrf(client, "/")


def _post(client, token, url, data, target=None):
    """POST as a browser would: a plain form, or (with `target`) an htmx request for that element."""
    if target:
        headers = {"HX-Request": "true", "HX-Target": target, "X-CSRFToken": token()}
        return client.post(url, data=data, headers=headers)
    return client.post(url, data={**data, "csrf_token": token()})


def _get(client, url, target=None):
    headers = {"HX-Request": "true", "HX-Target": target} if target else {}
    return client.get(url, headers=headers)


def _html(response):
    return response.get_data(as_text=True)


def _is_fragment(response):
    html = _html(response)
    return response.status_code == 200 and "<html" not in html and "HX-Request" in response.headers.get("Vary", "")


def _is_page(response):
    return response.status_code == 200 and "<html" in _html(response)


# --- the list and opening ------------------------------------------------------------------------

def test_participants_see_only_consultations_opened_to_them(client, login, make_consultation, vcs):
    make_consultation(title="For practitioners", audiences=["practitioners"])
    make_consultation(title="For the sector", audiences=["voluntary_and_community"])
    make_consultation(title="Not yet open", audiences=["voluntary_and_community"], opens_in=timedelta(days=2))
    login(vcs)
    html = _html(client.get("/consultations"))
    assert "For the sector" in html and "For practitioners" not in html and "Not yet open" not in html
    assert "Open a consultation" not in html
    home = _html(client.get("/"))
    assert "For the sector" in home and "Consultations open to you" in home


def test_a_facilitator_opens_a_consultation_in_uk_time(client, login, facilitator, make_version, token):
    version = make_version()
    login(facilitator)
    page = _html(client.get("/consultations"))
    assert "Open a consultation" in page and f'value="{version.id}"' in page
    response = _post(client, token, "/consultations", {
        "version": version.id, "title": "Working groups", "audiences": ["practitioners", "young_people"],
        "opens_day": "1", "opens_month": "7", "opens_year": "2026", "opens_time": "9am",
        "closes_day": "1", "closes_month": "7", "closes_year": "2099", "closes_time": "17:30"})
    assert response.status_code == 303
    consultation = _db.session.scalars(select(Consultation)).one()
    assert consultation.opens_at.isoformat() == "2026-07-01T08:00:00"  # 9am British Summer Time
    assert consultation.closes_at.isoformat() == "2099-07-01T16:30:00"
    assert {a.audience for a in consultation.audiences} == {"practitioners", "young_people"}
    assert "consultation.opened" in log_actions()
    assert_log_verifies()


@pytest.mark.parametrize("data,messages", [
    ({}, ["Choose at least one audience", "Enter the opening date", "Enter the closing date"]),
    ({"audiences": ["practitioners"], "opens_day": "31", "opens_month": "2", "opens_year": "2026",
      "opens_time": "9am", "closes_day": "1", "closes_month": "3", "closes_year": "2099", "closes_time": "noonish"},
     ["The opening date must be a real date", "Enter the closing time"]),
    ({"audiences": ["practitioners"], "opens_day": "2", "opens_month": "3", "opens_year": "2099",
      "opens_time": "9am", "closes_day": "1", "closes_month": "3", "closes_year": "2099", "closes_time": "9am"},
     ["The closing date must be after the opening date"]),
])
def test_opening_errors_show_in_an_error_summary(client, login, facilitator, make_version, token, data, messages):
    version = make_version()
    login(facilitator)
    response = _post(client, token, "/consultations", {"version": version.id, **data})
    html = _html(response)
    assert response.status_code == 200 and "There is a problem" in html and "<title>Error:" in html
    for message in messages:
        assert message in html
    assert _db.session.scalars(select(Consultation)).all() == []


def test_only_facilitators_may_open(client, login, practitioner, make_version, token):
    version = make_version()
    login(practitioner)
    assert _post(client, token, "/consultations", {"version": version.id}).status_code == 403


# --- reading the consultation page ---------------------------------------------------------------

def test_the_consultation_page_shows_sections_votes_and_comments(client, login, consultation, practitioner, vcs,
                                                                 sections):
    services.post_comment(vcs, consultation, "Early help matters https://example.org", section=sections[0])
    services.cast_vote(vcs, consultation, sections[0], "support_with_changes")
    login(practitioner)
    response = client.get(f"/consultations/{consultation.id}")
    html = _html(response)
    assert _is_page(response)
    for title, _, _ in [("Early Intervention", 0, 0), ("Domestic abuse", 0, 0)]:
        assert title in html
    assert "<strong>multi-agency</strong>" in html  # the section body, as sanitised Markdown
    assert 'role="img"' in html and "<title id=\"chart-" in html and "<desc" in html
    assert 'style="' not in html  # the CSP forbids inline styles
    assert 'href="https://example.org" rel="nofollow noopener"' in html
    assert 'name="v%d-choice"' % sections[0].id in html and "Post comment" in html


@pytest.mark.parametrize("role,status", [(Role.VCS_PARTNER, 403), (Role.YOUNG_PERSON, 403), (Role.DSL, 403),
                                         (Role.SCRUTINEER, 200), (Role.FACILITATOR, 200),
                                         (Role.LEAD_SIGNATORY, 200), (Role.PRACTITIONER, 200)])
def test_who_can_read_a_practitioners_consultation(client, login, make_consultation, make_person, role, status):
    consultation = make_consultation(audiences=["practitioners"])
    login(make_person(role))
    assert client.get(f"/consultations/{consultation.id}").status_code == status


def test_participants_cannot_see_a_consultation_before_it_opens(client, login, make_consultation, practitioner):
    consultation = make_consultation(opens_in=timedelta(days=1))
    login(practitioner)
    assert client.get(f"/consultations/{consultation.id}").status_code == 403
    assert client.get("/consultations/999").status_code == 404


def test_scrutineers_read_everything_but_cannot_take_part(client, login, consultation, scrutineer, young, sections,
                                                          token):
    pending = services.post_comment(young, consultation, "A young person's view", section=sections[0])
    login(scrutineer)
    html = _html(client.get(f"/consultations/{consultation.id}"))
    assert "A young person&#39;s view" in html and "Waiting for a moderator" in html
    assert "Post comment" not in html and "Save your vote" not in html
    url = f"/consultations/{consultation.id}/comments"
    assert _post(client, token, url, {"c-general-body": "x"}).status_code == 403
    assert _post(client, token, f"/consultations/{consultation.id}/sections/{sections[0].id}/vote",
                 {f"v{sections[0].id}-choice": "support"}).status_code == 403
    assert _post(client, token, f"/comments/{pending.id}/reply", {f"r{pending.id}-body": "x"}).status_code == 403


def test_pending_comments_are_only_for_their_author(client, login, as_person, consultation, young, practitioner,
                                                    sections):
    pending = services.post_comment(young, consultation, "Only me for now", section=sections[1])
    login(young)
    html = _html(client.get(f"/consultations/{consultation.id}"))
    assert "Only me for now" in html and "Waiting for a moderator" in html
    assert "Childline" in html  # where to get help
    browser = as_person(practitioner)
    assert "Only me for now" not in _html(browser.get(f"/consultations/{consultation.id}"))
    assert browser.get(f"/comments/{pending.id}/replies").status_code == 404


# --- voting --------------------------------------------------------------------------------------

def test_voting_without_javascript_redirects_back_to_the_section(client, login, consultation, practitioner,
                                                                 sections, token):
    login(practitioner)
    url = f"/consultations/{consultation.id}/sections/{sections[1].id}/vote"
    assert client.get(url).status_code == 302
    response = _post(client, token, url, {f"v{sections[1].id}-choice": "support_with_changes",
                                          f"v{sections[1].id}-reason": "Add schools"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/consultations/{consultation.id}#section-{sections[1].id}")
    page = _html(client.get(response.headers["Location"]))
    assert "Your vote on Domestic abuse has been saved" in page
    vote = _db.session.scalars(select(Vote)).one()
    assert (vote.choice, vote.reason, vote.audience) == ("support_with_changes", "Add schools", "practitioners")


def test_voting_with_htmx_updates_that_sections_tallies(client, login, consultation, practitioner, vcs, sections,
                                                        token):
    services.cast_vote(vcs, consultation, sections[0], "support")
    login(practitioner)
    sid = sections[0].id
    response = _post(client, token, f"/consultations/{consultation.id}/sections/{sid}/vote",
                     {f"v{sid}-choice": "oppose"}, target=f"vote-s{sid}")
    html = _html(response)
    assert _is_fragment(response)
    assert html.lstrip().startswith(f'<div class="portal-vote" id="vote-s{sid}">')
    assert "Your vote on Early Intervention has been saved" in html
    # ...and into the page's live region, out of band, for screen readers
    assert '<div id="consultation-status" hx-swap-oob="innerHTML">Your vote on Early' in html
    assert "Votes on Early Intervention (2)" in html  # the table's caption: the new total
    assert "Oppose: 1 in all" in html and "Support: 1 in all" in html
    assert "Domestic abuse" not in html  # only that section


def test_a_vote_without_a_choice_shows_errors_both_ways(client, login, consultation, practitioner, sections, token):
    login(practitioner)
    sid = sections[0].id
    url = f"/consultations/{consultation.id}/sections/{sid}/vote"
    fragment = _post(client, token, url, {f"v{sid}-reason": "no choice"}, target=f"vote-s{sid}")
    assert _is_fragment(fragment) and "Choose support, support with changes or oppose" in _html(fragment)
    page = _post(client, token, url, {f"v{sid}-reason": "no choice"})
    html = _html(page)
    assert _is_page(page) and "There is a problem" in html and f'href="#v{sid}-choice"' in html
    assert _db.session.scalars(select(Vote)).all() == []


def test_votes_on_a_closed_consultation_get_a_clear_error(client, login, consultation, facilitator, practitioner,
                                                          sections, token):
    services.close_early(facilitator, consultation, "Done")
    login(practitioner)
    sid = sections[0].id
    url = f"/consultations/{consultation.id}/sections/{sid}/vote"
    for target in (None, f"vote-s{sid}"):
        response = _post(client, token, url, {f"v{sid}-choice": "support"}, target=target)
        assert response.status_code == 200 and "no longer accepted" in _html(response)
    page = _html(client.get(f"/consultations/{consultation.id}"))
    assert "Save your vote" not in page and "Post comment" not in page and "Closed" in page
    assert _db.session.scalars(select(Vote)).all() == []


def test_a_vote_for_a_section_of_another_consultation_is_not_found(client, login, consultation, make_consultation,
                                                                   practitioner, token):
    other = make_consultation(title="Independent scrutiny arrangements")
    foreign = other.version.sections[0].id
    login(practitioner)
    response = _post(client, token, f"/consultations/{consultation.id}/sections/{foreign}/vote",
                     {f"v{foreign}-choice": "support"})
    assert response.status_code == 404
    assert _db.session.scalars(select(Vote)).all() == []


# --- commenting ----------------------------------------------------------------------------------

def test_commenting_without_javascript(client, login, consultation, practitioner, sections, token):
    login(practitioner)
    sid = sections[1].id
    response = _post(client, token, f"/consultations/{consultation.id}/sections/{sid}/comments",
                     {f"c-s{sid}-body": "Include schools in this group"})
    comment = _db.session.scalars(select(Comment)).one()
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/consultations/{consultation.id}#comment-{comment.id}")
    assert (comment.section_id, comment.body) == (sid, "Include schools in this group")
    assert "Your comment has been posted" in _html(client.get(response.headers["Location"]))


def test_commenting_with_htmx_returns_the_comments_area(client, login, consultation, practitioner, token):
    login(practitioner)
    response = _post(client, token, f"/consultations/{consultation.id}/comments",
                     {"c-general-body": "On the whole draft"}, target="comments-general")
    html = _html(response)
    assert _is_fragment(response)
    assert html.lstrip().startswith('<div class="portal-comments" id="comments-general">')
    assert "On the whole draft" in html and "Your comment has been posted" in html
    assert re.search(r'<textarea [^>]*id="c-general-body"[^>]*></textarea>', html)  # a fresh, empty form


@pytest.mark.parametrize("text,shown", [
    ("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
    ("هذا تعليق باللغة العربية", 'dir="auto">هذا تعليق باللغة العربية'),
    ("Great idea 👍🏽🎉 — thanks", "Great idea 👍🏽🎉 — thanks"),
    ("x" * 5000, "x" * 5000),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_unusual_comments_are_shown_safely(client, login, consultation, practitioner, token, text, shown, htmx):
    login(practitioner)
    response = _post(client, token, f"/consultations/{consultation.id}/comments", {"c-general-body": text},
                     target="comments-general" if htmx else None)
    assert response.status_code in (200, 303)
    html = _html(client.get(f"/consultations/{consultation.id}")) if not htmx else _html(response)
    assert shown in html
    assert "<script>alert" not in html
    assert _db.session.scalars(select(Comment)).one().body == text


@pytest.mark.parametrize("text,message", [("", "Enter your comment"), ("   ", "Enter your comment"),
                                          ("y" * 5001, "5,000 characters or fewer")])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_comments_get_clear_errors(client, login, consultation, practitioner, token, text, message, htmx):
    login(practitioner)
    response = _post(client, token, f"/consultations/{consultation.id}/comments", {"c-general-body": text},
                     target="comments-general" if htmx else None)
    html = _html(response)
    assert response.status_code == 200 and message in html
    assert ("There is a problem" in html) is (not htmx)
    assert ("<html" in html) is (not htmx)
    assert _db.session.scalars(select(Comment)).all() == []


def test_young_people_are_told_a_moderator_will_check(client, login, consultation, young, token):
    login(young)
    response = _post(client, token, f"/consultations/{consultation.id}/comments", {"c-general-body": "My idea"},
                     target="comments-general")
    assert "A moderator will check it" in _html(response) and "Waiting for a moderator" in _html(response)
    assert _db.session.scalars(select(Comment)).one().status == "pending"


# --- paging and replies on demand ----------------------------------------------------------------

def _many_threads(consultation, people, count, section=None):
    return [services.post_comment(people[n % len(people)], consultation, f"Thread number {n}", section=section)
            for n in range(count)]


def test_the_page_opens_with_the_newest_threads_and_pages_twenty_at_a_time(client, login, consultation,
                                                                            practitioner, vcs):
    threads = _many_threads(consultation, [practitioner, vcs], 45)
    login(practitioner)
    page = _html(client.get(f"/consultations/{consultation.id}"))
    assert "Thread number 44" in page and "Thread number 42" in page and "Thread number 41" not in page
    assert "Comments on the whole draft (45)" in page
    more = re.search(r'href="(/consultations/\d+/comments\?after=(\d+))"', page)
    assert more and int(more.group(2)) == threads[42].id
    full = client.get(more.group(1))
    assert _is_page(full) and "Thread number 41" in _html(full) and "Thread number 22" in _html(full)
    fragment = _get(client, more.group(1), target="more-general")
    html = _html(fragment)
    assert _is_fragment(fragment) and html.count('class="portal-thread"') == 20
    assert "Thread number 42" not in html and "Thread number 21" not in html
    second = re.search(r'href="(/consultations/\d+/comments\?after=\d+)"', html).group(1)
    html = _html(_get(client, second, target="more-general"))
    assert html.count('class="portal-thread"') == 20 and "Thread number 21" in html and "Thread number 2" in html
    last = re.search(r'href="(/consultations/\d+/comments\?after=\d+)"', html).group(1)
    final = _html(_get(client, last, target="more-general"))
    assert final.count('class="portal-thread"') == 2 and "Show more comments" not in final
    assert "Thread number 0" in final


def test_junk_cursors_are_ignored(client, login, consultation, practitioner):
    login(practitioner)
    assert client.get(f"/consultations/{consultation.id}/comments?after=abc").status_code == 200
    assert client.get(f"/consultations/{consultation.id}/sections/99999/comments").status_code == 404


def test_replies_load_on_demand(client, login, consultation, practitioner, vcs):
    top = services.post_comment(vcs, consultation, "A thread")
    reply = services.reply(practitioner, top, "A reply")
    deeper = services.reply(vcs, reply, "A deeper reply")
    login(practitioner)
    page = _html(client.get(f"/consultations/{consultation.id}"))
    assert "Show 2 replies" in page and "A deeper reply" not in page
    full = client.get(f"/comments/{top.id}/replies")
    assert _is_page(full) and "A deeper reply" in _html(full)
    fragment = _get(client, f"/comments/{top.id}/replies", target=f"thread-{top.id}")
    html = _html(fragment)
    assert _is_fragment(fragment) and html.lstrip().startswith(f'<li class="portal-thread" id="thread-{top.id}">')
    assert "A reply" in html and "A deeper reply" in html
    assert f"/comments/{deeper.id}/reply" not in html  # the third level takes no replies
    assert client.get(f"/comments/{deeper.id}/replies").status_code == 200  # any comment leads to its thread


def test_replying_with_and_without_javascript(client, login, consultation, practitioner, vcs, token):
    top = services.post_comment(vcs, consultation, "What about schools?")
    login(practitioner)
    form_page = client.get(f"/comments/{top.id}/reply")
    assert _is_page(form_page) and "Your reply to Val Voluntary" in _html(form_page)
    form = _get(client, f"/comments/{top.id}/reply", target=f"reply-slot-{top.id}")
    assert _is_fragment(form) and _html(form).lstrip().startswith("<form")
    response = _post(client, token, f"/comments/{top.id}/reply", {f"r{top.id}-body": "Schools are in"},
                     target=f"thread-{top.id}")
    assert _is_fragment(response) and "Schools are in" in _html(response)
    response = _post(client, token, f"/comments/{top.id}/reply", {f"r{top.id}-body": "And colleges"})
    reply = _db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/comments/{top.id}/replies#comment-{reply.id}")
    assert [c.depth for c in _db.session.scalars(select(Comment).order_by(Comment.id))] == [0, 1, 1]
    assert "reply.posted" in log_actions()
    assert_log_verifies()


def test_reply_errors_show_inline_or_in_a_summary(client, login, consultation, practitioner, vcs, token):
    top = services.post_comment(vcs, consultation, "A comment")
    login(practitioner)
    fragment = _post(client, token, f"/comments/{top.id}/reply", {f"r{top.id}-body": ""}, target=f"thread-{top.id}")
    assert _is_fragment(fragment) and "Enter your comment" in _html(fragment)
    assert fragment.headers["HX-Retarget"] == f"#reply-slot-{top.id}"
    page = _post(client, token, f"/comments/{top.id}/reply", {f"r{top.id}-body": ""})
    assert _is_page(page) and "There is a problem" in _html(page)


def test_a_reply_to_a_withdrawn_comment_gets_a_clear_error(client, login, consultation, practitioner, vcs, token):
    top = services.post_comment(vcs, consultation, "Soon withdrawn")
    services.withdraw_comment(vcs, top)
    login(practitioner)
    for target in (None, f"thread-{top.id}"):
        response = _post(client, token, f"/comments/{top.id}/reply", {f"r{top.id}-body": "Hello?"}, target=target)
        assert response.status_code == 200 and "withdrawn by its author" in _html(response)
    assert _db.session.scalars(select(Comment).where(Comment.depth > 0)).all() == []


# --- editing and withdrawing ---------------------------------------------------------------------

def test_editing_with_and_without_javascript(client, login, consultation, practitioner, token):
    comment = services.post_comment(practitioner, consultation, "Frist draft")
    login(practitioner)
    assert _is_page(client.get(f"/comments/{comment.id}/edit"))
    form = _get(client, f"/comments/{comment.id}/edit", target=f"comment-{comment.id}")
    assert _is_fragment(form) and "Frist draft</textarea>" in _html(form)
    response = _post(client, token, f"/comments/{comment.id}/edit", {f"e{comment.id}-body": "First draft"},
                     target=f"comment-{comment.id}")
    html = _html(response)
    assert _is_fragment(response) and html.lstrip().startswith("<article") and "Edited" in html
    assert "Earlier versions (1)" in html and "Frist draft" in html
    response = _post(client, token, f"/comments/{comment.id}/edit", {f"e{comment.id}-body": "Final draft"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#comment-{comment.id}")
    assert comment.body == "Final draft" and len(comment.revisions) == 2
    assert log_actions().count("comment.edited") == 2
    errors = _post(client, token, f"/comments/{comment.id}/edit", {f"e{comment.id}-body": "z" * 5001})
    assert errors.status_code == 200 and "5,000 characters or fewer" in _html(errors)


def test_others_cannot_edit_or_withdraw(client, login, consultation, practitioner, vcs, token):
    comment = services.post_comment(vcs, consultation, "Mine")
    login(practitioner)
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    assert _post(client, token, f"/comments/{comment.id}/withdraw", {}).status_code == 403


def test_withdrawing_a_comment(client, login, as_person, consultation, practitioner, vcs, token):
    comment = services.post_comment(practitioner, consultation, "I take this back")
    login(practitioner)
    assert _is_page(client.get(f"/comments/{comment.id}/withdraw"))
    response = _post(client, token, f"/comments/{comment.id}/withdraw", {})
    assert response.status_code == 303 and comment.status == "withdrawn"
    again = _post(client, token, f"/comments/{comment.id}/withdraw", {})
    assert again.status_code == 200 and "already withdrawn" in _html(again)
    html = _html(as_person(vcs).get(f"/consultations/{consultation.id}"))
    assert "Withdrawn by its author" in html and "I take this back" not in html


# --- facilitators --------------------------------------------------------------------------------

def test_extending_and_closing_early_through_the_pages(client, login, as_person, consultation, facilitator,
                                                       practitioner, token):
    assert as_person(practitioner).get(f"/consultations/{consultation.id}/extend").status_code == 403
    login(facilitator)
    page = _html(client.get(f"/consultations/{consultation.id}"))
    assert "Extend the closing date" in page and "Close early" in page
    form = client.get(f"/consultations/{consultation.id}/extend")
    assert _is_page(form)
    response = _post(client, token, f"/consultations/{consultation.id}/extend", {
        "closes_day": "1", "closes_month": "1", "closes_year": "2099", "closes_time": "5pm", "reason": "More time"})
    assert response.status_code == 303 and consultation.closes_at.year == 2099
    assert _db.session.scalars(select(ConsultationExtension)).one().reason == "More time"
    assert "Changes to the closing date" in _html(client.get(f"/consultations/{consultation.id}"))
    missing = _post(client, token, f"/consultations/{consultation.id}/close", {"reason": ""})
    assert missing.status_code == 200 and "Enter the reason for closing early" in _html(missing)
    response = _post(client, token, f"/consultations/{consultation.id}/close", {"reason": "Rewriting"})
    assert response.status_code == 303 and consultation.state == "closed"
    assert "Why it closed early: Rewriting" in _html(client.get(f"/consultations/{consultation.id}"))
    assert [a for a in log_actions() if a.startswith("consultation.")] == [
        "consultation.opened", "consultation.extended", "consultation.closed_early"]
    assert_log_verifies()


# --- the same flows with and without htmx end in the same data -----------------------------------

def _take_part(client, token, consultation, other_comment, htmx):
    sections = consultation.version.sections
    s0, s1 = sections[0].id, sections[1].id

    def target(name):
        return name if htmx else None

    base = f"/consultations/{consultation.id}"
    responses = [
        _post(client, token, f"{base}/sections/{s1}/comments", {f"c-s{s1}-body": "Add health visitors"},
              target(f"comments-s{s1}")),
        _post(client, token, f"{base}/sections/{s0}/vote", {f"v{s0}-choice": "support_with_changes",
                                                            f"v{s0}-reason": "Name a lead"}, target(f"vote-s{s0}")),
        _post(client, token, f"{base}/sections/{s0}/vote", {f"v{s0}-choice": "support"}, target(f"vote-s{s0}")),
        _post(client, token, f"/comments/{other_comment.id}/reply", {f"r{other_comment.id}-body": "Agreed"},
              target(f"thread-{other_comment.id}")),
    ]
    mine = _db.session.scalars(select(Comment).where(Comment.consultation_id == consultation.id,
                                                     Comment.depth == 0, Comment.section_id == s1)).one()
    responses.append(_post(client, token, f"/comments/{mine.id}/edit", {f"e{mine.id}-body": "Add school nurses"},
                           target(f"comment-{mine.id}")))
    assert all(r.status_code == (200 if htmx else 303) for r in responses)
    positions = {s.id: s.position for s in sections}
    comments = sorted((positions.get(c.section_id, 0), c.depth, c.body, c.status, len(c.revisions))
                      for c in _db.session.scalars(select(Comment).where(Comment.consultation_id == consultation.id)))
    votes = sorted((positions[v.section_id], v.choice, v.reason)
                   for v in _db.session.scalars(select(Vote).where(Vote.consultation_id == consultation.id)))
    return comments, votes


def test_the_same_flows_with_and_without_htmx_end_in_the_same_data(client, login, make_consultation, practitioner,
                                                                   vcs, token):
    plain, live = make_consultation(title="Plain"), make_consultation(title="Live")
    starts = [services.post_comment(vcs, c, "Start here") for c in (plain, live)]
    login(practitioner)
    without = _take_part(client, token, plain, starts[0], htmx=False)
    with_htmx = _take_part(client, token, live, starts[1], htmx=True)
    assert without == with_htmx
    assert without[1] == [(1, "support", "")]
    assert_log_verifies()


# --- email settings and unsubscribing ------------------------------------------------------------

def test_email_settings_page(client, login, as_person, practitioner, young, token):
    login(practitioner)
    page = client.get("/account/notifications")
    assert _is_page(page) and "checked" in _html(page)
    response = _post(client, token, "/account/notifications", {"reply_emails": "y"})
    assert response.status_code == 303
    setting = _db.session.get(NotificationSetting, practitioner.id)
    assert (setting.consultation_emails, setting.reply_emails) == (False, True)
    assert "notification.settings_changed" in log_actions()
    assert "no email address" in _html(as_person(young).get("/account/notifications"))


def test_one_click_unsubscribe(client, app, practitioner, csrf):
    token = notifications.unsubscribe_token(practitioner.id, "consultation")
    page = client.get(f"/unsubscribe/{token}")
    assert _is_page(page) and "Yes, stop these emails" in _html(page)
    assert _db.session.get(NotificationSetting, practitioner.id) is None  # GET changes nothing
    response = client.post(f"/unsubscribe/{token}", data={"csrf_token": csrf(client, f"/unsubscribe/{token}")})
    assert response.status_code == 200 and "You will not get these emails any more" in _html(response)
    setting = _db.session.get(NotificationSetting, practitioner.id)
    assert (setting.consultation_emails, setting.reply_emails) == (False, True)
    assert client.get(f"/unsubscribe/{token[:-3]}xyz").status_code == 404
    assert client.get("/unsubscribe/not-a-token").status_code == 404
    assert_log_verifies()
