"""Remembered fragments: HTML that is a pure function of its inputs is rendered once per worker process.

The consultation page draws the same comment cards and vote forms for many readers. Rendering them through the
GOV.UK macros is most of the page's cost (bench/results/latest.md), so each fragment's HTML is kept under a key
that holds *everything* it depends on: change any input and the key changes, so nothing is ever invalidated and
nothing stale is ever shown. It is a per-process LRU (no shared state: several gunicorn hosts each keep their own).

Nobody writes those keys by hand. `key_of` derives a key from the fragment's arguments themselves — every field
of a dataclass, every column of a database row, every field of a form — so a template that starts to use another
column or field of what it is given is covered without anyone remembering to add it. And the fragment macros are
rendered in an environment of their own (`fragment_env`) without `current_user`, `request`, `session` or `g`, so a
fragment cannot depend on who is reading except through its arguments: reaching for the reader fails loudly.
tests/consultations/test_fragment_keys.py changes every input one at a time and checks that whenever the HTML
changes, so does the key.

The one per-request value a fragment may hold is the CSRF token: it is stored as a placeholder and put back
for whoever the fragment is served to.

`remember_shared_page` keeps a whole page, drawn once per version of what it shows and kind of reader, and fills
each reader's own parts in per request (the section at the end of this module).
"""
import enum
from collections import OrderedDict
from dataclasses import fields, is_dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from threading import Lock

from sqlalchemy import inspect as sa_inspect
from wtforms import Form

from flask import current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.forms import new_submission_key
from app.security import csp_nonce
from app.timeutil import utcnow

_CSRF_PLACEHOLDER = "\x00csrf\x00"
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


# What a fragment's template may use besides its arguments: nothing that tells it who is reading.
FRAGMENT_GLOBALS = ("url_for", "csrf_token", "comment_card", "thread_head", "comment_form", "vote_form",
                    "vote_tally")


def init_app(app):
    app.extensions["fragments"] = FragmentCache(app.config["FRAGMENT_CACHE_SIZE"])
    for function in (comment_card, thread_head, comment_form, vote_form, vote_tally):
        app.add_template_global(function)
    if app.config.get("PAGE_MEMO_HEADER"):
        app.after_request(_memo_header)


def _memo_header(response):
    """For bench/mixed.py: whether this page was served remembered (hit) or drawn (miss)."""
    if "page_memo" in g:
        response.headers["X-Page-Memo"] = g.page_memo
    return response


def fragment_env():
    """The app's Jinja environment without the reader: the same templates and filters, and only FRAGMENT_GLOBALS
    (plus Jinja's own) as globals. Made once per app, after every extension has added its globals."""
    env = current_app.extensions.get("fragment_env")
    if env is None:
        env = current_app.jinja_env.overlay(cache_size=100)
        env.globals = {**{name: value for name, value in env.globals.items() if name not in _READER_GLOBALS},
                       **{name: current_app.jinja_env.globals[name] for name in FRAGMENT_GLOBALS}}
        current_app.extensions["fragment_env"] = env
    return env


_READER_GLOBALS = {"request", "session", "g", "config", "current_user", "get_flashed_messages"}


_PLAIN = frozenset({type(None), str, int, float, bool, datetime, date})


