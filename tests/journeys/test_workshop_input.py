"""Journey: a youth worker types in a workshop's six comments with a photo of its flipchart; one of them tells us a
child is being hurt, and it reaches the designated safeguarding lead at once. A facilitator attaches an easy read
PDF to the draft, and a reader downloads it.

The youth worker records the session (the North Somerset Youth Council workshop, 12 people), uploads the flipchart
photo through the file input (set_input_files: a plain multipart form, so it works with JavaScript off), and types in
six comments against the sections. The one that says "my stepdad hits me when he drinks" is held: the youth worker is
told it went to the DSL, the DSL's email arrives (at the tests' SMTP server), and the DSL signs in, finds it under
Concerns and reads it, with who typed it in. The facilitator attaches an easy read PDF from the draft's page; a
practitioner sees it on the consultation page, tagged "Easy read", and downloads it. Walked with JavaScript on at
1280 px and off at 320 px.
"""
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (DESKTOP, PHONE, assert_fits_width, assert_no_axe_violations, sign_in, snap)
from tests.journeys import builders
from tests.fixtures import files
from tests.smtp import smtp  # noqa: F401  (a fixture)

DISCLOSURE = "my stepdad hits me when he drinks"
SECTIONS = ["Safe places for young people", "Who to tell"]
SAID = [(SECTIONS[0], "More youth clubs that stay open late"), (SECTIONS[0], "Better lighting at the bus station"),
        (SECTIONS[1], "A school nurse you can text"), (SECTIONS[1], DISCLOSURE),
        (SECTIONS[1], "Teachers who listen without telling everyone"), (None, "Ask us again next year")]
VOICE = "Participants in the North Somerset Youth Council workshop, 12 people"


def _consultation(live_server, run):
    """An open consultation of the demo partnership for young people and practitioners, with two sections."""
    return builders.open_consultation(
        live_server, draft_title=f"Young people's safety {run}", title=f"Keeping young people safe {run}",
        sections={title: f"What we propose about {title.lower()}." for title in SECTIONS},
        audiences=["young_people", "practitioners"])


