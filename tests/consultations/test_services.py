"""The rules of consultations, comments and votes, tested without HTTP."""
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app import create_app
from app.accounts.models import Person, Role
from app.consultations import queries, services
from app.consultations.models import Comment, CommentRevision, Consultation, ConsultationExtension, Vote
from app.consultations.text import linkify
from app.errors import DomainError, NotAllowed
from app.extensions import db as _db
from app.timeutil import utcnow
from app.trail import services as trail
from config import TestConfig
from tests.conftest import POSTGRES_URL, create_postgres_database, drop_postgres_database

from tests.fixtures.consultations import ALL_AUDIENCES, assert_log_verifies, log_actions


def _entries(action):
    return [e for e in trail.iter_entries() if e["action"] == action]


# --- opening -------------------------------------------------------------------------------------

def test_a_facilitator_opens_a_published_version(make_version, facilitator):
    version = make_version()
    now = utcnow()
    consultation = services.open_consultation(facilitator, version, title="", audiences=["practitioners"],
                                              opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=30))
    assert consultation.title == "Proposed working groups"  # the draft's title when none is given
    assert consultation.state == "open"
    assert consultation.audience_set == {queries.Audience.PRACTITIONERS}
    entry = _entries("consultation.opened")[0]
    assert entry["data"]["version"] == version.id and entry["data"]["audiences"] == ["practitioners"]
    assert entry["data"]["content_hash"] == version.content_hash
    assert_log_verifies()


def test_only_published_versions_can_be_opened(make_version, facilitator):
    working = make_version(publish=False)
    now = utcnow()
    with pytest.raises(DomainError, match="published") as error:
        services.open_consultation(facilitator, working, title="x", audiences=ALL_AUDIENCES,
                                   opens_at=now, closes_at=now + timedelta(days=1))
    assert error.value.field == "version"
    assert _db.session.scalar(select(func.count(Consultation.id))) == 0


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SCRUTINEER, Role.LEAD_SIGNATORY, Role.YOUNG_PERSON])
def test_only_facilitators_open_consultations(make_version, make_person, role):
    version = make_version()
    now = utcnow()
    with pytest.raises(NotAllowed):
        services.open_consultation(make_person(role), version, title="x", audiences=ALL_AUDIENCES,
                                   opens_at=now, closes_at=now + timedelta(days=1))


@pytest.mark.parametrize("opens,closes,field,message", [
    (timedelta(days=2), timedelta(days=1), "closes_day", "after the opening"),
    (timedelta(days=1), timedelta(days=1), "closes_day", "after the opening"),
    (timedelta(days=-10), timedelta(days=-1), "closes_day", "in the future"),
])
def test_dates_must_be_in_order_and_close_in_the_future(make_version, facilitator, opens, closes, field, message):
    version, now = make_version(), utcnow()
    with pytest.raises(DomainError, match=message) as error:
        services.open_consultation(facilitator, version, title="x", audiences=ALL_AUDIENCES,
                                   opens_at=now + opens, closes_at=now + closes)
    assert error.value.field == field


def test_audiences_are_required(make_version, facilitator):
    now = utcnow()
    with pytest.raises(DomainError) as error:
        services.open_consultation(facilitator, make_version(), title="x", audiences=[], opens_at=now,
                                   closes_at=now + timedelta(days=1))
    assert error.value.field == "audiences"


def test_state_follows_the_clock(make_consultation):
    scheduled = make_consultation(opens_in=timedelta(days=1), closes_in=timedelta(days=8))
    now = utcnow()
    assert scheduled.state_at(now) == "scheduled"
    assert scheduled.state_at(now + timedelta(days=2)) == "open"
    assert scheduled.state_at(now + timedelta(days=9)) == "closed"


# --- extending and closing early -----------------------------------------------------------------

def test_extend_keeps_the_history_and_logs_the_reason(consultation, facilitator):
    before = consultation.closes_at
    services.extend(facilitator, consultation, before + timedelta(days=7), "Schools asked for more time")
    change = _db.session.scalars(select(ConsultationExtension)).one()
    assert (change.previous_closes_at, change.new_closes_at) == (before, before + timedelta(days=7))
    assert change.reason == "Schools asked for more time"
    entry = _entries("consultation.extended")[0]
    assert entry["data"]["reason_sha256"] == trail.text_hash("Schools asked for more time")
    assert "Schools" not in str(entry)
    assert_log_verifies()


