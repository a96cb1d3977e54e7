"""Every route x every role: who may see and post to each page of the foundation.

Allowed people get 200 (or the page's own redirect), others 403, and signed-out
people are sent to /login?next=<the page>. An htmx request (HX-Request: true)
gets the same answer as a plain one: fragments are never a way round a check.
"""
from urllib.parse import parse_qs, urlsplit

import pytest

from app import access
from app.accounts.models import Role
from app.partnerships.models import PartnerKind

SIGNED_OUT = "signed out"
PRINCIPALS = [SIGNED_OUT] + [role.value for role in Role]

# Who may use a route: everyone; anyone signed in; facilitators; or special cases named below.
PUBLIC, SIGNED_IN, FACILITATOR = "public", "signed in", "facilitator"

ROUTES = [
    # method, path ({id} is another person of the partnership), endpoint, access
    ("GET", "/", "main.home", PUBLIC),  # signed out: the public front door
    ("GET", "/accessibility", "main.accessibility", PUBLIC),
    ("GET", "/healthz", "main.healthz", PUBLIC),
    ("GET", "/login", "accounts.login", "login"),
    ("POST", "/login", "accounts.login", "login"),
    ("GET", "/password", "accounts.change_password", SIGNED_IN),
    ("POST", "/password", "accounts.change_password", SIGNED_IN),
    ("GET", "/password/forgotten", "accounts.forgotten_password", PUBLIC),
    ("POST", "/password/forgotten", "accounts.forgotten_password", PUBLIC),
    ("GET", "/password/reset/not-a-real-token", "accounts.reset_password", "dead link"),
    ("POST", "/password/reset/not-a-real-token", "accounts.reset_password", "dead link"),
    ("GET", "/invitations/not-a-real-token", "accounts.accept_invitation", "dead link"),
    ("POST", "/invitations/not-a-real-token", "accounts.accept_invitation", "dead link"),
    ("GET", "/admin/people", "partnerships.people", FACILITATOR),
    ("GET", "/admin/people/new", "partnerships.invite_person", FACILITATOR),
    ("POST", "/admin/people/new", "partnerships.invite_person", FACILITATOR),
    ("GET", "/admin/people/{id}", "partnerships.edit_person", FACILITATOR),
    ("POST", "/admin/people/{id}", "partnerships.edit_person", FACILITATOR),
    ("POST", "/admin/people/{id}/resend", "partnerships.resend_invitation", "resend"),
    ("GET", "/admin/organisations", "partnerships.organisations", FACILITATOR),
    ("POST", "/admin/organisations", "partnerships.organisations", FACILITATOR),
    ("GET", "/admin/partnership", "partnerships.partnership", FACILITATOR),
    ("POST", "/admin/partnership", "partnerships.partnership", FACILITATOR),
    ("POST", "/admin/partnership/partners", "partnerships.add_partner", FACILITATOR),
    ("GET", "/admin/partnership/partners/1", "partnerships.partner_areas", FACILITATOR),  # the fixture's first
    ("POST", "/admin/partnership/partners/1", "partnerships.partner_areas", FACILITATOR),
    # Young people join with a code (signed-in people are sent home, as from /login).
    ("GET", "/join", "accounts.join", "login"),
    ("POST", "/join", "accounts.join", "login"),
    ("GET", "/join/welcome", "accounts.join_welcome", SIGNED_IN),
    ("GET", "/password/code", "accounts.reset_with_code", "login"),
    ("POST", "/password/code", "accounts.reset_with_code", "login"),
    # Moderation: the queue for moderators (facilitators, DSL); concerns for the DSL and scrutineers.
    # 999999 is no comment or concern: allowed roles get 404, others 403 (the role check comes first).
    ("GET", "/moderation", "moderation.queue", "moderation-reader"),
    ("GET", "/moderation/comments/999999", "moderation.comment", "moderation-reader 404"),
    ("GET", "/moderation/comments/999999/approve", "moderation.approve", "moderator 404"),
    ("POST", "/moderation/comments/999999/approve", "moderation.approve", "moderator 404"),
    ("GET", "/moderation/comments/999999/reject", "moderation.reject", "moderator 404"),
    ("POST", "/moderation/comments/999999/reject", "moderation.reject", "moderator 404"),
    ("GET", "/moderation/comments/999999/hide", "moderation.hide", "moderator 404"),
    ("POST", "/moderation/comments/999999/hide", "moderation.hide", "moderator 404"),
    ("GET", "/moderation/comments/999999/restore", "moderation.restore", "moderator 404"),
    ("POST", "/moderation/comments/999999/restore", "moderation.restore", "moderator 404"),
    ("GET", "/moderation/comments/999999/dismiss-reports", "moderation.dismiss_reports", "moderator 404"),
    ("POST", "/moderation/comments/999999/dismiss-reports", "moderation.dismiss_reports", "moderator 404"),
    ("GET", "/moderation/comments/999999/concern", "moderation.concern", "moderator 404"),
    ("POST", "/moderation/comments/999999/concern", "moderation.concern", "moderator 404"),
    ("GET", "/moderation/invite-codes", "moderation.invite_codes", "code issuer"),
    ("POST", "/moderation/invite-codes", "moderation.invite_codes", "code issuer"),
    ("GET", "/comments/999999/report", "moderation.report", "signed in 404"),
    ("POST", "/comments/999999/report", "moderation.report", "signed in 404"),
    ("GET", "/concerns", "moderation.concerns", "concerns"),
    ("GET", "/concerns/999999", "moderation.concern_record", "concerns 404"),
    ("POST", "/concerns/999999", "moderation.concern_record", "concerns 404"),
    ("GET", "/concerns/999999/redact", "moderation.redact", "dsl 404"),
    ("POST", "/concerns/999999/redact", "moderation.redact", "dsl 404"),
    ("GET", "/worried", "moderation.worried", "young"),
    ("POST", "/worried", "moderation.worried", "young"),
    ("GET", "/worried/sent", "moderation.worried_sent", "young"),
    ("GET", "/comments/999999/sent-to-safeguarding-lead", "moderation.held_for_safeguarding", "pre-moderated 404"),
    ("GET", "/concerns/999999/review", "moderation.review_concern", "dsl 404"),
    ("POST", "/concerns/999999/review", "moderation.review_concern", "dsl 404"),
    # A young people's group, as its youth worker (or a facilitator) looks after it.
    ("GET", "/groups/999999", "groups.group", "code 404"),
    ("POST", "/groups/members/999999/reset-code", "groups.reset_code", "code 404"),
    ("GET", "/groups/members/999999/reset-code", "groups.reset_code_shown", "code 404"),
    ("GET", "/groups/members/999999/suspend", "groups.suspend", "code 404"),
    ("POST", "/groups/members/999999/suspend", "groups.suspend", "code 404"),
    ("POST", "/groups/members/999999/reactivate", "groups.reactivate", "code 404"),
    ("GET", "/groups/invite-codes/999999", "groups.change_code", "code 404"),
    ("POST", "/groups/invite-codes/999999", "groups.change_code", "code 404"),
    ("POST", "/groups/invite-codes/999999/revoke", "groups.revoke_code", "code 404"),
    # Independent scrutiny: the workspace for scrutineers; findings and the yearly report also for facilitators.
    # 999999 is no consultation or finding: allowed roles get 404, others 403 (the role check comes first).
    ("GET", "/scrutiny", "scrutiny.index", "scrutineer"),
    ("GET", "/scrutiny/consultations/999999", "scrutiny.consultation", "scrutineer 404"),
    ("POST", "/scrutiny/consultations/999999/findings", "scrutiny.record_finding", "scrutineer 404"),
    ("GET", "/scrutiny/consultations/999999/export.zip", "scrutiny.export_zip", "scrutineer 404"),
    ("POST", "/scrutiny/findings/999999/visibility", "scrutiny.finding_visibility", "scrutineer 404"),
    ("GET", "/scrutiny/findings", "scrutiny.findings", "scrutiny-readers"),
    ("POST", "/scrutiny/findings/999999/answer", "scrutiny.answer_finding", "facilitators 404"),
    ("GET", "/scrutiny/yearly", "scrutiny.yearly", "scrutiny-readers"),
    ("GET", "/scrutiny/yearly.csv", "scrutiny.yearly_csv", "scrutiny-readers"),
    ("GET", "/scrutiny/verify_log.py", "scrutiny.verifier", PUBLIC),
    ("GET", "/open-data/consultations/999999.csv", "scrutiny.open_data", "not found"),
    # "You said, we did", sign-off and publication (issue 5). 999999 is no consultation, theme, comment or request.
    ("GET", "/consultations/999999/responses", "responses.index", "readers 404"),
    ("POST", "/consultations/999999/responses/tag", "responses.bulk_tag", "facilitators 404"),
    ("POST", "/consultations/999999/responses/publish", "responses.publish", "facilitators 404"),
    ("POST", "/themes/999999/publish", "responses.publish_theme", "facilitators 404"),
    ("GET", "/consultations/999999/themes", "responses.themes", "readers 404"),
    ("POST", "/consultations/999999/themes", "responses.themes", "readers 404"),
    ("GET", "/themes/999999", "responses.theme", "readers 404"),
    ("POST", "/themes/999999", "responses.theme", "readers 404"),
    ("GET", "/responses/comments/999999", "responses.comment", "facilitators 404"),
    ("POST", "/responses/comments/999999", "responses.comment", "facilitators 404"),
    ("POST", "/responses/comments/999999/tag", "responses.tag", "facilitators 404"),
    ("GET", "/consultations/999999/report", "responses.report", "signed in 404"),
    ("GET", "/groups/999999/influence", "responses.influence", "signed in 404"),
    ("GET", "/signoff", "signoff.index", "readers"),
    ("GET", "/consultations/999999/signoff", "signoff.consultation", "readers 404"),
    ("POST", "/consultations/999999/signoff", "signoff.consultation", "readers 404"),
    ("GET", "/signoff/999999/decide", "signoff.decide", "signatories 404"),
    ("POST", "/signoff/999999/decide", "signoff.decide", "signatories 404"),
    ("GET", "/arrangements", "public.index", PUBLIC),
    ("GET", "/arrangements/no-such-arrangement", "public.arrangement", "not found"),
    ("GET", "/arrangements/no-such-arrangement/v/1", "public.version", "not found"),
    ("GET", "/arrangements/no-such-arrangement/v/1/record.json", "public.record", "not found"),  # issue 20, part 6
    # Separation of duties (issue 14): the history of grants, and confirming one (999999 is no request).
    ("GET", "/role-grants", "role_grants.index", "readers"),
    ("POST", "/role-grants/999999/confirm", "role_grants.confirm", "readers 404"),
    # Suggested wording (issue 19). 999999 is no consultation, section or suggestion.
    ("GET", "/consultations/999999/sections/999999/suggest", "suggestions.suggest", "signed in 404"),
    ("POST", "/consultations/999999/sections/999999/suggest", "suggestions.suggest", "signed in 404"),
    ("GET", "/consultations/999999/suggestions", "suggestions.index", "signed in 404"),
    ("GET", "/suggestions/999999", "suggestions.show", "signed in 404"),
    ("POST", "/suggestions/999999/support", "suggestions.support", "signed in 404"),
    ("GET", "/suggestions/999999/decide", "suggestions.decide", "facilitators 404"),
    ("POST", "/suggestions/999999/decide", "suggestions.decide", "facilitators 404"),
    ("GET", "/open-data/consultations/999999/suggestions.csv", "suggestions.open_data", "not found"),
    ("POST", "/logout", "accounts.logout", "logout"),
]
COVERED_BLUEPRINTS = ("main.", "accounts.", "partnerships.", "moderation.", "groups.", "scrutiny.", "responses.",
                      "signoff.", "public.", "role_grants.", "suggestions.")
