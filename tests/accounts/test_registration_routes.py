"""Parents, carers and the public register, confirm and take part (issue 17), with a real SMTP server."""
import csv
import io
import re

import pytest

from app.accounts.models import Role
from app.consultations import services as consultations
from app.moderation import services as moderation
from app.scrutiny import exports
from tests.conftest import PASSWORD
from tests.mail.test_smtp import send_mail
from tests.smtp import smtp_settings


@pytest.fixture
def app_config(smtp):
    return smtp_settings(smtp)


@pytest.fixture
def public_consultation(make_consultation):
    return make_consultation(audiences=["public", "practitioners"], title="Keeping children safe at home")


@pytest.fixture
def staff_only(make_consultation):
    return make_consultation(audiences=["practitioners", "young_people"], title="Staff only")


def _html(response):
    return response.get_data(as_text=True)


def _register(client, csrf, email="parent@example.org", kind="parent_or_carer", password=PASSWORD, confirm=None):
    return client.post("/register", data={"email": email, "kind": kind, "password": password,
                                          "confirm": confirm or password, "csrf_token": csrf(client, "/register")})


def _received(smtp, runner, to):
    send_mail(runner)
    return [m for m in smtp.messages if m["To"] == to]


def _link(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"http://portal\.test(/register/confirm/\S+)", text)
    return match.group(1) if match else None


def _confirm(client, csrf, path):
    return client.post(path, data={"csrf_token": csrf(client, path)})


@pytest.fixture
def confirmed_parent(app, csrf, smtp, runner, partnership):
    """A browser of a parent who registered and confirmed through the pages."""
    browser = app.test_client()
    assert _register(browser, csrf).status_code == 303
    [message] = _received(smtp, runner, "parent@example.org")
    assert _confirm(browser, csrf, _link(message)).status_code == 303
    return browser


def test_the_front_door_and_the_page_lead_to_registration(client, partnership, public_consultation, staff_only):
    html = _html(client.get("/"))
    assert 'href="/register"' in html and "register to comment" in html
    assert html.count("register to comment") == 1  # only beside the consultation open to the public
    page = _html(client.get("/register"))
    assert "I am a parent or carer" in page and "I am a member of the public" in page
    assert 'href="/privacy"' in page and "A moderator reads every comment" in page


def test_registration_shows_errors_in_a_summary(client, csrf, partnership):
    response = _register(client, csrf, email="nope", kind="", password="short", confirm="other")
    html = _html(response)
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "Choose whether you are a parent or carer or a member of the public" in html
    assert "The two passwords are not the same" in html
    # The rules' own problems show at the same time, not one after another as each is mended.
    assert "Enter an email address in the correct format" in html


def test_a_bad_address_and_a_short_password_show_together(client, csrf, partnership):
    html = _html(_register(client, csrf, email="nope", kind="parent_or_carer", password="short", confirm="short"))
    summary = html[html.index("govuk-error-summary__list"):].split("</ul>")[0]
    assert "Password must be" in summary and "correct format" in summary and summary.count("<li") == 2


def test_register_confirm_by_email_and_comment(client, csrf, smtp, runner, partnership, public_consultation, login):
    response = _register(client, csrf)
    assert response.status_code == 303 and response.headers["Location"] == "/register/check-your-email"
    [message] = _received(smtp, runner, "parent@example.org")
    assert message["Subject"] == "Confirm your email address"
    path = _link(message)
    assert "Confirm my email address" in _html(client.get(path))  # a GET confirms nothing (mail scanners)
    response = _confirm(client, csrf, path)
    assert response.status_code == 303
    html = _html(client.get("/"))
    assert "Your email address is confirmed" in html and public_consultation.title in html
    url = f"/consultations/{public_consultation.id}/comments"
    response = client.post(url, data={"c-general-body": "Tell parents where to get help",
                                      "csrf_token": csrf(client, f"/consultations/{public_consultation.id}")})
    assert response.status_code == 303
    html = _html(client.get(f"/consultations/{public_consultation.id}"))
    assert "A moderator will check it" in html and "Waiting for a moderator: only you can see it for now" in html
    assert "parent@example.org" not in html.split("</header>", 1)[1]


def test_a_used_or_unknown_link_is_refused(client, csrf, smtp, runner, partnership):
    _register(client, csrf)
    [message] = _received(smtp, runner, "parent@example.org")
    path = _link(message)
    _confirm(app_client := client, csrf, path)
    other = app_client.application.test_client()
    assert other.get(path).status_code == 410
    assert other.get("/register/confirm/not-a-token").status_code == 410


def test_an_expired_link_is_refused(client, csrf, smtp, runner, partnership, db):
    from app.accounts.models import AccountToken
    from app.timeutil import utcnow

    _register(client, csrf)
    [message] = _received(smtp, runner, "parent@example.org")
    for token in db.session.execute(db.select(AccountToken)).scalars():
        token.expires_at = utcnow()
    db.session.commit()
    response = client.get(_link(message))
    assert response.status_code == 410 and "Ask for a new link" in _html(response)


