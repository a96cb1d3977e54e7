"""Findings: who records, shares, releases and answers them; every step is a log entry with text as SHA-256."""
import json

import pytest

from app.errors import DomainError, NotAllowed, NotFound
from app.scrutiny import services
from app.trail import services as trail


def last_entry():
    return list(trail.iter_entries())[-1]


def test_a_scrutineer_records_a_finding_logged_as_hashes_only(consultation, scrutineer):
    seq = trail.head()[0]
    finding = services.record_finding(scrutineer, consultation, observation="Young people heard late",
                                      recommendation="Open a week earlier to groups", severity="medium",
                                      entries=f"{seq}, 1")
    assert finding.visibility == "private" and finding.seqs == [1, seq]
    entry = last_entry()
    assert entry["action"] == "finding.recorded" and entry["subject"] == f"scrutiny_finding:{finding.id}"
    assert entry["data"]["observation_sha256"] == trail.text_hash("Young people heard late")
    assert entry["data"]["consultation"] == consultation.id and entry["data"]["entries"] == [1, seq]
    assert "heard late" not in json.dumps(entry)
    trail.verify_database()


@pytest.mark.parametrize("fields, field", [
    (dict(observation="  ", severity="low"), "observation"),
    (dict(observation="x", severity="urgent"), "severity"),
    (dict(observation="x", severity="low", entries="twelve"), "entries"),
    (dict(observation="x", severity="low", entries="999999"), "entries"),
])
def test_a_finding_must_be_complete_and_point_at_entries_that_exist(consultation, scrutineer, fields, field):
    fields.setdefault("recommendation", "")
    with pytest.raises(DomainError) as error:
        services.record_finding(scrutineer, consultation, **fields)
    assert error.value.field == field


def test_only_scrutineers_record_findings(consultation, facilitator, practitioner):
    for person in (facilitator, practitioner):
        with pytest.raises(NotAllowed):
            services.record_finding(person, consultation, observation="x", recommendation="", severity="low")


def test_findings_are_private_until_shared_then_answered_then_released(consultation, scrutineer, facilitator):
    finding = services.record_finding(scrutineer, consultation, observation="Obs", recommendation="Rec",
                                      severity="high")
    assert services.findings_for(facilitator, consultation) == []
    assert not services.visible_to(facilitator, finding)
    with pytest.raises(NotFound):
        services.answer_finding(facilitator, finding, "Too early")
    services.set_visibility(scrutineer, finding, "shared")
    assert services.findings_for(facilitator, consultation) == [finding]
    assert services.released_findings(consultation) == []
    answer = services.answer_finding(facilitator, finding, "We will open earlier")
    entry = last_entry()
    assert entry["action"] == "finding.answered" and entry["data"]["answer"] == answer.id
    assert entry["data"]["answer_sha256"] == trail.text_hash("We will open earlier")
    services.set_visibility(scrutineer, finding, "released")
    assert services.released_findings(consultation) == [finding] and finding.released_at is not None
    with pytest.raises(DomainError):
        services.set_visibility(scrutineer, finding, "shared")  # never taken back
    assert [e["action"] for e in trail.iter_entries()][-4:] == [
        "finding.recorded", "finding.shared", "finding.answered", "finding.released"]
    trail.verify_database()


def test_a_scrutineer_can_release_straight_away_and_only_scrutineers_change_visibility(
        consultation, scrutineer, facilitator):
    finding = services.record_finding(scrutineer, consultation, observation="Obs", recommendation="",
                                      severity="low")
    with pytest.raises(NotAllowed):
        services.set_visibility(facilitator, finding, "released")
    services.set_visibility(scrutineer, finding, "released")
    assert finding.shared_at is not None and services.visible_to(facilitator, finding)


def test_an_export_is_logged_with_who_and_what_and_anonymous_ones_never(consultation, scrutineer):
    count, _head = trail.head()
    with pytest.raises(NotAllowed):
        services.log_export(None, "open_data", consultation.id)
    assert trail.head()[0] == count
    services.log_export(scrutineer.id, "scrutiny", consultation.id)
    scrutiny = list(trail.iter_entries())[-1]
    assert (scrutiny["action"], scrutiny["actor"], scrutiny["data"]) == (
        "export.scrutiny", scrutineer.id, {"consultation": consultation.id, "format": "zip"})


def test_facilitators_are_emailed_when_a_finding_is_shared_with_them(consultation, scrutineer, facilitator):
    from sqlalchemy import select

    from app.extensions import db
    from app.mail.models import OutboxMessage

    finding = services.record_finding(scrutineer, consultation, observation="Obs", recommendation="",
                                      severity="medium")
    assert db.session.execute(select(OutboxMessage)).scalars().all() == []
    services.set_visibility(scrutineer, finding, "shared")
    services.set_visibility(scrutineer, finding, "released")  # once is enough
    messages = db.session.execute(select(OutboxMessage)).scalars().all()
    assert [m.to_address for m in messages] == [facilitator.email]
    assert f"/scrutiny/findings#finding-{finding.id}" in messages[0].body_text
