"""Suggested wording: the pages, each rule seen through a form, access, the report, sign-off and the export."""
import io
import re
import subprocess
import sys
import zipfile
from html import unescape
from pathlib import Path

import pytest

from app.accounts.models import Role
from app.consultations import services as consultations
from app.drafts import services as drafts
from app.responses import publishing
from app.suggestions import exports, services, text
from app.suggestions.models import Suggestion
from tests.fixtures.consultations import assert_log_verifies

VERIFIER = Path(__file__).resolve().parents[2] / "app" / "trail" / "verify_log.py"


@pytest.fixture
def section(consultation):
    return consultation.version.sections[1]  # "A group on domestic abuse and its effect on children."


def _url(consultation, section):
    return f"/consultations/{consultation.id}/sections/{section.id}/suggest"


def _passage_form(client, csrf, consultation, section, **fields):
    data = {"csrf_token": csrf(client, _url(consultation, section)), "how": "passage",
            "p-made_against": text.sha256(section.body), "p-passage": "its effect on children",
            "p-replacement": "its effect on children and young people", "p-reason": "Teenagers too.",
            "p-use": "public"}
    data.update(fields)
    return client.post(_url(consultation, section), data=data)


def test_the_suggest_page_shows_the_text_and_both_forms_filled_from_a_selection(client, login, consultation, section,
                                                                               practitioner):
    login(practitioner)
    html = unescape(client.get(_url(consultation, section) + "?passage=its+effect").get_data(as_text=True))
    assert "A group on domestic abuse and its effect on children." in html
    assert re.search(r'<textarea[^>]*name="p-passage"[^>]*>\s*its effect</textarea>', html)
    assert re.search(r'<textarea[^>]*name="e-edited"[^>]*>\s*A group on domestic abuse', html)
    page = unescape(client.get(f"/consultations/{consultation.id}").get_data(as_text=True))
    assert f'href="{_url(consultation, section)}"' in page and "Suggest new wording" in page


def test_suggesting_shows_a_tracked_change_on_the_consultation_page(client, login, csrf, consultation, section,
                                                                    practitioner):
    login(practitioner)
    response = _passage_form(client, csrf, consultation, section, **{"p-replacement": "its effect on young people"})
    assert response.status_code == 303
    suggestion = Suggestion.query.one()
    assert response.headers["Location"].endswith(f"#comment-{suggestion.comment_id}")
    html = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert re.search(r'<del class="portal-diff__del"><span class="govuk-visually-hidden">deleted: </span>children</del>'
                     r'\s*<ins class="portal-diff__ins"><span class="govuk-visually-hidden">inserted: </span>young '
                     r'people</ins>', html), html
    assert "Suggested wording" in html and "Teenagers too." in html


def test_editing_a_copy_of_the_text_without_javascript(client, login, csrf, consultation, section, practitioner):
    login(practitioner)
    response = client.post(_url(consultation, section), data={
        "csrf_token": csrf(client, _url(consultation, section)), "how": "edit",
        "e-made_against": text.sha256(section.body), "e-reason": "Shorter",
        "e-edited": "A group on domestic abuse and how it affects children."})
    assert response.status_code == 303
    suggestion = Suggestion.query.one()
    assert (suggestion.passage, suggestion.replacement) == ("its effect on", "how it affects")


@pytest.mark.parametrize("fields, field, message", [
    ({"p-passage": "effect on adults"}, "p-passage", "not in the section"),
    ({"p-made_against": "0" * 64}, "p-passage", "changed since you opened this page"),
    ({"p-replacement": "its effect on children"}, "p-replacement", "same as the section"),
    ({"p-reason": ""}, "p-reason", "Enter why you suggest this wording"),
])
def test_bad_input_is_refused_on_its_field_and_stores_nothing(client, login, csrf, consultation, section,
                                                             practitioner, fields, field, message):
    login(practitioner)
    response = _passage_form(client, csrf, consultation, section, **fields)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "There is a problem" in html and f'href="#{field}"' in html and message in html
    assert re.search(rf'id="{field}-error"', html)
    assert Suggestion.query.count() == 0


def test_an_overlapping_suggestion_is_refused_with_a_link_to_the_open_one(client, login, csrf, consultation, section,
                                                                          practitioner, vcs):
    first = services.suggest(vcs, consultation, section, reason="x", passage="effect on children",
                             replacement="impact on children", made_against=text.sha256(section.body))
    login(practitioner)
    response = _passage_form(client, csrf, consultation, section)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and f"Suggestion {first.id} already proposes" in html
    assert Suggestion.query.count() == 1


def test_who_may_suggest_support_and_decide(as_person, consultation, section, practitioner, scrutineer,
                                            facilitator, vcs):
    suggestion = services.suggest(vcs, consultation, section, reason="x", passage="effect on children",
                                  replacement="impact on children", made_against=text.sha256(section.body))
    client = as_person(scrutineer)
    assert client.get(_url(consultation, section)).status_code == 403
    assert client.get(f"/suggestions/{suggestion.id}").status_code == 200  # reads, never takes part
    assert client.get(f"/suggestions/{suggestion.id}/decide").status_code == 403
    client = as_person(practitioner)
    assert client.get(f"/suggestions/{suggestion.id}/decide").status_code == 403
    assert client.get(f"/consultations/{consultation.id}/sections/999999/suggest").status_code == 404
    assert client.get("/suggestions/999999").status_code == 404


