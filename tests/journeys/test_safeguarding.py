"""Journey: a child tells us they are being hurt, in a comment, and the right person knows at once.

A young person joins with their group's code and posts a disclosure on a section; they see, in the confirmation
itself, who will read it, that it cannot be kept secret and where to get help now. The designated safeguarding
lead sees it on their home page and confirms it; a facilitator cannot publish it; the scrutineer's export does not
hold the words. Walked with JavaScript on at 1280 px and with JavaScript off at 320 px (a phone).

A second journey: the group's youth worker gives a member a reset code in person, suspends and reactivates the
account, and stops an invite code that was shared too widely.
"""
import io
import re
import uuid
import zipfile
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.moderation import services as moderation
from app.moderation.demo import DEMO_CODE, DEMO_GROUP, load_demo_moderation
from app.partnerships.services import current_partnership
from app.timeutil import utcnow
from tests.browser.helpers import DESKTOP, PHONE, assert_fits_width, assert_no_axe_violations, sign_in, snap

PASSWORD = "a long and unguessable password"


@pytest.fixture
def demo_code(live_server):
    with live_server.app.app_context():
        load_demo_moderation(current_partnership(), {})  # idempotent: the demo invite code
        db.session.remove()
    return DEMO_CODE


def _join(page, code, username):
    page.goto("/join")
    page.get_by_label("Your code").fill(code)
    page.get_by_label("Choose a username").fill(username)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type your password again").fill(PASSWORD)
    page.get_by_label(re.compile("I have read the rules")).check()
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", name="You have joined")).to_be_visible()


