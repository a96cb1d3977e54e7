"""Compare: word-level diffs and section matching by key (pure functions), then on real versions."""
import pytest

from app.drafts import services
from app.drafts.compare import (ADDED, CHANGED, DELETE, EQUAL, INSERT, MOVED, REMOVED, UNCHANGED, SectionSnapshot,
                                Segment, compare_sections, compare_versions, tokenize, word_diff)
from app.drafts.models import DraftVersion, Topic


def old_text(segments):
    return "".join(s.text for s in segments if s.kind != INSERT)


def new_text(segments):
    return "".join(s.text for s in segments if s.kind != DELETE)


# --- words ------------------------------------------------------------------------------------------

def test_tokens_keep_every_character():
    text = "Serious Case Reviews (none in North Somerset);\n\n- children's  group"
    assert "".join(tokenize(text)) == text
    assert "children's" in tokenize(text) and ";" in tokenize(text)


def test_word_diff_marks_whole_words():
    segments = word_diff("The group meets twice a year.", "The group meets four times a year.")
    assert segments == [Segment(EQUAL, "The group meets "), Segment(DELETE, "twice"),
                        Segment(INSERT, "four times"), Segment(EQUAL, " a year.")]


def test_a_run_of_changed_words_reads_as_one_removal_and_one_addition():
    segments = word_diff("the quick brown fox", "a slow brown fox")
    assert segments[:2] == [Segment(DELETE, "the quick"), Segment(INSERT, "a slow")]


@pytest.mark.parametrize("old, new", [
    ("", "All new words"),
    ("All old words", ""),
    ("Same words", "Same words"),
    ("Line one\n\nLine two", "Line one\n\n- a list\n- of things\n\nLine two, changed"),
    ("Émilie’s café — naïve", "Émilie’s cafe – naive 🙂"),
])
def test_word_diff_gives_back_both_texts(old, new):
    segments = word_diff(old, new)
    assert old_text(segments) == old and new_text(segments) == new


def test_identical_text_has_no_changes():
    assert word_diff("Same words", "Same words") == [Segment(EQUAL, "Same words")]
    assert word_diff("", "") == []


def test_punctuation_changes_alone_are_marked():
    segments = word_diff("Early help;", "Early help.")
    assert [s for s in segments if s.kind != EQUAL] == [Segment(DELETE, ";"), Segment(INSERT, ".")]


# --- sections -------------------------------------------------------------------------------------------

def section(key, title, body="Body", summary="", topics=()):
    return SectionSnapshot(key=key, title=title, body=body, plain_summary=summary, topics=frozenset(topics))


OLD = [section("a", "Early Intervention"), section("b", "Domestic abuse", "Children living with abuse."),
       section("c", "Quality Assurance"), section("d", "Serious Case Reviews", topics=[Topic.PRACTICE_REVIEWS])]


def test_identical_versions_have_only_unchanged_sections():
    result = compare_sections(OLD, OLD, a=1, b=1)
    assert result.identical
    assert [c.status for c in result.sections] == [UNCHANGED] * 4
    assert result.counts == {ADDED: 0, REMOVED: 0, CHANGED: 0, MOVED: 0, UNCHANGED: 4}


