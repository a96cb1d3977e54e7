"""Workshop and paper input entered by staff (issue 19): sessions, their contributions as the group's voice (pre-moderated
and screened for disclosures like young people's own posts), photos of flipcharts, the log, the report and the
scrutiny export."""
import csv
import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Person, Role
from app.errors import DomainError, NotAllowed
from app.extensions import db as _db
from app.mail.models import OutboxMessage
from app.moderation import services as moderation
from app.moderation.models import SafeguardingConcern
from app.responses import services as responses
from app.trail import services as trail
from app.trail import verify_log
from app.workshops import services
from app.workshops.models import WorkshopPhoto, WorkshopSession
from tests.fixtures import files
from werkzeug.datastructures import FileStorage

DISCLOSURE = "my stepdad hits me when he drinks"
VOICE = "Participants in the Testshire Youth Council workshop, 12 people"


@pytest.fixture
def upload_folder(tmp_path):
    return tmp_path / "uploads"


@pytest.fixture
def app_config(upload_folder):
    return {"UPLOAD_FOLDER": str(upload_folder)}


@pytest.fixture
def youth_worker(make_person):
    return make_person(Role.YOUTH_WORKER, name="Yasmin Youthworker", organisation="Testshire Youth Council")


@pytest.fixture
def dsl(make_person):
    return make_person(Role.DSL, name="Dee Safeguarding", email="dsl@example.org")


@pytest.fixture
def group(partnership):
    return next(o for o in partnership.organisations if o.name == "Testshire Youth Council")


def today():
    return services.today_in_london()


@pytest.fixture
def workshop(youth_worker, consultation, group):
    return services.record_session(youth_worker, consultation, held_on=today(), participants=12, method="workshop",
                                   audience="young_people", organisation=group)


def entries(action):
    return [entry for entry in trail.iter_entries() if entry["action"] == action]


# --- recording a session ---------------------------------------------------------------------------------

def test_a_youth_worker_records_a_session_with_a_group_voice_that_never_signs_in(workshop, youth_worker, client):
    voice = workshop.voice
    assert voice.is_group_voice and voice.display_name == VOICE and voice.password_hash is None
    assert not voice.is_active and voice.organisation.name == "Testshire Youth Council" and not voice.roles
    entry = entries("workshop.recorded")[-1]
    assert entry["actor"] == youth_worker.id and entry["subject"] == f"workshop_session:{workshop.id}"
    assert entry["data"] == {"consultation": workshop.consultation_id, "held_on": today().isoformat(),
                             "organisation": workshop.organisation_id, "participants": 12, "method": "workshop",
                             "audience": "young_people", "voice": voice.id,
                             "group_sha256": trail.text_hash("Testshire Youth Council")}
    from tests.conftest import csrf_token
    response = client.post("/login", data={"email": voice.username, "password": "", "csrf_token":
                                           csrf_token(client, "/login")})
    assert response.status_code != 303  # nobody signs in as a group voice


@pytest.mark.parametrize("change, field", [
    ({"held_on": "future"}, "held_on"), ({"participants": 0}, "participants"),
    ({"participants": 10_001}, "participants"), ({"method": "carrier pigeon"}, "method"),
    ({"audience": "practitioners"}, "audience"), ({"organisation": None, "group_name": "  "}, "organisation"),
    ({"group_name": "x" * 81}, "group_name")])
def test_a_session_is_refused_with_the_field_at_fault(youth_worker, consultation, group, change, field):
    details = dict(held_on=today(), participants=12, method="workshop", audience="young_people", organisation=group)
    details.update(change)
    if details["held_on"] == "future":
        details["held_on"] = today() + timedelta(days=1)
    with pytest.raises(DomainError) as error:
        services.record_session(youth_worker, consultation, **details)
    assert error.value.field == field
    assert _db.session.scalar(select(WorkshopSession.id)) is None and not entries("workshop.recorded")


def test_only_staff_record_sessions_and_only_while_the_consultation_is_open(make_person, make_consultation,
                                                                            youth_worker, group):
    consultation = make_consultation()
    for role in (Role.PRACTITIONER, Role.YOUNG_PERSON, Role.SCRUTINEER, Role.DSL):
        with pytest.raises(NotAllowed):
            services.record_session(make_person(role), consultation, held_on=today(), participants=3,
                                    method="paper", audience="young_people", organisation=group)
    scheduled = make_consultation(opens_in=timedelta(days=2), title="Not yet")
    with pytest.raises(DomainError, match="only be entered while the consultation is open"):
        services.record_session(youth_worker, scheduled, held_on=today(), participants=3, method="paper",
                                audience="young_people", organisation=group)
    young_only = make_consultation(audiences=["practitioners"], title="Practitioners only")
    with pytest.raises(DomainError, match="not open to young people"):
        services.record_session(youth_worker, young_only, held_on=today(), participants=3, method="paper",
                                audience="young_people", organisation=group)


