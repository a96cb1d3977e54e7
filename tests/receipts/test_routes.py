"""Downloading a receipt (its author only) and the public "Check a receipt" page, with and without JavaScript."""
import io
import json
import re

import pytest
from sqlalchemy import select

from app.consultations import services
from app.consultations.models import Comment, Vote
from app.extensions import db as _db
from app.receipts import services as receipts
from tests.receipts.helpers import comment_receipt, with_entry


@pytest.fixture
def token(client, csrf):
    return lambda: csrf(client, "/")


def _html(response):
    return response.get_data(as_text=True)


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Content-Disposition"].startswith("attachment; filename=\"receipt-")
    return json.loads(response.get_data(as_text=True))


def _receipt_link(html):
    match = re.search(r'href="(/(?:comments|votes)/\d+/receipt)" download>Download your receipt', html)
    assert match, "no receipt link"
    return match.group(1)


def test_after_commenting_without_javascript_the_page_links_the_receipt(client, login, consultation, practitioner,
                                                                        token):
    login(practitioner)
    response = client.post(f"/consultations/{consultation.id}/comments",
                           data={"c-general-body": "Add school nurses", "csrf_token": token()})
    assert response.status_code == 303
    comment = _db.session.scalars(select(Comment)).one()
    page = _html(client.get(response.headers["Location"]))
    assert _receipt_link(page) == f"/comments/{comment.id}/receipt"
    assert f'href="/comments/{comment.id}/receipt" download>Download a receipt' in page  # beside the comment
    receipt = _download(client, f"/comments/{comment.id}/receipt")
    assert receipt["entry_decoded"]["subject"] == f"comment:{comment.id}"
    assert "Add school nurses" not in json.dumps(receipt)


def test_after_commenting_with_htmx_the_fragment_links_the_receipt(client, login, consultation, practitioner, token):
    login(practitioner)
    response = client.post(f"/consultations/{consultation.id}/comments", data={"c-general-body": "Via htmx"},
                           headers={"HX-Request": "true", "HX-Target": "comments-general", "X-CSRFToken": token()})
    html = _html(response)
    assert response.status_code == 200 and "<html" not in html
    comment = _db.session.scalars(select(Comment)).one()
    assert _receipt_link(html) == f"/comments/{comment.id}/receipt"


def test_a_reply_and_a_vote_link_their_receipts(client, login, consultation, sections, practitioner, vcs, token):
    parent = services.post_comment(vcs, consultation, "A parent comment", section=sections[0])
    login(practitioner)
    response = client.post(f"/comments/{parent.id}/reply", data={f"r{parent.id}-body": "A reply", "csrf_token": token()})
    reply = _db.session.scalars(select(Comment).where(Comment.parent_id == parent.id)).one()
    assert _receipt_link(_html(client.get(response.headers["Location"]))) == f"/comments/{reply.id}/receipt"
    assert _download(client, f"/comments/{reply.id}/receipt")["entry_decoded"]["action"] == "reply.posted"
    sid = sections[0].id
    url = f"/consultations/{consultation.id}/sections/{sid}/vote"
    response = client.post(url, data={f"v{sid}-choice": "support", "csrf_token": token()})
    vote = _db.session.scalars(select(Vote)).one()
    page = _html(client.get(response.headers["Location"]))
    assert _receipt_link(page) == f"/votes/{vote.id}/receipt"
    assert f'href="/votes/{vote.id}/receipt" download>Download a receipt for your vote' in page  # beside the vote
    fragment = _html(client.post(url, data={f"v{sid}-choice": "oppose"},
                                 headers={"HX-Request": "true", "HX-Target": f"vote-s{sid}", "X-CSRFToken": token()}))
    assert _receipt_link(fragment) == f"/votes/{vote.id}/receipt"
    assert _download(client, f"/votes/{vote.id}/receipt")["entry_decoded"]["action"] == "vote.changed"


def test_only_the_author_may_download_a_receipt(client, login, as_person, consultation, sections, practitioner, vcs,
                                                facilitator, scrutineer):
    comment = services.post_comment(practitioner, consultation, "Mine alone", section=sections[0])
    vote = services.cast_vote(practitioner, consultation, sections[0], "support")
    urls = [f"/comments/{comment.id}/receipt", f"/votes/{vote.id}/receipt"]
    for other in (vcs, facilitator, scrutineer):
        browser = as_person(other)
        for url in urls:
            assert browser.get(url).status_code == 404, (other.display_name, url)
    for url in urls:
        response = client.get(url)  # not signed in
        assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    assert client.get("/comments/999999/receipt").status_code in (302, 303)
    login(practitioner)
    assert client.get("/comments/999999/receipt").status_code == 404
    for url in urls:
        _download(client, url)


def test_the_check_page_is_public_and_linked_from_the_footer(client):
    page = _html(client.get("/receipts/check"))
    assert "<h1 class=\"govuk-heading-l\">Check a receipt</h1>" in page
    assert 'href="/receipts/check">Check a receipt</a>' in page
    assert 'enctype="multipart/form-data"' in page


def _check(client, csrf, text=None, upload=None, htmx=False):
    token = csrf(client, "/receipts/check")
    data = {"receipt_text": text or ""}
    if upload is not None:
        data["receipt_file"] = (io.BytesIO(upload), "receipt.json")
    if htmx:
        return client.post("/receipts/check", data=data, content_type="multipart/form-data",
                           headers={"HX-Request": "true", "HX-Target": "receipt-checker", "X-CSRFToken": token})
    return client.post("/receipts/check", data={**data, "csrf_token": token}, content_type="multipart/form-data")


def _errors(html):
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary"
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", summary.group(0), re.S)]


