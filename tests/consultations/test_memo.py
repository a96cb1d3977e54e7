"""The consultation page shared per kind of reader and per consultation version (issue 15, memo).

app/consultations/memo.py: drawn once per (the consultation's version, the partnership's version, kind of reader),
served to each reader of that kind with their own name, moderation counts, messages and vote choices filled in.
A reader with content of their own on the page has a kind of their own. Versions move per scope (0014_memo).
"""
import re
import uuid

import pytest
from sqlalchemy import select

from app import create_app
from app.accounts.models import Role
from app.consultations import notifications, services
from app.database import DataScopeVersion
from app.extensions import db as _db
from app.moderation import services as moderation
from config import TestConfig

from ..conftest import FreshRequestClient

REDIS_URL = "redis://127.0.0.1:6379/7"  # a database of its own: the tests empty it


@pytest.fixture
def app_config():
    return {"PAGE_MEMO_HEADER": True}


def _get(browser, url):
    response = browser.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True), response.headers.get("X-Page-Memo")


def _chosen(html, section):
    """The vote choice ticked in a section's form (None if none)."""
    field = re.search(rf'<input[^>]*name="v{section.id}-choice"[^>]*value="(\w+)"[^>]*checked', html)
    return field.group(1) if field else None


def _version(consultation):
    _db.session.rollback()
    return _db.session.scalar(select(DataScopeVersion.n).where(
        DataScopeVersion.scope == DataScopeVersion.consultation_scope(consultation.id))) or 0


def _partnership_version():
    _db.session.rollback()
    return _db.session.scalar(select(DataScopeVersion.n).where(DataScopeVersion.scope == "p"))


def test_two_readers_of_one_kind_share_a_page_yet_each_sees_their_own(as_person, consultation, sections,
                                                                       make_person, facilitator):
    ann = make_person(Role.PRACTITIONER, name="Ann Practitioner")
    bob = make_person(Role.PRACTITIONER, name="Bob Practitioner")
    section = sections[0]
    services.cast_vote(ann, consultation, section, "support", "Ann's reasons")
    services.cast_vote(bob, consultation, section, "oppose", "Bob's reasons")
    url = f"/consultations/{consultation.id}"
    ann_browser, bob_browser = as_person(ann), as_person(bob)

    html, memo = _get(ann_browser, url)
    assert memo == "miss"
    assert "Signed in as Ann Practitioner" in html and _chosen(html, section) == "support"
    assert "Ann&#39;s reasons" in html or "Ann's reasons" in html
    html, memo = _get(bob_browser, url)
    assert memo == "hit"  # Ann's drawing, Bob's own parts
    assert "Signed in as Bob Practitioner" in html and "Ann Practitioner" not in html
    assert _chosen(html, section) == "oppose" and "Ann" not in html
    assert "Bob&#39;s reasons" in html or "Bob's reasons" in html
    html, memo = _get(ann_browser, url)
    assert memo == "hit" and _chosen(html, section) == "support" and "Bob" not in html
    # Each comment form shown carries a one-time submission key of its own, never one shared by the kind.
    keys = [re.findall(r'name="[^"]*submission" value="([^"]+)"', _get(b, url)[0])
            for b in (ann_browser, bob_browser)]
    assert keys[0] and len(set(keys[0])) == len(keys[0]) and not set(keys[0]) & set(keys[1])

    # A published comment is a card like any other in the shared drawing; its author gets the card drawn for
    # them ("(you)", edit, withdraw, the receipt) in its place, and nobody else ever gets those.
    comment = services.post_comment(ann, consultation, "Ann's own words on the draft")
    html, memo = _get(bob_browser, url)
    assert memo == "miss"  # the comment moved the consultation's version
    assert "Ann&#39;s own words on the draft" in html and "(you)" not in html and "/withdraw" not in html
    assert f"/comments/{comment.id}/report" in html  # others may report it
    assert "Signed in as Bob Practitioner" in html and _chosen(html, section) == "oppose"
    html, memo = _get(ann_browser, url)
    assert memo == "hit" and "(you)" in html and f"/comments/{comment.id}/withdraw" in html
    assert f"/comments/{comment.id}/receipt" in html and f"/comments/{comment.id}/report" not in html
    assert "Signed in as Ann Practitioner" in html and _chosen(html, section) == "support"
    html, memo = _get(bob_browser, url)
    assert memo == "hit" and "(you)" not in html and "/withdraw" not in html and f"/comments/{comment.id}/receipt" not in html

    # A drawing made by the author of a comment it shows is theirs alone.
    second = services.post_comment(ann, consultation, "Ann's second thoughts")
    html, memo = _get(ann_browser, url)
    assert memo == "miss" and html.count("(you)") == 2 and f"/comments/{second.id}/withdraw" in html
    html, memo = _get(bob_browser, url)
    assert memo == "miss" and "(you)" not in html and "Ann&#39;s second thoughts" in html

    # A flash message is the reader's own, and the page is still served remembered.
    assert _get(bob_browser, url)[1] == "hit"
    with bob_browser.session_transaction() as cookie:
        cookie["_flashes"] = [("success", "A message for Bob alone")]
    html, memo = _get(bob_browser, url)
    assert memo == "hit" and "A message for Bob alone" in html
    assert "A message for Bob alone" not in _get(bob_browser, url)[0]
    assert "A message for Bob alone" not in _get(ann_browser, url)[0]