# Roles allowed by the special access kinds above (a trailing " 404": allowed, but there is no such thing).
def _names(roles):
    return {Role(role).value for role in roles}


# Driven by app/access.py's groups, so the matrix checks every route against the same definitions the menu and the
# queries use; test_the_groups_are_who_the_guidance_says pins the groups themselves.
ALLOWED = {"moderator": _names(access.MODERATORS), "moderation-reader": _names(access.MODERATION_READERS),
           "code": {"facilitator", "youth_worker"}, "concerns": _names(access.SEES_CONCERNS), "dsl": {"dsl"},
           "young": {"young_person"}, "pre-moderated": _names(access.PRE_MODERATED), "scrutineer": {"scrutineer"},
           "scrutiny-readers": _names(access.SEES_ALL), "facilitators": {"facilitator"},
           "readers": _names(access.OVERSEERS), "signatories": _names(access.SIGNATORIES)}


def test_the_groups_are_who_the_guidance_says():
    """Independence (Working Together 2023): signatories and the scrutineer read everything and moderate nothing;
    moderators are the business unit and the DSL; only the DSL and the scrutineer read safeguarding concerns."""
    assert _names(access.OVERSEERS) == {"facilitator", "scrutineer", "lead_signatory", "delegated_signatory"}
    assert _names(access.SEES_ALL) == {"facilitator", "scrutineer"}
    assert _names(access.MODERATORS) == {"facilitator", "dsl"}
    assert _names(access.MODERATION_READERS) == {"facilitator", "dsl", "scrutineer"}
    assert _names(access.SEES_CONCERNS) == {"dsl", "scrutineer"}
    assert _names(access.PRE_MODERATED) == {"young_person", "public"}