@pytest.mark.parametrize("days,reason,message", [(-1, "why", "must be after"), (3, "  ", "Enter the reason")])
def test_extend_needs_a_later_date_and_a_reason(consultation, facilitator, days, reason, message):
    with pytest.raises(DomainError, match=message):
        services.extend(facilitator, consultation, consultation.closes_at + timedelta(days=days), reason)


def test_close_early_is_logged_and_stops_everything(consultation, facilitator, practitioner, sections):
    comment = services.post_comment(practitioner, consultation, "Before closing", section=sections[0])
    services.close_early(facilitator, consultation, "The proposals are being rewritten")
    assert consultation.state == "closed"
    assert _entries("consultation.closed_early")[0]["data"]["reason_sha256"] == \
        trail.text_hash("The proposals are being rewritten")
    for attempt in (
        lambda: services.post_comment(practitioner, consultation, "After closing"),
        lambda: services.reply(practitioner, comment, "After closing"),
        lambda: services.edit_comment(practitioner, comment, "Changed after closing"),
        lambda: services.withdraw_comment(practitioner, comment),
        lambda: services.cast_vote(practitioner, consultation, sections[0], "support"),
        lambda: services.extend(facilitator, consultation, utcnow() + timedelta(days=3), "reopen"),
        lambda: services.close_early(facilitator, consultation, "again"),
    ):
        with pytest.raises(DomainError, match="closed"):
            attempt()
    assert _db.session.scalar(select(func.count(Vote.id))) == 0
    assert _db.session.scalar(select(func.count(Comment.id))) == 1
    assert_log_verifies()


def test_nothing_is_accepted_after_the_closing_time(make_consultation, practitioner):
    consultation = make_consultation(opens_in=timedelta(days=-10), closes_in=timedelta(days=1))
    section = consultation.version.sections[0]
    later = utcnow() + timedelta(days=2)
    with pytest.raises(DomainError, match="closed"):
        services.cast_vote(practitioner, consultation, section, "support", now=later)
    with pytest.raises(DomainError, match="closed"):
        services.post_comment(practitioner, consultation, "Too late", now=later)


def test_nothing_is_accepted_before_it_opens(make_consultation, practitioner):
    consultation = make_consultation(opens_in=timedelta(days=1), closes_in=timedelta(days=10))
    with pytest.raises(DomainError, match="opens on"):
        services.post_comment(practitioner, consultation, "Too early")


# --- comments ------------------------------------------------------------------------------------

def test_comments_are_logged_as_hashes_never_words(consultation, practitioner, sections):
    comment = services.post_comment(practitioner, consultation, "  Secret words here  ", section=sections[1])
    assert comment.body == "Secret words here" and comment.status == "published"
    assert comment.thread_id == comment.id and comment.author_audience == "practitioners"
    entry = _entries("comment.posted")[0]
    assert entry["data"]["body_sha256"] == trail.text_hash("Secret words here")
    assert all("Secret" not in e["data"].__repr__() for e in trail.iter_entries())


def test_young_peoples_comments_wait_for_a_moderator(consultation, young, practitioner, sections):
    comment = services.post_comment(young, consultation, "My view", section=sections[0])
    assert comment.status == "pending" and comment.author_audience == "young_people"
    other = queries.access_for(practitioner, consultation)
    own = queries.access_for(young, consultation)
    assert queries.first_pages(consultation, other, [])[None].threads == []
    seen = queries.first_pages(consultation, own, [s.id for s in sections])[sections[0].id].threads
    assert [c.id for c in seen] == [comment.id] and "Waiting for a moderator" in seen[0].note


@pytest.mark.parametrize("text,message", [
    ("", "Enter your comment"), ("   \n\t ", "Enter your comment"), ("x" * 5001, "5,000 characters or fewer"),
])
def test_comment_length_is_checked(consultation, practitioner, text, message):
    with pytest.raises(DomainError, match=message) as error:
        services.post_comment(practitioner, consultation, text)
    assert error.value.field == "body"


def test_a_comment_of_exactly_5000_characters_is_fine(consultation, practitioner):
    assert len(services.post_comment(practitioner, consultation, "é" * 5000).body) == 5000


def test_control_characters_are_removed(consultation, practitioner):
    comment = services.post_comment(practitioner, consultation, "a\x00b\r\nc\x07")
    assert comment.body == "ab\nc"


def test_replies_nest_three_levels_and_no_deeper(consultation, practitioner, vcs):
    top = services.post_comment(practitioner, consultation, "Top")
    first = services.reply(vcs, top, "First")
    second = services.reply(practitioner, first, "Second")
    assert (first.depth, second.depth) == (1, 2)
    assert first.thread_id == second.thread_id == top.id
    with pytest.raises(DomainError, match="three levels"):
        services.reply(vcs, second, "Third")
    assert [e["action"] for e in trail.iter_entries()].count("reply.posted") == 2


