"""Exports: the scrutiny ZIP (streamed, verifiable by the standalone verifier) and the public open-data CSV."""
import csv
import io
import json
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import insert

from app.consultations import services as consultations
from app.database import transaction
from app.extensions import db
from app.scrutiny import routes
from app.trail import services as trail, tree
from app.trail.models import LogEntry
from app.trail.verify_log import GENESIS_HASH, canonical, entry_bytes, entry_hash, leaf_hash

VERIFIER = Path(__file__).resolve().parents[2] / "app" / "trail" / "verify_log.py"


def run_verifier(*args):
    result = subprocess.run([sys.executable, str(VERIFIER), *map(str, args)], capture_output=True, text=True,
                            timeout=300)
    return result.returncode, result.stdout.strip()


def set_status(comment, status):
    """Test set-up only: put a comment in a state the moderation room would."""
    with transaction():
        comment.status = status


@pytest.fixture
def discussed(consultation, sections, practitioner, young, make_person):
    """Comments of every kind: edited, withdrawn, a reply, a young person's (pending), a hidden one; a vote."""
    first = consultations.post_comment(practitioner, consultation, "The groups should meet monthly", sections[0])
    consultations.edit_comment(practitioner, first, "The groups should meet every month, in the evening")
    from app.accounts.models import Role

    vcs = make_person(Role.VCS_PARTNER, name="Val Voluntary", organisation="Testshire Voluntary Action")
    consultations.reply(vcs, first, "We agree: evenings suit volunteers")
    gone = consultations.post_comment(practitioner, consultation, "I take this back")
    consultations.withdraw_comment(practitioner, gone)
    consultations.post_comment(young, consultation, "Please meet after school")
    consultations.cast_vote(practitioner, consultation, sections[0], "support", "Good idea")
    return consultation


