"""Submitted formal responses are bound into the scrutiny export: the standalone verifier catches a changed text,
organisation or author, a missing or an extra row; a draft is never exported."""
import csv
import io
import zipfile

import pytest

from app.org_responses import services
from app.trail.verify_log import text_hash
from tests.scrutiny.test_export_binding import _read, _rows, _write, run_verifier

NAME = "org_responses.csv"


@pytest.fixture
def export(client, login, scrutineer, consultation, lead, colleague, outsider, sections, tmp_path):
    submitted = services.start(lead, consultation)
    services.add_co_author(lead, submitted, colleague)
    services.submit(lead, submitted, version=1, sections={sections[0].id: "Add schools, please."},
                    overall="The charity supports the groups.")
    draft = services.start(outsider, consultation)
    services.save(outsider, draft, sections={}, overall="Council draft words, never to be exported", version=1)
    login(scrutineer)
    response = client.get(f"/scrutiny/consultations/{consultation.id}/export.zip")
    assert response.status_code == 200
    path = tmp_path / "export.zip"
    path.write_bytes(response.get_data())
    return path, services.get(submitted.id)


def test_the_export_holds_each_submitted_response_and_no_draft(export, colleague):
    path, response = export
    assert run_verifier(path)[0] == 0, run_verifier(path)
    members = _read(path)
    rows = _rows(members, NAME)
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert (row["id"], row["organisation_id"], row["lead_id"], row["co_author_ids"]) == (
        str(response.id), str(response.organisation_id), str(response.lead_id), str(colleague.id))
    assert "Add schools, please." in row["body"] and row["body_sha256"] == text_hash(row["body"]) == response.body_sha256
    assert not any(b"Council draft words" in data for data in members.values())


@pytest.mark.parametrize("column, value", [("body", "The charity opposes the groups."),
                                           ("organisation_id", "1"), ("lead_id", "1"), ("co_author_ids", ""),
                                           ("consultation_id", "99")])
def test_a_changed_cell_fails_naming_the_file_row_and_column(export, tmp_path, column, value):
    path, _response = export
    members = _read(path)
    rows = _rows(members, NAME)
    rows[1][rows[0].index(column)] = value
    if column == "body":
        rows[1][rows[0].index("body_sha256")] = text_hash(value)  # a careful forger recomputes the hash too
    code, out = run_verifier(_write(tmp_path / "bad.zip", members, NAME, rows))
    assert code == 1 and out.startswith(f"FAIL in {NAME} row 2 column {column}"), out


def test_a_missing_or_extra_row_fails(export, tmp_path):
    path, _response = export
    members = _read(path)
    rows = _rows(members, NAME)
    code, out = run_verifier(_write(tmp_path / "missing.zip", members, NAME, rows[:1]))
    assert code == 1 and out.startswith(f"FAIL in {NAME}") and "missing" in out, out
    extra = [*rows, [str(int(rows[1][0]) + 1), *rows[1][1:]]]
    code, out = run_verifier(_write(tmp_path / "extra.zip", members, NAME, extra))
    assert code == 1 and out == f"FAIL in {NAME} row 3 column id: no log entry records this row", out
