"""The consultation page remembered (app/fragments.py, remember_shared_page; data versions per scope, 0014_memo).

A remembered page must never outlive a change to what it shows, whoever makes the change, and must never
reach anyone but the reader it was drawn for.
"""
import re

import pytest
from datetime import timedelta

from sqlalchemy import select, text

from app.consultations import services
from app.database import DataVersion
from app.extensions import db as _db
from app.moderation import services as moderation
from app.timeutil import utcnow

from .test_scale import counting

# Written by reading pages and sending mail, or kept from other tables' changes (migration 0007).
NOT_SHOWN = {"auth_session", "account_token", "outbox_message", "comment_tally", "vote_tally", "data_version",
             "data_scope_version",  # the versions per scope (migration 0014_memo)
             "log_checkpoint",  # written by reading the scrutiny workspace (issue 14)
             "merkle_node", "log_checkpoint_signed",  # the log's tree and checkpoints (issue 20), as log_entry
             # the witnesses' record of checkpoints (issue 20 part 3): shown only in the scrutiny workspace
             "witness_checkpoint_email", "witness_seen_checkpoint", "witness_alarm", "witness_alarm_dealt_with",
             "passkey", "passkey_challenge", "signoff_assertion",  # partners' passkeys (issue 20, part 5): no triggers
             # Never shown on a remembered page (the consultation page and its threads): migration 0011_issue15.
             # A table that starts to be shown there needs its trigger back.
             "notification_setting", "consultation_notice", "log_entry", "scrutiny_finding",
             "scrutiny_finding_answer", "author_notice", "role_grant_request"}


# A remembered consultation page costs the session, the consultation with its versions, and the reader's kind and
# own parts (roles, audiences, own content, organisation, sections, votes): a fixed number, whatever the comments.
MEMO_HIT_STATEMENTS = 10


@pytest.fixture
def app_config():
    return {"PAGE_MEMO_HEADER": True}


def _page(browser, url):
    response = browser.get(url)
    assert response.status_code == 200
    return response


def _version():
    _db.session.rollback()
    return _db.session.scalar(select(DataVersion.n))


def _version_triggers():
    if _db.engine.dialect.name == "postgresql":
        rows = _db.session.execute(text("SELECT event_object_table, event_manipulation FROM information_schema.triggers "
                                        "WHERE trigger_name = 'data_version'"))
        return {(table, event.lower()) for table, event in rows}
    names = _db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                     "AND name LIKE 'data_version_%'"))
    return {tuple(name.removeprefix("data_version_").rsplit("_", 1)) for name in names}


def test_every_table_a_page_can_show_moves_the_data_version(practitioner):
    shown = set(_db.metadata.tables) - NOT_SHOWN
    assert _version_triggers() == {(table, event) for table in shown for event in ("insert", "update", "delete")}

    before = _version()
    _db.session.execute(text("UPDATE person SET display_name = 'Renamed by a data fix' WHERE id = :id"),
                        {"id": practitioner.id})
    _db.session.commit()
    assert _version() > before
    before = _version()
    _db.session.execute(text("UPDATE auth_session SET last_seen_at = last_seen_at"))
    _db.session.commit()
    assert _version() == before  # reading pages (which touches sessions) keeps remembered pages


def test_changing_email_settings_keeps_every_remembered_page(as_person, consultation, practitioner, vcs):
    """The page does not show anyone's email settings, so changing them (and logging that) draws no page again."""
    from app.consultations import notifications

    url = f"/consultations/{consultation.id}"
    reader = as_person(vcs)
    _page(reader, url)
    before = _version()
    notifications.set_notification_settings(practitioner, consultation_emails=False, reply_emails=True)
    assert _version() == before
    with counting(_db.engine) as statements:
        _page(reader, url)
    # served remembered: the reader's own parts only, in a fixed number of statements (issue 15, memo)
    assert len([s for s in statements if not s.startswith("BEGIN")]) <= MEMO_HIT_STATEMENTS
    assert _page(reader, url).headers["X-Page-Memo"] == "hit"


