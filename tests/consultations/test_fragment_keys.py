"""Remembered fragments are keyed mechanically (app/fragments.py, issue 15): change any input a fragment is given,
one at a time, and whenever its HTML changes so must its key — or a reader would be served stale or someone
else's HTML. A template that starts to use another column or field is covered without anyone editing a key; and a
fragment cannot reach the reader except through its arguments.
"""
import dataclasses
from datetime import timedelta

import pytest
from jinja2 import UndefinedError
from sqlalchemy import inspect as sa_inspect

from app import fragments
from app.consultations import queries
from app.consultations import services
from app.consultations.forms import CommentForm, VoteForm
from app.consultations.models import Vote
from app.extensions import db as _db

DOMAINS = {  # fields whose values come from a fixed set: change them to another member, not to any text
    "status": ["published", "pending", "hidden", "withdrawn", "concern"],
    "state": ["open", "closed", "scheduled"],
    "audience": ["practitioners", "vcs_partners", "young_people", None],
    "choice": ["support", "support_with_changes", "oppose"],
}


def _changes(name, value):
    """Other values for one input: every other member of its domain, or a plainly different value."""
    if name in DOMAINS:
        return [other for other in DOMAINS[name] if other != value]
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1]
    if isinstance(value, str):
        return [value + " changed", ""]
    if value is None:
        return ["Something else"]
    if hasattr(value, "tzinfo") or hasattr(value, "isoformat"):
        return [value + timedelta(days=3)]
    if dataclasses.is_dataclass(value):  # a dataclass inside a view (a suggestion's card): each of its fields
        return [dataclasses.replace(value, **{item.name: other}) for item in dataclasses.fields(value)
                for other in _changes(item.name, getattr(value, item.name))]
    return []


def _check(remembered, render, changes, what):
    """For each (label, apply, undo) change: if render() (drawn afresh) differs from before the change, then
    remembered() (the app's own fragment function) must have used a new key — the cache grows by one."""
    cache = fragments.current_app.extensions["fragments"]
    problems = []
    with _db.session.no_autoflush:
        for label, apply, undo in changes:
            cache.clear()
            html = str(render())
            remembered()
            apply()
            try:
                fresh, size = str(render()), len(cache.items)
                remembered()
                new_key = len(cache.items) > size
            finally:
                undo()
            if fresh != html and not new_key:
                problems.append(f"{what}: changing {label} changes the HTML but not the key")
    return problems


def _dataclass_changes(holder, attribute, skip=()):
    """Changes of each field of the dataclass at holder[attribute], replacing it whole (frozen ones too)."""
    original = holder[attribute]
    for item in dataclasses.fields(original):
        if item.name in skip:
            continue
        for other in _changes(item.name, getattr(original, item.name)):
            yield (f"{type(original).__name__}.{item.name} = {other!r}",
                   lambda name=item.name, other=other: holder.__setitem__(attribute, dataclasses.replace(
                       original, **{name: other})),
                   lambda: holder.__setitem__(attribute, original))


def _row_changes(row, skip=("id",)):
    """Changes of each column of a database row, made in memory only (never flushed)."""
    for column in sa_inspect(row).mapper.column_attrs:
        if column.key in skip or column.key.endswith("_id"):
            continue
        value = getattr(row, column.key)
        for other in _changes(column.key, value):
            yield (f"{type(row).__name__}.{column.key} = {other!r}",
                   lambda key=column.key, other=other: setattr(row, key, other),
                   lambda key=column.key, value=value: setattr(row, key, value))


def _form_changes(form):
    for field in form:
        if field.name.endswith("submission"):
            continue  # a fresh one-time key per form shown, put in after rendering
        data, errors = field.data, list(field.errors)
        for other in ["Changed words", None] if field.type != "RadioField" else DOMAINS["choice"] + [None]:
            if other != data:
                yield (f"{field.name}.data = {other!r}", lambda f=field, o=other: setattr(f, "data", o),
                       lambda f=field, d=data: setattr(f, "data", d))
        yield (f"{field.name}.errors", lambda f=field: setattr(f, "errors", ["Enter something"]),
               lambda f=field, e=errors: setattr(f, "errors", e))


@pytest.fixture
def scene(app, consultation, sections, practitioner, vcs):
    comment = services.post_comment(practitioner, consultation, "A **comment** to draw", section=sections[0])
    services.cast_vote(vcs, consultation, sections[0], "oppose", "Too big")
    with app.test_request_context("/"):
        access = queries.access_for(vcs, consultation)
        yield {"consultation": consultation, "section": sections[0], "comment": comment, "access": access,
               "view": queries.comment_view(comment, access), "reader": vcs}
    _db.session.rollback()