@pytest.mark.parametrize("role", list(Role))
def test_the_menu_offers_each_role_what_its_groups_open(app, role):
    """The navigation comes from the same groups: a role sees an item exactly when it is in the item's group."""

    class Someone:
        def has_role(self, *roles):
            return role in {Role(r) for r in roles}

    offered = {endpoint for endpoint, _text in access.navigation_for(Someone())}
    assert ("drafts.index" in offered) == (role in access.OVERSEERS)
    assert ("moderation.queue" in offered) == (role in access.MODERATION_READERS)
    assert ("moderation.concerns" in offered) == (role in access.SEES_CONCERNS)
    assert "main.home" in offered


NOT_PAGES = {"main.healthz", "scrutiny.verifier", "scrutiny.yearly_csv"}  # 200 with a file, not a page


def expected(access, principal, path):
    """(status, where a redirect goes or None)."""
    signed_in = principal != SIGNED_OUT
    if access == PUBLIC:
        return 200, None
    if access == "not found":
        return 404, None
    if access == "dead link":
        return 410, None
    if access == "login":
        return (302, "/") if signed_in else (200, None)
    if access == "logout":
        return 303, "/login"
    if not signed_in:
        return 302, "/login?next=" + path
    if access == SIGNED_IN:
        return 200, None
    if access == "signed in 404":
        return 404, None
    kind, _, missing = access.partition(" ")
    if kind in ALLOWED:
        return ((404 if missing == "404" else 200), None) if principal in ALLOWED[kind] else (403, None)
    if principal != Role.FACILITATOR.value:
        return 403, None
    return (303, path.removesuffix("/resend")) if access == "resend" else (200, None)