def key_of(value):
    """A hashable key holding every input `value` carries, derived from the value itself.

    Plain values stand for themselves; dataclasses give every field, database rows every column (and their class),
    forms every field's name, data and errors, sequences and mappings their items. Anything else is refused, so a
    new kind of input cannot slip into a fragment without being part of its key."""
    if value.__class__ in _PLAIN or isinstance(value, (str, int, float, bool, datetime, date, enum.Enum)):
        return value  # (the exact-type look first: a page keys about 1,500 values, most of them plain)
    if isinstance(value, (tuple, list)):
        return tuple(key_of(item) for item in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(key_of(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted(((key_of(k), key_of(v)) for k, v in value.items()), key=repr))
    if is_dataclass(value):
        return (type(value).__name__, *(key_of(getattr(value, name)) for name in _field_names(type(value))))
    if isinstance(value, Form):
        return ("form", tuple((field.name, key_of(field.data), tuple(field.errors),
                               key_of(getattr(field, "choices", None))) for field in value),
                tuple(value.form_errors))
    state = sa_inspect(value, raiseerr=False)
    if state is not None and getattr(state, "mapper", None) is not None:
        return (state.mapper.class_.__name__,
                *(key_of(getattr(value, column.key)) for column in state.mapper.column_attrs))
    raise TypeError(f"A remembered fragment cannot be keyed by a {type(value).__name__}: pass plain values, "
                    "dataclasses, database rows or forms")


@lru_cache(maxsize=None)
def _field_names(view_class):
    """The fields of a dataclass, once per class (dataclasses.fields() is slow to call per card)."""
    return tuple(field.name for field in fields(view_class))


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
    """Every field of the comment as shown (not its replies: each is a card of its own) and what the viewer may
    do, but not who they are (the card never shows it: its template cannot reach the reader)."""
    shown = tuple(key_of(getattr(comment, name)) for name in _field_names(type(comment))
                  if name not in ("replies", "reply_count"))
    return ("comment_card", type(comment).__name__, shown, key_of(replace(access, person_id=0)))


def comment_card(comment, access):
    """A comment card (templates/consultations/_comments.html, comment_card_html), remembered.

    In a shared drawing the card is a hole with a default: served as drawn to everyone but its author, who gets
    the card as drawn for them ("(you)", edit, withdraw, the receipt) filled in per request."""
    html = remember(_card_key(comment, access),
                    lambda: _macro("consultations/_comments.html", "comment_card_html")(comment, access))
    return _readers_own("card", comment.id, html)


def thread_head(thread, access):
    """A collapsed thread's card and its "show replies" link (templates/consultations/_comments.html,
    thread_head_html), remembered; in a shared drawing, a hole its author gets drawn for them as comment_card."""
    html = remember(("thread_head", _card_key(thread, access), thread.reply_count),
                    lambda: _macro("consultations/_comments.html", "thread_head_html")(thread, access))
    return _readers_own("head", thread.id, html)


def _readers_own(kind, comment_id, html):
    """In a shared drawing: the HTML as a hole with a default ("card:ID" or "head:ID", the HTML, "/card"), and the
    drawing kept with the comment's author (remember_shared_page)."""
    secret = g.get("memo_secret")
    if secret:
        g.memo_comment_ids.add(comment_id)
        return Markup(f"\x00{secret}:{kind}:{comment_id}\x00{html}\x00{secret}:/card\x00")
    return html


def _macro(template, name):
    return getattr(fragment_env().get_template(template).module, name)


def comment_form(consultation, access, section, slot, form):
    """The "post a comment" form of a slot (templates/consultations/_comments.html, comment_form_html)."""
    # The form's one-time submission key must not be remembered with the HTML (every reader would share it):
    # it is rendered as a placeholder and a fresh key put in per form shown.
    fresh, form.submission.data = form.submission.data, _SUBMISSION_PLACEHOLDER
    try:
        key = ("comment_form", key_of(consultation), key_of(replace(access, person_id=0)), key_of(section), slot,
               key_of(form))
        html = remember(key, lambda: _macro("consultations/_comments.html", "comment_form_html")(
            consultation, access, section, slot, form), csrf=True)
    finally:
        form.submission.data = fresh
    if g.get("memo_secret"):  # a shared drawing: each reader gets keys of their own (issue 15, memo)
        fresh = f"\x00{g.memo_secret}:submission:{slot}\x00"
    return Markup(str(html).replace(_SUBMISSION_PLACEHOLDER, fresh or new_submission_key()))


def vote_form(consultation, access, section, form, my_vote, shared_key=None):
    """A section's vote form (templates/consultations/_votes.html, vote_form_html). `shared_key`: vote_form_key()
    of the consultation and access, when one request draws several forms of the same consultation."""
    if g.get("memo_secret"):  # a page shared by a kind of reader: each reader's own vote is filled in per request
        return reader_part("vote", section.id)
    key = ("vote_form", shared_key or vote_form_key(consultation, access), key_of(section), key_of(form),
           key_of(my_vote))
    return remember(key, lambda: _macro("consultations/_votes.html", "vote_form_html")(
        consultation, access, section, form, my_vote), csrf=True)


def vote_form_key(consultation, access):
    """The part of a vote form's key its consultation and the reader's access give (the same for every section)."""
    return key_of(consultation), key_of(replace(access, person_id=0))


def vote_tally(section, tally):
    """A section's chart and table of votes (templates/consultations/_votes.html, tally_html)."""
    from app.consultations.charts import vote_chart

    key = ("vote_tally", key_of(section), key_of(tally))
    return remember(key, lambda: _macro("consultations/_votes.html", "tally_html")(section, vote_chart(tally), tally))


# --- issue 15 (memo): pages remembered per consultation version and kind of reader ---------------------------------
# remember_shared_page keys a page by the versions of the scopes it shows (app.database.DataScopeVersion) and by the *kind* of reader (what they may see and do), so
# readers of one kind share one drawing. Everything that differs between readers of one kind is a hole in the
# drawing, filled per request from the reader's own rows: the header's name and moderation counts, flash messages,
# their own vote forms (and, as before, the CSRF token and CSP nonce). A reader whose page shows their own content
# (their comments in any status, their formal-response drafts, their name in the public audience's notice) has a
# kind of their own (app/consultations/memo.py, reader_kind). The drawings are kept in a per-process LRU, or in
# Redis when PAGE_CACHE_REDIS_URL is set (app/memo_store.py), under keys holding a fingerprint of the code and
# templates, so a deploy never serves an old layout.

def reader_part(name, arg=None):
    """A per-reader part of a page (template global): drawn now, or a hole when a shared page is being drawn."""
    secret = g.get("memo_secret")
    if secret:
        return Markup(f"\x00{secret}:{name}{'' if arg is None else ':' + str(arg)}\x00")
    return _READER_PARTS[name]()


def _flashes():
    from flask import render_template
    if not session.get("_flashes"):  # most requests: nothing to draw
        return Markup("")
    return Markup(render_template("_reader_flashes.html"))


def _moderation():
    from flask import render_template

    from app.access import MODERATORS
    from app.accounts.models import Role
    if not current_user.has_role(*MODERATORS, Role.DSL):  # the counts are for moderators and the DSL alone
        return Markup("")
    return Markup(render_template("_reader_moderation.html"))


_READER_PARTS = {
    "name": lambda: current_user.display_name,
    "flashes": _flashes,
    "moderation": _moderation,
}


def _split_holes(html, secret):
    """(pieces): bytes of text, and str names of holes (csrf, nonce and the reader parts)."""
    token, nonce = generate_csrf(), csp_nonce()
    html = html.replace(token, f"\x00{secret}:csrf\x00").replace(nonce, f"\x00{secret}:nonce\x00")
    pieces = []
    for i, part in enumerate(html.split(f"\x00{secret}:")):
        if i:
            name, part = part.split("\x00", 1)
            pieces.append(name)
        pieces.append(part.encode())
    return tuple(pieces)


def _own_hole(piece):
    """("card" or "head", comment id) for the start of a hole a comment's author fills (_readers_own), else None."""
    kind, _, id_ = piece.partition(":")
    return (kind, int(id_)) if kind in ("card", "head") and id_ else None


def _filled(pieces, fill, mine=frozenset()):
    """The page for this reader: every hole filled, and the cards of the comments they wrote (`mine`: ids) drawn
    for them in place of the drawing's own (a card hole is "card:ID", its default pieces, then "/card")."""
    values = {"csrf": generate_csrf().encode(), "nonce": csp_nonce().encode()}
    cards = {}
    if mine:  # {(kind, id): html} of their own cards, read and drawn together
        wanted = {tuple(_own_hole(piece)) for piece in pieces if piece.__class__ is str and _own_hole(piece)}
        wanted = {(kind, id_) for kind, id_ in wanted if id_ in mine}
        cards = {key: str(html).encode() for key, html in fill("cards", wanted).items()} if wanted else {}
    out, skipping = [], False
    for piece in pieces:
        if skipping:
            skipping = piece != "/card"
            continue
        if piece.__class__ is str and (piece == "/card" or _own_hole(piece)):
            hole = _own_hole(piece)
            if hole and hole[1] in mine:
                # theirs, as drawn for them; nothing if they may no longer see it (the drawing's card is not theirs)
                out.append(cards.get(hole, b""))
                skipping = True
            continue
        if piece.__class__ is str:
            value = values.get(piece)
            if value is None:
                if piece in _READER_PARTS:
                    value = str(escape(_READER_PARTS[piece]())).encode()
                else:
                    name, _, arg = piece.partition(":")
                    value = (new_submission_key() if name == "submission" else str(fill(name, arg))).encode()
                values[piece] = value
            out.append(value)
        else:
            out.append(piece)
    return b"".join(out)


def remember_shared_page(render, memo, reader_id, personal, fill, still_current=lambda: True,
                         authors_of=lambda ids: {}):
    """The body (UTF-8) of `render() -> (html, valid_until)`, drawn once per `memo` (the scope versions and the
    reader's kind) and served to every reader of that kind with their own parts filled in by `fill(name, arg)`
    (for holes the route's template makes) and _READER_PARTS.

    render() does every permission check itself for the reader it is drawn for; the kind holds everything those
    checks depend on (app/consultations/memo.py), so every reader of the kind would have passed them alike.
    A drawing shows its comments as the drawing reader's or not ("(you)", edit and withdraw), so it is kept with
    the author of each comment drawn (`authors_of(comment ids) -> {comment id: author id}`): a drawing made by
    one of those authors is theirs alone; one made by a reader who wrote none of them is shared, and a reader who
    wrote some gets those cards drawn for them (`fill("card", id)`) in place of the drawing's. A `personal`
    reader gets a drawing of their own."""
    import secrets

    from app.memo_store import page_store

    store = page_store()
    where = ("page", request.full_path, request.headers.get("HX-Request"), request.headers.get("HX-Target"), memo)
    shared_key, own_key = where + (None,), where + (reader_id,)
    if store is not None and request.method == "GET":
        for key in ((own_key,) if personal else (shared_key, own_key)):
            kept = store.get(key)
            if kept is None or (kept[1] is not None and utcnow() >= kept[1]):
                continue
            g.page_memo = "hit"
            if key is own_key:
                return _filled(kept[0], fill)
            return _filled(kept[0], fill, {comment for comment, author in kept[2].items() if author == reader_id})
    g.page_memo = "miss"
    secret = g.memo_secret = secrets.token_hex(8)
    g.memo_comment_ids = set()
    try:
        html, valid_until = render()
        html = str(html)
    finally:
        g.pop("memo_secret", None)
    pieces = _split_holes(html, secret)
    if store is not None and request.method == "GET":
        authors = dict(authors_of(g.pop("memo_comment_ids")))
        key = own_key if personal or reader_id in authors.values() else shared_key
        if still_current():  # drawn from data newer than `memo` says: not kept under it
            store.put(key, (pieces, valid_until, authors))
    return _filled(pieces, fill)
