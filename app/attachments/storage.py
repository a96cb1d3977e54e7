"""Where accepted files are kept, and how they are sent back.

Files live in UPLOAD_FOLDER (instance/uploads by default: outside static/, so the web server never serves them),
at <key[:2]>/<key>, where the key is 32 random hex digits: never the uploader's file name. They are read only
through routes that check who may see them (app/attachments/routes.py, app/workshops/routes.py), sent with their
checked Content-Type, `X-Content-Type-Options: nosniff` and `Content-Disposition: attachment` (inline only for
images, which are re-encoded when uploaded).

A service stores a file in two steps around its transaction: `keep()` moves the checked file into place before the
commit, and `forget()` removes it again if the transaction fails, so a refused or failed upload leaves no file and
no row. Removing an attachment deletes its row first and its file after the commit (`delete()`).
"""
import os
import re
import secrets
import unicodedata
from pathlib import Path
from urllib.parse import quote

from flask import Response, abort, current_app

_KEY = re.compile(r"^[0-9a-f]{32}$")


def folder():
    return Path(current_app.config["UPLOAD_FOLDER"])


def path_for(key):
    if not _KEY.match(key or ""):
        raise ValueError("not a storage key")
    return folder() / key[:2] / key


def keep(checked):
    """Move a CheckedFile into place under a new random key; returns the key."""
    key = secrets.token_hex(16)
    target = path_for(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(checked.path, target)
    os.chmod(target, 0o600)
    return key


def forget(key):
    """Remove a kept file (its transaction failed, or its row was deleted). Missing files are fine."""
    try:
        os.unlink(path_for(key))
    except FileNotFoundError:
        pass


delete = forget


def ascii_name(name):
    """A plain-ASCII fallback for old browsers: accents dropped, anything else replaced."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[^A-Za-z0-9._ -]+", "", plain).strip() or "download"
    return plain


def download_name(title, file_type):
    """A file name for the download, made from the attachment's title and its checked type (never the name it was
    uploaded with): 'Easy read: working groups' -> 'Easy read - working groups.pdf'."""
    name = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]+", " - ", title or "").strip(" .-") or "download"
    name = re.sub(r"\s+", " ", name)[:120].strip()
    return name + file_type.extension


def content_disposition(name, inline=False):
    fallback = ascii_name(name).replace('"', "")
    return (f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; "
            f"filename*=UTF-8''{quote(name, safe='')}")


def send(stored, name, inline=False):
    """The stored file as a response: its checked type, a download name, no sniffing, not cached by others."""
    path = path_for(stored.storage_key)
    if not path.is_file():
        abort(404)
    file_type = stored.type

    def chunks():
        with open(path, "rb") as source:
            for chunk in iter(lambda: source.read(64 * 1024), b""):
                yield chunk

    response = Response(chunks(), mimetype=file_type.content_type, direct_passthrough=True)
    response.headers["Content-Length"] = str(path.stat().st_size)
    response.headers["Content-Disposition"] = content_disposition(name, inline=inline and file_type.is_image)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