def test_private_markers_never_reach_another_readers_page(as_person, consultation, young, make_person,
                                                          facilitator, scrutineer):
    readers = {
        "author": young,
        "another young person": make_person(Role.YOUNG_PERSON, name="Another young person"),
        "practitioner": make_person(Role.PRACTITIONER, name="Pat Practitioner"),
        "vcs": make_person(Role.VCS_PARTNER, name="Val Voluntary", organisation="Testshire Voluntary Action"),
        "signatory": make_person(Role.LEAD_SIGNATORY, name="Lee Lead"),
        "facilitator": facilitator, "scrutineer": scrutineer,
    }
    browsers = {name: as_person(person) for name, person in readers.items()}
    url = f"/consultations/{consultation.id}"
    held, concern = f"HELD-{uuid.uuid4().hex}", f"CONCERN-{uuid.uuid4().hex}"

    def pages():
        """Each reader's page twice (drawn or remembered, then remembered), in two orders."""
        seen = {}
        for order in (list(browsers), list(reversed(browsers))):
            for name in order:
                for _ in range(2):
                    html, _memo = _get(browsers[name], url)
                    seen.setdefault(name, set()).add(html.count(held) > 0)
                    seen[name].add(("concern", concern in html))
        return seen

    pages()  # every kind's page remembered before the private content exists
    services.post_comment(young, consultation, f"My words {held} for a moderator first")
    seen = pages()
    for name in ("another young person", "practitioner", "vcs", "signatory"):
        assert seen[name] == {False, ("concern", False)}, name  # pending: its author and those who see all only
    for name in ("author", "facilitator", "scrutineer"):
        assert seen[name] == {True, ("concern", False)}, name

    second = services.post_comment(young, consultation, f"Something worrying {concern}")
    moderation.raise_concern(facilitator, second, "worried")
    seen = pages()
    for name in ("another young person", "practitioner", "vcs", "signatory", "facilitator"):
        assert ("concern", True) not in seen[name], name  # a concern: its author, the DSL and scrutineers only
    assert seen["author"] == {True, ("concern", True)} and seen["scrutineer"] == {True, ("concern", True)}

    # The author's own held comment shows "only you can see it" on their page alone, drawn or remembered.
    author_html, _ = _get(browsers["author"], url)
    other_html, _ = _get(browsers["another young person"], url)
    assert "only you can see it" in author_html and "only you can see it" not in other_html


