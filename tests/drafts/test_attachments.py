"""Documents and accessible versions attached to drafts (issue 19): what is accepted, what is refused (and that a
refusal leaves nothing behind), who may download, how files are served, and the log."""
import hashlib
import io
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.attachments import services, sniff, storage
from app.attachments.models import size_label
from app.attachments.models import DraftAttachment, FileType, StoredFile
from app.consultations import services as consultations
from app.errors import DomainError, NotAllowed
from app.extensions import db as _db
from app.timeutil import utcnow
from app.trail import services as trail
from tests.fixtures import files
from werkzeug.datastructures import FileStorage

LIMIT = 64 * 1024


@pytest.fixture
def upload_folder(tmp_path):
    return tmp_path / "uploads"


@pytest.fixture
def app_config(upload_folder):
    return {"UPLOAD_FOLDER": str(upload_folder), "UPLOAD_MAX_BYTES": LIMIT}


def upload(data, name):
    return FileStorage(io.BytesIO(data), filename=name)


def files_on_disk(folder):
    return sorted(str(Path(root, name).relative_to(folder)) for root, _dirs, names in os.walk(folder)
                  for name in names)


def count(model):
    _db.session.rollback()
    return _db.session.scalar(select(func.count()).select_from(model))


def logged(action):
    return [entry for entry in trail.iter_entries() if entry["action"] == action]


def attach(facilitator, draft, data, name, **details):
    details.setdefault("title", "Proposed working groups: easy read version")
    return services.attach(facilitator, draft, upload(data, name), **details)


# --- the service: what is accepted -----------------------------------------------------------------

@pytest.mark.parametrize("kind, build, name", [
    (FileType.PDF, files.pdf, "Easy read.PDF"), (FileType.DOCX, files.docx, "working groups.docx"),
    (FileType.ODT, files.odt, "working groups.odt"), (FileType.PNG, files.png, "diagram.png"),
    (FileType.JPEG, files.image, "photo.jpeg")])
def test_each_accepted_type_is_stored_by_random_id_with_its_hash_and_logged(
        facilitator, make_draft, upload_folder, kind, build, name):
    draft = make_draft()
    data = build()
    alt = "A diagram of the three working groups" if kind.is_image else ""
    attachment = attach(facilitator, draft, data, name, alt_text=alt)
    stored = attachment.file
    assert stored.type is kind and stored.size > 0
    assert re.fullmatch(r"[0-9a-f]{32}", stored.storage_key)
    path = storage.path_for(stored.storage_key)
    assert path.is_file() and path.parent.parent == upload_folder
    assert files_on_disk(upload_folder) == [f"{stored.storage_key[:2]}/{stored.storage_key}"]  # no temporary left
    assert name.lower() not in str(path).lower()  # never named by the uploader's file name
    content = path.read_bytes()
    assert hashlib.sha256(content).hexdigest() == stored.sha256
    if not kind.is_image:
        assert content == data  # documents are kept byte for byte
    entry = logged("attachment.added")[-1]
    assert entry["actor"] == facilitator.id and entry["subject"] == f"attachment:{attachment.id}"
    assert entry["data"]["sha256"] == stored.sha256 and entry["data"]["file_type"] == kind.value
    assert entry["data"]["uploaded_sha256"] == hashlib.sha256(data).hexdigest()
    assert trail.verify_database()[0] == len(list(trail.iter_entries()))


def test_a_photo_is_stored_without_exif_or_gps_and_turned_upright(facilitator, make_draft):
    from PIL import Image

    original = files.image(size=(64, 48))
    assert b"Exif" in original and b"SpyCam" in original
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825)  # the GPS position is there to start with
    attachment = attach(facilitator, make_draft(), original, "flipchart.jpg", alt_text="The flipchart")
    stored = storage.path_for(attachment.file.storage_key).read_bytes()
    assert b"Exif" not in stored and b"SpyCam" not in stored and b"Flipchart Phone" not in stored
    with Image.open(io.BytesIO(stored)) as after:
        assert not after.getexif() and "exif" not in after.info and not after.getexif().get_ifd(0x8825)
        assert after.size == (48, 64)  # the orientation was applied before it was dropped
    assert attachment.file.sha256 == hashlib.sha256(stored).hexdigest()