@pytest.mark.parametrize("javascript, viewport", [(True, DESKTOP), (False, PHONE)], ids=["js-1280", "nojs-320"])
def test_a_disclosure_in_a_comment_reaches_the_dsl_and_nobody_else(
        browser, live_server, browser_errors, demo_code, javascript, viewport):
    def person():
        context = browser.new_context(base_url=live_server.url, viewport=viewport, java_script_enabled=javascript,
                                      locale="en-GB", timezone_id="Europe/London")
        context.javascript_enabled = javascript  # read by the axe helper
        return browser_errors.watch(context.new_page())

    words = f"someone at home hurts me {uuid.uuid4().hex[:6]}" if javascript else \
        f"my stepdad hits me {uuid.uuid4().hex[:6]}"
    shot = f"safeguarding-{'js' if javascript else 'nojs'}"

    # The young person joins and tells us, as a comment on a section.
    young = person()
    _join(young, demo_code, f"otter-{uuid.uuid4().hex[:6]}")
    young.goto("/")
    young.locator("h2:has-text('Consultations open to you') + ul a").first.click()
    section = young.locator("section.portal-section",
                            has=young.get_by_role("heading", name=re.compile("Domestic abuse")))
    section.get_by_label(re.compile("Your comment on Domestic abuse")).fill(words)
    section.get_by_role("button", name="Post comment").click()

    expect(young.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    help_now = young.locator("main")
    for text in ("a person whose job is to keep young people safe", "We cannot keep it secret if you are in danger",
                 "call 999", "0800 1111", "childline.org.uk", "your youth worker"):
        expect(help_now).to_contain_text(text)
    expect(young.get_by_role("heading", name="Get help now")).to_be_in_viewport()  # not out of view
    assert_no_axe_violations(young)
    if viewport == PHONE:
        assert_fits_width(young)
    snap(young, f"{shot}-1-young-person-told")
    comment_id = int(re.search(r"/comments/(\d+)/", young.url).group(1))

    # The DSL sees it on their home page, reads it and confirms it.
    dsl = person()
    sign_in(dsl, "dsl@demo.test")
    expect(dsl.get_by_text(re.compile(r"possible disclosures? (is|are) waiting for your review"))).to_be_visible()
    assert_no_axe_violations(dsl)
    if viewport == PHONE:
        assert_fits_width(dsl)
    snap(dsl, f"{shot}-2-dsl-home")
    dsl.get_by_role("link", name=re.compile(r"Safeguarding concern \d+")).first.click()
    concern_link = dsl.url
    # the newest concern is first; make sure it is this one
    expect(dsl.locator("main")).to_contain_text(words)
    expect(dsl.locator("main")).to_contain_text("Possible disclosure — not yet reviewed")
    dsl.get_by_label("Yes, or it might be: treat it as a safeguarding concern").check()
    dsl.get_by_role("button", name="Save review").click()
    expect(dsl.get_by_text("Confirmed as a safeguarding concern")).to_be_visible()
    expect(dsl.locator("main")).to_contain_text("Confirmed by the designated safeguarding lead")
    assert_no_axe_violations(dsl)
    if viewport == PHONE:
        assert_fits_width(dsl)
    snap(dsl, f"{shot}-3-dsl-confirmed")
    assert "/concerns/" in concern_link

    # A facilitator cannot see it, so cannot publish it.
    facilitator = person()
    sign_in(facilitator, "facilitator@demo.test")
    facilitator.goto("/moderation")
    expect(facilitator.locator("main")).not_to_contain_text(words)
    browser_errors.expect_status(404)
    facilitator.goto(f"/moderation/comments/{comment_id}")
    expect(facilitator.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(facilitator.get_by_role("button", name=re.compile("Approve"))).to_have_count(0)

    # The scrutineer's export holds a marker, not the words.
    scrutineer = person()
    sign_in(scrutineer, "scrutineer@demo.test")
    consultation_id = _consultation_of(live_server, comment_id)
    scrutineer.goto(f"/scrutiny/consultations/{consultation_id}")
    if javascript:
        with scrutineer.expect_download() as download:
            scrutineer.get_by_role("button", name="Download the export (ZIP)").click()
        data = open(download.value.path(), "rb").read()
    else:
        href = scrutineer.get_by_role("button", name="Download the export (ZIP)").get_attribute("href")
        data = scrutineer.request.get(href).body()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert words.encode() not in everything
    assert b"[withheld: safeguarding concern" in everything

    for page in (young, dsl, facilitator, scrutineer):
        page.context.close()


def _consultation_of(live_server, comment_id):
    from app.consultations.models import Comment

    with live_server.app.app_context():
        consultation_id = db.session.get(Comment, comment_id).consultation_id
        db.session.remove()
    return consultation_id


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "320"])
def test_a_youth_worker_looks_after_their_groups_accounts(browser, live_server, browser_errors, demo_code, viewport):
    def person(javascript=True):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, java_script_enabled=javascript,
                                      locale="en-GB", timezone_id="Europe/London")
        context.javascript_enabled = javascript
        return browser_errors.watch(context.new_page())

    username = f"heron-{uuid.uuid4().hex[:6]}"
    young = person(javascript=False)
    _join(young, demo_code, username)
    young.context.clear_cookies()  # they sign out and forget their password

    worker = person()
    sign_in(worker, "youth.worker@demo.test")
    worker.get_by_role("link", name=f"{DEMO_GROUP}: members and invite codes").click()
    member = worker.locator(".portal-records__item", has_text=username)
    expect(member).to_contain_text("Joined")
    expect(member).to_contain_text("Has not taken part yet")
    assert_no_axe_violations(worker)
    assert_fits_width(worker)
    snap(worker, "youth-worker-1-group")
    member.get_by_role("button", name=f"Give a password reset code to {username}").click()
    code = worker.locator("#reset-code").inner_text()
    expect(worker.get_by_text("you will not see it again", exact=False)).to_be_visible()
    assert_fits_width(worker)
    snap(worker, "youth-worker-2-reset-code")

    young.goto("/password/forgotten")
    young.get_by_role("link", name="set a new password with your code").click()
    young.get_by_label("Your username").fill(username)
    young.get_by_label("Your reset code").fill(code)
    young.get_by_label("Choose a new password").fill("heron lantern meadow river")
    young.get_by_label("Type your new password again").fill("heron lantern meadow river")
    young.get_by_role("button", name="Set my new password").click()
    expect(young.get_by_text("Your new password is set")).to_be_visible()
    assert_fits_width(young)
    young.context.clear_cookies()

    worker.goto("/")
    worker.get_by_role("link", name=f"{DEMO_GROUP}: members and invite codes").click()
    worker.locator(".portal-records__item", has_text=username).get_by_role(
        "link", name=f"Suspend {username}").click()
    worker.get_by_role("button", name="Suspend account").click()
    expect(worker.get_by_text("Enter why you are suspending this account").first).to_be_visible()
    worker.get_by_label("Why are you suspending this account?").fill("Shared their password with a friend")
    worker.get_by_role("button", name="Suspend account").click()
    expect(worker.get_by_text(f"{username}’s account is suspended")).to_be_visible()
    expect(worker.locator(".portal-records__item", has_text=username)).to_contain_text("Suspended")

    young.goto("/login")
    young.get_by_label("Email address or username").fill(username)
    young.get_by_label("Password", exact=True).fill("heron lantern meadow river")
    young.get_by_role("button", name="Sign in").click()
    expect(young.locator(".govuk-error-summary")).to_be_visible()

    worker.locator(".portal-records__item", has_text=username).get_by_role(
        "button", name=f"Reactivate {username}").click()
    expect(worker.get_by_text(f"{username} can sign in again")).to_be_visible()

    # A code shared too widely is stopped; the next person to try it is told so.
    with live_server.app.app_context():
        group = next(o for o in current_partnership().organisations if o.name == DEMO_GROUP)
        invite, leaked = moderation.issue_invite_code(None, group, max_uses=30, expires_at=utcnow() + timedelta(days=30))
        invite_id = invite.id
        db.session.remove()
    worker.reload()
    worker.locator(f"#code-{invite_id}").get_by_role("link", name=re.compile("Change or stop")).click()
    worker.get_by_role("button", name="Stop this code").click()
    expect(worker.get_by_text("The code has been stopped")).to_be_visible()
    expect(worker.locator(f"#code-{invite_id}")).to_contain_text("revoked")
    snap(worker, "youth-worker-3-code-stopped")

    stranger = person(javascript=False)
    stranger.goto("/join")
    stranger.get_by_label("Your code").fill(leaked)
    stranger.get_by_label("Choose a username").fill(f"stranger-{uuid.uuid4().hex[:6]}")
    stranger.get_by_label("Choose a password").fill(PASSWORD)
    stranger.get_by_label("Type your password again").fill(PASSWORD)
    stranger.get_by_label(re.compile("I have read the rules")).check()
    stranger.get_by_role("button", name="Join").click()
    expect(stranger.locator(".govuk-error-summary")).to_contain_text("That code has been stopped by your group leader")
    for page in (young, worker, stranger):
        page.context.close()
