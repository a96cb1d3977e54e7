"""Remembered fragments: HTML that is a pure function of its inputs is rendered once per worker process.

The consultation page draws the same comment cards and vote forms for many readers. Rendering them through the
GOV.UK macros is most of the page's cost (bench/results/latest.md), so `remember(key, render)` keeps the HTML
under a key that holds *everything* it depends on: change any input and the key changes, so nothing is ever
invalidated and nothing stale is ever shown. It is a per-process LRU (no shared state: several gunicorn hosts
each keep their own).

The one per-request value a fragment may hold is the CSRF token: it is stored as a placeholder and put back
for whoever the fragment is served to.
"""
from collections import OrderedDict
from dataclasses import fields, replace
from threading import Lock

from flask import current_app
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

_CSRF_PLACEHOLDER = "\x00csrf\x00"


class FragmentCache:
    def __init__(self, size):
        self.size, self.items, self.lock = size, OrderedDict(), Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self.lock:
            html = self.items.get(key)
            if html is None:
                self.misses += 1
            else:
                self.hits += 1
                self.items.move_to_end(key)
            return html

    def put(self, key, html):
        with self.lock:
            self.items[key] = html
            if len(self.items) > self.size:
                self.items.popitem(last=False)


def init_app(app):
    app.extensions["fragments"] = FragmentCache(app.config.get("FRAGMENT_CACHE_SIZE", 5000))
    for function in (comment_card, comment_form, vote_form, vote_tally):
        app.add_template_global(function)


def remember(key, render, csrf=False):
    """The HTML `render()` returns for this key, rendered once; the key must hold every input of render()."""
    cache = current_app.extensions["fragments"]
    html = cache.get(key)
    if html is None:
        html = str(render())
        if csrf:
            html = html.replace(generate_csrf(), _CSRF_PLACEHOLDER)
        cache.put(key, html)
    if csrf:
        html = html.replace(_CSRF_PLACEHOLDER, generate_csrf())
    return Markup(html)


def _card_key(comment, access):
    """Every field of the comment as shown (not its replies) and what the viewer may do, but not who they are."""
    values = []
    for field in fields(comment):
        if field.name in ("replies", "reply_count"):
            continue
        value = getattr(comment, field.name)
        if field.name == "revisions":
            value = tuple((r.id, r.body, r.written_at, r.replaced_at) for r in value)
        values.append(value)
    return ("comment_card", tuple(values), replace(access, person_id=0))


def comment_card(comment, access):
    """A comment card (templates/consultations/_comments.html, comment_card_html), remembered."""
    return remember(_card_key(comment, access),
                    lambda: _macro("consultations/_comments.html", "comment_card_html")(comment, access))


def _macro(template, name):
    return getattr(current_app.jinja_env.get_template(template).module, name)


def _field_key(field):
    return (field.id, field.name, field.data, tuple(field.errors))


def comment_form(consultation, access, section, slot, form):
    """The "post a comment" form of a slot (templates/consultations/_comments.html, comment_form_html)."""
    key = ("comment_form", consultation.id, section.id if section else None, section.title if section else None,
           slot, replace(access, person_id=0), _field_key(form.body), tuple(form.form_errors))
    return remember(key, lambda: _macro("consultations/_comments.html", "comment_form_html")(
        consultation, access, section, slot, form), csrf=True)


def vote_form(consultation, access, section, form, my_vote):
    """A section's vote form (templates/consultations/_votes.html, vote_form_html)."""
    key = ("vote_form", consultation.id, section.id, section.title, replace(access, person_id=0),
           _field_key(form.choice), tuple(form.choice.choices), _field_key(form.reason), tuple(form.form_errors),
           my_vote.choice if my_vote else None)
    return remember(key, lambda: _macro("consultations/_votes.html", "vote_form_html")(
        consultation, access, section, form, my_vote), csrf=True)


def vote_tally(section, tally):
    """A section's chart and table of votes (templates/consultations/_votes.html, tally_html)."""
    from app.consultations.charts import vote_chart

    key = ("vote_tally", section.id, section.title, tuple(tally.audiences), frozenset(tally.counts.items()))
    return remember(key, lambda: _macro("consultations/_votes.html", "tally_html")(section, vote_chart(tally), tally))