def test_an_easy_read_or_other_language_version_says_so(facilitator, make_draft):
    draft = make_draft()
    easy = attach(facilitator, draft, files.pdf(), "easy.pdf", kind="easy_read")
    welsh = attach(facilitator, draft, files.pdf(), "cy.pdf", kind="other_language", language="cy",
                   title="Gweithgorau arfaethedig", section_key=draft.versions[0].sections[1].key)
    assert easy.tags == ["Easy read"] and welsh.tags == ["Welsh"] and welsh.language_own_name == "Cymraeg"
    assert services.by_section(draft.id) == {None: [easy], draft.versions[0].sections[1].key: [welsh]}
    with pytest.raises(DomainError) as error:
        attach(facilitator, draft, files.pdf(), "x.pdf", kind="other_language", language="en")
    assert error.value.field == "language"


# --- the service: what is refused, leaving nothing behind -----------------------------------------------

REFUSED = [
    ("empty", b"", "easy read.pdf", "The selected file is empty"),
    ("too large", files.pdf() + b"%" * LIMIT, "big.pdf", "must be smaller than 66 KB"),
    ("wrong extension", b"just some words", "notes.txt", "must be a PDF, DOCX, ODT, PNG or JPEG"),
    ("no extension", files.pdf(), "easyread", "must be a PDF, DOCX, ODT, PNG or JPEG"),
    ("an exe called .pdf", files.PE_EXECUTABLE, "easy read.pdf", "not a real PDF"),
    ("a web page called .pdf", files.HTML_PAGE, "easy read.pdf", "web page or script code"),
    ("a PNG called .pdf", files.png(), "easy read.pdf", "but it is a PNG image"),
    ("a PDF that is also a ZIP", files.polyglot_pdf_zip(), "easy read.pdf", "both a PDF and a ZIP archive"),
    ("a JPEG that is also a ZIP", files.polyglot_jpeg_zip(), "photo.jpg", "both a JPEG image and a ZIP archive"),
    ("a PNG with a script after it", files.png_with_script(), "diagram.png", "web page or script code"),
    ("a DOCX starting with a PDF", files.zip_starting_with_pdf(), "groups.docx", "both a Word document (DOCX) and a PDF"),
    ("a PDF with JavaScript", files.pdf_with_javascript(), "easy read.pdf", "contains scripts"),
    ("a PDF with escaped JavaScript", files.pdf(extra=b" /A << /S /J#61vaScript /J#53 (x) >>"), "easy read.pdf",
     "contains scripts"),
    ("a DOCX with macros", files.docx_with_macros(), "groups.docx", "contains macros"),
    ("a ZIP called .docx", files.plain_zip(), "groups.docx", "another kind of ZIP archive"),
    ("an ODT of the wrong type", files.odt(mimetype=b"application/zip"), "groups.odt", "not a real OpenDocument"),
    ("an ODT whose mimetype is compressed", files.odt(stored=False), "groups.odt", "not a real OpenDocument"),
    ("a cut-off JPEG", files.image()[:300], "photo.jpg", "not a real JPEG image"),
    ("a cut-off PDF", files.pdf()[:-40], "easy read.pdf", "not a complete PDF"),
]


