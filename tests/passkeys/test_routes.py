"""Passkey pages and signing a sign-off with one, through the real routes and forms (a software authenticator
stands in for the browser's): registration, removal, CSRF, only the partner's own credentials, refusals logged,
and the partnership's "Partners must sign with a passkey" setting."""
import html
import json
import re
from datetime import date

import pytest

from app.accounts.models import Role
from app.database import transaction
from app.partnerships.models import Partnership, PartnerKind
from app.passkeys.models import Passkey
from app.responses import publishing
from app.responses import services as responses
from app.signoff import services
from app.signoff.assertions import challenge_for, published_assertions, verify_stored
from app.signoff.models import Publication, SignOff, SignOffAssertion
from app.trail.models import LogEntry
from tests.conftest import PASSWORD
from tests.fixtures.consultations import log_actions
from tests.passkeys.authenticator import SoftAuthenticator, unb64url

PUBLISHED_KEYS = {"partner", "decision", "person_name", "decided_at", "credential_id", "public_key", "algorithm",
                  "authenticator_data", "client_data_json", "signature", "challenge", "version_hash", "checkpoint",
                  "rp_id", "origin"}


def _options(client):
    page = client.get("/passkeys").get_data(as_text=True)
    match = re.search(r'data-options="([^"]+)"', page)
    assert match, page[:3000]
    return json.loads(html.unescape(match.group(1)))


def _register(client, csrf, authenticator, label="Work laptop", **kwargs):
    challenge = unb64url(_options(client)["challenge"])
    return client.post("/passkeys", data={"csrf_token": csrf(client, "/passkeys"), "label": label,
                                          "credential": authenticator.register(challenge, **kwargs)})


@pytest.fixture
def request_open(closed, facilitator):
    for item in responses.answered_comments(closed):
        responses.respond(facilitator, closed, comment=item.comment, outcome="accepted", reason="Done")
    publishing.publish_answers(facilitator, closed)
    return services.request_signoff(facilitator, closed, closed.version, effective_date=date(2027, 9, 29))


def _decide_page(client, request_id):
    page = client.get(f"/signoff/{request_id}/decide").get_data(as_text=True)
    match = re.search(r'name="checkpoint" value="([^"]*)"', page)
    return page, html.unescape(match.group(1)) if match else None


def _sign(client, csrf, request, partner_name, authenticator, decision="approved", signed_decision=None, **kwargs):
    path = f"/signoff/{request.id}/decide"
    _page, checkpoint = _decide_page(client, request.id)
    assert checkpoint and checkpoint.count("\n") >= 4
    challenge = challenge_for(checkpoint, signed_decision or decision, partner_name, request.version_hash)
    data = {"csrf_token": csrf(client, path), "decision": decision, "checkpoint": checkpoint,
            "assertion": authenticator.assert_(challenge, **kwargs)}
    if decision == "returned":
        data["reason"] = "Training is missing"
    return client.post(path, data=data)


def test_a_lead_registers_lists_and_removes_a_passkey(client, login, csrf, leads, db):
    lead = leads[PartnerKind.POLICE]
    login(lead)
    assert "You have no passkeys yet" in client.get("/passkeys").get_data(as_text=True)
    authenticator = SoftAuthenticator()
    response = _register(client, csrf, authenticator)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    passkey = db.session.query(Passkey).one()
    assert passkey.person_id == lead.id and passkey.algorithm == -7 and passkey.public_key_spki == authenticator.spki()
    page = client.get("/passkeys").get_data(as_text=True)
    assert "Work laptop" in page and "Not used yet" in page
    assert log_actions()[-1] == "passkey.registered"
    confirm = client.get(f"/passkeys/{passkey.id}/remove")
    assert confirm.status_code == 200 and "Remove the passkey “Work laptop”?" in confirm.get_data(as_text=True)
    path = f"/passkeys/{passkey.id}/remove"
    assert client.post(path, data={"csrf_token": csrf(client, path)}).status_code == 303
    assert db.session.query(Passkey).count() == 0 and log_actions()[-1] == "passkey.removed"


def test_an_ed25519_passkey_registers(client, login, csrf, leads, db):
    login(leads[PartnerKind.ICB])
    assert _register(client, csrf, SoftAuthenticator(-8)).status_code == 303
    assert db.session.query(Passkey).one().algorithm == -8


