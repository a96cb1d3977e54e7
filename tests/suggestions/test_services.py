"""Suggested wording: the rules, without HTTP (SQLite, and PostgreSQL with DATABASE_URL)."""
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.consultations import services as consultations
from app.drafts import services as drafts
from app.errors import DomainError, NotAllowed
from app.moderation import services as moderation
from app.moderation.models import SafeguardingConcern
from app.privacy import services as privacy
from app.responses import publishing
from app.responses import services as responses
from app.suggestions import queries, services, text
from app.suggestions.models import Suggestion, SuggestionSupport
from tests.fixtures.consultations import assert_log_verifies, log_actions

BODY = "A group on domestic abuse and its effect on children."  # the fixture's second section


@pytest.fixture
def section(consultation):
    return consultation.version.sections[1]


def make(person, consultation, section, passage="its effect on children", replacement="its effect on children "
         "and young people", reason="Teenagers are affected too.", **extra):
    return services.suggest(person, consultation, section, reason=reason, passage=passage, replacement=replacement,
                            made_against=text.sha256(section.body), **extra)


# --- the text rules ------------------------------------------------------------------------------------------

def test_a_passage_is_found_whole_words_and_any_spacing():
    assert text.find("one two\nthree two", "two three") == [(4, 13)]
    assert text.find("there the", "the") == [(6, 9)]  # never half a word
    assert text.find("abc", "xyz") == []


def test_an_edited_copy_becomes_one_change_in_whole_words():
    original = "The group meets four times a year."
    assert text.edited_change(original, "The group meets six times a year.") == (16, 20, "six")
    start, end, replacement = text.edited_change(original, "The group meets four times a year, at least.")
    assert (original[start:end], replacement) == ("year", "year, at least")
    assert text.edited_change(original, original + "\n") is None


def test_a_suggestion_is_a_comment_with_the_passage_the_replacement_and_the_text_it_was_made_against(
        consultation, section, practitioner):
    suggestion = make(practitioner, consultation, section)
    assert (suggestion.passage, suggestion.replacement) == ("its effect on children",
                                                           "its effect on children and young people")
    assert section.body[suggestion.passage_start:suggestion.passage_end] == suggestion.passage
    assert suggestion.section_sha256 == text.sha256(BODY)
    assert suggestion.version_hash == consultation.version.content_hash
    comment = suggestion.comment
    assert (comment.body, comment.section_id, comment.status) == ("Teenagers are affected too.", section.id,
                                                                  "published")
    assert log_actions()[-2:] == ["comment.posted", "suggestion.made"]
    assert_log_verifies()


def test_an_edited_copy_of_the_text_makes_the_same_kind_of_suggestion(consultation, section, practitioner):
    suggestion = services.suggest(practitioner, consultation, section, reason="Clearer.",
                                  edited=BODY.replace("domestic abuse", "domestic abuse and coercive control"),
                                  made_against=text.sha256(BODY))
    assert (suggestion.passage, suggestion.replacement) == ("its", "coercive control and its")  # an insertion


@pytest.mark.parametrize("passage, field, message", [
    ("", "passage", "Enter the words"),
    ("effect on adults", "passage", "not in the section"),
    ("group", "passage", None),  # found once: fine
])
def test_the_passage_must_stand_in_the_section_exactly(consultation, section, practitioner, passage, field, message):
    if message is None:
        make(practitioner, consultation, section, passage=passage, replacement="panel")
        return
    with pytest.raises(DomainError) as error:
        make(practitioner, consultation, section, passage=passage)
    assert error.value.field == field and message in error.value.message


def test_words_that_stand_twice_are_refused_until_they_say_which(make_version, make_consultation, practitioner):
    version = make_version("Twice", sections=[("Meetings", "The group meets. The board meets.", "")])
    consultation = make_consultation(version=version)
    section = version.sections[0]
    with pytest.raises(DomainError) as error:
        make(practitioner, consultation, section, passage="meets", replacement="gathers")
    assert error.value.field == "passage" and "appear 2 times" in error.value.message
    suggestion = make(practitioner, consultation, section, passage="board meets", replacement="board gathers")
    assert suggestion.passage_start == section.body.index("board")


