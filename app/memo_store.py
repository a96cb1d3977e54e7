"""Where shared page drawings are kept (issue 15, memo): a per-process LRU by default, Redis when
PAGE_CACHE_REDIS_URL is set, so every worker and host serves a page drawn once by any of them.

Keys are hashed with a fingerprint of the code and templates (a deploy never serves an old layout) and carry no
personal data. Values are the page's pieces: text bytes and the names of the holes filled per reader
(app/fragments.py, remember_shared_page) and the author of each comment drawn, written as one JSON header line then the text bytes. Nothing read back
is executed or unpickled: a value that does not parse is a miss.
"""
import hashlib
import json
import logging
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from flask import current_app

from app.fragments import FragmentCache

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def fingerprint():
    """A hash of every template and Python file of the app: a new release draws its pages afresh."""
    digest = hashlib.sha256()
    for folder, pattern in ((ROOT / "templates", "*.html"), (ROOT / "app", "*.py")):
        for path in sorted(folder.rglob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def encode(value):
    pieces, valid_until, authors = value
    header = {"u": valid_until.isoformat() if valid_until else None, "a": sorted(authors.items()),
              "p": [piece if piece.__class__ is str else len(piece) for piece in pieces]}
    return json.dumps(header).encode() + b"\n" + b"".join(p for p in pieces if p.__class__ is bytes)


def decode(data):
    head, _, body = data.partition(b"\n")
    header = json.loads(head)
    pieces, at = [], 0
    for piece in header["p"]:
        if isinstance(piece, int):
            pieces.append(body[at:at + piece])
            at += piece
        else:
            pieces.append(str(piece))
    if at != len(body):
        raise ValueError("pieces do not add up")
    return (tuple(pieces), datetime.fromisoformat(header["u"]) if header["u"] else None,
            {int(comment): int(author) for comment, author in header["a"]})


class RedisPages:
    """Drawings in Redis, with a small LRU in front (a key's value never changes, so the LRU never goes stale)."""

    def __init__(self, url, size, ttl, database):
        import redis

        self.redis, self.ttl = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5), ttl
        self.local, self.size = FragmentCache(max(size, 1)), size
        self.hits = self.misses = 0
        # Two installations sharing one Redis database never serve each other's pages: the keys name the database.
        self.database = hashlib.sha256(database.encode()).hexdigest()

    def _name(self, key):
        return "portal:page:" + hashlib.sha256(f"{self.database}{fingerprint()}{key!r}".encode()).hexdigest()

    def get(self, key):
        name = self._name(key)
        value = self.local.get(name)
        if value is not None:
            self.hits += 1
            return value
        try:
            data = self.redis.get(name)
            value = decode(data) if data is not None else None
        except Exception:  # Redis down or a value that does not parse: draw the page, never fail it
            log.warning("page memo: Redis read failed", exc_info=True)
            value = None
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        self.local.put(name, value)
        return value

    def clear(self):
        """This process's copies only (for bench/cpu.py): Redis keeps its own until a version moves (never emptied
        from here: the database may be shared with other uses)."""
        self.local.clear()

    def put(self, key, value):
        name = self._name(key)
        self.local.put(name, value)
        try:
            self.redis.set(name, encode(value), ex=self.ttl)
        except Exception:
            log.warning("page memo: Redis write failed", exc_info=True)


class LocalPages(FragmentCache):
    def get(self, key):
        return super().get((fingerprint(), key))

    def put(self, key, value):
        super().put((fingerprint(), key), value)


def init_app(app):
    url, size = app.config.get("PAGE_CACHE_REDIS_URL"), app.config["PAGE_CACHE_SIZE"]
    if url:
        store = RedisPages(url, size, app.config.get("PAGE_CACHE_TTL_SECONDS", 86400),
                           app.config["SQLALCHEMY_DATABASE_URI"])
    else:
        store = LocalPages(size) if size else None
    app.extensions["shared_pages"] = store
    fingerprint()  # once at start, not on the first request


def page_store():
    return current_app.extensions.get("shared_pages")