def test_the_unconfirmed_cannot_comment_and_can_ask_again(
        client, csrf, smtp, runner, partnership, public_consultation, login, db):
    from app.accounts.models import Person

    _register(client, csrf)
    person = db.session.execute(db.select(Person).where(Person.email == "parent@example.org")).scalar_one()
    login(person)
    page = f"/consultations/{public_consultation.id}"
    html = _html(client.get(page))
    assert "Confirm your email address to comment or vote" in html and 'name="c-general-body"' not in html
    response = client.post(f"{page}/comments", data={"c-general-body": "Hello", "csrf_token": csrf(client, page)})
    assert response.status_code == 403
    client.post("/register/resend", data={"email": "parent@example.org", "csrf_token": csrf(client, "/register/resend")})
    messages = _received(smtp, runner, "parent@example.org")
    assert len(messages) == 2 and _link(messages[0]) != _link(messages[1])
    assert client.get(_link(messages[0])).status_code == 410  # the earlier link stopped working


def test_no_enumeration_an_address_with_an_account(client, csrf, smtp, runner, make_person, partnership):
    make_person(Role.PRACTITIONER, email="priya@example.org")
    known = _register(client, csrf, email="priya@example.org")
    unknown = _register(client.application.test_client(), csrf, email="new@example.org")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    [owner] = _received(smtp, runner, "priya@example.org")
    assert owner["Subject"] == "You already have an account" and _link(owner) is None


def test_moderated_then_shown_as_a_parent_or_carer(
        confirmed_parent, csrf, app, public_consultation, facilitator, login, practitioner, db):
    page = f"/consultations/{public_consultation.id}"
    confirmed_parent.post(f"{page}/comments", data={"c-general-body": "Parents need plain words", "c-general-use":
                                                    "public", "csrf_token": csrf(confirmed_parent, page)})
    reader = app.test_client()
    login(practitioner, target=reader)
    assert "Parents need plain words" not in _html(reader.get(page))  # pending: its author only
    moderator = app.test_client()
    login(facilitator, target=moderator)
    queue = _html(moderator.get("/moderation"))
    assert "Parents need plain words" in queue and "parent@example.org" not in queue
    comment_id = int(re.search(r"/moderation/comments/(\d+)", queue).group(1))
    moderation.approve(facilitator, db.session.get(consultations.Comment, comment_id))
    html = _html(reader.get(page))
    assert "Parents need plain words" in html and "A parent or carer" in html and "parent@example.org" not in html
    report = _html(moderator.get(f"/consultations/{public_consultation.id}/report"))
    assert "A parent or carer" in report and "parent@example.org" not in report
    # Open data (served once the arrangement is published): the same label, never an address.
    rows = list(csv.reader(io.StringIO("".join(exports.open_data_csv(public_consultation)))))
    row = next(r for r in rows if "Parents need plain words" in r)
    assert "A parent or carer" in row and "public" in row and not any("@" in cell for cell in row)


def test_a_signal_word_raises_a_concern_not_a_comment(confirmed_parent, csrf, public_consultation, db):
    from app.moderation.models import SafeguardingConcern

    page = f"/consultations/{public_consultation.id}"
    response = confirmed_parent.post(f"{page}/comments", data={
        "c-general-body": "My partner hits my son when he drinks", "csrf_token": csrf(confirmed_parent, page)})
    assert response.status_code == 303
    concern = db.session.execute(db.select(SafeguardingConcern)).scalar_one()
    assert concern.source == "signal" and concern.comment.status == "concern"
    # The parent is told, in words for an adult, who reads it and where to get help now (not a refusal).
    told = confirmed_parent.get(response.headers["Location"])
    html = told.get_data(as_text=True)
    assert told.status_code == 200 and "designated safeguarding lead" in html
    assert "0808 800 5000" in html and "call 999" in html and "Childline" not in html


def test_no_access_to_consultations_not_open_to_the_public(
        confirmed_parent, csrf, public_consultation, staff_only, practitioner):
    comment = consultations.post_comment(practitioner, staff_only, "Staff view")
    section = staff_only.version.sections[0]
    assert staff_only.title not in _html(confirmed_parent.get("/consultations"))
    for url in (f"/consultations/{staff_only.id}", f"/consultations/{staff_only.id}/comments",
                f"/consultations/{staff_only.id}/sections/{section.id}/comments", f"/comments/{comment.id}/replies",
                f"/comments/{comment.id}/reply", f"/consultations/{staff_only.id}/report", "/moderation",
                "/concerns", "/scrutiny", "/people", f"/consultations/{staff_only.id}/responses"):
        for headers in ({}, {"HX-Request": "true", "HX-Target": "comments-general"}):
            assert confirmed_parent.get(url, headers=headers).status_code in (403, 404), url
    token = csrf(confirmed_parent, f"/consultations/{public_consultation.id}")
    assert confirmed_parent.post(f"/consultations/{staff_only.id}/comments",
                                 data={"c-general-body": "Hi", "csrf_token": token}).status_code in (403, 404)
    assert confirmed_parent.post(f"/consultations/{staff_only.id}/sections/{section.id}/vote",
                                 data={"v-choice": "support", "csrf_token": token}).status_code in (403, 404)


def test_registration_is_rate_limited_per_sender_and_per_address_typed(client, csrf, partnership):
    codes = [_register(client, csrf, email="same@example.org").status_code for _ in range(4)]
    assert codes == [303, 303, 303, 429]  # one stranger's inbox gets three emails an hour at most
    codes = [_register(client, csrf, email=f"p{n}@example.org").status_code for n in range(7)]
    assert codes == [303] * 6 + [429]  # ten an hour from one address, whatever they type


def test_what_we_hold_shows_a_parent_their_address_and_when_they_confirmed_it(confirmed_parent):
    html = _html(confirmed_parent.get("/my-data"))
    assert "parent@example.org" in html and "Shown as" in html and "A parent or carer" in html
    assert "Email address confirmed" in html and "Not yet" not in html