def test_a_young_authors_own_card_is_filled_for_them_alone(as_person, consultation, young, make_person,
                                                           facilitator):
    """A young person's published comment is shown to others without their name; in a drawing shared by the
    young people's kind, its author alone gets it as theirs (their name, "(you)", "I'm worried about this")."""
    other = make_person(Role.YOUNG_PERSON, name="Another young person")
    comment = services.post_comment(young, consultation, "Our youth council's view")
    moderation.approve(facilitator, comment, confirmed_not_harm=True)
    answer = services.reply(make_person(Role.YOUNG_PERSON, name="A third"), comment, "Agreed")
    moderation.approve(facilitator, answer, confirmed_not_harm=True)  # "Show 1 reply to …" names the author too
    url = f"/consultations/{consultation.id}"
    author, reader = as_person(young), as_person(other)

    html, memo = _get(reader, url)
    assert memo == "miss" and "Our youth council" in html
    assert "Youth Council member" not in html and "(you)" not in html and "worried about this" not in html
    assert f"/comments/{comment.id}/report" in html
    html, memo = _get(author, url)
    assert memo == "hit"  # the other young person's drawing, with the author's own card drawn for them
    assert "Youth Council member" in html and "(you)" in html and "worried about this" in html
    assert re.search(r"Show 1 reply<span[^>]*> to Youth Council member<", html)
    assert f"/comments/{comment.id}/report" not in html and "Another young person" not in html
    html, memo = _get(reader, url)
    assert memo == "hit" and "Youth Council member" not in html and "(you)" not in html


def test_a_readers_support_for_a_suggestion_is_theirs_alone(as_person, consultation, sections, make_person, vcs):
    """A suggestion's card says "(you support it)" to its supporters: a drawing that says so is never shared."""
    from app.suggestions import text
    from app.suggestions import services as suggestions

    section = sections[1]
    suggestion = suggestions.suggest(vcs, consultation, section, reason="Clearer", passage="effect on children",
                                     replacement="impact on children", made_against=text.sha256(section.body))
    ann = make_person(Role.PRACTITIONER, name="Ann Practitioner")
    bob = make_person(Role.PRACTITIONER, name="Bob Practitioner")
    suggestions.support(ann, suggestion)
    url = f"/consultations/{consultation.id}"
    ann_browser, bob_browser = as_person(ann), as_person(bob)
    for first, second in ((ann_browser, bob_browser), (bob_browser, ann_browser)):
        for browser in (first, second, first, second):
            html, _memo = _get(browser, url)
            assert "Supported by 1 person" in html
            assert ("(you support it)" in html) == (browser is ann_browser)
        suggestions.withdraw_support(ann, suggestion)
        suggestions.support(ann, suggestion)


def test_more_comments_are_shared_by_kind_with_each_authors_cards_their_own(as_person, consultation, make_person):
    """The "show more comments" page (htmx fragment or whole page) is drawn once per kind of reader too."""
    ann = make_person(Role.PRACTITIONER, name="Ann Practitioner")
    bob = make_person(Role.PRACTITIONER, name="Bob Practitioner")
    mine = [services.post_comment(ann, consultation, f"Ann's point {n}") for n in range(3)]
    bobs = [services.post_comment(bob, consultation, f"Bob's point {n}") for n in range(25)]
    url = f"/consultations/{consultation.id}/comments?after={bobs[5].id}"  # Bob's first five, then Ann's three
    ann_browser, bob_browser = as_person(ann), as_person(bob)
    others = as_person(make_person(Role.PRACTITIONER, name="Cy Practitioner"))

    for headers in ({}, {"HX-Request": "true", "HX-Target": "more-general"}):
        response = others.get(url, headers=headers)
        html = response.get_data(as_text=True)
        assert response.headers["X-Page-Memo"] == "miss" and "(you)" not in html
        assert "Ann&#39;s point 2" in html and "Bob&#39;s point 4" in html and "Bob&#39;s point 5" not in html
        response = ann_browser.get(url, headers=headers)
        html, memo = response.get_data(as_text=True), response.headers["X-Page-Memo"]
        assert memo == "hit" and html.count("(you)") == 3 and f"/comments/{mine[0].id}/withdraw" in html
        assert "Cy Practitioner" not in html
        response = bob_browser.get(url, headers=headers)
        html = response.get_data(as_text=True)
        assert response.headers["X-Page-Memo"] == "hit" and html.count("(you)") == 5
        assert f"/comments/{bobs[0].id}/withdraw" in html and f"/comments/{mine[0].id}/withdraw" not in html