def test_a_comment_card_key_changes_whenever_its_html_does(scene):
    state = {"view": scene["view"], "access": scene["access"]}
    changes = [*_dataclass_changes(state, "view", skip=("replies", "reply_count", "revisions", "suggestion")),
               *_dataclass_changes(state, "access")]
    assert len(changes) > 20
    problems = _check(lambda: fragments.comment_card(state["view"], state["access"]),
                      lambda: fragments._macro("consultations/_comments.html", "comment_card_html")(
                          state["view"], state["access"]), changes, "comment card")
    assert not problems, "\n".join(problems)


def test_a_collapsed_threads_key_changes_whenever_its_html_does(scene):
    """thread_head: the card and its "show replies" link (which names the author) remembered together."""
    state = {"view": dataclasses.replace(scene["view"], reply_count=2), "access": scene["access"]}
    changes = [*_dataclass_changes(state, "view", skip=("replies", "revisions", "suggestion")),
               *_dataclass_changes(state, "access")]
    assert any(label.startswith("CommentView.reply_count") for label, _do, _undo in changes)
    problems = _check(lambda: fragments.thread_head(state["view"], state["access"]),
                      lambda: fragments._macro("consultations/_comments.html", "thread_head_html")(
                          state["view"], state["access"]), changes, "collapsed thread")
    assert not problems, "\n".join(problems)


def test_a_suggestion_card_key_changes_whenever_its_html_does(app, scene):
    """A comment that suggests wording (app/suggestions) draws its tracked change in the card."""
    from app.suggestions import services as suggestions
    from app.suggestions.text import sha256

    section = scene["section"]
    made = suggestions.suggest(scene["reader"], scene["consultation"], section, reason="Why not",
                               passage="help families", replacement="support families",
                               made_against=sha256(section.body))
    with app.test_request_context("/"):
        state = {"view": queries.comment_view(made.comment, scene["access"]), "access": scene["access"]}
        assert state["view"].suggestion is not None
        changes = list(_dataclass_changes(state, "view", skip=("replies", "reply_count", "revisions")))
        assert sum(1 for label, *_ in changes if label.startswith("CommentView.suggestion")) > 5
        problems = _check(lambda: fragments.comment_card(state["view"], state["access"]),
                          lambda: fragments._macro("consultations/_comments.html", "comment_card_html")(
                              state["view"], state["access"]), changes, "suggestion card")
    assert not problems, "\n".join(problems)


def test_a_comment_form_key_changes_whenever_its_html_does(scene):
    consultation, section = scene["consultation"], scene["section"]
    state = {"access": scene["access"]}
    slot = queries.slot_name(section.id)
    form = CommentForm(formdata=None, prefix=f"c-{slot}")
    form.submission.data = "one-key"
    changes = [*_dataclass_changes(state, "access"), *_row_changes(consultation), *_row_changes(section),
               *_form_changes(form)]
    assert len(changes) > 20
    problems = _check(lambda: fragments.comment_form(consultation, state["access"], section, slot, form),
                      lambda: fragments._macro("consultations/_comments.html", "comment_form_html")(
                          consultation, state["access"], section, slot, form), changes, "comment form")
    assert not problems, "\n".join(problems)


def test_a_vote_form_and_tally_key_change_whenever_their_html_does(scene):
    from app.consultations.charts import vote_chart

    consultation, section, reader = scene["consultation"], scene["section"], scene["reader"]
    state = {"access": scene["access"]}
    my_vote = _db.session.query(Vote).filter_by(person_id=reader.id).one()
    form = VoteForm(formdata=None, prefix=f"v{section.id}", choice=my_vote.choice)
    problems = _check(lambda: fragments.vote_form(consultation, state["access"], section, form, my_vote),
                      lambda: fragments._macro("consultations/_votes.html", "vote_form_html")(
                          consultation, state["access"], section, form, my_vote),
                      [*_dataclass_changes(state, "access"), *_row_changes(consultation), *_row_changes(section),
                       *_form_changes(form), *_row_changes(my_vote)], "vote form")
    tally = queries.tallies(consultation, [section.id])[section.id]
    problems += _check(lambda: fragments.vote_tally(section, tally),
                       lambda: fragments._macro("consultations/_votes.html", "tally_html")(
                           section, vote_chart(tally), tally),
                       [*_row_changes(section),
                        ("one more vote", lambda: tally.counts.__setitem__(("support", "practitioners"), 5),
                         lambda: tally.counts.pop(("support", "practitioners"), None))], "vote tally")
    assert not problems, "\n".join(problems)


def test_a_fragment_cannot_reach_the_reader(app):
    with app.test_request_context("/"):
        env = fragments.fragment_env()
        for name in ("current_user", "request", "session", "g"):
            with pytest.raises(UndefinedError):
                env.from_string(f"{{{{ {name}.id }}}}").render()
        assert env.from_string("{{ url_for('main.home') }}").render() == "/"


def test_a_key_refuses_what_it_cannot_see_into(app):
    with pytest.raises(TypeError, match="cannot be keyed by a object"):
        fragments.key_of(object())