@pytest.mark.parametrize("data, name, message", [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_a_refused_file_leaves_no_file_no_row_and_no_entry(facilitator, make_draft, upload_folder, data, name,
                                                          message):
    draft = make_draft()
    entries = len(list(trail.iter_entries()))
    with pytest.raises(sniff.UploadRefused) as error:
        attach(facilitator, draft, data, name)
    assert message in error.value.message and error.value.field == "file"
    assert files_on_disk(upload_folder) == []
    assert count(StoredFile) == 0 and count(DraftAttachment) == 0
    assert len(list(trail.iter_entries())) == entries


def test_an_image_needs_its_description_and_nothing_is_kept_without_one(facilitator, make_draft, upload_folder):
    with pytest.raises(DomainError) as error:
        attach(facilitator, make_draft(), files.png(), "diagram.png", alt_text="  ")
    assert error.value.field == "alt_text" and "Describe the image" in error.value.message
    assert files_on_disk(upload_folder) == [] and count(StoredFile) == 0


def test_an_image_too_large_in_pixels_is_refused_before_it_is_decoded(app, facilitator, make_draft, upload_folder):
    app.config["UPLOAD_MAX_IMAGE_PIXELS"] = 1000
    with pytest.raises(sniff.UploadRefused) as error:
        attach(facilitator, make_draft(), files.png(size=(100, 100)), "big.png", alt_text="A big picture")
    assert "too large" in error.value.message and files_on_disk(upload_folder) == []


def test_a_failed_transaction_removes_the_file_it_had_put_in_place(facilitator, make_draft, upload_folder,
                                                                    monkeypatch):
    draft = make_draft()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(trail, "append", broken)
    with pytest.raises(RuntimeError):
        attach(facilitator, draft, files.pdf(), "easy.pdf")
    assert files_on_disk(upload_folder) == [] and count(StoredFile) == 0


def test_only_facilitators_attach_and_remove(facilitator, make_draft, make_person, upload_folder):
    draft = make_draft()
    practitioner = make_person(Role.PRACTITIONER)
    with pytest.raises(NotAllowed):
        attach(practitioner, draft, files.pdf(), "easy.pdf")
    assert files_on_disk(upload_folder) == []
    attachment = attach(facilitator, draft, files.pdf(), "easy.pdf")
    with pytest.raises(NotAllowed):
        services.remove(practitioner, attachment)


def test_removing_an_attachment_deletes_its_file_and_logs_its_hash(facilitator, make_draft, upload_folder):
    draft = make_draft()
    attachment = attach(facilitator, draft, files.pdf(), "easy.pdf")
    sha256, attachment_id = attachment.file.sha256, attachment.id
    services.remove(facilitator, attachment)
    assert files_on_disk(upload_folder) == [] and count(DraftAttachment) == 0 and count(StoredFile) == 0
    entry = logged("attachment.removed")[-1]
    assert entry["subject"] == f"attachment:{attachment_id}" and entry["data"] == {"draft": draft.id,
                                                                                    "sha256": sha256}
    assert entry["actor"] == facilitator.id


# --- the pages: attaching ------------------------------------------------------------------------------

def _form(client, csrf, draft, data, name, **fields):
    token = csrf(client, f"/drafts/{draft.id}/attachments/new")
    body = {"csrf_token": token, "title": "Easy read version", "kind": "easy_read", "language": "en", "section": "",
            "alt_text": "", **fields}
    if data is not None:
        body["file"] = (io.BytesIO(data), name)
    return client.post(f"/drafts/{draft.id}/attachments/new", data=body, content_type="multipart/form-data")


def test_a_facilitator_attaches_an_easy_read_pdf_and_it_shows_on_the_draft_and_the_consultation(
        client, login, as_person, csrf, facilitator, make_draft, make_person, upload_folder):
    draft = make_draft()
    consultation = consultations.open_consultation(
        facilitator, draft.versions[0], title="Working groups", audiences=["practitioners"],
        opens_at=utcnow().replace(microsecond=0), closes_at=utcnow().replace(year=utcnow().year + 1))
    login(facilitator)
    page = client.get(f"/drafts/{draft.id}/attachments/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    response = _form(client, csrf, draft, files.pdf(), "easy-read.pdf")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/drafts/{draft.id}#attachments")
    draft_page = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert "Easy read version" in draft_page and "PDF, " in draft_page and "Easy read</strong>" in draft_page
    client = as_person(make_person(Role.PRACTITIONER))
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Documents and accessible versions" in page and "Easy read</strong>" in page
    link = re.search(r'href="(/attachments/\d+)"', page).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.data == files.pdf()
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"Easy read version.pdf\"; filename*=UTF-8''Easy%20read%20version.pdf")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]
    assert client.get(link + "?view=inline").headers["Content-Disposition"].startswith("attachment;")  # a document


@pytest.mark.parametrize("data, name, message", [
    (None, "", "Select a file"), (b"", "easy read.pdf", "The selected file is empty"),
    (files.HTML_PAGE, "easy read.pdf", "web page or script code"),
    (files.PE_EXECUTABLE, "easy read.pdf", "not a real PDF"),
    (files.polyglot_pdf_zip(), "easy read.pdf", "both a PDF and a ZIP archive"),
    (files.pdf() + b"%" * LIMIT, "big.pdf", "must be smaller than")])