def test_an_unrelated_write_keeps_the_page_and_a_comment_moves_it(as_person, make_consultation, consultation,
                                                                  practitioner, vcs):
    other = make_consultation()  # another consultation (its new draft moves the partnership's version: drafts)
    url = f"/consultations/{consultation.id}"
    reader = as_person(vcs)
    assert _get(reader, url)[1] == "miss"
    assert _get(reader, url)[1] == "hit"
    version, everything = _version(consultation), _partnership_version()

    # Email settings, and comments on another consultation, move neither this consultation's version nor the
    # partnership's: the page is served remembered.
    notifications.set_notification_settings(practitioner, consultation_emails=False, reply_emails=True)
    services.post_comment(practitioner, other, "On the other consultation")
    services.cast_vote(practitioner, other, other.version.sections[0], "support")
    assert _version(other) > 0
    assert _version(consultation) == version and _partnership_version() == everything
    html, memo = _get(reader, url)
    assert memo == "hit" and "On the other consultation" not in html

    services.post_comment(practitioner, consultation, "Fresh words on this consultation")
    assert _version(consultation) > version and _partnership_version() == everything
    html, memo = _get(reader, url)
    assert memo == "miss" and "Fresh words on this consultation" in html
    assert _get(reader, url)[1] == "hit"

    # What every page shows (a person's name) moves the partnership's version: every page is drawn again.
    from sqlalchemy import text
    _db.session.execute(text("UPDATE person SET display_name = 'Renamed Practitioner' WHERE id = :id"),
                        {"id": practitioner.id})
    _db.session.commit()
    assert _partnership_version() > everything
    html, memo = _get(reader, url)
    assert memo == "miss" and "Renamed Practitioner" in html


def _redis():
    import redis

    return redis.Redis.from_url(REDIS_URL)  # Redis is a real component of the tests: none here is a failure


def test_a_page_remembered_by_one_app_is_served_by_another_through_redis(database_url, consultation, vcs,
                                                                         make_person, login):
    _redis().flushdb()
    pat = make_person(Role.VCS_PARTNER, name="Pat Second", organisation="Testshire Voluntary Action")
    _db.session.commit()
    apps = [create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, PAGE_MEMO_HEADER=True,
                       PAGE_CACHE_REDIS_URL=REDIS_URL) for _ in range(2)]
    for instance in apps:
        instance.test_client_class = FreshRequestClient
    url = f"/consultations/{consultation.id}"
    try:
        with apps[0].app_context():
            first = apps[0].test_client()
            login(vcs, target=first)
            html, memo = _get(first, url)
            assert memo == "miss" and "Signed in as Val Voluntary" in html
            _db.session.remove()
        with apps[1].app_context():
            second = apps[1].test_client()
            login(pat, target=second)
            html, memo = _get(second, url)
            assert memo == "hit"  # drawn by the first app, read from Redis
            assert "Signed in as Pat Second" in html and "Val Voluntary" not in html
            assert "\x00" not in html and consultation.title in html
            _db.session.remove()
    finally:
        for instance in apps:
            with instance.app_context():
                _db.engine.dispose()
        _redis().flushdb()


def _tables_with(trigger):
    from sqlalchemy import text

    if _db.engine.dialect.name == "postgresql":
        return set(_db.session.scalars(text("SELECT DISTINCT event_object_table FROM information_schema.triggers "
                                            "WHERE trigger_name = :name"), {"name": trigger}))
    rows = _db.session.execute(text("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")).all()
    return {table for name, table in rows if name.startswith(f"{trigger}_{table}_")}


def test_every_table_that_moves_the_global_version_moves_its_scope(app):
    """A table given a data_version trigger by a migration after 0014_memo would move no scope: its pages would go
    stale. Migration 0014_memo finds the tables itself, so it must run after every migration that adds one."""
    assert _tables_with("data_version") and _tables_with("data_version") == _tables_with("data_scope")


def test_two_installations_sharing_one_redis_never_serve_each_others_pages(app):
    from datetime import datetime

    from app.memo_store import RedisPages

    ours, theirs = (RedisPages(REDIS_URL, 10, 60, uri) for uri in ("postgresql:///ours", "postgresql:///theirs"))
    key = ("page", f"/consultations/{uuid.uuid4().hex}", None, None, (1, (2, 3), ("kind",)))  # nobody else's key
    ours.put(key, ((b"<p>ours</p>",), datetime(2030, 1, 1), {}))
    assert ours.get(key) is not None and RedisPages(REDIS_URL, 10, 60, "postgresql:///ours").get(key) is not None
    assert theirs.get(key) is None