def test_registration_needs_csrf_a_fresh_challenge_our_origin_and_a_name(client, login, csrf, leads, db):
    login(leads[PartnerKind.POLICE])
    authenticator = SoftAuthenticator()
    challenge = unb64url(_options(client)["challenge"])
    credential = authenticator.register(challenge)
    assert client.post("/passkeys", data={"label": "x", "credential": credential}).status_code == 400  # no CSRF
    response = _register(client, csrf, SoftAuthenticator(), origin="https://evil.example.org")
    assert response.status_code == 200 and "The passkey was refused" in response.get_data(as_text=True)
    response = _register(client, csrf, SoftAuthenticator(), label="  ")
    assert "Enter a name for this passkey" in response.get_data(as_text=True)
    ok = client.post("/passkeys", data={"csrf_token": csrf(client, "/passkeys"), "label": "Key", "credential": credential})
    assert ok.status_code == 303
    again = client.post("/passkeys", data={"csrf_token": csrf(client, "/passkeys"), "label": "Key",
                                           "credential": SoftAuthenticator().register(challenge)})
    assert "expired or was already used" in again.get_data(as_text=True)  # a challenge works once
    garbage = client.post("/passkeys", data={"csrf_token": csrf(client, "/passkeys"), "label": "Key",
                                             "credential": "{not json"})
    assert garbage.status_code == 200 and "could not be read" in garbage.get_data(as_text=True)
    assert db.session.query(Passkey).count() == 1


def test_only_signatories_have_passkeys_and_only_their_own(client, login, csrf, leads, make_person, as_person, db):
    practitioner = make_person(Role.PRACTITIONER)
    login(practitioner)
    assert client.get("/passkeys").status_code == 403
    police = as_person(leads[PartnerKind.POLICE])
    assert _register(police, csrf, SoftAuthenticator()).status_code == 303
    passkey = db.session.query(Passkey).one()
    other = as_person(leads[PartnerKind.ICB])
    assert other.get(f"/passkeys/{passkey.id}/remove").status_code == 404
    path = f"/passkeys/{passkey.id}/remove"
    assert other.post(path, data={"csrf_token": csrf(other, "/passkeys")}).status_code == 404
    assert db.session.query(Passkey).count() == 1


def test_a_partner_approves_with_a_passkey_and_it_is_stored_logged_and_verifiable(
        client, login, csrf, leads, request_open, db):
    lead = leads[PartnerKind.POLICE]
    login(lead)
    authenticator = SoftAuthenticator()
    assert _register(client, csrf, authenticator).status_code == 303
    page, checkpoint = _decide_page(client, request_open.id)
    assert "Sign my decision with my passkey" in page and "Signing with a passkey needs JavaScript" in page
    assert "Your password" in page  # the fallback, while the partnership allows it
    response = _sign(client, csrf, request_open, "Testshire Police", authenticator)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    signoff = db.session.query(SignOff).one()
    row = db.session.query(SignOffAssertion).one()
    assert row.signoff_id == signoff.id and row.person_id == lead.id and row.partner == "Testshire Police"
    assert row.public_key == authenticator.spki() and row.credential_id == authenticator.credential_id
    verify_stored(row)
    entry = db.session.query(LogEntry).filter_by(action="signoff.approved").one()
    logged = json.loads(entry.data_json)["assertion"]
    assert logged["signature"] and logged["challenge"] == row.challenge.hex() and logged["checkpoint"] == row.checkpoint
    passkey = db.session.query(Passkey).one()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None


def test_the_signoff_assertion_table_is_append_only(client, login, csrf, leads, request_open, db):
    login(leads[PartnerKind.POLICE])
    authenticator = SoftAuthenticator()
    _register(client, csrf, authenticator)
    assert _sign(client, csrf, request_open, "Testshire Police", authenticator).status_code == 303
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError
    for statement in ("UPDATE signoff_assertion SET decision = 'returned'", "DELETE FROM signoff_assertion"):
        with pytest.raises(DatabaseError):
            db.session.execute(text(statement))
        db.session.rollback()