def test_the_matrix_covers_every_route_of_the_foundation(app):
    rules = {(method, rule.endpoint) for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith(COVERED_BLUEPRINTS) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert rules == {(method, endpoint) for method, _path, endpoint, _access in ROUTES}


@pytest.fixture
def signed_in_as(client, make_person, login):
    def sign_in(principal):
        if principal == SIGNED_OUT:
            return None
        role = Role(principal)
        if role == Role.DELEGATED_SIGNATORY:
            lead = make_person(Role.LEAD_SIGNATORY, partner=PartnerKind.POLICE)
            person = make_person(role, partner=PartnerKind.POLICE, acting_for=lead)
        else:
            person = make_person(role)
        login(person)
        return person

    return sign_in


def _location(response):
    parts = urlsplit(response.headers.get("Location", ""))
    if parts.netloc not in ("", "localhost"):
        return response.headers["Location"]
    return parts.path + (f"?next={parse_qs(parts.query)['next'][0]}" if "next=" in parts.query else "")


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("principal", PRINCIPALS)
def test_every_route_answers_each_role(client, csrf, make_person, signed_in_as, principal, htmx):
    """One test per role (and per plain/htmx): every route in ROUTES, each mismatch listed."""
    other = make_person(Role.PRACTITIONER, name="Another Person")
    signed_in_as(principal)
    wrong = []
    for method, path, endpoint, access in ROUTES:  # /logout comes last: it ends the session
        path = path.format(id=other.id)
        token = csrf(client, "/accessibility")
        headers = {"HX-Request": "true", "HX-Target": "main-content", "X-CSRFToken": token} if htmx else {}
        data = {"csrf_token": token} if method == "POST" and not htmx else None
        response = client.open(path, method=method, data=data, headers=headers)
        got = (response.status_code, _location(response) if response.status_code in (301, 302, 303) else None)
        want = expected(access, principal, path)
        if got != want:
            wrong.append(f"{method} {path}: got {got}, want {want}")
        elif response.status_code in (200, 403, 410) and endpoint not in NOT_PAGES:
            assert "<html" in response.get_data(as_text=True), f"{method} {path} is not a full page"
    assert wrong == [], f"as {principal}{' with htmx headers' if htmx else ''}"


def test_a_young_persons_account_is_not_edited_on_the_people_page(client, make_person, login):
    young = make_person(Role.YOUNG_PERSON)
    login(make_person(Role.FACILITATOR))
    assert client.get(f"/admin/people/{young.id}").status_code == 404
    assert client.get("/admin/people/999999").status_code == 404


def test_a_post_without_csrf_token_is_refused_for_everyone(client, make_person, login):
    login(make_person(Role.FACILITATOR))
    for path in ("/admin/organisations", "/admin/partnership", "/admin/people/new", "/password", "/logout"):
        assert client.post(path, data={}).status_code == 400, path
        assert client.post(path, headers={"HX-Request": "true"}).status_code == 400, path
    assert client.get("/password").status_code == 200  # /logout without a token did not sign anyone out
