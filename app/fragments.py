"""Remembered fragments: HTML that is a pure function of its inputs is rendered once per worker process.

The consultation page draws the same comment cards and vote forms for many readers. Rendering them through the
GOV.UK macros is most of the page's cost (bench/results/latest.md), so `remember(key, render)` keeps the HTML
under a key that holds *everything* it depends on: change any input and the key changes, so nothing is ever
invalidated and nothing stale is ever shown. It is a per-process LRU (no shared state: several gunicorn hosts
each keep their own).

The one per-request value a fragment may hold is the CSRF token: it is stored as a placeholder and put back
for whoever the fragment is served to.

`remember_page` keeps a whole page per reader instead, under the data version read with the reader's session
(app.database.DataVersion, moved on by database triggers with every change a page can show): a reader who
opens the same page again before anything changed gets it without the queries and the rendering. It is kept
as UTF-8 pieces around its CSRF token and CSP nonce, which are put back per request, and no longer than its
`valid_until` (when the clock alone would change it: a consultation opening or closing).
"""
from collections import OrderedDict
from dataclasses import fields, replace
from functools import lru_cache
from threading import Lock

from flask import current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.forms import new_submission_key
from app.security import csp_nonce
from app.timeutil import utcnow

_CSRF_PLACEHOLDER = "\x00csrf\x00"
_NONCE_PLACEHOLDER = "\x00nonce\x00"
_SUBMISSION_PLACEHOLDER = "submission-key-placeholder"


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

    def clear(self):
        with self.lock:
            self.items.clear()

    def put(self, key, html):
        with self.lock:
            self.items[key] = html
            if len(self.items) > self.size:
                self.items.popitem(last=False)


def init_app(app):
    app.extensions["fragments"] = FragmentCache(app.config["FRAGMENT_CACHE_SIZE"])
    app.extensions["pages"] = FragmentCache(app.config["PAGE_CACHE_SIZE"])
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


def _page_key():
    """Who asks for what, at which data version; None when the page must be rendered afresh."""
    version = g.get("data_version")  # set when the session was loaded (app/accounts/sessions.py)
    if version is None or request.method != "GET" or session.get("_flashes"):
        return None
    return ("page", current_user.get_id(), version, request.full_path,
            request.headers.get("HX-Request"), request.headers.get("HX-Target"))


def _page_pieces(html):
    """A page as UTF-8 pieces with holes (placeholders) where this request's CSRF token and CSP nonce were.

    A kept page is served by joining the pieces with the next request's values: one copy of the bytes.
    Replacing placeholders in the 100-150 KB str instead (UCS-2 once it holds a curly quote) and encoding it
    cost about a fifth of serving a kept page (bench/results/NOTES.md).
    """
    token, nonce = generate_csrf(), csp_nonce()
    pieces = []
    for i, between_tokens in enumerate(html.split(token)):
        if i:
            pieces.append(_CSRF_PLACEHOLDER)
        for j, text in enumerate(between_tokens.split(nonce)):
            if j:
                pieces.append(_NONCE_PLACEHOLDER)
            pieces.append(text.encode())
    return tuple(pieces)


def _page_bytes(pieces):
    values = {_CSRF_PLACEHOLDER: generate_csrf().encode(), _NONCE_PLACEHOLDER: csp_nonce().encode()}
    return b"".join(values[piece] if piece.__class__ is str else piece for piece in pieces)


def remember_page(render):
    """The body (UTF-8) of `render() -> (html, valid_until)` for this reader, request and data version, rendered
    once.

    render() does every permission check itself, so nothing reaches a reader it was not rendered for: the key
    holds the reader, and the data version moves on with any change to their roles or the data shown.
    """
    cache = current_app.extensions["pages"]
    key = _page_key() if cache.size else None
    if key is not None:
        kept = cache.get(key)
        if kept is not None and (kept[1] is None or utcnow() < kept[1]):
            return _page_bytes(kept[0])
    html, valid_until = render()
    if key is None:
        return str(html).encode()
    pieces = _page_pieces(str(html))
    cache.put(key, (pieces, valid_until))
    return _page_bytes(pieces)


@lru_cache(maxsize=None)
def _card_fields(view_class):
    """The fields of a comment as shown, once per class (dataclasses.fields() is slow to call per card)."""
    return tuple(field.name for field in fields(view_class) if field.name not in ("replies", "reply_count"))


def _card_key(comment, access):
    """Every field of the comment as shown (not its replies) and what the viewer may do, but not who they are."""
    values = []
    for name in _card_fields(type(comment)):
        value = getattr(comment, name)
        if name == "revisions":
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
           slot, replace(access, person_id=0), _field_key(form.body), _field_key(form.use),
           tuple(form.form_errors))
    # The form's one-time submission key must not be remembered with the HTML (every reader would share it):
    # it is rendered as a placeholder and a fresh key put in per form shown.
    fresh, form.submission.data = form.submission.data, _SUBMISSION_PLACEHOLDER
    try:
        html = remember(key, lambda: _macro("consultations/_comments.html", "comment_form_html")(
            consultation, access, section, slot, form), csrf=True)
    finally:
        form.submission.data = fresh
    return Markup(str(html).replace(_SUBMISSION_PLACEHOLDER, fresh or new_submission_key()))


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