def test_supporting_and_withdrawing_support(as_person, csrf, consultation, section, practitioner, vcs):
    suggestion = services.suggest(vcs, consultation, section, reason="x", passage="effect on children",
                                  replacement="impact on children", made_against=text.sha256(section.body))
    client = as_person(practitioner)
    page = f"/suggestions/{suggestion.id}"
    assert "Support this suggestion" in client.get(page).get_data(as_text=True)
    response = client.post(f"{page}/support", data={"csrf_token": csrf(client, page), "action": "support"})
    assert response.status_code == 303
    html = client.get(page).get_data(as_text=True)
    assert "Supported by 1 person (you support it)" in html and "Withdraw my support" in html
    client.post(f"{page}/support", data={"csrf_token": csrf(client, page), "action": "withdraw"})
    assert "No one supports it yet" in client.get(page).get_data(as_text=True)
    client = as_person(vcs)  # the author: no button, and the service refuses
    assert "Support this suggestion" not in client.get(page).get_data(as_text=True)
    response = client.post(f"{page}/support", data={"csrf_token": csrf(client, page), "action": "support"})
    assert response.status_code == 200 and "your own suggestion" in unescape(response.get_data(as_text=True))


def test_a_young_persons_waiting_suggestion_is_seen_only_by_them_and_moderators(
        as_person, consultation, section, young, vcs, facilitator):
    suggestion = services.suggest(young, consultation, section, reason="Say it for us", passage="effect on children",
                                  replacement="effect on us", made_against=text.sha256(section.body))
    client = as_person(vcs)
    assert client.get(f"/suggestions/{suggestion.id}").status_code == 404
    assert "effect on us" not in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    client = as_person(facilitator)
    queue = unescape(client.get("/moderation").get_data(as_text=True))
    assert "Suggested wording" in queue and "us" in queue


def test_the_decision_goes_into_the_next_version_the_report_and_sign_off(as_person, csrf, consultation, section,
                                                                         practitioner, vcs, facilitator):
    first = services.suggest(practitioner, consultation, section, reason="Teenagers too", passage="effect on children",
                             replacement="effect on children and young people",
                             made_against=text.sha256(section.body))
    consultations.close_early(facilitator, consultation, "Done")
    client = as_person(facilitator)
    page = f"/suggestions/{first.id}/decide"
    html = unescape(client.get(page).get_data(as_text=True))
    assert f"a new version {consultation.version.number + 1}" in html
    response = client.post(page, data={"csrf_token": csrf(client, page), "outcome": "accepted",
                                       "reason": "We agree: teenagers are affected too."})
    assert response.status_code == 303
    draft_id, number = consultation.version.draft_id, consultation.version.number + 1
    version_page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert f'href="/suggestions/{first.id}"' in version_page  # the link back
    working = drafts.get_version(draft_id, number)
    drafts.publish_version(facilitator, working, change_note="After the consultation")
    publishing.publish_answers(facilitator, consultation)
    signoff = unescape(client.get(f"/consultations/{consultation.id}/signoff").get_data(as_text=True))
    assert f"Accepted suggestions in version {number}" in signoff and "Contains it" in signoff
    client = as_person(practitioner)
    report = unescape(client.get(f"/consultations/{consultation.id}/report").get_data(as_text=True))
    assert "Suggested wording" in report and "We agree: teenagers are affected too." in report
    assert f"In the final version (version {number})" in report
    assert_log_verifies()


def test_decisions_with_bad_input_are_refused_on_their_fields(client, login, csrf, consultation, section,
                                                              practitioner, facilitator):
    suggestion = services.suggest(practitioner, consultation, section, reason="x", passage="effect on children",
                                  replacement="impact on children", made_against=text.sha256(section.body))
    login(facilitator)
    page = f"/suggestions/{suggestion.id}/decide"
    response = client.post(page, data={"csrf_token": csrf(client, page), "outcome": "accepted", "reason": "Yes"})
    assert response.status_code == 200 and "once the consultation has closed" in unescape(response.get_data(as_text=True))
    consultations.close_early(facilitator, consultation, "Done")
    response = client.post(page, data={"csrf_token": csrf(client, page), "outcome": "accepted_with_changes",
                                       "reason": "Partly", "final_text": "impact on children"})
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and 'href="#final_text"' in html and "unchanged" in html
    assert Suggestion.query.one().outcome is None


def _zip_for(client, login, scrutineer, consultation):
    login(scrutineer)
    response = client.get(f"/scrutiny/consultations/{consultation.id}/export.zip")
    assert response.status_code == 200
    return response.get_data()


