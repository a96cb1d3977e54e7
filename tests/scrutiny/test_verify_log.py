"""The standalone verifier, run as a separate process, as a scrutineer would run it."""
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.database import transaction
from app.trail import services as trail

VERIFIER = Path(__file__).resolve().parents[2] / "app" / "trail" / "verify_log.py"


def run_verifier(*args):
    result = subprocess.run([sys.executable, str(VERIFIER), *map(str, args)], capture_output=True, text=True,
                            timeout=60)
    return result.returncode, result.stdout.strip()


@pytest.fixture
def exported(app, runner, tmp_path):
    """A log of 6 entries: two comments (one edited, one redacted) and others, exported to log.jsonl."""
    texts = {1: "First comment", 2: "Second comment, to be redacted"}
    with transaction():
        trail.append("comment.posted", "comment:1", {"body_sha256": trail.text_hash(texts[1])}, actor=1)
    with transaction():
        trail.append("comment.posted", "comment:2", {"body_sha256": trail.text_hash(texts[2])}, actor=2)
    with transaction():
        trail.append("comment.edited", "comment:1", {"previous_body_sha256": trail.text_hash(texts[1]),
                                                     "body_sha256": trail.text_hash("First comment, edited")}, actor=1)
    with transaction():
        trail.append("vote.cast", "vote:1", {"choice": "support"}, actor=1)
    with transaction():
        trail.append("comment.redacted", "comment:2", {"body_sha256": trail.text_hash(texts[2])}, actor=3)
    with transaction():
        trail.append("consultation.closed_early", "consultation:1", {"reason_sha256": trail.text_hash("done")})
    path = tmp_path / "log.jsonl"
    assert runner.invoke(args=["export-log", str(path)]).exit_code == 0
    return path


def _lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_clean_log_passes_with_its_head(exported):
    count, head = trail.head()
    assert run_verifier(exported) == (0, f"OK 6 {head}")
    assert run_verifier(exported, "--head", head, "--seq", 6) == (0, f"OK 6 {head}")


def test_an_earlier_head_at_its_seq_passes(exported):
    third = json.loads(_lines(exported)[2])["hash"]
    assert run_verifier(exported, "--head", third, "--seq", 3)[0] == 0
    code, output = run_verifier(exported, "--head", third, "--seq", 4)
    assert code == 1 and output.startswith("FAIL at seq 4")


@pytest.mark.parametrize("field,value", [("actor", 99), ("data", {"choice": "oppose"}), ("at", "2019-01-01T00:00:00Z"),
                                         ("action", "vote.changed"), ("subject", "vote:2")])
def test_a_changed_field_fails_at_that_entry(exported, field, value):
    lines = _lines(exported)
    entry = json.loads(lines[3])
    entry[field] = value
    lines[3] = json.dumps(entry, sort_keys=True)
    _write(exported, lines)
    code, output = run_verifier(exported)
    assert code == 1 and output.startswith("FAIL at seq 4"), output


def test_one_changed_byte_fails_at_that_entry(exported):
    raw = bytearray(exported.read_bytes())
    offset = raw.index(b'"support"') + 2
    raw[offset] = ord("S")
    exported.write_bytes(bytes(raw))
    code, output = run_verifier(exported)
    assert code == 1 and output.startswith("FAIL at seq 4"), output


@pytest.mark.parametrize("damage,first_bad", [("delete", 3), ("swap", 3), ("insert", 4)])
def test_deleted_swapped_and_inserted_lines_fail(exported, damage, first_bad):
    lines = _lines(exported)
    if damage == "delete":
        del lines[2]
    elif damage == "swap":
        lines[2], lines[3] = lines[3], lines[2]
    else:
        lines.insert(3, lines[2])
    _write(exported, lines)
    code, output = run_verifier(exported)
    assert code == 1 and output.startswith(f"FAIL at seq {first_bad}"), output


def test_a_truncated_tail_fails_against_a_later_head(exported):
    lines = _lines(exported)
    head = json.loads(lines[-1])["hash"]
    _write(exported, lines[:4])
    assert run_verifier(exported)[0] == 0  # on its own, a shorter log is a valid chain …
    code, output = run_verifier(exported, "--head", head, "--seq", 6)
    assert code == 1 and output.startswith("FAIL at seq 5"), output  # … but it does not reach the head
    code, output = run_verifier(exported, "--head", head)
    assert code == 1 and output.startswith("FAIL at seq 5"), output


def _write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=["comment_id", "body"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_exported_texts_match_their_hashes_and_redactions_pass(exported, tmp_path):
    comments = _write_csv(tmp_path / "comments.csv", [{"comment_id": 1, "body": "First comment, edited"},
                                                      {"comment_id": 2, "body": ""}])
    revisions = _write_csv(tmp_path / "revisions.csv", [{"comment_id": 1, "body": "First comment"}])
    assert run_verifier(exported, "--comments", comments, "--revisions", revisions)[0] == 0


def test_a_changed_comment_text_fails_at_its_log_entry(exported, tmp_path):
    comments = _write_csv(tmp_path / "comments.csv", [{"comment_id": 1, "body": "First comment, EDITED"}])
    code, output = run_verifier(exported, "--comments", comments)
    assert code == 1 and output.startswith("FAIL at seq 3"), output


def test_a_missing_text_passes_only_where_a_redaction_is_logged(exported, tmp_path):
    comments = _write_csv(tmp_path / "comments.csv", [{"comment_id": 1, "body": ""}])
    code, output = run_verifier(exported, "--comments", comments)
    assert code == 1 and output.startswith("FAIL at seq 3"), output


def test_unreadable_input_fails_cleanly(tmp_path):
    missing = tmp_path / "nope.jsonl"
    code, output = run_verifier(missing)
    assert code == 1 and output.startswith("FAIL")