def _refused(response, db, reason):
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Your passkey&#39;s signature was refused" in page, page[:3000]
    assert reason in html.unescape(page)
    assert db.session.query(SignOff).count() == 0 and db.session.query(SignOffAssertion).count() == 0
    assert log_actions()[-1] == "signoff.assertion_refused"
    data = json.loads(db.session.query(LogEntry).order_by(LogEntry.seq.desc()).first().data_json)
    assert reason in data["reason"] and "signature" not in data and "assertion" not in data


def test_another_partners_passkey_is_refused_and_logged(client, login, csrf, leads, as_person, request_open, db):
    icb_key = SoftAuthenticator()
    assert _register(as_person(leads[PartnerKind.ICB]), csrf, icb_key).status_code == 303
    login(leads[PartnerKind.POLICE])
    _register(client, csrf, SoftAuthenticator())
    _refused(_sign(client, csrf, request_open, "Testshire Police", icb_key), db, "not one of yours")


@pytest.mark.parametrize("case,reason", [
    ("decision", "another challenge"), ("partner", "another challenge"), ("origin", "another website"),
    ("rp_id", "another relying party"), ("counter", "counter did not go up"), ("checkpoint", "not one of this log"),
])
def test_a_wrong_assertion_is_refused_and_logged(case, reason, client, login, csrf, leads, request_open, db):
    login(leads[PartnerKind.POLICE])
    key = SoftAuthenticator()
    _register(client, csrf, key)
    path = f"/signoff/{request_open.id}/decide"
    _page, checkpoint = _decide_page(client, request_open.id)
    decision, partner, extra = "approved", "Testshire Police", {}
    if case == "decision":
        decision = "returned"  # signed over "approved", posted as "returned"
    if case == "partner":
        partner = "Testshire ICB"
    if case == "origin":
        extra["origin"] = "https://evil.example.org"
    if case == "rp_id":
        extra["rp_id"] = "evil.example.org"
    if case == "counter":
        key.count = 5
        with transaction():
            db.session.query(Passkey).one().sign_count = 5
        extra["count"] = 5
    shown = checkpoint
    if case == "checkpoint":
        checkpoint = checkpoint.replace("\n", "\n\n", 1)
    challenge = challenge_for(checkpoint, "approved", partner, request_open.version_hash)
    data = {"csrf_token": csrf(client, path), "decision": decision, "checkpoint": checkpoint if case == "checkpoint"
            else shown, "assertion": key.assert_(challenge, **extra), "reason": "Not ready"}
    _refused(client.post(path, data=data), db, reason)


def test_the_decision_needs_csrf(client, login, csrf, leads, request_open, db):
    login(leads[PartnerKind.POLICE])
    key = SoftAuthenticator()
    _register(client, csrf, key)
    _page, checkpoint = _decide_page(client, request_open.id)
    challenge = challenge_for(checkpoint, "approved", "Testshire Police", request_open.version_hash)
    response = client.post(f"/signoff/{request_open.id}/decide", data={
        "decision": "approved", "checkpoint": checkpoint, "assertion": key.assert_(challenge)})
    assert response.status_code == 400 and db.session.query(SignOff).count() == 0


