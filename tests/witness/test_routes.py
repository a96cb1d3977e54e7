"""The witness part of the scrutineer's workspace, through its pages."""
import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.database import transaction
from app.trail import services as trail, signing
from app.witness.models import AlarmDealtWith, WitnessAlarm
from tests.conftest import csrf_token
from tests.trail.test_append_only import rewrite_from


def _append(n, start=0):
    with transaction():
        for i in range(start, start + n):
            trail.append("test.event", f"thing:{i}", {"n": i})


@pytest.fixture
def scrutineer_client(client, login, scrutineer):
    login(scrutineer)
    return client


def test_the_workspace_lists_the_checkpoints_it_has_seen(app, db, scrutineer_client):
    _append(8)
    first = signing.checkpoint_on_demand()
    page = scrutineer_client.get("/scrutiny").get_data(as_text=True)
    assert "Checkpoints seen" in page and f"<td class=\"govuk-table__cell\">{first.size}<br>" in page
    assert "First seen" in page and "Alarm:" not in page
    _append(3, start=8)
    second = signing.checkpoint_on_demand()
    token = csrf_token(scrutineer_client, "/scrutiny")  # the view sees it first: "Check for new" finds nothing
    _append(2, start=11)
    third = signing.checkpoint_on_demand()
    response = scrutineer_client.post("/scrutiny/checkpoints/check", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/scrutiny#witness")
    page = scrutineer_client.get("/scrutiny").get_data(as_text=True)
    assert "1 new checkpoint(s) seen, each consistent with the one before" in page
    rows = page.split('id="seen-checkpoints"')[1].split("</table>")[0]
    assert rows.index(f">{third.size}<") < rows.index(f">{second.size}<") < rows.index(f">{first.size}<")
    assert rows.count('data-result="consistent"') == 2 and "test.event" not in rows  # reason: on demand
    assert "on demand" in rows and f"Consistent with size {second.size}" in rows


def test_check_for_new_checkpoints_needs_csrf_and_a_scrutineer(app, db, client, login, scrutineer, make_person):
    login(scrutineer)
    assert client.post("/scrutiny/checkpoints/check").status_code == 400
    other = app.test_client()
    login(make_person(Role.LEAD_SIGNATORY), target=other)
    assert other.post("/scrutiny/checkpoints/check",
                      data={"csrf_token": csrf_token(other, "/")}).status_code == 403
    assert other.get("/scrutiny/checkpoints/kept").status_code == 403
    assert app.test_client().get("/scrutiny/checkpoints/kept").status_code in (302, 303)


def test_a_rewrite_shows_the_alarm_until_it_is_dealt_with(app, db, scrutineer_client):
    _append(20)
    early = signing.checkpoint_on_demand()
    scrutineer_client.get("/scrutiny")
    _append(4, start=20)
    rewrite_from(db, 5)
    later = signing.checkpoint_on_demand()
    page = scrutineer_client.get("/scrutiny").get_data(as_text=True)
    assert page.index("Alarm: the consultation log’s history may have been rewritten") < page.index(
        "<h1 class=\"govuk-heading-l\">Independent scrutiny</h1>")
    assert f"is not consistent with the one of size {early.size}" in page and f"size {later.size}" in page
    assert 'data-result="inconsistent"' in page
    assert "Alarm:" in scrutineer_client.get("/scrutiny").get_data(as_text=True)  # it stays
    alarm = db.session.execute(select(WitnessAlarm)).scalar_one()
    token = csrf_token(scrutineer_client, "/scrutiny")
    response = scrutineer_client.post(f"/scrutiny/alarms/{alarm.id}/dealt-with", data={"csrf_token": token,
                                                                                      "note": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in html
    assert f'href="#dealt-{alarm.id}"' in html and "Enter what was done about the alarm" in html
    assert scrutineer_client.post("/scrutiny/alarms/99999/dealt-with",
                                  data={"csrf_token": token, "note": "x"}).status_code == 404
    response = scrutineer_client.post(f"/scrutiny/alarms/{alarm.id}/dealt-with", data={
        "csrf_token": token, "note": "Database restored from backup; the operator's access removed"})
    assert response.status_code == 303
    page = scrutineer_client.get("/scrutiny").get_data(as_text=True)
    assert "Alarm:" not in page and "What was done has been recorded" in page
    assert db.session.execute(select(AlarmDealtWith)).scalar_one().note.startswith("Database restored")


def test_a_kept_checkpoint_pasted_gets_a_plain_answer(app, db, scrutineer_client):
    _append(10)
    note = signing.checkpoint_on_demand().note
    _append(2, start=10)
    page = scrutineer_client.get("/scrutiny/checkpoints/kept")
    assert page.status_code == 200 and "Check a checkpoint you kept" in page.get_data(as_text=True)
    token = csrf_token(scrutineer_client, "/scrutiny/checkpoints/kept")
    response = scrutineer_client.post("/scrutiny/checkpoints/kept", data={"csrf_token": token, "note": note})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Consistent</strong>" in html and "still holds the same first" in html
    response = scrutineer_client.post("/scrutiny/checkpoints/kept", data={"csrf_token": token, "note": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in html and "Paste the checkpoint you kept" in html
    response = scrutineer_client.post("/scrutiny/checkpoints/kept",
                                      data={"csrf_token": token, "note": "not\na\ncheckpoint\n\n— x y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "This is not a checkpoint signed by this portal" in html
    assert "Traceback" not in html
    rewrite_from(db, 3)
    response = scrutineer_client.post("/scrutiny/checkpoints/kept", data={"csrf_token": token, "note": note})
    html = response.get_data(as_text=True)
    assert "Not consistent</strong>" in html and "history was rewritten since it was made" in html
    assert "Alarm:" in scrutineer_client.get("/scrutiny").get_data(as_text=True)
