"""Journey (issue 17): a parent takes part in a consultation opened to parents, carers and the public.

Signed out, they open the front door, find the consultation open to the public and follow "register to comment";
they register with their email address as a parent or carer, confirm it from the email the SMTP server received,
comment on the whole draft and see it waiting for a moderator. A facilitator approves it from the queue, and it
shows as "A parent or carer", never their address. Then the parent tells us a child is being hurt: they are told it
went to the designated safeguarding lead, and where adults get help now. Walked at 320 px with JavaScript on and off, and at 1280 px.
"""
import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import Person
from app.consultations import services as consultations
from app.drafts.models import DraftVersion
from app.extensions import db
from app.timeutil import utcnow
from tests.browser.helpers import DESKTOP, PHONE, assert_fits_width, assert_no_axe_violations, sign_in, snap

PASSWORD = "a long and unguessable password"


@pytest.fixture
def public_consultation(live_server):
    """A consultation of its own on the shared server, open to all four audiences (the widest votes table)."""
    title = f"Help for families {uuid.uuid4().hex[:6]}"
    with live_server.app.app_context():
        facilitator = db.session.execute(select(Person).where(Person.email == "facilitator@demo.test")).scalar_one()
        version = db.session.execute(select(DraftVersion).where(DraftVersion.status == "published")
                                     .order_by(DraftVersion.id.desc()).limit(1)).scalar_one()
        now = utcnow()
        consultations.open_consultation(facilitator, version, title=title,
                                        audiences=["practitioners", "voluntary_and_community", "young_people", "public"],
                                        opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(weeks=4))
        db.session.remove()
    return title


@pytest.fixture
def mail_to_smtp(live_server, smtp):
    """The live server's outbox is sent to this test's SMTP server: `deliver()` sends what is queued."""
    config = live_server.app.config
    before = {key: config[key] for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_BACKEND")}
    config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_BACKEND="smtp")

    def deliver():
        result = live_server.app.test_cli_runner().invoke(args=["send-mail", "--once"])
        assert result.exit_code == 0, result.output

    yield deliver
    config.update(before)


def _person(browser, live_server, browser_errors, viewport, javascript=True):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, java_script_enabled=javascript,
                                  locale="en-GB", timezone_id="Europe/London")
    context.javascript_enabled = javascript  # read by the axe helper
    return browser_errors.watch(context.new_page())


def _check(page, viewport, name):
    assert_no_axe_violations(page)
    if viewport == PHONE:
        assert_fits_width(page)
    snap(page, name)


@pytest.mark.parametrize("javascript, viewport", [(True, PHONE), (False, PHONE), (True, DESKTOP)],
                         ids=["js-320", "nojs-320", "js-1280"])
def test_a_parent_registers_confirms_comments_and_is_shown_as_a_parent_or_carer(
        browser, live_server, browser_errors, smtp, mail_to_smtp, public_consultation, javascript, viewport):
    shot = f"public-audience-{'js' if javascript else 'nojs'}-{viewport['width']}"
    email = f"parent-{uuid.uuid4().hex[:8]}@example.org"
    words = f"Please explain the early help offer in plain words {uuid.uuid4().hex[:6]}"

    # The front door leads to registration beside the consultation open to the public.
    parent = _person(browser, live_server, browser_errors, viewport, javascript)
    parent.goto("/")
    expect(parent.locator("main")).to_contain_text(public_consultation)
    _check(parent, viewport, f"{shot}-1-front-door")
    parent.get_by_role("link", name=f"register to comment on “{public_consultation}”").click()

    # Registration: a mistake first, shown in the error summary, then done properly.
    expect(parent.get_by_role("heading", level=1, name=re.compile("Register to take part"))).to_be_visible()
    parent.get_by_label("Email address").fill(email)
    parent.get_by_role("button", name="Register").click()
    summary = parent.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose whether you are a parent or carer or a member of the public")
    _check(parent, viewport, f"{shot}-2-register-error")
    parent.get_by_label("I am a parent or carer").check()
    parent.get_by_label("Choose a password").fill(PASSWORD)
    parent.get_by_label("Type your password again").fill(PASSWORD)
    parent.get_by_role("button", name="Register").click()
    expect(parent.get_by_role("heading", name="Check your email")).to_be_visible()
    _check(parent, viewport, f"{shot}-3-check-email")

    # The email the SMTP server received holds the link; following it shows a button, which confirms.
    mail_to_smtp()
    [message] = [m for m in smtp.messages if m["To"] == email]
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/register/confirm/\S+)", text).group(1)
    parent.goto(link)
    _check(parent, viewport, f"{shot}-4-confirm")
    parent.get_by_role("button", name="Confirm my email address").click()
    expect(parent.get_by_text("Your email address is confirmed")).to_be_visible()
    parent.get_by_role("link", name=public_consultation).click()

    # They comment on the whole draft and see it waiting for a moderator.
    general = parent.locator("#general")
    general.get_by_label("Your comment on the whole draft").fill(words)
    general.get_by_role("button", name="Post comment").click()
    expect(parent.get_by_text("A moderator will check it before anyone else can see it").first).to_be_visible()
    expect(parent.locator("main")).to_contain_text("Waiting for a moderator: only you can see it for now")
    _check(parent, viewport, f"{shot}-5-pending")

    # A facilitator approves it from the queue; it shows as "A parent or carer", never the address.
    facilitator = _person(browser, live_server, browser_errors, viewport)
    sign_in(facilitator, "facilitator@demo.test")
    facilitator.goto("/moderation")
    item = facilitator.locator(".portal-queue__item").filter(has_text=words)
    expect(item).to_contain_text("A parent or carer")
    expect(facilitator.locator("main")).not_to_contain_text(email)
    item.get_by_role("button", name=re.compile("Approve")).click()
    expect(facilitator.get_by_text("The comment has been published")).to_be_visible()
    facilitator.goto("/")
    facilitator.get_by_role("link", name=public_consultation).first.click()
    comment = facilitator.locator("#general").get_by_text(words)
    expect(comment).to_be_visible()
    expect(facilitator.locator("#general")).to_contain_text("A parent or carer")
    expect(facilitator.locator("main")).not_to_contain_text(email)
    _check(facilitator, viewport, f"{shot}-6-approved")

    parent.reload()
    expect(parent.locator("#general")).to_contain_text(words)
    expect(parent.locator("main")).not_to_contain_text("Waiting for a moderator: only you can see it for now")

    # A parent tells us about harm to their child: it goes to the DSL, and they are told so, with help for adults.
    general = parent.locator("#general")
    general.get_by_label("Your comment on the whole draft").fill(
        f"My partner hits my son when he drinks and I don't know who to tell {uuid.uuid4().hex[:6]}")
    general.get_by_role("button", name="Post comment").click()
    expect(parent.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    told = parent.locator("main")
    for text in ("designated safeguarding lead", "call 999", "0808 800 5000", "cannot be kept confidential"):
        expect(told).to_contain_text(text)
    expect(told).not_to_contain_text("Childline")
    _check(parent, viewport, f"{shot}-7-told-about-harm")
    for page in (parent, facilitator):
        page.context.close()