@pytest.mark.parametrize("how", ["paste", "upload", "htmx"])
def test_the_check_page_accepts_a_good_receipt(client, csrf, consultation, sections, practitioner, how):
    comment = services.post_comment(practitioner, consultation, "Checked on the page", section=sections[0])
    text = receipts.to_json(comment_receipt(comment, practitioner))
    response = _check(client, csrf, text=text if how == "paste" else None,
                      upload=text.encode() if how != "paste" else None, htmx=how == "htmx")
    html = _html(response)
    assert response.status_code == 200
    assert ("<html" in html) == (how != "htmx")
    assert "Your entry is in the consultation log" in html and "There is a problem" not in html
    assert consultation.title in html and "A comment" in html
    assert re.search(r"Still in today’s log\s*</dt>\s*<dd[^>]*>\s*Yes", html)


@pytest.mark.parametrize("damage,message", [
    (lambda r: with_entry(r, lambda e: e["data"].update(section=999)), "The inclusion proof does not lead"),
    (lambda r: {**r, "inclusion_proof": list(reversed(r["inclusion_proof"]))}, "The inclusion proof does not lead"),
    (lambda r: {**r, "checkpoint": r["checkpoint"].replace("\n\u2014 ", "\n\u2014 x")},
     "The checkpoint’s signature does not verify"),
    (lambda r: {**r, "index": r["index"] + 1}, "is not its entry’s place in the log"),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_the_check_page_refuses_a_tampered_receipt_with_one_line(client, csrf, consultation, sections, practitioner,
                                                                  vcs, damage, message, htmx):
    services.post_comment(vcs, consultation, "Before", section=sections[0])
    comment = services.post_comment(practitioner, consultation, "Checked", section=sections[0])
    services.post_comment(vcs, consultation, "After", section=sections[0])
    receipt = damage(comment_receipt(comment, practitioner))
    response = _check(client, csrf, text=json.dumps(receipt), htmx=htmx)
    html = _html(response).replace("&#39;", "’").replace("'", "’")
    assert response.status_code == 200 and "Traceback" not in html
    errors = _errors(html)
    assert len(errors) == 1 and message in errors[0], errors
    assert "Your entry is in the consultation log" not in html
    if not htmx:
        assert "<title>Error: Check a receipt" in html


@pytest.mark.parametrize("text,upload,message", [
    ("", None, "Upload your receipt file or paste its text"),
    ("{oops", None, "not valid JSON"),
    ('{"format": "consultation-receipt/1"}', None, "has no origin"),
    (None, b"\xff\xfe\x00binary", "not a receipt: a receipt is text"),
    (None, b"{" + b" " * 70_000 + b"}", "at most 64 KB"),
])
def test_the_check_page_refuses_what_is_not_a_receipt(client, csrf, app, text, upload, message):
    response = _check(client, csrf, text=text, upload=upload)
    html = _html(response).replace("&#39;", "’")
    assert response.status_code == 200
    errors = _errors(html)
    assert len(errors) == 1 and message in errors[0], errors


def test_the_check_page_needs_its_csrf_token(client):
    assert client.post("/receipts/check", data={"receipt_text": "{}"}).status_code == 400


def test_the_check_page_says_not_in_todays_log_after_a_rewrite(client, csrf, db, consultation, sections, practitioner):
    from tests.trail.test_append_only import rewrite_from

    comment = services.post_comment(practitioner, consultation, "Rewritten away", section=sections[0])
    text = receipts.to_json(comment_receipt(comment, practitioner))
    rewrite_from(db, 3)
    html = _html(_check(client, csrf, text=text))
    assert "today’s log no longer holds it" in html
    assert re.search(r"Still in today’s log\s*</dt>\s*<dd[^>]*>\s*No: ", html)
    assert "history was rewritten" in html and "independent scrutineer" in html


def test_a_download_makes_a_checkpoint_when_none_covers_the_entry(app, client, login, consultation, sections,
                                                                  practitioner):
    from app.trail import signing, tree

    app.config["RECEIPT_EMAILS"] = False  # so no emailed receipt has made one already
    comment = services.post_comment(practitioner, consultation, "Not yet covered", section=sections[0])
    before = signing.latest()
    assert before is None or before.size < tree.size()  # no checkpoint holds the new entry yet
    login(practitioner)
    receipt = _download(client, f"/comments/{comment.id}/receipt")
    latest = signing.latest()
    assert latest.reason == "receipt" and latest.size == tree.size() > receipt["index"]
    assert receipt["checkpoint"] == latest.note
    assert _download(client, f"/comments/{comment.id}/receipt")["checkpoint"] == latest.note  # kept, not re-made
    assert receipts.check(receipts.to_json(receipt)).in_todays_log


def test_checks_are_rate_limited_per_address(app, client, csrf):
    from app.extensions import limiter

    limiter.reset()
    token = csrf(client, "/receipts/check")
    statuses = [client.post("/receipts/check", data={"receipt_text": "{}", "csrf_token": token}).status_code
                for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    limiter.reset()


def test_another_reader_sees_no_receipt_link_on_a_remembered_page(client, login, as_person, make_person,
                                                                 consultation, sections, practitioner):
    from app.accounts.models import Role

    login(practitioner)
    comment = services.post_comment(practitioner, consultation, "Only I get the link", section=sections[0])
    mine = _html(client.get(f"/consultations/{consultation.id}"))
    assert f"/comments/{comment.id}/receipt" in mine
    colleague = as_person(make_person(Role.PRACTITIONER))  # the same kind of reader, whose page may be remembered
    for _ in range(2):
        theirs = _html(colleague.get(f"/consultations/{consultation.id}"))
        assert "Only I get the link" in theirs and f"/comments/{comment.id}/receipt" not in theirs
