"""The rules for drafts and versions, with no HTTP: publishing freezes, new versions copy, everything is logged."""
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError, IntegrityError

from app.accounts.models import Role
from app.drafts import services
from app.drafts.demo import load_demo_drafts
from app.drafts.models import DraftVersion, Section, SectionTopic, Topic
from app.errors import DomainError, NotAllowed
from app.trail import services as trail
from app.trail.models import LogEntry


def actions():
    """The drafts room's log actions, in order."""
    return [entry["action"] for entry in trail.iter_entries() if entry["action"].startswith(("draft.", "section."))]


def reload(db, model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


# --- creating and editing -------------------------------------------------------------------------

def test_create_draft_makes_working_version_1_and_logs_no_words(app, partnership, facilitator):
    draft = services.create_draft(facilitator, partnership, title="  Proposed working groups ", summary="Groups")
    assert draft.title == "Proposed working groups"
    [version] = draft.versions
    assert (version.number, version.status, version.content_hash) == (1, "working", None)
    entry = [e for e in trail.iter_entries() if e["action"] == "draft.created"][0]
    assert entry["actor"] == facilitator.id and entry["subject"] == f"draft:{draft.id}"
    assert entry["data"]["title_sha256"] == trail.text_hash("Proposed working groups")
    assert "Proposed" not in str(entry["data"])


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_a_draft_needs_a_sensible_title(app, partnership, facilitator, title):
    with pytest.raises(DomainError) as error:
        services.create_draft(facilitator, partnership, title=title)
    assert error.value.field == "title"
    assert actions() == []


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SCRUTINEER, Role.LEAD_SIGNATORY, Role.YOUNG_PERSON])
def test_only_facilitators_change_drafts(app, partnership, make_person, make_draft, role):
    someone = make_person(role=role)
    with pytest.raises(NotAllowed):
        services.create_draft(someone, partnership, title="Mine")
    draft = make_draft(publish=False)
    version = draft.versions[0]
    with pytest.raises(NotAllowed):
        services.add_section(someone, version, title="Extra", body="Text")
    with pytest.raises(NotAllowed):
        services.publish_version(someone, version, change_note="Mine")


def test_sections_are_added_edited_moved_and_removed_in_a_working_version(app, db, make_draft, facilitator):
    draft = make_draft(publish=False)
    version = draft.versions[0]
    first, second, third = version.sections
    services.update_section(facilitator, second, title="Domestic abuse and teenage relationships",
                            body="New text", plain_summary="New summary", topics=[Topic.WORKING_TOGETHER,
                                                                                  Topic.EDUCATION_SETTINGS])
    services.move_section(facilitator, reload(db, Section, third.id), -1)
    services.remove_section(facilitator, reload(db, Section, first.id))
    version = reload(db, DraftVersion, version.id)
    assert [s.title for s in version.sections] == ["Serious Case Reviews", "Domestic abuse and teenage relationships"]
    assert version.sections[1].topic_list == [Topic.WORKING_TOGETHER, Topic.EDUCATION_SETTINGS]
    assert actions() == ["draft.created", "section.added", "section.added", "section.added", "section.edited",
                         "section.moved", "section.removed"]
    assert trail.verify_database()[0] == len(list(trail.iter_entries()))


def test_saving_a_section_unchanged_logs_nothing(app, db, make_draft, facilitator):
    section = make_draft(publish=False).versions[0].sections[0]
    before = trail.head()
    services.update_section(facilitator, section, title=section.title, body=section.body,
                            plain_summary=section.plain_summary, topics=section.topic_set)
    assert trail.head() == before


def test_moving_past_the_ends_is_refused(app, make_draft, facilitator):
    sections = make_draft(publish=False).versions[0].sections
    with pytest.raises(DomainError, match="up"):
        services.move_section(facilitator, sections[0], -1)
    with pytest.raises(DomainError, match="down"):
        services.move_section(facilitator, sections[-1], +1)


# --- publishing -------------------------------------------------------------------------------------

def test_publishing_freezes_a_version_with_its_hash(app, db, make_draft, facilitator):
    draft = make_draft(publish=False)
    version = draft.versions[0]
    expected = services.content_hash(version)
    services.publish_version(facilitator, version, change_note="First version")
    version = reload(db, DraftVersion, version.id)
    assert version.is_published and version.published_by_id == facilitator.id and version.published_at
    assert version.content_hash == expected == services.content_hash(version)
    entry = [e for e in trail.iter_entries() if e["action"] == "draft.version_published"][0]
    assert entry["data"] == {"draft": draft.id, "number": 1, "content_hash": expected,
                             "change_note_sha256": trail.text_hash("First version")}


def test_publishing_hashes_what_is_committed_not_what_the_page_loaded(app, db, make_draft, facilitator):
    draft = make_draft(publish=False)
    version = draft.versions[0]
    assert version.sections[0].title == "Early Intervention"  # loaded, as a view would have
    with db.engine.begin() as connection:  # another facilitator's edit, committed meanwhile
        connection.execute(text("UPDATE section SET title = 'Early help' WHERE id = :id"),
                           {"id": version.sections[0].id})
    services.publish_version(facilitator, version, change_note="First")
    version = reload(db, DraftVersion, version.id)
    assert version.sections[0].title == "Early help"
    assert version.content_hash == services.content_hash(version)


