"""Personal data pages: notices, what we hold, the consent choice, erasure and what every page and export shows."""
import csv
import io
import json
import re
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.accounts import services as accounts
from app.accounts.models import Role
from app.consultations import services as consultations
from app.extensions import db
from app.mail.models import OutboxMessage
from app.moderation import services as moderation
from app.partnerships.models import PartnerKind
from app.timeutil import format_london
from app.privacy import ERASED_MARKER, services
from app.signoff import services as signoff
from tests.conftest import PASSWORD

VERIFIER = Path(__file__).resolve().parents[2] / "app" / "trail" / "verify_log.py"


def _post(client, csrf, path, data, form_page=None):
    return client.post(path, data={**data, "csrf_token": csrf(client, form_page or path)})


# --- notices ---------------------------------------------------------------------------------------

def test_both_notices_need_no_sign_in_and_name_the_controller_basis_periods_and_rights(client, partnership):
    adult = client.get("/privacy").get_data(as_text=True)
    young = client.get("/privacy/young-people").get_data(as_text=True)
    for html in (adult, young):
        assert partnership.name in html and "data.protection@test.example" in html
        assert "/my-data" in html  # how to see what we hold
    assert "Public task" in adult and "12 months" in young and "30 days" in adult
    assert "<strong>We will pass it on</strong>" not in young and "we will pass it on" in young


def test_every_page_links_both_notices_in_its_footer(client, partnership):
    for path in ("/login", "/join", "/privacy"):
        html = client.get(path).get_data(as_text=True)
        assert 'href="/privacy"' in html and 'href="/privacy/young-people"' in html, path


def test_saved_settings_fill_the_notices(client, login, csrf, partnership, facilitator):
    login(facilitator)
    response = _post(client, csrf, "/admin/data-protection/settings", {
        "controller_name": "Testshire County Council", "contact_name": "Dee Pio", "contact_email": "dpo@testshire.example",
        "contact_address": "", "lawful_basis": "legitimate_interests", "young_account_months": "6",
        "outbox_days": "14", "session_days": "7"})
    assert response.status_code == 303
    html = client.get("/privacy").get_data(as_text=True)
    assert "Testshire County Council" in html and "dpo@testshire.example" in html and "Legitimate interests" in html
    assert "6 months" in client.get("/privacy/young-people").get_data(as_text=True)


