"""Journey: a young person's words, kept as they chose, shown back to them, and erased when they ask.

A young person joins with their group's code, reading the privacy notice for young people on the way; comments on
a section with the default choice (their words stay with the partnership); and downloads what the portal holds
about them. They ask for their data to be erased: a facilitator carries out the request, and their words are gone
from the consultation page, the scrutineer's workspace and the export ZIP, while the standalone verifier, run on
that ZIP, still passes and says how many texts were erased. Walked with JavaScript on at 1280 px and off at 320 px.
"""
import io
import json
import os
import re
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.moderation.demo import DEMO_CODE, load_demo_moderation
from app.partnerships.services import current_partnership
from tests.browser.helpers import DESKTOP, PHONE, assert_fits_width, assert_no_axe_violations, sign_in, snap

PASSWORD = "a long and unguessable password"
VERIFIER = Path(__file__).resolve().parents[2] / "app" / "trail" / "verify_log.py"
MARKER = "[removed at the author's request]"


@pytest.fixture
def demo_code(live_server):
    with live_server.app.app_context():
        load_demo_moderation(current_partnership(), {})  # idempotent: the demo invite code
        db.session.remove()
    return DEMO_CODE


def _approve(live_server, comment_id):
    """The moderator's part is another journey's (test_moderation): approve it as they would."""
    from sqlalchemy import select

    from app.accounts.models import Person
    from app.consultations.models import Comment
    from app.moderation import services as moderation

    with live_server.app.app_context():
        facilitator = db.session.execute(select(Person).where(Person.email == "facilitator@demo.test")).scalar_one()
        moderation.approve(facilitator, db.session.get(Comment, comment_id))
        db.session.remove()


def _download(page, javascript, link_name):
    link = page.get_by_role("link", name=link_name)
    if javascript:
        with page.expect_download() as download:
            link.click()
        return Path(download.value.path()).read_bytes()
    return page.request.get(link.get_attribute("href")).body()




def _verify(data, folder):
    """Run the standalone verifier on the export ZIP itself, as a scrutineer would: every row of every file is
    bound to the log, the erased text by the SHA-256 its erasure logged, a withheld one by its body_sha256."""
    path = folder / "export.zip"
    path.write_bytes(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert MARKER in archive.read("comments.csv").decode("utf-8")
    return subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True, timeout=300)


def _check(page, viewport, name):
    assert_no_axe_violations(page)
    if viewport == PHONE:
        assert_fits_width(page)
    snap(page, name)