def test_words_copied_from_the_page_are_found_across_bold_and_typed_apostrophes():
    """Found walking: words copied from the page (where bold shows no stars) or typed on a phone (curly
    apostrophes) were refused as "not in the section"."""
    body = "Families get help **as soon as problems** appear in North Somerset's schools."
    start, end = text.find(body, "get help as soon as problems appear")[0]
    assert body[start:end] == "get help **as soon as problems** appear" and not text.crosses_emphasis(body[start:end])
    assert text.find(body, "North Somerset’s schools") == [(body.index("North"), len(body) - 1)]
    start, end = text.find(body, "get help as soon")[0]
    assert text.crosses_emphasis(body[start:end])  # half the bold: replacing it would leave "**" behind


def test_a_passage_across_a_whole_bold_part_is_taken_and_half_of_one_is_refused_in_words(
        make_version, make_consultation, practitioner):
    version = make_version("Bold", sections=[("Early help", "Families get help **as soon as problems** appear.", "")])
    consultation = make_consultation(version=version)
    section = version.sections[0]
    suggestion = make(practitioner, consultation, section, passage="get help as soon as problems appear",
                      replacement="get help early")
    assert section.body[suggestion.passage_start:suggestion.passage_end] == "get help **as soon as problems** appear"
    assert text.apply(section.body, suggestion.passage_start, suggestion.passage_end, "get help early") == \
        "Families get help early."
    with pytest.raises(DomainError) as error:
        make(practitioner, consultation, section, passage="Families get help as soon", replacement="Children get")
    assert error.value.field == "passage" and "part of the way through bold" in error.value.message


def test_a_stale_form_is_refused_on_its_field(consultation, section, practitioner):
    with pytest.raises(DomainError) as error:
        services.suggest(practitioner, consultation, section, reason="x", passage="its effect",
                         replacement="the effect", made_against=text.sha256("an older text"))
    assert error.value.field == "passage" and "changed since you opened this page" in error.value.message
    with pytest.raises(DomainError) as error:
        services.suggest(practitioner, consultation, section, reason="x", edited=BODY + " More.",
                         made_against=text.sha256("an older text"))
    assert error.value.field == "edited"
    assert Suggestion.query.count() == 0


def test_an_overlapping_open_suggestion_is_refused(consultation, section, practitioner, vcs):
    first = make(practitioner, consultation, section)
    with pytest.raises(DomainError) as error:
        make(vcs, consultation, section, passage="effect on children", replacement="impact on children")
    assert error.value.field == "passage" and f"Suggestion {first.id}" in error.value.message
    make(vcs, consultation, section, passage="domestic abuse", replacement="domestic violence")  # other words: fine
    consultations.withdraw_comment(practitioner, first.comment)
    make(vcs, consultation, section, passage="effect on children", replacement="impact on children")  # withdrawn


def test_the_same_wording_and_a_missing_reason_are_refused(consultation, section, practitioner):
    with pytest.raises(DomainError) as error:
        make(practitioner, consultation, section, replacement="its  effect on children")
    assert error.value.field == "replacement"
    with pytest.raises(DomainError) as error:
        make(practitioner, consultation, section, reason="  ")
    assert error.value.field == "reason"


def test_only_people_taking_part_suggest_while_it_is_open(consultation, section, scrutineer, facilitator,
                                                          practitioner):
    for person in (scrutineer, facilitator):
        with pytest.raises(NotAllowed):
            make(person, consultation, section)
    consultations.close_early(facilitator, consultation, "Done")
    with pytest.raises(DomainError, match="closed"):
        make(practitioner, consultation, section)


def test_the_same_form_sent_twice_stores_one_suggestion(consultation, section, practitioner):
    first = make(practitioner, consultation, section, submission_key="k" * 20)
    again = make(practitioner, consultation, section, submission_key="k" * 20)
    assert first.id == again.id and Suggestion.query.count() == 1