# --- contributions ---------------------------------------------------------------------------------------

def test_a_contribution_waits_for_a_moderator_as_the_groups_voice_and_the_log_names_who_typed_it(
        workshop, youth_worker, sections, dsl):
    comment = services.enter_contribution(youth_worker, workshop, "More youth clubs open late", sections[0])
    assert comment.status == "pending" and comment.author_id == workshop.voice_id
    assert comment.author_audience == "young_people" and not comment.flagged and comment.publish_use == "partnership"
    entry = entries("comment.posted")[-1]
    assert entry["actor"] == youth_worker.id and entry["data"]["session"] == workshop.id
    assert entry["data"]["status"] == "pending" and entry["data"]["body_sha256"] == trail.text_hash(comment.body)
    assert _db.session.scalar(select(SafeguardingConcern.id)) is None
    assert [m for m in OutboxMessage.query.all() if m.to_address == dsl.email] == []


def test_a_possible_disclosure_is_held_for_the_dsl_who_is_emailed(workshop, youth_worker, sections, dsl):
    comment = services.enter_contribution(youth_worker, workshop, DISCLOSURE, sections[1])
    assert comment.flagged and comment.status == "concern"
    concern = _db.session.execute(select(SafeguardingConcern)).scalar_one()
    assert concern.comment_id == comment.id and concern.source == "signal" and concern.review == "unreviewed"
    assert concern.person_id == workshop.voice_id and concern.organisation_id == workshop.organisation_id
    mails = [m for m in OutboxMessage.query.all() if m.to_address == dsl.email]
    assert len(mails) == 1 and "Safeguarding concern" in mails[0].subject and DISCLOSURE not in mails[0].body_text
    assert [e["action"] for e in trail.iter_entries()][-2:] == ["comment.posted", "concern.raised"]
    assert entries("concern.raised")[-1]["data"]["dsl_alerted"] == [dsl.id]


def test_the_same_form_sent_twice_stores_one_contribution(workshop, youth_worker):
    first = services.enter_contribution(youth_worker, workshop, "Buses after 9pm", submission_key="k" * 20)
    again = services.enter_contribution(youth_worker, workshop, "Buses after 9pm", submission_key="k" * 20)
    assert first.id == again.id and len(services.contributions_of(workshop)) == 1


def test_contributions_are_refused_from_others_and_empty_or_too_long(workshop, make_person, youth_worker):
    with pytest.raises(NotAllowed):
        services.enter_contribution(make_person(Role.PRACTITIONER), workshop, "Hello")
    for text in ("   ", "x" * 5001):
        with pytest.raises(DomainError) as error:
            services.enter_contribution(youth_worker, workshop, text)
        assert error.value.field == "body"
    assert services.contributions_of(workshop) == []


def test_once_approved_it_is_shown_as_the_group_and_counted_apart(
        workshop, youth_worker, facilitator, sections, consultation, as_person, practitioner, young):
    comment = services.enter_contribution(youth_worker, workshop, "More youth clubs open late", sections[0])
    moderation.approve(facilitator, comment)
    page = as_person(practitioner).get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert VOICE in page and "More youth clubs open late" in page
    assert "A member of Testshire Youth Council</strong>" not in page
    from app.consultations import services as consultations
    mine = consultations.post_comment(young, consultation, "Safe spaces", sections[0])
    moderation.approve(facilitator, mine)
    rows = {row["audience"]: row for row in responses.participation(consultation)}
    assert rows["young_people"] == {"audience": "young_people", "people": 1, "comments": 1}  # the member alone
    assert services.tally(consultation.id) == {"sessions": 1, "participants": 12, "comments": 1,
                                               "by_method": {"Workshop": {"sessions": 1, "participants": 12,
                                                                          "comments": 1}}}
    item = next(i for i in responses.answered_comments(consultation) if i.comment.id == comment.id)
    assert item.attribution == VOICE


# --- photos ----------------------------------------------------------------------------------------------