def test_no_reply_to_a_withdrawn_comment(consultation, practitioner, vcs):
    top = services.post_comment(practitioner, consultation, "Top")
    services.withdraw_comment(practitioner, top)
    with pytest.raises(DomainError, match="withdrawn"):
        services.reply(vcs, top, "Hello?")


def test_no_reply_to_a_pending_comment(consultation, young, practitioner):
    pending = services.post_comment(young, consultation, "Mine")
    with pytest.raises(DomainError, match="moderator"):
        services.reply(practitioner, pending, "Hello")


def test_editing_keeps_the_earlier_text(consultation, practitioner):
    comment = services.post_comment(practitioner, consultation, "First words")
    services.edit_comment(practitioner, comment, "Second words")
    services.edit_comment(practitioner, comment, "Third words")
    revisions = _db.session.scalars(select(CommentRevision).order_by(CommentRevision.id)).all()
    assert [r.body for r in revisions] == ["First words", "Second words"]
    assert revisions[0].written_at == comment.created_at
    assert comment.body == "Third words" and comment.edited_at is not None
    entries = _entries("comment.edited")
    assert entries[0]["data"]["previous_body_sha256"] == trail.text_hash("First words")
    assert entries[1]["data"]["body_sha256"] == trail.text_hash("Third words")
    view = queries.comment_view(comment, queries.access_for(practitioner, consultation))
    assert [r.body for r in view.revisions] == ["First words", "Second words"]
    assert_log_verifies()


def test_only_the_author_edits_or_withdraws(consultation, practitioner, vcs):
    comment = services.post_comment(practitioner, consultation, "Mine")
    with pytest.raises(NotAllowed):
        services.edit_comment(vcs, comment, "Not yours")
    with pytest.raises(NotAllowed):
        services.withdraw_comment(vcs, comment)


def test_a_young_persons_edit_is_checked_again(consultation, young):
    comment = services.post_comment(young, consultation, "Mine")
    _db.session.execute(update(Comment).where(Comment.id == comment.id).values(status="published"))
    _db.session.commit()  # as a moderator would approve it (a later room)
    services.edit_comment(young, comment, "Changed")
    assert comment.status == "pending"


def test_withdrawing_keeps_the_text(consultation, practitioner, vcs):
    comment = services.post_comment(practitioner, consultation, "Kept for the trail")
    services.withdraw_comment(practitioner, comment)
    assert (comment.status, comment.body) == ("withdrawn", "Kept for the trail")
    view = queries.first_pages(consultation, queries.access_for(vcs, consultation), [])[None].threads[0]
    assert view.note == "Withdrawn by its author" and not view.text_visible
    with pytest.raises(DomainError, match="already"):
        services.withdraw_comment(practitioner, comment)


def test_scrutineers_and_outsiders_do_not_take_part(make_consultation, scrutineer, vcs):
    consultation = make_consultation(audiences=["practitioners"])
    for person in (scrutineer, vcs):
        with pytest.raises(NotAllowed):
            services.post_comment(person, consultation, "Hello")
        with pytest.raises(NotAllowed):
            services.cast_vote(person, consultation, consultation.version.sections[0], "support")


def test_a_section_of_another_consultation_is_refused(consultation, make_consultation, practitioner):
    other = make_consultation(title="Independent scrutiny arrangements")
    foreign = other.version.sections[0]
    with pytest.raises(DomainError, match="not part of this consultation"):
        services.cast_vote(practitioner, consultation, foreign, "support")
    with pytest.raises(DomainError, match="not part of this consultation"):
        services.post_comment(practitioner, consultation, "Hello", section=foreign)


# --- votes ---------------------------------------------------------------------------------------

def test_one_vote_per_person_per_section_changeable_until_close(consultation, practitioner, sections):
    first = services.cast_vote(practitioner, consultation, sections[0], "support", "Good idea")
    second = services.cast_vote(practitioner, consultation, sections[0], "oppose", "Changed my mind")
    assert first.id == second.id
    assert _db.session.scalars(select(Vote)).one().choice == "oppose"
    assert [e["action"] for e in trail.iter_entries() if e["action"].startswith("vote.")] == ["vote.cast",
                                                                                             "vote.changed"]
    changed = _entries("vote.changed")[0]["data"]
    assert (changed["previous_choice"], changed["choice"]) == ("support", "oppose")
    services.cast_vote(practitioner, consultation, sections[0], "oppose", "Changed my mind")  # no change: no entry
    assert len(_entries("vote.changed")) == 1
    assert_log_verifies()