def test_a_young_persons_suggestion_waits_for_a_moderator(consultation, section, young, facilitator, vcs):
    suggestion = make(young, consultation, section)
    assert suggestion.comment.status == "pending"
    with pytest.raises(DomainError, match="once a moderator"):
        services.support(vcs, suggestion)
    moderation.approve(facilitator, suggestion.comment)
    services.support(vcs, suggestion)
    assert suggestion.support_count == 1


@pytest.mark.parametrize("field", ["reason", "replacement"])
def test_a_possible_disclosure_in_the_reason_or_the_replacement_goes_to_the_dsl(consultation, section, young,
                                                                                 field):
    words = {"reason": "Because my dad hits me at home.", "replacement": "its effect on children like me, he hits me"}
    if field == "reason":
        suggestion = make(young, consultation, section, reason=words["reason"])
    else:
        suggestion = make(young, consultation, section, replacement=words["replacement"])
    assert suggestion.comment.flagged and suggestion.comment.status == "concern"
    assert SafeguardingConcern.query.filter_by(comment_id=suggestion.comment_id).count() == 1
    assert "concern.raised" in log_actions()
    assert_log_verifies()


def test_an_adults_words_are_not_screened(consultation, section, practitioner):
    suggestion = make(practitioner, consultation, section, replacement="its effect on children who are abused")
    assert suggestion.comment.status == "published" and not suggestion.comment.flagged


def test_support_is_one_per_person_and_can_be_withdrawn(db, consultation, section, practitioner, vcs, make_person):
    suggestion = make(practitioner, consultation, section)
    with pytest.raises(DomainError, match="your own"):
        services.support(practitioner, suggestion)
    services.support(vcs, suggestion)
    services.support(vcs, suggestion)  # again: nothing changes
    assert suggestion.support_count == 1
    services.withdraw_support(vcs, suggestion)
    assert suggestion.support_count == 0
    services.support(vcs, suggestion)
    assert suggestion.support_count == 1 and SuggestionSupport.query.count() == 1
    assert log_actions().count("suggestion.supported") == 2
    assert "suggestion.support_withdrawn" in log_actions()
    with pytest.raises(IntegrityError):  # the database keeps one row per person
        db.session.add(SuggestionSupport(suggestion_id=suggestion.id, person_id=vcs.id))
        db.session.flush()
    db.session.rollback()


def _closed(consultation, facilitator):
    consultations.close_early(facilitator, consultation, "Enough")


def test_accepting_puts_the_wording_into_the_next_working_version_and_answers_the_comment(
        consultation, section, practitioner, facilitator):
    suggestion = make(practitioner, consultation, section)
    with pytest.raises(DomainError, match="once the consultation has closed"):
        services.decide(facilitator, suggestion, outcome="accepted", reason="Good idea")
    _closed(consultation, facilitator)
    services.decide(facilitator, suggestion, outcome="accepted", reason="We agree: teenagers are affected too.")
    working = services.working_version(consultation.version.draft_id)
    assert working.number == consultation.version.number + 1
    changed = next(s for s in working.sections if s.key == section.key)
    assert changed.body == "A group on domestic abuse and its effect on children and young people."
    assert (suggestion.outcome, suggestion.applied_section_id) == ("accepted", changed.id)
    response = responses.responses_of(consultation)[0]
    assert (response.comment_id, response.outcome, response.published_at) == (suggestion.comment_id, "accepted",
                                                                                None)
    assert response.changed_section_key == section.key
    actions = log_actions()
    assert ["draft.version_created", "section.edited", "response.given", "suggestion.accepted"] == [
        a for a in actions[-4:]]
    assert publishing.draft_answer_count(consultation) == 1
    publishing.publish_answers(facilitator, consultation)
    assert response.published_at is not None
    assert queries.applied_to(working)[changed.id] == [suggestion]
    assert_log_verifies()