def test_the_setting_turns_the_password_off(client, login, csrf, leads, facilitator, as_person, request_open, db):
    police = as_person(leads[PartnerKind.POLICE])
    assert police.post("/admin/partnership/passkeys", data={"csrf_token": csrf(police, "/passkeys"),
                                                            "passkey_required": "y"}).status_code == 403
    login(facilitator)
    page = client.get("/admin/partnership").get_data(as_text=True)
    assert "Partners must sign with a passkey" in page
    assert client.post("/admin/partnership/passkeys", data={"passkey_required": "y"}).status_code == 400  # CSRF
    response = client.post("/admin/partnership/passkeys", data={"csrf_token": csrf(client, "/admin/partnership"),
                                                                "passkey_required": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.query(Partnership).one().passkey_required
    assert log_actions()[-1] == "partnership.passkey_required_set"
    path = f"/signoff/{request_open.id}/decide"
    page = police.get(path).get_data(as_text=True)
    assert 'name="password"' not in page and "must sign with a passkey" in page
    response = police.post(path, data={"csrf_token": csrf(police, path), "decision": "approved", "password": PASSWORD})
    assert response.status_code == 200 and "the password is not accepted here" in response.get_data(as_text=True)
    assert db.session.query(SignOff).count() == 0
    # With a passkey it still works.
    key = SoftAuthenticator()
    assert _register(police, csrf, key).status_code == 303
    assert _sign(police, csrf, request_open, "Testshire Police", key).status_code == 303
    # Switched off again, the password works for the next partner.
    client.post("/admin/partnership/passkeys", data={"csrf_token": csrf(client, "/admin/partnership")})
    icb = as_person(leads[PartnerKind.ICB])
    path = f"/signoff/{request_open.id}/decide"
    assert icb.post(path, data={"csrf_token": csrf(icb, path), "decision": "approved",
                                "password": PASSWORD}).status_code == 303


def test_all_partners_with_passkeys_publish_and_the_public_page_lists_their_keys(
        app, client, login, csrf, leads, as_person, request_open, db):
    names = {PartnerKind.LOCAL_AUTHORITY: "Testshire Council", PartnerKind.POLICE: "Testshire Police",
             PartnerKind.ICB: "Testshire ICB"}
    keys = {}
    for kind, lead in leads.items():
        browser = as_person(lead)
        keys[kind] = SoftAuthenticator(-8 if kind == PartnerKind.ICB else -7)
        assert _register(browser, csrf, keys[kind]).status_code == 303
        assert _sign(browser, csrf, request_open, names[kind], keys[kind]).status_code == 303
    publication = db.session.query(Publication).one()
    published = published_assertions(publication)
    assert len(published) == 3 and all(set(item) == PUBLISHED_KEYS for item in published)
    assert {item["partner"] for item in published} == set(names.values())
    for item in published:
        verify_stored(item)
    page = app.test_client().get(f"/arrangements/{publication.slug}").get_data(as_text=True)
    for item in published:
        assert item["public_key"] in page and item["credential_id"] in page
    assert page.count("Signed with their passkey") == 3


def test_a_delegate_signs_for_their_leads_partner_with_their_own_passkey(client, login, csrf, leads, make_person,
                                                                          request_open, db):
    lead = leads[PartnerKind.POLICE]
    delegate = make_person(Role.DELEGATED_SIGNATORY, partner=PartnerKind.POLICE, acting_for=lead, name="Dee Delegate")
    login(delegate)
    key = SoftAuthenticator()
    assert _register(client, csrf, key).status_code == 303
    assert _sign(client, csrf, request_open, "Testshire Police", key, decision="returned").status_code == 303
    row = db.session.query(SignOffAssertion).one()
    assert row.person_id == delegate.id and row.decision == "returned" and row.signoff.acting_for_id == lead.id
    verify_stored(row)
    assert json.loads(db.session.query(LogEntry).filter_by(action="signoff.returned").one().data_json)["assertion"]


def test_the_relying_party_comes_from_the_settings(app):
    from app.passkeys import services as passkeys

    with app.test_request_context("/", base_url="http://evil.example.org:8080"):
        assert (passkeys.rp_id(), passkeys.origin()) == ("evil.example.org", "http://evil.example.org:8080")  # dev
        app.config.update(ENV_NAME="production", PORTAL_BASE_URL="https://consult.example.org")
        assert (passkeys.rp_id(), passkeys.origin()) == ("consult.example.org", "https://consult.example.org")
        app.config.update(WEBAUTHN_RP_ID="example.org", WEBAUTHN_ORIGIN="https://portal.example.org/")
        assert (passkeys.rp_id(), passkeys.origin()) == ("example.org", "https://portal.example.org")


@pytest.mark.parametrize("assertion", ["{not json", "[]", '{"id": "x", "rawId": "x", "type": "public-key"}', "null"])
def test_a_malformed_assertion_is_a_clear_error_not_a_500(assertion, client, login, csrf, leads, request_open, db):
    login(leads[PartnerKind.POLICE])
    path = f"/signoff/{request_open.id}/decide"
    _page, checkpoint = _decide_page(client, request_open.id)
    response = client.post(path, data={"csrf_token": csrf(client, path), "decision": "approved",
                                       "checkpoint": checkpoint, "assertion": assertion})
    _refused(response, db, "could not be read")