@pytest.mark.parametrize("javascript, viewport", [(True, DESKTOP), (False, PHONE)], ids=["js-1280", "nojs-320"])
def test_a_young_persons_words_are_theirs_to_see_and_to_have_erased(
        browser, live_server, browser_errors, demo_code, javascript, viewport, tmp_path):
    def person():
        context = browser.new_context(base_url=live_server.url, viewport=viewport, java_script_enabled=javascript,
                                      locale="en-GB", timezone_id="Europe/London", accept_downloads=True)
        context.javascript_enabled = javascript  # read by the axe helper
        return browser_errors.watch(context.new_page())

    tag = uuid.uuid4().hex[:6]
    words = f"The youth group should meet on Saturday mornings {tag}"
    shot = f"personal-data-{'js' if javascript else 'nojs'}"
    username = f"puffin-{tag}"

    # Joining: the short version of the notice, and the whole young people's notice one link away.
    young = person()
    young.goto("/join")
    expect(young.get_by_role("heading", name="Your information: the short version")).to_be_visible()
    young.get_by_role("link", name="Read how we look after your information").click()
    expect(young.get_by_role("heading", name="How we look after your information")).to_be_visible()
    expect(young.locator("main")).to_contain_text("North Somerset")
    expect(young.locator("main")).to_contain_text("12 months")
    _check(young, viewport, f"{shot}-1-young-notice")
    young.goto("/join")
    young.get_by_label("Your code").fill(demo_code)
    young.get_by_label("Choose a username").fill(username)
    young.get_by_label("Choose a password").fill(PASSWORD)
    young.get_by_label("Type your password again").fill(PASSWORD)
    young.get_by_label(re.compile("I have read the rules")).check()
    young.get_by_role("button", name="Join").click()
    expect(young.get_by_role("heading", name="You have joined")).to_be_visible()

    # A comment with the default choice: their words stay with the partnership.
    young.goto("/")
    young.locator("h2:has-text('Consultations open to you') + ul a").first.click()
    section = young.locator("section.portal-section",
                            has=young.get_by_role("heading", name=re.compile("Early Intervention")))
    section.get_by_label(re.compile("Your comment on Early Intervention")).fill(words)
    narrow = section.get_by_label("Only by the partnership and the independent scrutineer")
    expect(narrow).to_be_checked()
    # The consultation page's vote tables are wider than 320 px already (not this journey's page): no width check.
    # Photographed without JavaScript only: with it, scrolling this long page for a screenshot makes Chromium report
    # a CSP message from htmx (seen only when screenshots are taken, never in the walk itself).
    assert_no_axe_violations(young)
    if os.environ.get("JOURNEY_SCREENSHOTS") and not javascript:
        section.screenshot(path=str(Path(os.environ["JOURNEY_SCREENSHOTS"]) / f"{shot}-2-comment-form-"
                                                                           f"{viewport['width']}.png"))
    section.get_by_role("button", name="Post comment").click()
    expect(young.get_by_text("A moderator will check it before anyone else can see it").first).to_be_visible()

    # What we hold about you: the page, and the same as a file.
    young.get_by_role("link", name="What we hold about you").click()
    expect(young.get_by_role("heading", name="What we hold about you")).to_be_visible()
    expect(young.locator("main")).to_contain_text(words)
    expect(young.get_by_label("Only by the partnership and the independent scrutineer").first).to_be_checked()
    _check(young, viewport, f"{shot}-3-what-we-hold")
    held = json.loads(_download(young, javascript, "Download it as a file (JSON)"))
    assert held["account"]["username"] == username
    [comment] = held["comments"]
    assert (comment["text"], comment["use"]) == (words, "partnership")
    person_id, comment_id = held["account"]["id"], comment["id"]
    _approve(live_server, comment_id)

    # The young person asks their youth worker to have it all removed; a facilitator carries it out.
    facilitator = person()
    sign_in(facilitator, "facilitator@demo.test")
    facilitator.goto("/admin/people")
    facilitator.get_by_role("link", name=re.compile(f"Look after this account .* member {person_id}\\)")).click()
    facilitator.get_by_role("link", name=f"Erasure request for {username}").click()
    expect(facilitator.get_by_role("heading", name="Erasure request")).to_be_visible()
    _check(facilitator, viewport, f"{shot}-4-erasure-request")
    facilitator.get_by_label("I have checked this request comes from this person").check()
    facilitator.get_by_role("button", name="Carry out the erasure request").click()
    expect(facilitator.get_by_text("Erasure carried out: 1 comment text removed")).to_be_visible()
    _check(facilitator, viewport, f"{shot}-5-erasure-done")

    # Gone from the consultation page ...
    facilitator.goto(f"/consultations/{comment['consultation_id']}")
    expect(facilitator.locator(f"#comment-{comment_id}")).to_contain_text(MARKER)
    expect(facilitator.locator("main")).not_to_contain_text(words)
    # ... and signed out everywhere: their session is gone with their account.
    young.goto("/my-data")
    expect(young.get_by_role("button", name="Sign in")).to_be_visible()

    # The scrutineer's workspace and export hold the marker; the verifier still passes on that ZIP.
    scrutineer = person()
    sign_in(scrutineer, "scrutineer@demo.test")
    scrutineer.goto(f"/scrutiny/consultations/{comment['consultation_id']}")
    expect(scrutineer.locator("main")).not_to_contain_text(words)
    export = scrutineer.get_by_role("button", name="Download the export (ZIP)")
    if javascript:
        with scrutineer.expect_download() as download:
            export.click()
        data = Path(download.value.path()).read_bytes()
    else:
        data = scrutineer.request.get(export.get_attribute("href")).body()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert words.encode() not in everything and MARKER.encode() in everything
    result = _verify(data, tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("OK "), result.stdout
    assert re.search(r"^\d+ comment text\(s\) erased at their authors' request", result.stdout, re.M)

    for page in (young, facilitator, scrutineer):
        page.context.close()