def test_an_empty_version_cannot_be_published(app, partnership, facilitator):
    draft = services.create_draft(facilitator, partnership, title="Empty")
    with pytest.raises(DomainError, match="at least one section"):
        services.publish_version(facilitator, draft.versions[0])


def test_a_published_version_never_changes_through_the_services(app, db, make_draft, facilitator):
    draft = make_draft()
    version = draft.versions[0]
    section = version.sections[0]
    head = trail.head()
    for attempt in (
        lambda: services.add_section(facilitator, version, title="Late", body="Text"),
        lambda: services.update_section(facilitator, section, title="Changed", body="Changed"),
        lambda: services.move_section(facilitator, section, +1),
        lambda: services.remove_section(facilitator, section),
        lambda: services.publish_version(facilitator, version, change_note="Again"),
    ):
        with pytest.raises(DomainError, match="published"):
            attempt()
    assert trail.head() == head
    version = reload(db, DraftVersion, version.id)
    assert services.content_hash(version) == version.content_hash


def _published_ids(db, make_draft):
    draft = make_draft()
    version = draft.versions[0]
    section = version.sections[0]
    return version.id, section.id


@pytest.mark.parametrize("statement", [
    "UPDATE section SET title = 'Changed behind the service' WHERE id = :section",
    "UPDATE section SET position = 99 WHERE id = :section",
    "DELETE FROM section_topic WHERE section_id = :section",
    "DELETE FROM section WHERE version_id = :version",
    "INSERT INTO section (version_id, key, position, title, body, plain_summary) "
    "VALUES (:version, 'smuggled', 9, 'Smuggled in', '', '')",
    "INSERT INTO section_topic (section_id, topic) VALUES (:section, 'training')",
    "UPDATE section_topic SET topic = 'training' WHERE section_id = :section",
    "UPDATE draft_version SET change_note = 'rewritten' WHERE id = :version",
    "UPDATE draft_version SET status = 'working', content_hash = NULL, published_at = NULL WHERE id = :version",
    "DELETE FROM draft_version WHERE id = :version",
])
def test_the_database_refuses_changes_to_a_published_version(app, db, make_draft, statement):
    version_id, section_id = _published_ids(db, make_draft)
    db.session.commit()
    with pytest.raises(DatabaseError, match="published version never changes"):
        with db.engine.begin() as connection:
            connection.execute(text(statement), {"version": version_id, "section": section_id})
    version = reload(db, DraftVersion, version_id)
    assert version.is_published and services.content_hash(version) == version.content_hash


def test_the_database_allows_changes_to_a_working_version(app, db, make_draft):
    draft = make_draft(publish=False)
    version_id, section_id = draft.versions[0].id, draft.versions[0].sections[0].id
    db.session.commit()
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE section SET title = 'Fine' WHERE id = :s"), {"s": section_id})
    assert reload(db, Section, section_id).title == "Fine"
    assert reload(db, DraftVersion, version_id).status == "working"


# --- new versions -----------------------------------------------------------------------------------

def test_a_new_version_copies_sections_with_their_keys(app, db, make_draft, facilitator):
    draft = make_draft()
    v1 = draft.versions[0]
    v2 = services.new_version_from(facilitator, v1)
    v1, v2 = reload(db, DraftVersion, v1.id), reload(db, DraftVersion, v2.id)
    assert (v2.number, v2.status, v2.based_on_id) == (2, "working", v1.id)
    copy = [(s.key, s.position, s.title, s.body, s.plain_summary, s.topic_set) for s in v2.sections]
    assert copy == [(s.key, s.position, s.title, s.body, s.plain_summary, s.topic_set) for s in v1.sections]
    assert not {s.id for s in v1.sections} & {s.id for s in v2.sections}
    # Editing the copy leaves the published original as it was.
    services.update_section(facilitator, v2.sections[0], title="Early help", body="New", topics=[])
    assert reload(db, DraftVersion, v1.id).sections[0].title == "Early Intervention"
    assert actions()[-2:] == ["draft.version_created", "section.edited"]


def test_only_one_working_version_at_a_time(app, db, make_draft, facilitator):
    draft = make_draft()
    v1 = draft.versions[0]
    services.new_version_from(facilitator, v1)
    with pytest.raises(DomainError, match="already being edited"):
        services.new_version_from(facilitator, reload(db, DraftVersion, v1.id))
    count = db.session.execute(select(func.count()).select_from(DraftVersion)
                               .where(DraftVersion.draft_id == draft.id, DraftVersion.status == "working")).scalar()
    assert count == 1


def test_the_database_also_allows_one_working_version_only(app, db, make_draft, facilitator):
    draft = make_draft(publish=False)
    db.session.commit()
    with pytest.raises(IntegrityError):
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO draft_version (draft_id, number, status, change_note) "
                                    "VALUES (:d, 2, 'working', '')"), {"d": draft.id})