def test_an_unknown_choice_is_refused(consultation, practitioner, sections):
    with pytest.raises(DomainError, match="Choose support"):
        services.cast_vote(practitioner, consultation, sections[0], "maybe")


def test_tallies_count_per_section_choice_and_audience(consultation, practitioner, vcs, young, make_person,
                                                       sections):
    services.cast_vote(practitioner, consultation, sections[0], "support")
    services.cast_vote(make_person(Role.PRACTITIONER), consultation, sections[0], "support_with_changes")
    services.cast_vote(vcs, consultation, sections[0], "support")
    services.cast_vote(young, consultation, sections[1], "oppose")
    tallies = queries.tallies(consultation, [s.id for s in sections])
    first = tallies[sections[0].id]
    assert first.count("support") == 2 and first.count("support", "practitioners") == 1
    assert first.count("support", "voluntary_and_community") == 1
    assert first.count("support_with_changes", "practitioners") == 1 and first.total == 3
    assert tallies[sections[1].id].count("oppose", "young_people") == 1
    assert tallies[sections[2].id].total == 0


@pytest.mark.postgres
def test_concurrent_votes_by_one_person_make_one_vote_on_postgresql():
    """Ten simultaneous submissions of one person's vote: one row, no errors, a log that verifies."""
    name = f"portal_votes_{uuid.uuid4().hex[:8]}"
    url = create_postgres_database(POSTGRES_URL, name)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    try:
        with app.app_context():
            ids = _setup_for_concurrency()
        barrier, errors, choices = threading.Barrier(10), [], ["support", "oppose", "support_with_changes"] * 4

        def submit(n):
            with app.app_context():
                try:
                    person = _db.session.get(Person, ids["person"])
                    consultation = _db.session.get(Consultation, ids["consultation"])
                    section = consultation.version.sections[0]
                    barrier.wait(timeout=30)
                    services.cast_vote(person, consultation, section, choices[n], f"reason {n}")
                except Exception as error:  # collected and reported below
                    errors.append(error)
                finally:
                    _db.session.remove()

        threads = [threading.Thread(target=submit, args=(n,)) for n in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        with app.app_context():
            votes = _db.session.scalars(select(Vote)).all()
            assert len(votes) == 1
            actions = log_actions()
            assert actions.count("vote.cast") == 1
            assert actions.count("vote.cast") + actions.count("vote.changed") <= 10
            assert_log_verifies()
            _db.session.remove()
            _db.engine.dispose()
    finally:
        drop_postgres_database(POSTGRES_URL, name)


def _setup_for_concurrency():
    from app.accounts import services as accounts
    from app.drafts import services as drafts
    from app.partnerships import services as partnerships

    partnership = partnerships.create_partnership(name="Concurrency", slug="c", areas=["Here"])
    facilitator = accounts.create_account(None, partnership=partnership, display_name="F", email="f@example.org",
                                          roles=[Role.FACILITATOR], password="long enough password")
    person = accounts.create_account(None, partnership=partnership, display_name="P", email="p@example.org",
                                     roles=[Role.PRACTITIONER], password="long enough password")
    draft = drafts.create_draft(facilitator, partnership, title="Draft")
    drafts.add_section(facilitator, draft.versions[0], title="One", body="Body")
    version = drafts.publish_version(facilitator, draft.versions[0])
    now = utcnow()
    consultation = services.open_consultation(facilitator, version, title="C", audiences=ALL_AUDIENCES,
                                              opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=9))
    return {"person": person.id, "consultation": consultation.id}


# --- linkify ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("See https://example.org/a?b=1&c=2.", 'href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener"'),
    ("(https://en.wikipedia.org/wiki/Foo_(bar))", 'href="https://en.wikipedia.org/wiki/Foo_(bar)"'),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('https://x.org/"onmouseover="alert(1)', 'href="https://x.org/"'),
    ("javascript:alert(1)", "javascript:alert(1)"),
    ("مرحبا بالعالم 👋🏽", 'dir="auto">مرحبا بالعالم 👋🏽'),
    ("one\ntwo\n\nthree", "one<br>\ntwo</p>\n<p"),
])
def test_linkify_escapes_everything_but_web_links(text, expected):
    html = str(linkify(text))
    assert expected in html
    assert "<script" not in html and "javascript:alert(1)</a>" not in html
    assert html.count("<a ") == html.count('rel="nofollow noopener"')