def test_a_flipchart_photo_is_kept_without_exif_and_only_images_are_taken(workshop, youth_worker, upload_folder):
    from app.attachments import sniff, storage

    photo = services.add_photo(youth_worker, workshop, FileStorage(io.BytesIO(files.image()), filename="chart.jpg"),
                               "Flipchart: what makes a place feel safe")
    stored = storage.path_for(photo.file.storage_key).read_bytes()
    assert b"Exif" not in stored and b"SpyCam" not in stored
    entry = entries("workshop.photo_added")[-1]
    assert entry["actor"] == youth_worker.id and entry["data"]["sha256"] == photo.file.sha256
    assert entry["data"]["session"] == workshop.id
    for data, name, message in [(files.pdf(), "chart.pdf", "must be a PNG or JPEG"),
                                (files.polyglot_jpeg_zip(), "chart.jpg", "both a JPEG image and a ZIP archive"),
                                (b"", "chart.png", "is empty")]:
        with pytest.raises(sniff.UploadRefused, match=message):
            services.add_photo(youth_worker, workshop, FileStorage(io.BytesIO(data), filename=name), "A chart")
    with pytest.raises(DomainError) as error:
        services.add_photo(youth_worker, workshop, FileStorage(io.BytesIO(files.png()), filename="a.png"), " ")
    assert error.value.field == "description"
    assert len(_db.session.execute(select(WorkshopPhoto)).all()) == 1
    assert len([p for p in upload_folder.rglob("*") if p.is_file()]) == 1


def test_only_staff_moderators_and_the_scrutineer_see_sessions_and_photos(workshop, youth_worker, make_person,
                                                                         as_person, facilitator):
    photo = services.add_photo(youth_worker, workshop, FileStorage(io.BytesIO(files.png()), filename="c.png"),
                               "A flipchart")
    readers = {Role.FACILITATOR: 200, Role.YOUTH_WORKER: 200, Role.DSL: 200, Role.SCRUTINEER: 200,
               Role.PRACTITIONER: 403, Role.YOUNG_PERSON: 403, Role.LEAD_SIGNATORY: 403, Role.PUBLIC: 403}
    for role, status in readers.items():
        browser = as_person(facilitator if role == Role.FACILITATOR else make_person(role))
        assert browser.get(f"/workshops/{workshop.id}").status_code == status, role
        shown = browser.get(f"/workshop-photos/{photo.id}?view=inline")
        assert shown.status_code == status, role
        if status == 200:
            assert shown.headers["Content-Type"] == "image/png"
            assert shown.headers["Content-Disposition"].startswith("inline; ")
            assert shown.headers["X-Content-Type-Options"] == "nosniff"


# --- the pages -------------------------------------------------------------------------------------------

def _post(browser, url, data, csrf, page, **kwargs):
    return browser.post(url, data={"csrf_token": csrf(browser, page), **data}, **kwargs)


def test_a_youth_worker_records_a_session_and_types_in_what_they_said_on_the_pages(
        as_person, csrf, youth_worker, consultation, group, sections, dsl):
    browser = as_person(youth_worker)
    assert "Record a session for" in browser.get("/workshops").get_data(as_text=True)
    form_url = f"/consultations/{consultation.id}/workshops/new"
    bad = _post(browser, form_url, {"held_on_day": "31", "held_on_month": "2", "held_on_year": "2026",
                                    "organisation": str(group.id), "participants": "twelve", "method": "workshop",
                                    "audience": "young_people"}, csrf, form_url)
    page = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "There is a problem" in page
    assert "must be a real date" in page and "as a number" in page and 'href="#held_on_day"' in page
    day = today()
    good = _post(browser, form_url, {"held_on_day": str(day.day), "held_on_month": str(day.month),
                                     "held_on_year": str(day.year), "organisation": str(group.id),
                                     "participants": "12", "method": "workshop", "audience": "young_people"},
                 csrf, form_url)
    assert good.status_code == 303
    workshop = _db.session.execute(select(WorkshopSession)).scalar_one()
    session_url = f"/workshops/{workshop.id}"
    assert good.headers["Location"].endswith(session_url)
    page = browser.get(session_url).get_data(as_text=True)
    assert VOICE in page and 'type="file"' in page and 'enctype="multipart/form-data"' in page
    empty = _post(browser, f"{session_url}/contributions", {"section": "", "body": ""}, csrf, session_url)
    assert empty.status_code == 200 and "Enter your comment" in empty.get_data(as_text=True)
    saved = _post(browser, f"{session_url}/contributions", {"section": str(sections[1].id), "body": DISCLOSURE},
                  csrf, session_url)
    assert saved.status_code == 303
    page = browser.get(saved.headers["Location"]).get_data(as_text=True)
    assert "gone to the designated safeguarding lead" in page and "Held for the safeguarding lead" in page
    assert DISCLOSURE not in page  # only the DSL (and the scrutineer) read it now
    photo = _post(browser, f"{session_url}/photos", {"description": "The flipchart",
                                                     "photo": (io.BytesIO(files.image()), "chart.jpg")},
                  csrf, session_url, content_type="multipart/form-data")
    assert photo.status_code == 303
    wrong = _post(browser, f"{session_url}/photos", {"description": "Not a photo",
                                                     "photo": (io.BytesIO(files.HTML_PAGE), "chart.jpg")},
                  csrf, session_url, content_type="multipart/form-data")
    assert wrong.status_code == 200 and "web page or script code" in wrong.get_data(as_text=True)
    assert len(workshop.photos) == 1