def test_added_removed_changed_and_moved_sections():
    new = [section("c", "Quality Assurance"),  # moved to the top
           section("a", "Early Intervention"),
           section("b", "Domestic abuse", "Children living with or harmed by abuse.", "New summary",
                   topics=[Topic.WORKING_TOGETHER]),
           section("e", "Communications", "Tell people.")]  # added; "d" removed
    result = compare_sections(OLD, new, a=1, b=2)
    by_key = {c.key: c for c in result.sections}
    assert by_key["c"].status == MOVED and by_key["c"].moved
    assert (by_key["c"].old_index, by_key["c"].new_index) == (3, 1)
    assert by_key["a"].status == UNCHANGED and not by_key["a"].moved
    assert by_key["b"].status == CHANGED and by_key["b"].body_changed and by_key["b"].plain_summary_changed
    assert not by_key["b"].title_changed
    assert by_key["b"].topics_added == [Topic.WORKING_TOGETHER] and by_key["b"].topics_removed == []
    assert [s for s in by_key["b"].body if s.kind != EQUAL] == [Segment(INSERT, "or harmed by ")]
    assert by_key["e"].status == ADDED and by_key["e"].old is None
    assert by_key["e"].body == [Segment(INSERT, "Tell people.")]
    assert by_key["d"].status == REMOVED and by_key["d"].new is None
    assert by_key["d"].topics_removed == [Topic.PRACTICE_REVIEWS]
    assert by_key["d"].title == [Segment(DELETE, "Serious Case Reviews")]
    # Reading order: the later version's, with the removed section where it stood.
    assert [c.key for c in result.sections] == ["c", "a", "b", "d", "e"]
    assert result.counts == {ADDED: 1, REMOVED: 1, CHANGED: 1, MOVED: 1, UNCHANGED: 1}
    assert not result.identical


def test_a_renamed_section_is_changed_not_removed_and_added():
    new = OLD[:3] + [section("d", "Local child safeguarding practice reviews", topics=[Topic.PRACTICE_REVIEWS])]
    change = compare_sections(OLD, new).for_key("d")
    assert change.status == CHANGED and change.title_changed and not change.body_changed
    assert change.title == [Segment(DELETE, "Serious Case Reviews"),
                            Segment(INSERT, "Local child safeguarding practice reviews")]


def test_a_removed_first_section_stays_first():
    result = compare_sections(OLD, OLD[1:])
    assert [(c.key, c.status) for c in result.sections][0] == ("a", REMOVED)


def test_a_changed_section_that_also_moved_is_changed_and_flagged_moved():
    new = [section("b", "Domestic abuse", "Different"), OLD[0], OLD[2], OLD[3]]
    change = compare_sections(OLD, new).for_key("b")
    assert change.status == CHANGED and change.moved


# --- on real versions --------------------------------------------------------------------------------------

def test_compare_versions_matches_sections_by_key(app, db, make_draft, facilitator):
    draft = make_draft()
    v1 = draft.versions[0]
    v2 = services.new_version_from(facilitator, v1)
    sections = v2.sections
    services.update_section(facilitator, sections[2], title="Local child safeguarding practice reviews",
                            body=sections[2].body, plain_summary=sections[2].plain_summary,
                            topics=sections[2].topic_set)
    services.remove_section(facilitator, db.session.get(type(sections[0]), sections[0].id))
    services.add_section(facilitator, db.session.get(DraftVersion, v2.id), title="Communications",
                         body="Telling people.")
    db.session.expire_all()
    v1, v2 = db.session.get(DraftVersion, v1.id), db.session.get(DraftVersion, v2.id)
    result = compare_versions(v1, v2)
    assert (result.a, result.b) == (1, 2)
    assert [(c.section.title, c.status) for c in result.sections] == [
        ("Early Intervention", REMOVED), ("Domestic abuse", UNCHANGED),
        ("Local child safeguarding practice reviews", CHANGED), ("Communications", ADDED)]
    assert compare_versions(v1, v1).identical
    backwards = compare_versions(v2, v1)
    assert {c.section.title: c.status for c in backwards.sections}["Communications"] == REMOVED


def test_compare_shows_words_not_markdown_marks():
    from app.drafts.compare import snapshot, word_diff

    class Row:
        key, title, plain_summary, topics, position, id = "k", "T", "", (), 1, None

    old, new = Row(), Row()
    old.body, new.body = "## Members\n\nThe **police**", "## Members\n\nThe **police** and health"
    diff = word_diff(snapshot(old).body, snapshot(new).body)
    assert "".join(s.text for s in diff if s.kind != "delete") == "Members\n\nThe police and health"
    assert not any("#" in s.text or "**" in s.text for s in diff)