def test_a_working_version_cannot_be_the_basis_of_a_new_one(app, make_draft, facilitator):
    draft = make_draft(publish=False)
    with pytest.raises(DomainError, match="Only a published version"):
        services.new_version_from(facilitator, draft.versions[0])


# --- content hash -------------------------------------------------------------------------------------

def test_content_hash_is_stable_and_follows_the_content(app, db, make_draft, facilitator):
    draft = make_draft(publish=False)
    version = draft.versions[0]
    first = services.content_hash(version)
    assert services.content_hash(reload(db, DraftVersion, version.id)) == first
    services.update_section(facilitator, reload(db, DraftVersion, version.id).sections[1],
                            title="Domestic abuse", body="Children who live with domestic abuse are noticed!",
                            plain_summary="Children are noticed.", topics=[Topic.RELEVANT_AGENCIES])
    changed = services.content_hash(reload(db, DraftVersion, version.id))
    assert changed != first
    services.update_section(facilitator, reload(db, DraftVersion, version.id).sections[1],
                            title="Domestic abuse", body="Children who live with domestic abuse are noticed.",
                            plain_summary="Children are noticed.", topics=[Topic.RELEVANT_AGENCIES])
    assert services.content_hash(reload(db, DraftVersion, version.id)) == first
    services.update_section(facilitator, reload(db, DraftVersion, version.id).sections[1],
                            title="Domestic abuse", body="Children who live with domestic abuse are noticed.",
                            plain_summary="Children are noticed.", topics=[Topic.TRAINING])
    assert services.content_hash(reload(db, DraftVersion, version.id)) != first
    services.move_section(facilitator, reload(db, DraftVersion, version.id).sections[0], +1)
    assert services.content_hash(reload(db, DraftVersion, version.id)) not in (first, changed)


# --- checklist ----------------------------------------------------------------------------------------

def test_checklist_lists_every_topic_and_what_is_missing(app, db, make_draft, facilitator):
    draft = make_draft(publish=False)
    version = draft.versions[0]
    assert services.missing_topics(version) == [
        Topic.PARTNERS_AND_AREA, Topic.INDEPENDENT_SCRUTINY, Topic.EDUCATION_SETTINGS,
        Topic.YOUTH_CUSTODY_AND_CHILDRENS_HOMES, Topic.USE_OF_DATA, Topic.TRAINING]
    checklist = dict(services.checklist(version))
    assert list(checklist) == list(Topic)
    assert [s.title for s in checklist[Topic.PRACTICE_REVIEWS]] == ["Serious Case Reviews"]
    assert checklist[Topic.TRAINING] == []
    services.add_section(facilitator, version, title="Everything else", body="All of it",
                         topics=services.missing_topics(version))
    version = reload(db, DraftVersion, version.id)
    assert services.missing_topics(version) == []


# --- demo data ------------------------------------------------------------------------------------------

def test_demo_drafts_are_made_through_the_services_and_only_once(app, db, partnership, facilitator):
    made = load_demo_drafts(partnership, facilitator)
    working_groups, thematic = made["working_groups"], made["thematic_groups"]
    assert [v.status for v in working_groups.versions] == ["published", "published"]
    v1, v2 = working_groups.versions
    assert [s.title for s in v1.sections] == [
        "Early Intervention", "Domestic abuse", "Quality Assurance", "Workforce development", "Communications",
        "Children and Young People's group", "Serious Case Reviews"]
    assert v2.sections[-1].title == "Local child safeguarding practice reviews"
    assert v2.sections[-1].key == v1.sections[-1].key
    assert v1.sections[1].body != v2.sections[1].body
    assert all(s.plain_summary for s in v1.sections + v2.sections)
    assert [s.title for s in thematic.versions[0].sections] == [
        "Adolescent Safeguarding", "Quality and Effectiveness", "Schools and Learners", "Case Review Group",
        "Independent scrutiny"]
    assert thematic.versions[0].is_published
    assert all(services.content_hash(v) == v.content_hash for v in (v1, v2, thematic.versions[0]))
    count = db.session.execute(select(func.count()).select_from(LogEntry)).scalar()
    assert load_demo_drafts(partnership, facilitator) == made
    assert db.session.execute(select(func.count()).select_from(LogEntry)).scalar() == count
    assert actions().count("draft.version_published") == 3
    assert trail.verify_database()[0] == count


def test_demo_sections_cover_topics(app, db, partnership, facilitator):
    made = load_demo_drafts(partnership, facilitator)
    v2 = made["working_groups"].versions[1]
    assert Topic.PRACTICE_REVIEWS not in services.missing_topics(v2)
    assert Topic.EDUCATION_SETTINGS in services.missing_topics(made["working_groups"].versions[0])
    assert Topic.EDUCATION_SETTINGS not in services.missing_topics(v2)
    rows = db.session.execute(select(func.count()).select_from(SectionTopic)).scalar()
    assert rows > 0
