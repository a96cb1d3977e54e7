"""Answering with the whole picture: replies, vote reasons (grouped by choice and audience) and the same theme."""
from html import unescape

import pytest

from app.consultations import services as consultations
from app.responses import picture, services


@pytest.fixture
def discussed(consultation, facilitator, practitioner, vcs, young, make_person):
    """A comment on the first section with replies, votes with reasons from three audiences, then closed."""
    section = consultation.version.sections[0]
    comment = consultations.post_comment(practitioner, consultation, "Please add schools to this group.",
                                         section=section)
    consultations.reply(vcs, comment, "Agreed: and the voluntary sector too.")
    consultations.cast_vote(practitioner, consultation, section, "support_with_changes", "Schools are missing.")
    consultations.cast_vote(vcs, consultation, section, "support", "It joins up early help.")
    consultations.cast_vote(young, consultation, section, "oppose", "Nobody asked us.")
    consultations.cast_vote(make_person(), consultation, section, "support")  # no reason: not listed
    other = consultations.post_comment(vcs, consultation, "Schools again, please.", section=section)
    consultations.close_early(facilitator, consultation, "Enough responses")
    theme = services.create_theme(facilitator, consultation, "Schools")
    services.tag_comment(facilitator, comment, theme=theme)
    services.tag_comment(facilitator, other, theme=theme)
    return comment, other, section


def test_replies_are_the_published_ones_in_the_thread(discussed, vcs):
    comment, _other, _section = discussed
    replies = picture.replies_to(comment)
    assert [(r.attribution, r.text) for r in replies] == [(f"{vcs.display_name}, Testshire Voluntary Action",
                                                           "Agreed: and the voluntary sector too.")]


def test_vote_reasons_are_grouped_by_choice_and_audience_young_people_as_their_group(consultation, discussed):
    _comment, _other, section = discussed
    reasons = picture.vote_reasons(consultation)[section.id]
    assert list(reasons) == ["support", "support_with_changes", "oppose"]
    assert [s.text for s in reasons["support"]["voluntary_and_community"]] == ["It joins up early help."]
    assert [s.text for s in reasons["support_with_changes"]["practitioners"]] == ["Schools are missing."]
    young = reasons["oppose"]["young_people"][0]
    assert (young.attribution, young.text) == ("A member of Testshire Youth Council", "Nobody asked us.")


def test_the_same_theme_lists_the_other_comments(consultation, discussed):
    comment, other, _section = discussed
    item = next(i for i in services.answered_comments(consultation) if i.comment.id == comment.id)
    assert [i.comment.id for i in picture.same_theme(consultation, item)] == [other.id]


def test_the_answer_page_shows_the_whole_picture(client, login, consultation, discussed, facilitator):
    comment, _other, _section = discussed
    login(facilitator)
    html = unescape(client.get(f"/responses/comments/{comment.id}").get_data(as_text=True))
    assert "Replies to this comment" in html and "Agreed: and the voluntary sector too." in html
    assert "Why people voted as they did" in html and "Schools are missing." in html
    assert "A member of Testshire Youth Council:" in html and "Nobody asked us." in html
    assert "Other comments under the same theme" in html and "Schools again, please." in html


def test_the_answers_page_and_the_report_show_vote_reasons_to_facilitators(client, login, consultation, discussed,
                                                                          facilitator):
    login(facilitator)
    for path in (f"/consultations/{consultation.id}/responses", f"/consultations/{consultation.id}/report"):
        html = unescape(client.get(path).get_data(as_text=True))
        assert "Reasons given with votes" in html and "Support with changes" in html, path
        assert "It joins up early help." in html and "A member of Testshire Youth Council" in html, path


def test_participants_reading_the_report_do_not_see_who_gave_which_reason(client, login, consultation, discussed,
                                                                         practitioner):
    login(practitioner)
    response = client.get(f"/consultations/{consultation.id}/report")
    assert response.status_code == 200 and "Reasons given with votes" not in response.get_data(as_text=True)


def test_the_report_groups_comments_under_their_themes_with_counts(client, login, consultation, discussed,
                                                                   facilitator):
    login(facilitator)
    html = unescape(client.get(f"/consultations/{consultation.id}/report").get_data(as_text=True))
    assert "Schools (2 comments)" in html