def test_a_bad_settings_form_shows_the_error_summary(client, login, csrf, partnership, facilitator):
    login(facilitator)
    response = _post(client, csrf, "/admin/data-protection/settings", {
        "controller_name": "C", "contact_name": "D", "contact_email": "nope", "lawful_basis": "public_task",
        "young_account_months": "12", "outbox_days": "30", "session_days": "30"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in html and 'href="#contact_email"' in html


@pytest.mark.parametrize("path", ["/admin/data-protection", "/admin/data-protection/settings"])
def test_facilitator_pages_are_theirs_alone(client, login, practitioner, path):
    assert client.get(path).status_code == 302
    login(practitioner)
    assert client.get(path).status_code == 403


def test_joining_shows_the_young_peoples_summary_and_an_invitation_the_adults(client, db, partnership, facilitator):
    join = client.get("/join").get_data(as_text=True)
    assert "Your information: the short version" in join and 'href="/privacy/young-people"' in join
    accounts.invite_person(facilitator, partnership=partnership, display_name="New Person", email="new@example.org",
                           organisation=None, roles=[Role.PRACTITIONER])
    body = db.session.execute(db.select(OutboxMessage)).scalars().all()[-1].body_text
    token = re.search(r"/invitations/(\S+)", body).group(1)
    html = client.get(f"/invitations/{token}").get_data(as_text=True)
    assert "Read the privacy notice" in html and 'href="/privacy"' in html


def test_the_record_of_processing_lists_every_table(client, login, facilitator):
    login(facilitator)
    html = client.get("/admin/data-protection").get_data(as_text=True)
    for table in db.metadata.tables:
        assert f'id="table-{table}"' in html, table
    assert "Personal data" in html


# --- consent to publish ----------------------------------------------------------------------------

def test_the_comment_form_offers_the_choice_with_each_audiences_default(client, login, consultation, young,
                                                                        practitioner, app):
    login(young)
    html = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert re.search(r'value="partnership" checked', html) and not re.search(r'value="public" checked', html)
    adult = app.test_client()
    login(practitioner, target=adult)
    html = adult.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert re.search(r'value="public" checked', html)


def test_a_posted_choice_is_stored(client, login, csrf, consultation, practitioner):
    login(practitioner)
    response = _post(client, csrf, f"/consultations/{consultation.id}/comments",
                     {"c-general-body": "Keep this inside", "c-general-use": "partnership"},
                     form_page=f"/consultations/{consultation.id}")
    assert response.status_code == 303
    assert services.subject_access(practitioner)["comments"][0]["use"] == "partnership"


def test_the_author_changes_the_choice_on_what_we_hold(client, login, csrf, consultation, young, practitioner, app):
    comment = consultations.post_comment(young, consultation, "Meet after school")
    login(young)
    response = _post(client, csrf, f"/my-data/comments/{comment.id}/use", {"use": "public"}, form_page="/my-data")
    assert response.status_code == 303 and comment.publish_use == "public"
    refused = _post(client, csrf, f"/my-data/comments/{comment.id}/use", {"use": "everyone"}, form_page="/my-data")
    assert refused.status_code == 200 and "There is a problem" in refused.get_data(as_text=True)
    assert comment.publish_use == "public"
    other = app.test_client()
    login(practitioner, target=other)
    assert other.post(f"/my-data/comments/{comment.id}/use",
                      data={"use": "partnership", "csrf_token": csrf(other, "/my-data")}).status_code == 404


@pytest.fixture
def published(consultation, facilitator, practitioner, young, make_person):
    """Three comments (public, kept for the partnership, a young person's default), answered, signed off, published."""
    wide = consultations.post_comment(practitioner, consultation, "Publish these words please")
    narrow = consultations.post_comment(practitioner, consultation, "Only for the partnership", use="partnership")
    child = consultations.post_comment(young, consultation, "Meet after school")
    moderation.approve(facilitator, child)
    consultations.close_early(facilitator, consultation, "Enough responses")
    request = signoff.request_signoff(facilitator, consultation, consultation.version,
                                      effective_date=date.today() + timedelta(days=30),
                                      waiver_reason="Answered at the partnership meeting")
    leads = []
    for kind in PartnerKind:
        lead = make_person(Role.LEAD_SIGNATORY, partner=kind, name=f"Lead {kind.value}")
        partner = signoff.partner_by_id(signoff.authority_of(lead).partner_id)
        signoff.decide(lead, request, partner, decision="approved", password=PASSWORD)
        leads.append(lead)
    publication = signoff.publication_of(consultation.version_id)
    publication.leads = leads
    return publication, wide, narrow, child


def test_open_data_and_the_public_page_carry_only_words_their_authors_let_go(client, consultation, published):
    publication, wide, narrow, child = published
    data = client.get(f"/open-data/consultations/{consultation.id}.csv").get_data(as_text=True)
    bodies = [row["body"] for row in csv.DictReader(io.StringIO(data))]
    assert bodies == ["Publish these words please"]
    html = client.get(f"/arrangements/{publication.slug}").get_data(as_text=True)
    assert "Publish these words please" in html
    assert "Only for the partnership" not in html and "Meet after school" not in html
    assert "The author chose to share these words only with the partnership" in html


def test_the_report_hides_kept_words_from_other_participants_but_not_the_partnership(
        client, login, app, consultation, published, vcs, facilitator):
    login(vcs)
    html = client.get(f"/consultations/{consultation.id}/report").get_data(as_text=True)
    assert "Publish these words please" in html and "Only for the partnership" not in html
    staff = app.test_client()
    login(facilitator, target=staff)
    assert "Only for the partnership" in staff.get(f"/consultations/{consultation.id}/report").get_data(as_text=True)


# --- access ----------------------------------------------------------------------------------------

def test_what_we_hold_is_a_page_and_a_json_download_for_the_signed_in_person(client, login, consultation, young):
    consultations.post_comment(young, consultation, "Meet after school")
    assert client.get("/my-data").status_code == 302
    login(young)
    html = client.get("/my-data").get_data(as_text=True)
    assert "Meet after school" in html and young.username in html
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", html)  # dates as people read them, not ISO 8601
    assert format_london(young.created_at) in html
    response = client.get("/my-data.json")
    assert response.mimetype == "application/json" and "attachment" in response.headers["Content-Disposition"]
    held = json.loads(response.get_data())
    assert held["account"]["username"] == young.username and held["comments"][0]["use"] == "partnership"


# --- erasure ---------------------------------------------------------------------------------------

def _export(app, login, scrutineer, consultation, tmp_path):
    browser = app.test_client()
    login(scrutineer, target=browser)
    path = tmp_path / "export.zip"
    path.write_bytes(browser.get(f"/scrutiny/consultations/{consultation.id}/export.zip").get_data())
    return path


def test_after_erasure_the_words_are_gone_from_pages_and_exports_and_the_verifier_passes(
        app, client, login, csrf, consultation, published, practitioner, facilitator, scrutineer, tmp_path):
    publication, wide, _narrow, _child = published
    consultations_page = f"/arrangements/{publication.slug}"
    login(facilitator)
    page = client.get(f"/admin/people/{practitioner.id}/erase").get_data(as_text=True)
    assert "Carry out the erasure request" in page
    refused = _post(client, csrf, f"/admin/people/{practitioner.id}/erase", {})
    assert refused.status_code == 200 and "There is a problem" in refused.get_data(as_text=True)
    assert _post(client, csrf, f"/admin/people/{practitioner.id}/erase", {"confirm": "y"}).status_code == 303
    html = client.get(consultations_page).get_data(as_text=True)
    assert "Publish these words please" not in html and "[removed at the author&#39;s request]" in html
    data = client.get(f"/open-data/consultations/{consultation.id}.csv").get_data(as_text=True)
    assert "Publish these words please" not in data and ERASED_MARKER in data
    path = _export(app, login, scrutineer, consultation, tmp_path)
    with zipfile.ZipFile(path) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Publish these words please" not in everything and b"Only for the partnership" not in everything
    result = subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.startswith("OK ")
    assert "2 comment text(s) erased at their authors' request" in result.stdout


def test_a_marker_without_an_erasure_in_the_log_fails_the_verifier(app, login, consultation, published,
                                                                   scrutineer, tmp_path):
    path = _export(app, login, scrutineer, consultation, tmp_path)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tampered, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "comments.csv":
                data = data.replace(b"Publish these words please", ERASED_MARKER.encode())
            target.writestr(name, data)
    result = subprocess.run([sys.executable, str(VERIFIER), str(tampered)], capture_output=True, text=True)
    assert result.returncode == 1 and "does not match the SHA-256" in result.stdout


def test_the_erasure_page_says_why_a_concern_blocks_it(client, login, consultation, young, facilitator):
    comment = consultations.post_comment(young, consultation, "Meet after school")
    moderation.raise_concern(facilitator, comment, "Checking")
    login(facilitator)
    html = client.get(f"/admin/people/{young.id}/erase").get_data(as_text=True)
    assert "cannot be erased until the designated safeguarding lead closes the concern" in html
    assert "Carry out the erasure request" not in html


def test_a_published_sign_off_keeps_its_signatorys_name_and_the_page_says_why(
        client, login, csrf, published, facilitator):
    publication, *_ = published
    lead = publication.leads[0]
    login(facilitator)
    html = client.get(f"/admin/people/{lead.id}/erase").get_data(as_text=True)
    assert "A published sign-off is the public record" in html
    _post(client, csrf, f"/admin/people/{lead.id}/erase", {"confirm": "y"})
    assert f"Lead {PartnerKind.LOCAL_AUTHORITY.value}" in client.get(f"/arrangements/{publication.slug}").get_data(
        as_text=True)
