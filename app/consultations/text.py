"""Comments are plain text: shown escaped, with paragraphs, and http(s) links made clickable."""
import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

# A run of characters that can be part of a URL; trailing punctuation is trimmed afterwards.
_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\")]}"
_PARAGRAPHS = re.compile(r"\n\s*\n")


def _trim(url):
    """Drop punctuation that ends a sentence rather than the URL; keep a ')' that closes a '(' in it."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _is_web_link(url):
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _linkify_line(line):
    out, position = [], 0
    for match in _URL.finditer(line):
        url = _trim(match.group(0))
        if not _is_web_link(url):
            continue
        out.append(escape(line[position:match.start()]))
        out.append(Markup('<a class="govuk-link portal-comment__link" href="{0}" rel="nofollow noopener">{0}</a>')
                   .format(url))
        position = match.start() + len(url)
    out.append(escape(line[position:]))
    return Markup("").join(out)


def linkify(text):
    """Plain text -> safe HTML paragraphs: everything escaped, only http(s) URLs become links."""
    paragraphs = [p.strip("\n") for p in _PARAGRAPHS.split(text or "") if p.strip()]
    html = []
    for paragraph in paragraphs:
        lines = Markup("<br>\n").join(_linkify_line(line) for line in paragraph.split("\n"))
        html.append(Markup('<p class="govuk-body" dir="auto">{}</p>').format(lines))
    return Markup("\n").join(html)
