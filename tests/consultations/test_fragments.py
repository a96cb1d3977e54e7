"""Remembered fragments (app/fragments.py): never stale, never someone else's, and each form keeps its own token."""
import re

from app.consultations import services
from app.consultations.models import Vote
from app.extensions import db as _db
from app.moderation import services as moderation


def _page(client, consultation):
    response = client.get(f"/consultations/{consultation.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_every_reader_gets_forms_carrying_their_own_csrf_token(as_person, consultation, practitioner, vcs, sections):
    first, second = as_person(practitioner), as_person(vcs)
    tokens = []
    for browser in (first, second):
        html = _page(browser, consultation)
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
        in_forms = set(re.findall(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html))
        assert in_forms == {meta}  # every remembered vote and comment form holds this reader's token
        assert "\x00" not in html
        tokens.append(meta)
    assert tokens[0] != tokens[1]
    section = sections[0]
    response = second.post(f"/consultations/{consultation.id}/sections/{section.id}/vote",
                           data={"csrf_token": tokens[1], f"v{section.id}-choice": "oppose"})
    assert response.status_code == 303
    assert _db.session.query(Vote).filter_by(person_id=vcs.id).one().choice == "oppose"
    # The form remembered for the first reader's view now says the second reader voted: not shared across people.
    assert "You voted “Oppose”" in _page(second, consultation)
    assert "You voted" not in _page(first, consultation)


def test_a_changed_comment_is_drawn_again_at_once(as_person, consultation, practitioner, vcs, facilitator):
    comment = services.post_comment(practitioner, consultation, "The first wording")
    reader = as_person(vcs)
    assert "The first wording" in _page(reader, consultation)
    services.edit_comment(practitioner, comment, "A better wording")
    html = _page(reader, consultation)
    assert "A better wording" in html and "The first wording" not in html
    moderation.hide(facilitator, comment, "off_topic")
    html = _page(reader, consultation)
    assert "A better wording" not in html and f"comment-{comment.id}" not in html


def test_the_author_sees_their_own_controls_and_others_do_not(as_person, consultation, practitioner, vcs):
    comment = services.post_comment(practitioner, consultation, "Whose comment is this")
    reader, author = as_person(vcs), as_person(practitioner)
    edit = f"/comments/{comment.id}/edit"
    assert edit not in _page(reader, consultation)  # remembered for a reader first
    assert edit in _page(author, consultation) and "(you)" in _page(author, consultation)
    assert edit not in _page(reader, consultation) and "(you)" not in _page(reader, consultation)