def test_the_form_says_what_is_wrong_with_a_refused_file_and_keeps_nothing(
        client, login, csrf, facilitator, make_draft, upload_folder, data, name, message):
    draft = make_draft()
    login(facilitator)
    response = _form(client, csrf, draft, data, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and message in page and 'href="#file"' in page
    assert "govuk-file-upload--error" in page
    assert files_on_disk(upload_folder) == [] and count(StoredFile) == 0


def test_a_body_far_over_the_limit_is_refused_with_413_before_it_is_read(client, login, csrf, facilitator,
                                                                          make_draft, upload_folder):
    draft = make_draft()
    login(facilitator)
    response = _form(client, csrf, draft, b"%PDF-1.4\n" + b"0" * (LIMIT + 300 * 1024), "huge.pdf")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "What you sent is too large" in page
    assert f"A file can be up to {size_label(LIMIT)}" in page  # the limit, in words people read
    assert files_on_disk(upload_folder) == [] and count(StoredFile) == 0


def test_an_image_without_a_description_is_refused_on_the_form(client, login, csrf, facilitator, make_draft):
    draft = make_draft()
    login(facilitator)
    page = _form(client, csrf, draft, files.png(), "diagram.png").get_data(as_text=True)
    assert "Describe the image for people who cannot see it" in page and 'href="#alt_text"' in page


def test_an_image_is_shown_with_its_description_and_served_inline(client, login, csrf, facilitator, make_draft):
    draft = make_draft()
    login(facilitator)
    assert _form(client, csrf, draft, files.image(), "photo.jpg", kind="document",
                 alt_text="The three working groups as circles").status_code == 303
    page = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    source = re.search(r'<img class="portal-attachment__image" src="([^"]+)" alt="The three working groups as '
                       r'circles">', page).group(1)
    shown = client.get(source.replace("&amp;", "&"))
    assert shown.headers["Content-Type"] == "image/jpeg" and shown.headers["Content-Disposition"].startswith("inline;")
    assert b"Exif" not in shown.data


def test_files_are_refused_by_every_form_but_the_upload_forms(client, login, csrf, facilitator):
    login(facilitator)
    token = csrf(client, "/drafts")
    response = client.post("/drafts", data={"csrf_token": token, "title": "A draft",
                                            "file": (io.BytesIO(files.pdf()), "a.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    big = client.post("/drafts", data={"csrf_token": token, "title": "x" * (2 * 1024 * 1024)})
    assert big.status_code == 413  # the upload allowance is the upload forms' alone


def test_only_facilitators_reach_the_attach_and_remove_pages(as_person, facilitator, make_draft, make_person):
    draft = make_draft()
    attachment = attach(facilitator, draft, files.pdf(), "easy.pdf")
    for role in (Role.SCRUTINEER, Role.PRACTITIONER, Role.YOUNG_PERSON):
        client = as_person(make_person(role))
        assert client.get(f"/drafts/{draft.id}/attachments/new").status_code == 403
        assert client.get(f"/attachments/{attachment.id}/remove").status_code == 403


def test_removing_from_the_page(client, login, csrf, facilitator, make_draft, upload_folder):
    draft = make_draft()
    attachment = attach(facilitator, draft, files.pdf(), "easy.pdf")
    login(facilitator)
    assert "Remove “Proposed working groups: easy read version”?" in client.get(
        f"/attachments/{attachment.id}/remove").get_data(as_text=True)
    token = csrf(client, f"/attachments/{attachment.id}/remove")
    response = client.post(f"/attachments/{attachment.id}/remove", data={"csrf_token": token})
    assert response.status_code == 303 and files_on_disk(upload_folder) == []
    assert client.get(f"/attachments/{attachment.id}").status_code == 404


# --- who may download ------------------------------------------------------------------------------

def test_who_may_download(client, as_person, facilitator, make_draft, make_person, partnership):
    draft = make_draft()
    unpublished = make_draft(title="Not yet published", publish=False)
    attachment = attach(facilitator, draft, files.pdf(), "easy.pdf")
    hidden = attach(facilitator, unpublished, files.pdf(), "easy.pdf")
    consultations.open_consultation(facilitator, draft.versions[0], title="Working groups",
                                    audiences=["young_people"], opens_at=utcnow().replace(microsecond=0),
                                    closes_at=utcnow().replace(year=utcnow().year + 1))
    assert client.get(f"/attachments/{attachment.id}").status_code == 302  # signed out: to the sign-in page
    allowed = {Role.FACILITATOR: (200, 200), Role.SCRUTINEER: (200, 404), Role.YOUNG_PERSON: (200, 404),
               Role.PRACTITIONER: (404, 404), Role.YOUTH_WORKER: (404, 404)}
    for role, (published_status, unpublished_status) in allowed.items():
        reader = as_person(facilitator if role == Role.FACILITATOR else make_person(role))
        assert reader.get(f"/attachments/{attachment.id}").status_code == published_status, role
        assert reader.get(f"/attachments/{hidden.id}").status_code == unpublished_status, role