def test_the_dsl_reads_the_held_contribution_and_who_typed_it(workshop, youth_worker, sections, dsl, as_person):
    comment = services.enter_contribution(youth_worker, workshop, DISCLOSURE, sections[1])
    concern = _db.session.execute(select(SafeguardingConcern)).scalar_one()
    page = as_person(dsl).get(f"/concerns/{concern.id}").get_data(as_text=True)
    assert DISCLOSURE in page and VOICE in page and "typed in by Yasmin Youthworker" in page
    assert comment.status == "concern"


# --- the scrutiny export binds sessions -------------------------------------------------------------------

def _export(app, scrutineer, login, consultation):
    client = app.test_client()
    login(scrutineer, target=client)
    response = client.get(f"/scrutiny/consultations/{consultation.id}/export.zip")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def _replace(archive, name, rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as copy:
        for member in archive.namelist():
            copy.writestr(member, buffer.getvalue() if member == name else archive.read(member))
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def test_the_export_holds_sessions_bound_to_the_log(app, login, workshop, youth_worker, scrutineer, consultation,
                                                    sections):
    services.enter_contribution(youth_worker, workshop, "More youth clubs open late", sections[0])
    archive = _export(app, scrutineer, login, consultation)
    verify_log.verify_export(archive)
    rows = list(csv.reader(io.StringIO(archive.read("workshop_sessions.csv").decode())))
    assert rows[0] == verify_log.EXPORT_FILES["workshop_sessions.csv"]
    assert rows[1][:10] == [str(workshop.id), str(consultation.id), today().isoformat(), str(workshop.organisation_id),
                            "Testshire Youth Council", "12", "workshop", "young_people", str(workshop.voice_id),
                            str(youth_worker.id)]
    comments = list(csv.DictReader(io.StringIO(archive.read("comments.csv").decode())))
    assert [c["author"] for c in comments] == [VOICE]
    for column, value in [(5, "13"), (4, "Another group"), (9, "999"), (8, "999"), (2, "2020-01-01")]:
        changed = [rows[0], rows[1][:column] + [value] + rows[1][column + 1:]]
        with pytest.raises(verify_log.ExportError, match=r"workshop_sessions.csv row 2 column "
                                                         + verify_log.EXPORT_FILES["workshop_sessions.csv"][column]):
            verify_log.verify_export(_replace(archive, "workshop_sessions.csv", changed))
    with pytest.raises(verify_log.ExportError, match="workshop_sessions.csv: 1 row"):
        verify_log.verify_export(_replace(archive, "workshop_sessions.csv", rows[:1]))


def test_an_export_of_the_earlier_format_is_still_checked(app, login, workshop, scrutineer, consultation):
    import json

    archive = _export(app, scrutineer, login, consultation)
    assert verify_log.ADDED_IN["workshop_sessions.csv"] == 3
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as copy:
        for member in archive.namelist():
            if verify_log.ADDED_IN.get(member) == 3:  # workshop_sessions.csv and the other files format 3 added
                continue
            data = archive.read(member)
            if member == "manifest.json":
                manifest = json.loads(data)
                manifest["format"] = "scrutiny-export/2"
                data = json.dumps(manifest)
            copy.writestr(member, data)
    verify_log.verify_export(zipfile.ZipFile(io.BytesIO(out.getvalue())))
    with pytest.raises(verify_log.ExportError, match="workshop_sessions.csv: is missing"):
        without = io.BytesIO()
        with zipfile.ZipFile(without, "w") as copy:
            for member in archive.namelist():
                if member != "workshop_sessions.csv":
                    copy.writestr(member, archive.read(member))
        verify_log.verify_export(zipfile.ZipFile(io.BytesIO(without.getvalue())))


def test_the_people_page_does_not_list_group_voices(workshop, as_person, facilitator):
    page = as_person(facilitator).get("/admin/people").get_data(as_text=True)
    assert VOICE not in page and workshop.voice.username not in page
    assert _db.session.execute(select(Person).where(Person.is_group_voice)).scalar_one().id == workshop.voice_id