def download(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def test_the_export_is_a_streamed_zip_that_the_standalone_verifier_passes(
        client, login, scrutineer, discussed, young, tmp_path):
    login(scrutineer)
    response = download(client, f"/scrutiny/consultations/{discussed.id}/export.zip")
    assert response.is_streamed and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    path = tmp_path / "export.zip"
    path.write_bytes(response.get_data())
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {"log.jsonl", "comments.csv", "replies.csv", "comment_revisions.csv", "votes.csv"} <= names
        comments = list(csv.DictReader(io.TextIOWrapper(archive.open("comments.csv"), encoding="utf-8")))
        revisions = list(csv.DictReader(io.TextIOWrapper(archive.open("comment_revisions.csv"), encoding="utf-8")))
        replies = list(csv.DictReader(io.TextIOWrapper(archive.open("replies.csv"), encoding="utf-8")))
        votes = list(csv.DictReader(io.TextIOWrapper(archive.open("votes.csv"), encoding="utf-8")))
        log = archive.read("log.jsonl").decode()
    assert [row["status"] for row in comments] == ["published", "published", "withdrawn", "pending"]
    assert comments[2]["body"] == "I take this back" and comments[2]["withdrawn_at"]  # kept for the trail
    assert comments[3]["author"] == "A member of Testshire Youth Council"
    assert young.username not in path.read_bytes().decode("latin-1")
    assert revisions[0]["body"] == "The groups should meet monthly"
    assert [row["comment_id"] for row in replies] == [comments[1]["comment_id"]]
    assert votes[0]["choice"] == "support"
    count, _head = trail.head()
    assert list(trail.iter_entries())[-1]["action"] == "export.scrutiny"  # logged once served, so after the ZIP
    last = json.loads(log.splitlines()[-1])
    assert log.count("\n") == count - 1 and last["seq"] == count - 1
    assert run_verifier(path, "--head", last["hash"], "--seq", count - 1) == (0, f"OK {count - 1} {last['hash']}")


def test_a_changed_comment_text_in_the_export_fails_the_verifier(client, login, scrutineer, discussed, tmp_path):
    login(scrutineer)
    original = tmp_path / "export.zip"
    original.write_bytes(download(client, f"/scrutiny/consultations/{discussed.id}/export.zip").get_data())
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(tampered, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "comments.csv":
                data = data.replace(b"in the evening", b"in the morning")
            target.writestr(name, data)
    code, output = run_verifier(tampered)
    assert code == 1 and "does not match the SHA-256" in output


def test_only_scrutineers_export_and_each_export_is_logged(app, client, login, scrutineer, facilitator, discussed):
    other = app.test_client()
    login(facilitator, target=other)
    assert other.get(f"/scrutiny/consultations/{discussed.id}/export.zip").status_code == 403
    login(scrutineer)
    download(client, f"/scrutiny/consultations/{discussed.id}/export.zip").get_data()
    entry = list(trail.iter_entries())[-1]
    assert (entry["action"], entry["actor"], entry["subject"]) == (
        "export.scrutiny", scrutineer.id, f"consultation:{discussed.id}")


def test_the_verifier_is_downloadable_as_one_python_file(client):
    response = client.get("/scrutiny/verify_log.py")
    assert response.status_code == 200 and response.mimetype == "text/x-python"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_data() == VERIFIER.read_bytes()


# --- the public open-data export ----------------------------------------------------------------

MARKER = "zqx-marker-7f3a"


def test_the_open_data_csv_leaves_out_hidden_withdrawn_and_young_peoples_identity(
        client, make_person, consultation, sections, practitioner, monkeypatch):
    from app.accounts.models import Role

    young = make_person(Role.YOUNG_PERSON, username=f"kid-{MARKER}", name=f"Name {MARKER}")
    shown = consultations.post_comment(practitioner, consultation, "Published views are open data")
    hidden = consultations.post_comment(practitioner, consultation, f"Hidden {MARKER}")
    set_status(hidden, "hidden")
    withdrawn = consultations.post_comment(practitioner, consultation, f"Withdrawn {MARKER}")
    consultations.withdraw_comment(practitioner, withdrawn)
    concern = consultations.post_comment(young, consultation, f"Concern {MARKER}")
    set_status(concern, "concern")
    consultations.post_comment(young, consultation, f"Pending {MARKER}")
    approved = consultations.post_comment(young, consultation, "Young people's approved view",
                                          use="public")  # young people's words stay inside unless they choose so
    set_status(approved, "published")
    monkeypatch.setattr(routes, "open_data_available", lambda consultation: True)

    response = download(client, f"/open-data/consultations/{consultation.id}.csv")
    text = response.get_data(as_text=True)
    assert MARKER not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(row["comment_id"]) for row in rows] == [shown.id, approved.id]
    assert rows[0]["author"] == "Testshire Council" and practitioner.display_name not in text
    assert rows[1]["author"] == "A young person" and rows[1]["audience"] == "young_people"
    entry = list(trail.iter_entries())[-1]
    assert entry["action"] != "export.open_data"  # anonymous requests never write to the log


def test_open_data_is_only_for_published_arrangements(client, consultation):
    assert routes.open_data_available(consultation) is False  # still open, and not published
    assert client.get(f"/open-data/consultations/{consultation.id}.csv").status_code == 404
    assert client.get("/open-data/consultations/999999.csv").status_code == 404


# --- memory stays flat ---------------------------------------------------------------------------

ENTRIES = 100_000
BOUND = 10 * 1024 * 1024  # bytes of peak allocation while the export streams


def bulk_log(count, start_seq, prev_hash):
    """Append `count` entries with correct hashes, inserted in large batches (much faster than trail.append)."""
    rows, seq, leaves = [], start_seq, []
    for seq in range(start_seq, start_seq + count):
        entry = {"seq": seq, "at": "2026-01-01T00:00:00.000000Z", "actor": None, "action": "vote.cast",
                 "subject": f"vote:{seq}", "prev_hash": prev_hash,
                 "data": {"consultation": 0, "choice": "support", "reason_sha256": trail.text_hash(str(seq)),
                          "version_hash": trail.text_hash(f"v{seq}")}}
        prev_hash = entry_hash(entry)
        leaves.append(leaf_hash(entry_bytes(entry)))
        rows.append({"seq": seq, "at": entry["at"], "actor": None, "action": entry["action"],
                     "subject": entry["subject"], "data_json": canonical(entry["data"]),
                     "prev_hash": entry["prev_hash"], "hash": prev_hash})
        if len(rows) == 10_000:
            db.session.execute(insert(LogEntry), rows)
            rows.clear()
    if rows:
        db.session.execute(insert(LogEntry), rows)
    tree.add_leaves(start_seq - 1, leaves)  # and the Merkle tree over them, as append() would (issue 20)
    db.session.commit()
    return prev_hash


@pytest.mark.slow
def test_an_export_of_100000_log_entries_keeps_memory_flat(client, login, scrutineer, consultation, tmp_path):
    seq, head = trail.head()
    bulk_log(ENTRIES, seq + 1, head if seq else GENESIS_HASH)
    login(scrutineer)
    count, last = trail.head()  # the export is logged once served: after the log it holds
    response = client.get(f"/scrutiny/consultations/{consultation.id}/export.zip")
    assert response.status_code == 200 and response.is_streamed
    path = tmp_path / "export.zip"
    tracemalloc.start()
    try:
        with path.open("wb") as out:
            for chunk in response.response:
                out.write(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with zipfile.ZipFile(path) as archive:
        log_size = archive.getinfo("log.jsonl").file_size
        compressed = archive.getinfo("log.jsonl").compress_size
    # Holding the log, or even the compressed ZIP, in memory would pass the bound; streaming stays far below.
    assert log_size > 4 * BOUND and compressed > BOUND
    assert peak < BOUND, f"peak allocation {peak / 1e6:.1f} MB while streaming a {log_size / 1e6:.0f} MB log"
    assert count > ENTRIES
    assert run_verifier(path, "--head", last) == (0, f"OK {count} {last}")