def test_a_reader_gets_the_remembered_page_until_anything_changes(as_person, consultation, practitioner, vcs,
                                                                  facilitator):
    url = f"/consultations/{consultation.id}"
    reader = as_person(vcs)
    assert "Fresh words" not in _page(reader, url).get_data(as_text=True)
    with counting(_db.engine) as statements:
        _page(reader, url)
    queries = [s for s in statements if not s.startswith("BEGIN")]  # SQLite's BEGIN is sent as a statement
    # the session, the consultation with its versions, and the reader's own parts (issue 15, memo)
    assert len(queries) <= MEMO_HIT_STATEMENTS, queries

    comment = services.post_comment(practitioner, consultation, "Fresh words on the whole draft")
    assert "Fresh words on the whole draft" in _page(reader, url).get_data(as_text=True)
    moderation.hide(facilitator, comment, "off_topic")
    assert "Fresh words on the whole draft" not in _page(reader, url).get_data(as_text=True)

    # Changes made around the services are seen at once too: a data fix, the reader's own name.
    _db.session.execute(text("UPDATE consultation SET title = 'Retitled by a data fix' WHERE id = :id"),
                        {"id": consultation.id})
    _db.session.execute(text("UPDATE person SET display_name = 'Valerie V' WHERE id = :id"), {"id": vcs.id})
    _db.session.commit()
    html = _page(reader, url).get_data(as_text=True)
    assert "Retitled by a data fix" in html and "Signed in as Valerie V" in html


def test_a_remembered_page_is_only_ever_its_readers_own(as_person, consultation, young, vcs, facilitator):
    services.post_comment(young, consultation, "Waiting for a moderator to check it")
    url = f"/consultations/{consultation.id}"
    assert "Waiting for a moderator to check it" in _page(as_person(facilitator), url).get_data(as_text=True)
    assert "Waiting for a moderator to check it" not in _page(as_person(vcs), url).get_data(as_text=True)

    # Two sessions of one person: each page carries its own session's CSRF token and its own CSP nonce.
    tokens = []
    for browser in (as_person(vcs), as_person(vcs)):
        tokens.append(set())
        pages = []
        for _ in range(2):  # drawn, then remembered
            response = _page(browser, url)
            html = response.get_data(as_text=True)
            assert "\x00" not in html
            token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
            assert set(re.findall(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)) == {token}
            nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
            assert set(re.findall(r'nonce="([^"]+)"', html)) == {nonce}
            tokens[-1].add(token)
            html = re.sub(r'(submission" value=")[^"]+', r"\1KEY", html)  # one-time keys, fresh per page served
            pages.append(html.replace(token, "TOKEN").replace(nonce, "NONCE"))
        assert pages[0] == pages[1] and "\u2013" in pages[1]  # the same page, its en dashes (UTF-8) intact
    assert not tokens[0] & tokens[1]  # each session its own token, never one remembered for everyone


def test_a_message_after_a_change_shows_once(as_person, consultation, vcs, sections):
    url, section = f"/consultations/{consultation.id}", sections[0]
    reader = as_person(vcs)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', _page(reader, url).get_data(as_text=True)).group(1)
    response = reader.post(f"{url}/sections/{section.id}/vote",
                           data={"csrf_token": token, f"v{section.id}-choice": "support"})
    assert response.status_code == 303
    saved = f"Your vote on {section.title} has been saved"
    assert saved in _page(reader, url).get_data(as_text=True)
    assert saved not in _page(reader, url).get_data(as_text=True)
    assert saved not in _page(reader, url).get_data(as_text=True)


def test_the_full_page_and_its_htmx_fragment_are_kept_apart(as_person, consultation, practitioner, vcs):
    for n in range(5):
        services.post_comment(practitioner, consultation, f"Thread number {n}")
    reader = as_person(vcs)
    url = f"/consultations/{consultation.id}/comments?after=999999999"
    fragment = {"HX-Request": "true", "HX-Target": "more-general"}
    for _ in range(2):
        assert "<html" in _page(reader, url).get_data(as_text=True)
        assert "<html" not in reader.get(url, headers=fragment).get_data(as_text=True)


def test_a_remembered_page_ends_when_the_clock_closes_the_consultation(as_person, app, make_consultation, vcs,
                                                                      monkeypatch):
    consultation = make_consultation(closes_in=timedelta(hours=1))
    assert consultation.next_change_at() == consultation.closes_at
    url = f"/consultations/{consultation.id}"
    reader = as_person(vcs)
    for _ in range(2):
        html = _page(reader, url).get_data(as_text=True)
        assert "Comments and votes are welcome until" in html

    later = utcnow() + timedelta(hours=2)
    from app.consultations import models, queries
    from app import fragments
    for module in (models, queries, fragments):
        monkeypatch.setattr(module, "utcnow", lambda: later)
    html = _page(reader, url).get_data(as_text=True)
    assert "Comments and votes are no longer accepted" in html
    assert consultation.next_change_at(later) is None
