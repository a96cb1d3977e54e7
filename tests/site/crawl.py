"""Shared by the whole-site checks (tests/browser/test_site.py) and the form fuzzing (tests/site/test_forms.py)."""
import re
from urllib.parse import parse_qsl, urlsplit

# Never followed: they change data (sign-out) or are not pages (assets).
SKIP_PATHS = re.compile(r"^/(logout|static/)")


def pattern(url):
    """/consultations/12/comments?after=40 -> /consultations/{id}/comments?after: one visit per pattern."""
    parts = urlsplit(url)
    segments = []
    for segment in parts.path.split("/"):
        if re.fullmatch(r"\d+", segment):
            segment = "{id}"
        elif len(segment) >= 20 and re.fullmatch(r"[A-Za-z0-9_\-.]+", segment) and re.search(r"\d", segment):
            segment = "{token}"
        segments.append(segment)
    keys = sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)})
    return "/".join(segments) + ("?" + "&".join(keys) if keys else "")
