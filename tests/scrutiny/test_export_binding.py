"""Every row of every file of the scrutiny export is bound to the log: tamper with any of them and the
standalone verifier refuses the export, naming the file (and the row and column where it can)."""
import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from app.accounts import services as accounts
from app.consultations import services as consultations
from app.consultations.models import Consultation
from app.demo import DEMO_PASSWORD, load_demo_data
from app.extensions import db
from app.moderation import services as moderation
from app.scrutiny import services as scrutiny
from app.trail import verify_log
from tests.conftest import csrf_token

VERIFIER = Path(__file__).resolve().parents[2] / "app" / "trail" / "verify_log.py"
CSV_FILES = list(verify_log.EXPORT_FILES)


def run_verifier(*args):
    result = subprocess.run([sys.executable, str(VERIFIER), *map(str, args)], capture_output=True, text=True,
                            timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout.strip()


def _person(login):
    return accounts.find_by_login(login)


def _everything_happens(open_consultation):
    """On the demo's open consultation: edits, a reply, a withdrawal, a hide and restore, a rejection, a concern
    and a redaction, a changed vote, and findings."""
    practitioner, facilitator, dsl = _person("practitioner@demo.test"), _person("facilitator@demo.test"), \
        _person("dsl@demo.test")
    section = open_consultation.version.sections[0]
    first = consultations.post_comment(practitioner, open_consultation, "Meet monthly, please", section)
    consultations.edit_comment(practitioner, first, "Meet every month, in the evening")
    consultations.reply(_person("vcs@demo.test"), first, "Noted: evenings")
    gone = consultations.post_comment(practitioner, open_consultation, "I take this back")
    consultations.withdraw_comment(practitioner, gone)
    hidden = consultations.post_comment(practitioner, open_consultation, "Rude words here")
    moderation.hide(facilitator, hidden, "unkind", "too sharp")
    moderation.restore(facilitator, hidden, "on reflection it is fair")
    moderation.hide(facilitator, hidden, "off_topic")
    worrying = consultations.post_comment(practitioner, open_consultation, "Something worrying")
    consultations.edit_comment(practitioner, worrying, "Something more worrying")
    concern = moderation.raise_concern(facilitator, worrying, "please look")
    moderation.redact(dsl, concern)
    consultations.cast_vote(practitioner, open_consultation, section, "support", "Good idea")
    consultations.cast_vote(practitioner, open_consultation, section, "oppose", "On reflection, no")
    _suggested_wording(open_consultation, practitioner)
    scrutineer = _person("scrutineer@demo.test")
    finding = scrutiny.record_finding(scrutineer, open_consultation, observation="Few young people took part",
                                      recommendation="Visit schools", severity="medium", entries="1, 2")
    scrutiny.set_visibility(scrutineer, finding, "shared")
    # Workshop and paper input typed in by the youth worker (issue 19): a session and two of its contributions.
    from app.workshops import services as workshops

    youth_worker = _person("youth.worker@demo.test")
    workshop = workshops.record_session(youth_worker, open_consultation, held_on=workshops.today_in_london(),
                                        participants=12, method="workshop", audience="young_people",
                                        organisation=youth_worker.organisation)
    entered = workshops.enter_contribution(youth_worker, workshop, "More youth clubs open late", section)
    moderation.approve(facilitator, entered)
    workshops.enter_contribution(youth_worker, workshop, "my stepdad hits me when he drinks")


def _suggested_wording(open_consultation, practitioner):
    """Suggested wording (issue 19): two suggestions, supported, one support withdrawn and given again."""
    from app.suggestions import services as suggestions
    from app.suggestions.text import sha256

    section = open_consultation.version.sections[1]
    vcs, amy = _person("vcs@demo.test"), _person("amy.clarke@demo.test")
    first = suggestions.suggest(practitioner, open_consultation, section, reason="Say who leads it",
                                passage="lead the partnership's work", replacement="lead and fund the partnership's work",
                                made_against=sha256(section.body))
    second = suggestions.suggest(vcs, open_consultation, section, reason="Plainer", passage="live with",
                                 replacement="grow up with", made_against=sha256(section.body))
    suggestions.support(vcs, first)
    suggestions.support(amy, first)
    suggestions.withdraw_support(vcs, first)
    suggestions.support(vcs, first)
    suggestions.support(practitioner, second)


@pytest.fixture
def exports(app, tmp_path):
    """{name: path} of the scrutiny exports of the demo's published and open consultations."""
    load_demo_data()
    found = db.session.execute(select(Consultation).order_by(Consultation.id)).scalars().all()
    open_one = next(c for c in found if c.state == "open")
    _everything_happens(open_one)
    client = app.test_client()
    client.post("/login", data={"email": "scrutineer@demo.test", "password": DEMO_PASSWORD,
                                "csrf_token": csrf_token(client, "/login")})
    paths = {}
    for consultation in found:
        response = client.get(f"/scrutiny/consultations/{consultation.id}/export.zip")
        assert response.status_code == 200
        paths[consultation.state] = tmp_path / f"export-{consultation.id}.zip"
        paths[consultation.state].write_bytes(response.get_data())
    return paths


def _read(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rows(members, name):
    return list(csv.reader(io.StringIO(members[name].decode("utf-8"), newline="")))


def _write(path, members, name=None, rows=None):
    if name is not None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        members = {**members, name: buffer.getvalue().encode("utf-8")}
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


def test_clean_exports_pass_and_hold_every_kind_of_row(exports):
    for path in exports.values():
        assert run_verifier(path)[0] == 0, run_verifier(path)
    members = {**_read(exports["open"])}
    published = _read(exports["closed"])
    for name in ("comments.csv", "replies.csv", "comment_revisions.csv", "votes.csv", "moderation_acts.csv",
                 "findings.csv", "suggestions.csv", "suggestion_supports.csv", "workshop_sessions.csv"):
        assert len(_rows(members, name)) > 1, name
    for name in ("responses.csv", "signoff_requests.csv", "signoffs.csv", "publications.csv"):
        assert len(_rows(published, name)) > 1, name


def _bound_cells(members):
    """(file, row index, column index) of every cell the verifier checks."""
    cells = []
    for name in CSV_FILES:
        rows = _rows(members, name)
        for r, row in enumerate(rows[1:], start=1):
            for c, column in enumerate(rows[0]):
                if column in verify_log.UNBOUND:
                    continue
                if name == "moderation_acts.csv" and column in ("id", "reason") and row[2] in ("hidden", "rejected"):
                    continue  # the README: a hide's own words are not in the log, and act ids are only ordered
                if name == "signoffs.csv" and column == "id":
                    continue
                cells.append((name, r, c))
    return cells


@pytest.mark.parametrize("which", ["open", "closed"])
def test_each_file_refuses_a_changed_cell_a_deleted_added_or_swapped_row(exports, tmp_path, which):
    members = _read(exports[which])
    for name in CSV_FILES:
        rows = _rows(members, name)
        if len(rows) < 2:
            continue
        column = next(c for c, col in enumerate(rows[0]) if col not in verify_log.UNBOUND and col != "id") \
            if name != "moderation_acts.csv" else 2
        damages = {
            "cell": rows[:1] + [[*rows[1][:column], rows[1][column] + "9", *rows[1][column + 1:]]] + rows[2:],
            "deleted": rows[:1] + rows[2:],
            "added": rows + [rows[-1]],
        }
        if len(rows) > 2:
            damages["swapped"] = rows[:1] + [rows[2], rows[1]] + rows[3:]
        for damage, changed in damages.items():
            code, output = run_verifier(_write(tmp_path / f"{name}-{damage}.zip", members, name, changed))
            assert code == 1 and output.startswith(f"FAIL in {name}"), (name, damage, output)


def test_state_that_differs_from_the_log_is_refused(exports, tmp_path):
    members = _read(exports["closed"])
    rows = _rows(members, "responses.csv")
    outcome = rows[0].index("outcome")
    rows[1][outcome] = "accepted" if rows[1][outcome] != "accepted" else "not_accepted"
    code, output = run_verifier(_write(tmp_path / "r.zip", members, "responses.csv", rows))
    assert code == 1 and output.startswith("FAIL in responses.csv row 2 column outcome"), output
    members = _read(exports["open"])
    rows = _rows(members, "votes.csv")
    rows[1][rows[0].index("choice")] = "support"
    code, output = run_verifier(_write(tmp_path / "v.zip", members, "votes.csv", rows))
    assert code == 1 and output.startswith("FAIL in votes.csv row 2 column choice"), output
    rows = _rows(members, "comments.csv")
    hidden = next(row for row in rows if row[6] == "hidden")
    hidden[6] = "published"
    code, output = run_verifier(_write(tmp_path / "c.zip", members, "comments.csv", rows))
    assert code == 1 and "column status" in output, output


def test_a_withheld_comment_is_checked_by_its_sha256_column(exports, tmp_path):
    members = _read(exports["open"])
    rows = _rows(members, "comments.csv")
    body, digest = rows[0].index("body"), rows[0].index("body_sha256")
    rows[1][body] = "[withheld: safeguarding concern 1]"
    assert run_verifier(_write(tmp_path / "w.zip", members, "comments.csv", rows))[0] == 0
    rows[1][digest] = "0" * 64
    code, output = run_verifier(_write(tmp_path / "w2.zip", members, "comments.csv", rows))
    assert code == 1 and "column body_sha256" in output, output


@pytest.mark.parametrize("damage", ["unknown", "missing", "log-cut", "log-padded", "log-reordered", "manifest",
                                    "not-a-zip", "binary-csv"])
def test_damaged_zips_are_refused_in_one_line(exports, tmp_path, damage):
    members = _read(exports["open"])  # its rows rest on the log's last entries, so a cut tail loses some
    log = members["log.jsonl"].decode().splitlines(keepends=True)
    if damage == "unknown":
        members["extra.csv"] = b"a\r\n"
    elif damage == "missing":
        del members["votes.csv"]
    elif damage == "log-cut":
        members["log.jsonl"] = "".join(log[:-5]).encode()
    elif damage == "log-padded":
        members["log.jsonl"] = ("".join(log) + "\n").encode()
    elif damage == "log-reordered":
        members["log.jsonl"] = "".join(log[:3] + [log[4], log[3]] + log[5:]).encode()
    elif damage == "manifest":
        members["manifest.json"] = b"{not json"
    elif damage == "binary-csv":
        members["votes.csv"] = b"\xff\xfe\x00garbage"
    path = tmp_path / "damaged.zip"
    if damage == "not-a-zip":
        path.write_bytes(b"PK\x03\x04 this is not really a zip")
    else:
        _write(path, members)
    code, output = run_verifier(path)
    assert code == 1 and output.startswith("FAIL") and "\n" not in output, output


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_tampered_bound_cell_is_refused(exports, tmp_path, data):
    which = data.draw(st.sampled_from(["open", "closed"]))
    members = _read(exports[which])
    name, r, c = data.draw(st.sampled_from(_bound_cells(members)))
    rows = _rows(members, name)
    new = data.draw(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
                    .filter(lambda value: value != rows[r][c]))
    rows[r][c] = new
    code, output = run_verifier(_write(tmp_path / "h.zip", members, name, rows))
    assert code == 1 and output.startswith("FAIL"), (name, r, rows[0][c], new, output)


def test_every_bound_cell_of_every_file_is_checked(exports, tmp_path):
    """Deterministic companion to the property test: each checked cell changed, then emptied, is refused."""
    import argparse

    let_through = []
    for which in ("open", "closed"):
        members = _read(exports[which])
        for name, r, c in _bound_cells(members):
            original = _rows(members, name)[r][c]
            for value in {original + "x" if original else "1", ""} - {original}:
                rows = _rows(members, name)
                rows[r][c] = value
                path = _write(tmp_path / "t.zip", members, name, rows)
                try:
                    verify_log._run(argparse.Namespace(log=str(path), head=None, seq=None))
                except (verify_log.ExportError, verify_log.ChainError):
                    continue
                let_through.append((which, name, r, rows[0][c], value))
    assert not let_through


@pytest.mark.parametrize("change", [
    "DELETE FROM vote",
    "DELETE FROM comment_revision WHERE id NOT IN "
    "(SELECT revision_id FROM redacted_text WHERE revision_id IS NOT NULL)",
    "UPDATE comment SET status = 'published' WHERE status = 'hidden'",
    "UPDATE response SET outcome = 'accepted' WHERE outcome = 'not_accepted' OR outcome = 'partly_accepted'",
])
def test_rows_changed_in_the_database_behind_the_services_fail_the_export(app, exports, tmp_path, change):
    """As in the issue, on a copy of the database: rows deleted, a hidden comment set back to published, an
    outcome changed. The next export no longer matches the log."""
    from sqlalchemy import text

    db.session.rollback()
    with db.engine.begin() as connection:
        connection.execute(text(change))
    client = app.test_client()
    client.post("/login", data={"email": "scrutineer@demo.test", "password": DEMO_PASSWORD,
                                "csrf_token": csrf_token(client, "/login")})
    codes = []
    for consultation in db.session.execute(select(Consultation)).scalars():
        path = tmp_path / f"after-{consultation.id}.zip"
        path.write_bytes(client.get(f"/scrutiny/consultations/{consultation.id}/export.zip").get_data())
        codes.append(run_verifier(path)[0])
    assert 1 in codes
