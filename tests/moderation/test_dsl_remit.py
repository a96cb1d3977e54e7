"""A designated safeguarding lead reads what safeguarding needs (issue 14): not withdrawn text, not
consultations outside their remit, unless a safeguarding concern points there."""
from app.accounts.models import Audience, Role
from app.consultations import services as consultations
from app.moderation import services


def test_a_dsl_does_not_read_consultations_outside_their_remit(as_person, make_consultation, practitioner, dsl,
                                                               facilitator):
    practice_only = make_consultation(audiences=[Audience.PRACTITIONERS])
    comment = consultations.post_comment(practitioner, practice_only, "About our team")
    assert as_person(dsl).get(f"/moderation/comments/{comment.id}").status_code == 404
    assert as_person(facilitator).get(f"/moderation/comments/{comment.id}").status_code == 200
    services.raise_concern(facilitator, comment, "A child may be at risk")
    page = as_person(dsl).get(f"/moderation/comments/{comment.id}")
    assert page.status_code == 200 and "About our team" in page.get_data(as_text=True)


def test_a_dsl_does_not_read_withdrawn_text(as_person, make_consultation, young, dsl, facilitator):
    youth = make_consultation(audiences=[Audience.YOUNG_PEOPLE])
    comment = consultations.post_comment(young, youth, "Something I regret")
    browser = as_person(dsl)
    assert "Something I regret" in browser.get("/moderation").get_data(as_text=True)  # waiting: theirs to check
    services.approve(dsl, comment)
    consultations.withdraw_comment(young, comment)
    assert browser.get(f"/moderation/comments/{comment.id}").status_code == 404
    assert as_person(facilitator).get(f"/moderation/comments/{comment.id}").status_code == 200


def test_the_queue_shows_a_dsl_only_their_remit(as_person, make_consultation, make_person, young, vcs, dsl,
                                                facilitator):
    youth = make_consultation(audiences=[Audience.YOUNG_PEOPLE], title="For young people")
    sector = make_consultation(audiences=[Audience.VOLUNTARY_AND_COMMUNITY], title="For the sector")
    consultations.post_comment(young, youth, "Young view waiting")
    sector_comment = consultations.post_comment(vcs, sector, "Sector view")
    colleague = make_person(Role.VCS_PARTNER, organisation="Testshire Voluntary Action")
    services.report(colleague, sector_comment, "Off topic")
    html = as_person(dsl).get("/moderation").get_data(as_text=True)
    assert "Young view waiting" in html and "Sector view" not in html
    assert "Sector view" in as_person(facilitator).get("/moderation").get_data(as_text=True)