@pytest.mark.parametrize("javascript, viewport", [(True, DESKTOP), (False, PHONE)], ids=["js-1280", "nojs-320"])
def test_a_workshops_words_are_entered_and_a_disclosure_reaches_the_dsl(
        browser, live_server, browser_errors, smtp, tmp_path, javascript, viewport):
    run = uuid.uuid4().hex[:6]
    shot = f"workshop-{'js' if javascript else 'nojs'}"
    consultation_id, draft_id = _consultation(live_server, run)
    title = f"Keeping young people safe {run}"
    disclosure = f"{DISCLOSURE} ({run})"

    def person():
        context = browser.new_context(base_url=live_server.url, viewport=viewport, java_script_enabled=javascript,
                                      locale="en-GB", timezone_id="Europe/London", accept_downloads=True)
        context.javascript_enabled = javascript
        return browser_errors.watch(context.new_page())

    def check(page, name):
        assert_no_axe_violations(page)
        if viewport == PHONE:
            assert_fits_width(page)
        snap(page, f"{shot}-{name}")

    # The youth worker records the session.
    worker = person()
    sign_in(worker, "youth.worker@demo.test")
    worker.get_by_role("link", name="Workshop input").click()
    expect(worker.get_by_role("heading", name="Workshop and paper input", level=1)).to_be_visible()
    worker.get_by_role("link", name=f"Record a session for “{title}”").click()
    check(worker, "1-record-form")
    worker.get_by_role("button", name="Record the session").click()  # nothing filled in: the errors say what
    expect(worker.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(worker.locator(".govuk-error-summary")).to_contain_text("Enter the date the session was held")
    check(worker, "2-record-errors")
    from app.workshops.services import today_in_london
    today = today_in_london()
    worker.get_by_label("Day").fill(str(today.day))
    worker.get_by_label("Month").fill(str(today.month))
    worker.get_by_label("Year").fill(str(today.year))
    expect(worker.get_by_label("Group", exact=True)).to_have_value(re.compile(r"\d+"))  # their own group
    worker.get_by_label("How many people took part?").fill("12")
    worker.get_by_label("Workshop").check()
    worker.get_by_label("Young people's groups").check()
    worker.get_by_role("button", name="Record the session").click()
    expect(worker.get_by_role("heading", name=VOICE)).to_be_visible()

    # The flipchart photo, through the file input (a phone's photo: EXIF with a camera and a GPS position).
    photo = tmp_path / "flipchart.jpg"
    photo.write_bytes(files.image(size=(320, 240)))
    worker.get_by_label("Upload a photo or scan").set_input_files(str(photo))
    worker.get_by_label("Describe what it shows").fill("Flipchart: what makes a place feel safe")
    worker.get_by_role("button", name="Add the photo").click()
    expect(worker.get_by_text("Camera and location details were removed")).to_be_visible()
    expect(worker.get_by_role("img", name="Flipchart: what makes a place feel safe")).to_be_visible()

    # Six comments, one at a time.
    for section, words in SAID:
        words = disclosure if words == DISCLOSURE else words
        worker.get_by_label("Which part of the draft is it about?").select_option(label=section or "The whole draft")
        worker.get_by_label("What the group said").fill(words)
        worker.get_by_role("button", name="Save and add another").click()
        if words == disclosure:
            expect(worker.get_by_text(re.compile("it has gone to the designated safeguarding lead"))).to_be_visible()
        else:
            expect(worker.get_by_text("It waits for a moderator before anyone else sees it")).to_be_visible()
    expect(worker.get_by_role("heading", name="What they said (6)")).to_be_visible()
    expect(worker.get_by_text("Held for the safeguarding lead")).to_have_count(1)
    expect(worker.get_by_text("Waiting for a moderator", exact=True)).to_have_count(5)
    expect(worker.locator("main")).not_to_contain_text(disclosure)
    check(worker, "3-six-comments")

    # The DSL's email arrives, and the DSL reads it under Concerns.
    builders.deliver_mail(live_server, smtp)
    mails = [m for m in smtp.messages if m["To"] == "dsl@demo.test"
             and "Safeguarding concern raised" in m["Subject"]]
    assert mails and disclosure not in mails[-1].as_string()
    dsl = person()
    sign_in(dsl, "dsl@demo.test")
    dsl.get_by_role("link", name="Concerns", exact=True).click()
    links = dsl.get_by_role("link", name=re.compile(r"Concern \d+ about comment \d+"))
    links.first.click()  # newest first
    expect(dsl.locator("main")).to_contain_text(disclosure)
    expect(dsl.locator("main")).to_contain_text(VOICE)
    expect(dsl.locator("main")).to_contain_text("typed in by Yusuf Youthworker")
    expect(dsl.locator("main")).to_contain_text("Possible disclosure — not yet reviewed")
    check(dsl, "4-dsl-concern")

    # The facilitator attaches an easy read PDF to the draft.
    easy_read = tmp_path / "easy-read.pdf"
    easy_read.write_bytes(files.pdf("Keeping young people safe: easy read"))
    facilitator = person()
    sign_in(facilitator, "facilitator@demo.test")
    facilitator.goto(f"/drafts/{draft_id}")
    facilitator.get_by_role("link", name="Attach a document or an easy read version").click()
    check(facilitator, "5-attach-form")
    facilitator.get_by_role("button", name="Attach the document").click()
    expect(facilitator.locator(".govuk-error-summary")).to_contain_text("Select a file")
    wrong = tmp_path / "not-really.pdf"
    wrong.write_bytes(files.HTML_PAGE)
    facilitator.get_by_label("Upload a file").set_input_files(str(wrong))
    facilitator.get_by_label("Title").fill("Keeping young people safe: easy read")
    facilitator.get_by_role("button", name="Attach the document").click()
    expect(facilitator.locator(".govuk-error-summary")).to_contain_text("web page or script code")
    check(facilitator, "6-attach-refused")
    facilitator.get_by_label("Upload a file").set_input_files(str(easy_read))
    facilitator.get_by_label("Title").fill("Keeping young people safe: easy read")
    facilitator.get_by_label("Easy read version").check()
    facilitator.get_by_role("button", name="Attach the document").click()
    expect(facilitator.get_by_text(re.compile("has been attached \\(PDF, "))).to_be_visible()

    # A practitioner sees it on the consultation page and downloads it.
    reader = person()
    sign_in(reader, "practitioner@demo.test")
    reader.goto(f"/consultations/{consultation_id}")
    documents = reader.locator("#documents")
    expect(documents).to_contain_text("Easy read")
    expect(documents).to_contain_text("PDF, ")
    check(reader, "7-consultation-documents")
    link = documents.get_by_role("link", name=re.compile("Keeping young people safe: easy read"))
    if javascript:
        with reader.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == "Keeping young people safe - easy read.pdf"
        data = Path(download.value.path()).read_bytes()
    else:
        response = reader.request.get(link.get_attribute("href"))
        assert response.headers["content-disposition"].startswith("attachment;")
        data = response.body()
    assert data == easy_read.read_bytes()

    for page in (worker, dsl, facilitator, reader):
        page.context.close()