def _verify(tmp_path, data, name="export.zip"):
    path = tmp_path / name
    path.write_bytes(data)
    result = subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout.strip()


def _tamper(data, name, old, new):
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member in source.namelist():
            content = source.read(member)
            if member == name:
                assert old.encode() in content, (old, content)
                content = content.replace(old.encode(), new.encode(), 1)
            archive.writestr(member, content)
    return out.getvalue()


def test_the_export_binds_suggestions_and_their_decisions_and_a_tampered_one_is_caught(
        client, login, consultation, section, practitioner, vcs, facilitator, scrutineer, tmp_path):
    first = services.suggest(practitioner, consultation, section, reason="x", passage="effect on children",
                             replacement="impact on children", made_against=text.sha256(section.body))
    second = services.suggest(practitioner, consultation, section, reason="y", passage="domestic abuse",
                              replacement="family violence", made_against=text.sha256(section.body))
    services.support(vcs, first)
    consultations.close_early(facilitator, consultation, "Done")
    services.decide(facilitator, first, outcome="accepted_with_changes", reason="Partly",
                    final_text="impact on children and teenagers")
    services.decide(facilitator, second, outcome="declined", reason="No")
    data = _zip_for(client, login, scrutineer, consultation)
    assert _verify(tmp_path, data)[0] == 0
    rows = zipfile.ZipFile(io.BytesIO(data)).read("suggestions.csv").decode()
    assert "impact on children and teenagers" in rows and "accepted_with_changes" in rows and "declined" in rows
    for old, new in [("impact on children and teenagers", "impact on everyone"),
                     ("accepted_with_changes", "accepted"), (",declined,", ",accepted,"),
                     ("family violence", "family harm")]:
        code, output = _verify(tmp_path, _tamper(data, "suggestions.csv", old, new), "t.zip")
        assert code == 1 and output.startswith("FAIL in suggestions.csv"), (old, output)
    code, output = _verify(tmp_path, _tamper(data, "suggestion_supports.csv", "supporting", "withdrawn"), "s.zip")
    assert code == 1 and output.startswith("FAIL in suggestion_supports.csv"), output


def test_open_data_carries_published_suggestions_their_authors_let_go(consultation, section, practitioner, vcs,
                                                                      facilitator):
    services.suggest(practitioner, consultation, section, reason="Public", passage="effect on children",
                     replacement="impact on children", made_against=text.sha256(section.body), use="public")
    services.suggest(vcs, consultation, section, reason="Private", passage="domestic abuse",
                     replacement="family violence", made_against=text.sha256(section.body), use="partnership")
    csv_text = "".join(exports.open_data_csv(consultation))
    assert "impact on children" in csv_text and "family violence" not in csv_text
    assert csv_text.splitlines()[0] == ",".join(exports.OPEN_DATA_COLUMNS)


def test_the_yearly_report_counts_suggested_wording_by_what_was_done(as_person, consultation, section, practitioner,
                                                                     vcs, facilitator):
    import csv
    from datetime import date

    first = services.suggest(practitioner, consultation, section, reason="x", passage="effect on children",
                             replacement="impact on children", made_against=text.sha256(section.body))
    services.suggest(vcs, consultation, section, reason="y", passage="domestic abuse",
                     replacement="family violence", made_against=text.sha256(section.body))
    consultations.close_early(facilitator, consultation, "Done")
    services.decide(facilitator, first, outcome="accepted", reason="Yes")
    client = as_person(facilitator)
    start = date.today().replace(day=1).isoformat()
    rows = list(csv.reader(io.StringIO(client.get(f"/scrutiny/yearly.csv?from={start}").get_data(as_text=True))))
    values = {(part, item): value for part, item, value in rows[1:]}
    assert values[("suggested wording", "accepted")] == "1" and values[("suggested wording", "open")] == "1"
    assert "Suggested wording, by what the partnership did" in client.get(f"/scrutiny/yearly?from={start}").get_data(
        as_text=True)


def test_an_export_in_the_earlier_format_is_checked_without_the_suggestion_files(client, login, consultation,
                                                                                 scrutineer, tmp_path):
    import json

    data = _zip_for(client, login, scrutineer, consultation)
    source = zipfile.ZipFile(io.BytesIO(data))

    def rebuilt(fmt, leave_out):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for member in source.namelist():
                if member in leave_out:
                    continue
                content = source.read(member)
                if member == "manifest.json":
                    manifest = json.loads(content)
                    manifest["format"] = fmt
                    content = json.dumps(manifest).encode()
                archive.writestr(member, content)
        return out.getvalue()

    from app.trail.verify_log import ADDED_IN

    files = {name for name, number in ADDED_IN.items() if number == 3}  # every file format 3 added
    assert {"suggestions.csv", "suggestion_supports.csv"} <= files
    assert _verify(tmp_path, rebuilt("scrutiny-export/2", files), "old.zip")[0] == 0
    code, output = _verify(tmp_path, rebuilt("scrutiny-export/3", files), "cut.zip")
    assert code == 1 and "is missing from the ZIP" in output, output
