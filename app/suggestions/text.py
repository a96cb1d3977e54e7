"""Pure functions over a section's text: where a passage is, what an edited copy changes, the tracked change shown.

A section's text is its Markdown body, as the facilitator wrote it. A passage is found in it word for word, but with
any run of spaces and line breaks matching any other (a selection in the browser reads a soft line break as a space)
and only at word boundaries (never half a word). An edited copy of the whole text becomes one passage and its
replacement: everything from the first change to the last, widened to whole words.
"""
import hashlib
import re
from dataclasses import dataclass

from app.drafts.compare import EQUAL, word_diff

CONTEXT_WORDS = 8  # words of the section shown either side of a tracked change


def sha256(text):
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def normal(text):
    """Text with every run of whitespace as one space, for comparing wording."""
    return " ".join((text or "").split())


def _is_word(character):
    return character.isalnum() or character in "_'’-"


# Bold, italic and code marks the reader does not see: a passage copied from the page may cross them.
_EMPHASIS = r"[*_`]*"
# Characters a phone or a word processor types one way and the section may hold the other.
_ALIKE = {"'": "['’]", "’": "['’]", "‘": "['‘]", '"': '["“”]', "“": '["“]', "”": '["”]', "-": "[-‐–]", "–": "[-–]"}


def _word_pattern(word):
    return "".join(_ALIKE.get(character, re.escape(character)) for character in word)


def _pattern(passage):
    words = passage.split()
    body = _EMPHASIS + r"\s+" + _EMPHASIS
    body = body.join(_word_pattern(word) for word in words)
    before = r"(?<![\w'’-])" if _is_word(words[0][0]) else ""
    after = r"(?![\w'’-])" if _is_word(words[-1][-1]) else ""
    return re.compile(before + body + after)


def find(text, passage):
    """[(start, end)] of every place `passage` stands in `text` (whitespace-insensitive, whole words)."""
    if not (passage or "").split():
        return []
    return [(match.start(), match.end()) for match in _pattern(passage).finditer(text or "")]


def crosses_emphasis(source):
    """Whether a span of the Markdown starts or ends inside bold, italic or code text (its marks do not pair up):
    replacing it would leave half a mark behind."""
    bold = source.count("**") + source.count("__")
    single = source.replace("**", "").replace("__", "")
    return bool(bold % 2 or single.count("*") % 2 or single.count("`") % 2)


def edited_change(original, edited):
    """(start, end, replacement): the one passage of `original` an edited copy changes, in whole words, and what it
    becomes; None if the copy says the same. Everything between the first and the last change is the passage."""
    if normal(original) == normal(edited):
        return None
    prefix = 0
    limit = min(len(original), len(edited))
    while prefix < limit and original[prefix] == edited[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and original[-1 - suffix] == edited[-1 - suffix]:
        suffix += 1
    start, end, new_end = prefix, len(original) - suffix, len(edited) - suffix
    # Whole words: widen into the common text on either side (it is the same in both copies).
    while start > 0 and _is_word(original[start - 1]):
        start -= 1
    while end < len(original) and _is_word(original[end]):
        end, new_end = end + 1, new_end + 1
    if start == end:  # a pure insertion: the word before it (or after it, at the very start) is the passage
        while start > 0 and original[start - 1].isspace():
            start -= 1
        while start > 0 and _is_word(original[start - 1]):
            start -= 1
        if start == end:
            while end < len(original) and original[end].isspace():
                end, new_end = end + 1, new_end + 1
            while end < len(original) and _is_word(original[end]):
                end, new_end = end + 1, new_end + 1
    passage, replacement = original[start:end], edited[start:new_end]
    # Outer spaces the two share are not part of the change.
    while passage[:1].isspace() and replacement[:1] == passage[:1]:
        start, passage, replacement = start + 1, passage[1:], replacement[1:]
    while passage[-1:].isspace() and replacement[-1:] == passage[-1:]:
        passage, replacement = passage[:-1], replacement[:-1]
    end = start + len(passage)
    if start == end:
        return None
    return start, end, replacement


def apply(text, start, end, replacement):
    """`text` with characters start..end replaced; a deletion does not leave two spaces behind."""
    before, after = text[:start], text[end:]
    if not replacement and before.endswith(" ") and after.startswith((" ", ".", ",", ";", ":")):
        before = before[:-1]
    return before + replacement + after


def overlaps(a_start, a_end, b_start, b_end):
    return a_start < b_end and b_start < a_end


_MARKS = re.compile(r"\]\([^)]*\)|[*_`#>\[\]]")


def _plain(text):
    """Context as a reader sees it: Markdown's marks and link addresses left out."""
    return _MARKS.sub("", text)


@dataclass(frozen=True)
class TrackedChange:
    """A suggestion as a tracked change: some words of the section before it, the word-by-word change (Segments of
    app.drafts.compare), and some words after it."""

    before: str
    segments: tuple
    after: str

    @property
    def deletes(self):
        return any(segment.kind == "delete" for segment in self.segments)

    @property
    def inserts(self):
        return any(segment.kind == "insert" for segment in self.segments)


_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _context_before(text):
    line = text.split("\n")[-1]  # the same line: a paragraph's soft line breaks aside, no other item or paragraph
    if line.strip() == "" and "\n" in text and not re.search(r"\n\s*\n\s*$", text):
        line = text.rstrip().split("\n")[-1] + " "
    line = _LIST_MARK.sub("", line)
    words = line.split()
    clipped = words[-CONTEXT_WORDS:]
    if not clipped:
        return ""
    return ("… " if len(clipped) < len(words) else "") + _plain(" ".join(clipped)) + (" " if line[-1:].isspace() else "")


def _context_after(text):
    line = text.split("\n")[0]
    words = line.split()
    clipped = words[:CONTEXT_WORDS]
    if not clipped:
        return ""
    return (" " if line[:1].isspace() else "") + _plain(" ".join(clipped)) + (" …" if len(clipped) < len(words) else "")


def tracked_change(section_text, start, end, replacement):
    """The change in its place: up to CONTEXT_WORDS words of the same paragraph either side."""
    passage = (section_text or "")[start:end]
    segments = tuple(word_diff(normal(passage), normal(replacement)))
    if not segments:
        segments = tuple(word_diff(passage, replacement))
    return TrackedChange(before=_context_before((section_text or "")[:start]), segments=segments,
                         after=_context_after((section_text or "")[end:]))


def unchanged(segments):
    return all(segment.kind == EQUAL for segment in segments)