def test_accepting_with_changes_and_declining(consultation, section, practitioner, vcs, facilitator):
    first = make(practitioner, consultation, section)
    second = make(vcs, consultation, section, passage="domestic abuse", replacement="family violence")
    _closed(consultation, facilitator)
    with pytest.raises(DomainError) as error:
        services.decide(facilitator, first, outcome="accepted_with_changes", reason="Partly",
                        final_text=first.replacement)
    assert error.value.field == "final_text"
    services.decide(facilitator, first, outcome="accepted_with_changes", reason="Partly",
                    final_text="its effect on children and teenagers")
    services.decide(facilitator, second, outcome="declined", reason="The law says domestic abuse.")
    working = services.working_version(consultation.version.draft_id)
    body = next(s for s in working.sections if s.key == section.key).body
    assert body == "A group on domestic abuse and its effect on children and teenagers."
    assert (second.outcome, second.final_text, second.applied_version_id) == ("declined", None, None)
    outcomes = {r.comment_id: r.outcome for r in responses.responses_of(consultation)}
    assert outcomes == {first.comment_id: "partly_accepted", second.comment_id: "not_accepted"}
    with pytest.raises(DomainError, match="stands"):
        services.decide(facilitator, second, outcome="accepted", reason="Changed our mind")
    services.decide(facilitator, second, outcome="declined", reason="Clearer reason.")  # the reason only
    assert responses.responses_of(consultation)[1].reason == "Clearer reason."
    assert_log_verifies()


def test_a_stale_passage_in_the_working_version_is_refused(consultation, section, practitioner, facilitator):
    suggestion = make(practitioner, consultation, section)
    _closed(consultation, facilitator)
    working = drafts.new_version_from(facilitator, consultation.version)
    changed = next(s for s in working.sections if s.key == section.key)
    drafts.update_section(facilitator, changed, title=changed.title, body="A group on violence at home.",
                          plain_summary=changed.plain_summary)
    with pytest.raises(DomainError) as error:
        services.decide(facilitator, suggestion, outcome="accepted", reason="Yes")
    assert error.value.field == "outcome" and "has changed since this suggestion was made" in error.value.message
    assert suggestion.outcome is None


def test_answers_to_suggestions_come_only_from_the_decision(consultation, section, practitioner, facilitator):
    suggestion = make(practitioner, consultation, section)
    _closed(consultation, facilitator)
    with pytest.raises(DomainError, match="deciding on the suggestion"):
        responses.respond(facilitator, consultation, comment=suggestion.comment, outcome="accepted", reason="x")
    theme = responses.tag_comment(facilitator, suggestion.comment, new_theme="Young people")
    responses.respond(facilitator, consultation, theme=theme, outcome="not_accepted", reason="Theme answer")
    assert [r.theme_id for r in responses.responses_of(consultation)] == [theme.id]  # no copy on the suggestion


def test_the_final_version_is_checked_for_each_accepted_suggestion(consultation, section, practitioner, vcs,
                                                                   facilitator):
    first = make(practitioner, consultation, section)
    second = make(vcs, consultation, section, passage="domestic abuse", replacement="family violence")
    _closed(consultation, facilitator)
    services.decide(facilitator, first, outcome="accepted", reason="Yes")
    services.decide(facilitator, second, outcome="accepted", reason="Yes")
    working = services.working_version(consultation.version.draft_id)
    changed = next(s for s in working.sections if s.key == section.key)
    drafts.update_section(facilitator, changed, title=changed.title,  # the facilitator undoes the second by hand
                          body=changed.body.replace("family violence", "domestic abuse"), plain_summary="")
    drafts.publish_version(facilitator, working, change_note="After the consultation")
    checks = {c.suggestion.id: c.contained for c in queries.accepted_in(consultation, working)}
    assert checks == {first.id: True, second.id: False}


def test_erasure_and_redaction_take_the_suggested_words_too(consultation, section, practitioner, young,
                                                            facilitator, make_person):
    from app.accounts.models import Role

    suggestion = make(practitioner, consultation, section)
    privacy.erase_person(facilitator, practitioner)
    assert suggestion.replacement == "[removed at the author's request]" and suggestion.erased_sha256
    flagged = make(young, consultation, section, passage="domestic abuse", replacement="what he does to me, he hits me")
    dsl = make_person(Role.DSL)
    concern = SafeguardingConcern.query.filter_by(comment_id=flagged.comment_id).one()
    moderation.redact(dsl, concern)
    assert flagged.replacement == ""
    assert_log_verifies()
