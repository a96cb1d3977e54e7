"""The drafts pages: who may see and change what, the forms and their errors, compare, and the htmx fragment."""
import re

import pytest

from app.drafts import services
from app.drafts.models import DraftArrangement, Topic
from app.extensions import db as _db
from app.trail import services as trail

READERS = ["facilitator", "scrutineer", "lead_signatory", "delegated_signatory"]
OUTSIDERS = ["practitioner", "vcs_partner", "young_person", "dsl"]
HTMX = {"HX-Request": "true", "HX-Target": "sections"}


def actions():
    return [entry["action"] for entry in trail.iter_entries() if entry["action"].startswith(("draft.", "section."))]


def reload(db, model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def reload_version(draft, number):
    _db.session.expire_all()
    return services.get_version(draft.id, number)


@pytest.fixture
def two_versions(db, make_draft, facilitator):
    """Version 1 published; version 2 being edited, with "Serious Case Reviews" renamed."""
    draft = make_draft()
    v2 = services.new_version_from(facilitator, draft.versions[0])
    reviews = v2.sections[2]
    services.update_section(facilitator, reviews, title="Local child safeguarding practice reviews",
                            body=reviews.body, plain_summary=reviews.plain_summary, topics=reviews.topic_set)
    draft = reload(db, DraftArrangement, draft.id)
    return draft


def urls(draft):
    v1, v2 = draft.versions
    return {
        "index": "/drafts",
        "draft": f"/drafts/{draft.id}",
        "published": f"/drafts/{draft.id}/v/1",
        "working": f"/drafts/{draft.id}/v/2",
        "compare": f"/drafts/{draft.id}/compare",
        "new_section": f"/drafts/{draft.id}/v/2/sections/new",
        "edit_section": f"/drafts/{draft.id}/sections/{v2.sections[0].id}/edit",
        "remove_section": f"/drafts/{draft.id}/sections/{v2.sections[0].id}/remove",
    }


# --- who may see what --------------------------------------------------------------------------------------------

EXPECTED = {
    "facilitator": dict(index=200, draft=200, published=200, working=200, compare=200, new_section=200,
                        edit_section=200, remove_section=200),
    "reader": dict(index=200, draft=200, published=200, working=404, compare=200, new_section=403,
                   edit_section=403, remove_section=403),
    "outsider": {name: 403 for name in ("index", "draft", "published", "working", "compare", "new_section",
                                        "edit_section", "remove_section")},
}


@pytest.mark.parametrize("role", READERS + OUTSIDERS)
def test_each_page_for_each_role(client, login, people, two_versions, role):
    login(people[role])
    expected = EXPECTED["facilitator" if role == "facilitator" else "reader" if role in READERS else "outsider"]
    for name, url in urls(two_versions).items():
        response = client.get(url)
        assert response.status_code == expected[name], (role, name, url)
        if response.status_code == 200:
            assert "<html" in response.get_data(as_text=True)


def test_signed_out_people_are_sent_to_sign_in(client, two_versions):
    for url in urls(two_versions).values():
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_draft_of_another_partnership_or_unknown_is_not_found(client, login, people, two_versions):
    login(people["facilitator"])
    assert client.get(f"/drafts/{two_versions.id + 100}").status_code == 404
    assert client.get(f"/drafts/{two_versions.id}/v/9").status_code == 404
    assert client.get(f"/drafts/{two_versions.id}/sections/99999/edit").status_code == 404


@pytest.mark.parametrize("role", ["scrutineer", "lead_signatory", "delegated_signatory"])
def test_readers_see_published_versions_without_edit_controls(client, login, people, two_versions, make_draft, role):
    unpublished = make_draft(title="Not yet published", publish=False)
    login(people[role])
    index = client.get("/drafts").get_data(as_text=True)
    assert "Proposed working groups" in index and "Not yet published" not in index
    assert "Create a draft" not in index
    assert client.get(f"/drafts/{unpublished.id}").status_code == 404
    page = client.get(f"/drafts/{two_versions.id}").get_data(as_text=True)
    assert "Version 1" in page and "Version 2" not in page  # version 2 is still being edited
    for control in ("Edit<", "Move up", "Remove<", "Add a section", "Publish version", "Make version"):
        assert control not in page, control
    assert "Local child safeguarding practice reviews" not in page


@pytest.mark.parametrize("role", ["scrutineer", "lead_signatory", "delegated_signatory", "practitioner"])
def test_changes_by_anyone_but_a_facilitator_are_refused(client, login, people, two_versions, csrf, role):
    login(people[role])
    token = csrf(client, "/")
    draft, section = two_versions, two_versions.versions[1].sections[0]
    head = trail.head()
    for url, data in [
        ("/drafts", {"title": "Mine"}),
        (f"/drafts/{draft.id}/v/2/publish", {"change_note": "Mine"}),
        (f"/drafts/{draft.id}/v/1/new-version", {}),
        (f"/drafts/{draft.id}/v/2/sections/new", {"title": "Mine", "body": "Mine"}),
        (f"/drafts/{draft.id}/sections/{section.id}/edit", {"title": "Mine", "body": "Mine"}),
        (f"/drafts/{draft.id}/sections/{section.id}/move", {"direction": "down"}),
        (f"/drafts/{draft.id}/sections/{section.id}/remove", {}),
    ]:
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    assert trail.head() == head


# --- the facilitator's flow ------------------------------------------------------------------------------------

def test_facilitator_creates_a_draft_adds_sections_and_publishes(app, db, client, login, people, csrf):
    login(people["facilitator"])
    response = client.post("/drafts", data={"title": "Independent scrutiny arrangements", "summary": "Who checks",
                                            "csrf_token": csrf(client, "/drafts")})
    assert response.status_code == 303
    draft_url = response.headers["Location"]
    draft_id = int(draft_url.rsplit("/", 1)[1])
    page = client.get(draft_url).get_data(as_text=True)
    assert "Version 1: being edited" in page and "This version has no sections yet" in page
    assert "9 of 9 topics still missing" in page

    new_url = f"/drafts/{draft_id}/v/1/sections/new"
    response = client.post(new_url, data={
        "title": "Independent scrutiny", "body": "The scrutineer **reviews** the trail.",
        "plain_summary": "Someone checks our work.", "topics": ["independent_scrutiny", "use_of_data"],
        "csrf_token": csrf(client, new_url)})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Independent scrutiny" in page and "7 of 9 topics still missing" in page
    assert 'Covered by: <a class="govuk-link" href="#section-' in page
    assert re.search(r'govuk-tag--green">\s*Covered\s*</strong>', page)

    response = client.post(f"/drafts/{draft_id}/v/1/publish", data={"change_note": "First version",
                                                                      "csrf_token": csrf(client, draft_url)})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/drafts/{draft_id}/v/1")
    version = services.get_version(draft_id, 1)
    assert version.is_published
    page = client.get(f"/drafts/{draft_id}/v/1").get_data(as_text=True)
    assert version.content_hash in page
    assert "<strong>reviews</strong>" in page and "Someone checks our work." in page

    response = client.post(f"/drafts/{draft_id}/v/1/new-version", data={"csrf_token": csrf(client, draft_url)})
    assert response.status_code == 303
    assert services.get_version(draft_id, 2).status == "working"
    assert actions() == ["draft.created", "section.added", "draft.version_published", "draft.version_created"]
    assert trail.verify_database()[0] == len(list(trail.iter_entries()))


@pytest.mark.parametrize("data, message", [
    ({"title": ""}, "Enter the draft&#39;s title"),
    ({"title": "   "}, "Enter the draft&#39;s title"),
    ({"title": "x" * 201}, "200 characters or fewer"),
    # issue 14: a line break in a title once stopped every email (it ends up in subject lines)
    ({"title": "Hdr\r\nBcc: evil@example.org"}, "Title must be on one line"),
    ({"title": "Tab\tin the title"}, "Title must be on one line"),
])
def test_creating_a_draft_without_a_good_title_shows_the_error_summary(client, login, people, csrf, data, message):
    login(people["facilitator"])
    response = client.post("/drafts", data={**data, "csrf_token": csrf(client, "/drafts")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page and "<title>Error:" in page
    assert actions() == []


def test_section_form_errors_are_shown_and_nothing_changes(client, login, people, two_versions, csrf):
    login(people["facilitator"])
    url = f"/drafts/{two_versions.id}/v/2/sections/new"
    response = client.post(url, data={"title": "", "body": "", "topics": ["not_a_topic"],
                                      "csrf_token": csrf(client, url)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Enter the section&#39;s title" in page and "Enter the text of this section" in page
    assert 'href="#title"' in page
    assert len(reload_version(two_versions, 2).sections) == 3


def test_overlong_text_is_refused_and_any_script_or_language_is_kept_safely(client, login, people, two_versions,
                                                                            csrf):
    login(people["facilitator"])
    url = f"/drafts/{two_versions.id}/v/2/sections/new"
    response = client.post(url, data={"title": "Long", "body": "x" * 20001, "csrf_token": csrf(client, url)})
    assert response.status_code == 200 and "20,000 characters or fewer" in response.get_data(as_text=True)
    title = "مجموعة الشباب – Young people's group 🧒🏽"
    response = client.post(url, data={"title": title, "body": "‏نص عربي‎ and <script>alert(1)</script> 🙂",
                                      "plain_summary": "Emoji 🙂 fine", "csrf_token": csrf(client, url)})
    assert response.status_code == 303
    page = client.get(f"/drafts/{two_versions.id}/v/2").get_data(as_text=True)
    assert "مجموعة الشباب – Young people&#39;s group 🧒🏽" in page and "<script>alert" not in page
    assert "Emoji 🙂 fine" in page


@pytest.mark.parametrize("url", ["/drafts/abc", "/drafts/1/v/one", "/drafts/1/sections/x/edit", "/drafts/-1"])
def test_malformed_addresses_are_not_found(client, login, people, two_versions, url):
    login(people["facilitator"])
    assert client.get(url).status_code == 404


def test_facilitator_edits_a_section_and_the_form_is_filled_in(client, login, people, two_versions, csrf):
    login(people["facilitator"])
    section = two_versions.versions[1].sections[1]
    url = f"/drafts/{two_versions.id}/sections/{section.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert "Children who live with domestic abuse are noticed." in form
    assert re.search(r'value="relevant_agencies" checked', form)
    response = client.post(url, data={"title": "Domestic abuse", "body": "Children are **seen** and heard.",
                                      "plain_summary": "We notice.", "topics": ["relevant_agencies", "training"],
                                      "csrf_token": csrf(client, url)})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#section-{section.id}")
    section = reload_version(two_versions, 2).sections[1]
    assert section.body == "Children are **seen** and heard." and section.topic_set == {Topic.RELEVANT_AGENCIES,
                                                                                         Topic.TRAINING}
    assert actions()[-1] == "section.edited"


def test_publishing_needs_a_change_note(client, login, people, two_versions, csrf):
    login(people["facilitator"])
    url = f"/drafts/{two_versions.id}"
    response = client.post(f"{url}/v/2/publish", data={"change_note": " ", "csrf_token": csrf(client, url)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in page and "Say what changed" in page
    assert reload_version(two_versions, 2).status == "working"


def test_publishing_an_empty_version_shows_why_not(client, login, people, partnership, facilitator, csrf):
    draft = services.create_draft(facilitator, partnership, title="Empty")
    login(people["facilitator"])
    url = f"/drafts/{draft.id}"
    response = client.post(f"{url}/v/1/publish", data={"change_note": "First", "csrf_token": csrf(client, url)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Add at least one section before publishing this version" in page
    assert "draft.version_published" not in actions()


def test_making_a_second_working_version_is_a_clear_conflict(client, login, people, two_versions, csrf):
    login(people["facilitator"])
    response = client.post(f"/drafts/{two_versions.id}/v/1/new-version",
                           data={"csrf_token": csrf(client, f"/drafts/{two_versions.id}")})
    assert response.status_code == 409
    assert "Version 2 is already being edited" in response.get_data(as_text=True)


def test_editing_a_published_version_is_a_clear_conflict_never_a_500(client, login, people, two_versions, csrf):
    login(people["facilitator"])
    draft = two_versions
    published = draft.versions[0].sections[0]
    token = csrf(client, f"/drafts/{draft.id}")
    head = trail.head()
    for method, url, data in [
        ("get", f"/drafts/{draft.id}/sections/{published.id}/edit", None),
        ("post", f"/drafts/{draft.id}/sections/{published.id}/edit", {"title": "Changed", "body": "Changed"}),
        ("get", f"/drafts/{draft.id}/v/1/sections/new", None),
        ("post", f"/drafts/{draft.id}/v/1/sections/new", {"title": "Late", "body": "Late"}),
        ("post", f"/drafts/{draft.id}/v/1/publish", {"change_note": "Again"}),
        ("get", f"/drafts/{draft.id}/sections/{published.id}/remove", None),
        ("post", f"/drafts/{draft.id}/sections/{published.id}/remove", {}),
    ]:
        response = getattr(client, method)(url, data={**data, "csrf_token": token} if data is not None else None)
        page = response.get_data(as_text=True)
        assert response.status_code == 409, url
        assert "published" in page and "<html" in page
    response = client.post(f"/drafts/{draft.id}/sections/{published.id}/move",
                           data={"direction": "down", "csrf_token": token})
    assert response.status_code == 303
    assert "can no longer change" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert trail.head() == head


def test_removing_a_section_asks_first(client, login, people, two_versions, csrf):
    login(people["facilitator"])
    section = two_versions.versions[1].sections[0]
    url = f"/drafts/{two_versions.id}/sections/{section.id}/remove"
    page = client.get(url).get_data(as_text=True)
    assert "Remove “Early Intervention”?" in page and 'method="post"' in page
    response = client.post(url, data={"csrf_token": csrf(client, url)})
    assert response.status_code == 303
    assert [s.title for s in reload_version(two_versions, 2).sections] == [
        "Domestic abuse", "Local child safeguarding practice reviews"]
    assert [s.title for s in reload_version(two_versions, 1).sections][0] == "Early Intervention"
    assert actions()[-1] == "section.removed"


# --- moving sections: a plain form, and htmx in place -------------------------------------------------------------

def test_moving_a_section_without_javascript_redirects_back(client, login, people, two_versions, csrf):
    login(people["facilitator"])
    section = two_versions.versions[1].sections[0]
    response = client.post(f"/drafts/{two_versions.id}/sections/{section.id}/move",
                           data={"direction": "down", "csrf_token": csrf(client, f"/drafts/{two_versions.id}")})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/drafts/{two_versions.id}#section-{section.id}")
    assert "HX-Request" in response.headers["Vary"]
    assert [s.title for s in reload_version(two_versions, 2).sections][:2] == ["Domestic abuse", "Early Intervention"]
    page = client.get(f"/drafts/{two_versions.id}").get_data(as_text=True)
    assert "“Early Intervention” moved down" in page


def test_moving_a_section_with_htmx_returns_the_sections_fragment(client, login, people, two_versions, csrf):
    login(people["facilitator"])
    page = client.get(f"/drafts/{two_versions.id}").get_data(as_text=True)
    section = two_versions.versions[1].sections[2]
    action = f"/drafts/{two_versions.id}/sections/{section.id}/move"
    assert f'hx-post="{action}"' in page and f'action="{action}"' in page  # works without JavaScript too
    token = csrf(client, f"/drafts/{two_versions.id}")
    response = client.post(action, data={"direction": "up"}, headers={**HTMX, "X-CSRFToken": token})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="sections">')
    assert 'id="sections-status"' in fragment and 'hx-swap-oob="true"' in fragment
    assert "“Local child safeguarding practice reviews” moved up" in fragment
    assert fragment.index("Local child safeguarding practice reviews") < fragment.index("Domestic abuse")
    assert [s.title for s in reload_version(two_versions, 2).sections] == [
        "Early Intervention", "Local child safeguarding practice reviews", "Domestic abuse"]
    # The top section cannot move up: the fragment says so and nothing changes.
    first = reload_version(two_versions, 2).sections[0]
    response = client.post(f"/drafts/{two_versions.id}/sections/{first.id}/move", data={"direction": "up"},
                           headers={**HTMX, "X-CSRFToken": token})
    assert response.status_code == 200 and "cannot move further up" in response.get_data(as_text=True)
    assert actions().count("section.moved") == 1


def test_moving_with_htmx_after_someone_published_says_so(client, login, people, two_versions, csrf, facilitator):
    login(people["facilitator"])
    token = csrf(client, f"/drafts/{two_versions.id}")
    section = two_versions.versions[1].sections[0]
    services.publish_version(facilitator, reload_version(two_versions, 2), change_note="Published elsewhere")
    response = client.post(f"/drafts/{two_versions.id}/sections/{section.id}/move", data={"direction": "down"},
                           headers={**HTMX, "X-CSRFToken": token})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in fragment
    assert "can no longer change" in fragment and "No version of this draft is being edited now" in fragment


def test_a_bad_move_direction_changes_nothing(client, login, people, two_versions, csrf):
    login(people["facilitator"])
    section = two_versions.versions[1].sections[0]
    response = client.post(f"/drafts/{two_versions.id}/sections/{section.id}/move",
                           data={"direction": "sideways", "csrf_token": csrf(client, f"/drafts/{two_versions.id}")})
    assert response.status_code == 303
    assert "section.moved" not in actions()


# --- compare ----------------------------------------------------------------------------------------------------

def test_compare_shows_word_level_changes_accessibly(client, login, people, two_versions):
    login(people["facilitator"])
    response = client.get(f"/drafts/{two_versions.id}/compare?a=1&b=2")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'method="get"' in page and 'name="a"' in page and 'name="b"' in page
    assert re.search(r'<del class="portal-diff__del"><span class="govuk-visually-hidden">\[start of removal\] '
                     r'</span>Serious Case Reviews', page)
    assert re.search(r'<ins class="portal-diff__ins"><span class="govuk-visually-hidden">\[start of addition\] '
                     r'</span>Local child safeguarding practice reviews', page)
    assert ">Changed</strong>" in page and "2 sections unchanged" in page


def test_compare_defaults_to_the_latest_two_versions(client, login, people, two_versions):
    login(people["facilitator"])
    page = client.get(f"/drafts/{two_versions.id}/compare").get_data(as_text=True)
    assert "Changes from version 1 to version 2" in page


def test_readers_compare_published_versions_only(client, login, people, two_versions, facilitator):
    login(people["scrutineer"])
    response = client.get(f"/drafts/{two_versions.id}/compare?a=1&b=2")
    assert response.status_code == 400
    assert "Choose the later version from the list" in response.get_data(as_text=True)
    page = client.get(f"/drafts/{two_versions.id}/compare").get_data(as_text=True)
    assert "only one version so far" in page and "Local child safeguarding" not in page


def test_comparing_a_version_with_itself_shows_no_changes(client, login, people, two_versions):
    login(people["facilitator"])
    page = client.get(f"/drafts/{two_versions.id}/compare?a=2&b=2").get_data(as_text=True)
    assert "no changes to show" in page and "<ins" not in page.split("Changes from")[1]


@pytest.mark.parametrize("query", ["a=x&b=2", "a=1&b=9", "a=1", "a=&b=", "a=1.5&b=2", "a=-1&b=2", "a=1&b=2%00"])
def test_bad_compare_parameters_give_a_clear_message(client, login, people, two_versions, query):
    login(people["facilitator"])
    response = client.get(f"/drafts/{two_versions.id}/compare?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in page and "version from the list" in page


# --- what a version page shows -------------------------------------------------------------------------------------

def test_the_version_page_renders_safe_markdown_and_the_plain_summary_apart(app, client, login, people, partnership,
                                                                           facilitator):
    draft = services.create_draft(facilitator, partnership, title="Risky")
    services.add_section(facilitator, draft.versions[0], title="<b>Bold</b> title",
                         body="Hello <script>alert(1)</script> [click](javascript:alert(1)) ![x](http://e.test/i.png)",
                         plain_summary="Plain <em>words</em>", topics=[Topic.TRAINING])
    login(people["facilitator"])
    page = client.get(f"/drafts/{draft.id}/v/1").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert 'href="javascript' not in page and "<img" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in page and "Plain &lt;em&gt;words&lt;/em&gt;" in page
    assert "In plain language" in page and "Being edited" in page


def test_the_draft_page_shows_the_checklist_in_words(client, login, people, two_versions):
    login(people["scrutineer"])
    page = client.get(f"/drafts/{two_versions.id}").get_data(as_text=True)
    assert "6 of 9 topics still missing" in page and "Still missing" not in page  # named once, in the list
    assert len(re.findall(r'govuk-tag--red">\s*Missing\s*</strong>', page)) == 6
    assert len(re.findall(r'govuk-tag--green">\s*Covered\s*</strong>', page)) == 3
    assert page.count('<li class="govuk-task-list__item') == 9
    assert 'Covered by: <a class="govuk-link" href="#section-' in page
