"""Compare two versions of a draft, section by section and word by word.

Pure functions over plain values: sections are matched by their `key`, which a
section keeps from version to version (see services.new_version_from). The
consultation report reuses `compare_versions(version_a, version_b)`.

A diff is a list of `Segment(kind, text)` where kind is "equal", "insert" or
"delete"; joining the equal and delete texts gives the old text back, joining
the equal and insert texts gives the new one.
"""
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from app.drafts.markdown import readable_text
from app.drafts.models import Topic

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
ADDED, REMOVED, CHANGED, MOVED, UNCHANGED = "added", "removed", "changed", "moved", "unchanged"
STATUS_LABELS = {ADDED: "Added", REMOVED: "Removed", CHANGED: "Changed", MOVED: "Moved", UNCHANGED: "Unchanged"}

# Words (letters, digits, and the apostrophes and hyphens inside them), single punctuation marks, and runs of
# whitespace: whitespace is kept as tokens so the text can be put back together exactly.
_TOKEN = re.compile(r"\s+|[\w'’-]+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    kind: str
    text: str


@dataclass(frozen=True)
class SectionSnapshot:
    """What compare needs of a section, detached from the database."""

    key: str
    title: str
    body: str = ""
    plain_summary: str = ""
    topics: frozenset = frozenset()
    position: int = 0
    id: int | None = None


@dataclass
class SectionChange:
    key: str
    status: str  # added, removed, changed, moved or unchanged
    old: SectionSnapshot | None
    new: SectionSnapshot | None
    moved: bool = False
    title: list = field(default_factory=list)
    body: list = field(default_factory=list)
    plain_summary: list = field(default_factory=list)
    topics_added: list = field(default_factory=list)
    topics_removed: list = field(default_factory=list)
    topics_kept: list = field(default_factory=list)
    old_index: int | None = None  # 1-based place in each version's reading order
    new_index: int | None = None

    @property
    def label(self):
        return STATUS_LABELS[self.status]

    @property
    def section(self):
        """The section as it is in the later version (or the earlier one, if it was removed)."""
        return self.new or self.old

    @property
    def title_changed(self):
        return has_changes(self.title)

    @property
    def body_changed(self):
        return has_changes(self.body)

    @property
    def plain_summary_changed(self):
        return has_changes(self.plain_summary)

    @property
    def topics_changed(self):
        return bool(self.topics_added or self.topics_removed)


@dataclass
class VersionComparison:
    a: int | None  # version numbers, when comparing versions
    b: int | None
    sections: list

    def with_status(self, status):
        return [change for change in self.sections if change.status == status]

    @property
    def counts(self):
        counts = {status: 0 for status in STATUS_LABELS}
        for change in self.sections:
            counts[change.status] += 1
        return counts

    @property
    def identical(self):
        return all(change.status == UNCHANGED for change in self.sections)

    def for_key(self, key):
        return next((change for change in self.sections if change.key == key), None)


def tokenize(text):
    return _TOKEN.findall(text or "")


def word_diff(old, new):
    """Segments turning `old` into `new`, word by word."""
    a, b = tokenize(old), tokenize(new)
    raw = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            raw.append(Segment(EQUAL, "".join(a[i1:i2])))
        else:
            if i2 > i1:
                raw.append(Segment(DELETE, "".join(a[i1:i2])))
            if j2 > j1:
                raw.append(Segment(INSERT, "".join(b[j1:j2])))
    return _tidy(raw)


def _tidy(segments):
    """Readable segments: a lone space between two changes joins them, and each run of changes becomes one
    deletion followed by one insertion ("the quick" -> "a slow" reads as [-the quick-][+a slow+])."""
    out, deleted, inserted = [], [], []

    def flush():
        if deleted:
            out.append(Segment(DELETE, "".join(deleted)))
        if inserted:
            out.append(Segment(INSERT, "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for index, segment in enumerate(segments):
        if segment.kind == EQUAL:
            between_changes = (deleted or inserted) and index + 1 < len(segments) \
                and segments[index + 1].kind != EQUAL and not segment.text.strip()
            if between_changes:
                deleted.append(segment.text)
                inserted.append(segment.text)
                continue
            flush()
            out.append(segment)
        else:
            (deleted if segment.kind == DELETE else inserted).append(segment.text)
    flush()
    return [segment for segment in out if segment.text]


def has_changes(segments):
    return any(segment.kind != EQUAL for segment in segments)


def snapshot(section):
    """A SectionSnapshot of a Section row (or of anything with the same attributes)."""
    topics = getattr(section, "topic_set", None)
    if topics is None:
        topics = {Topic(t) for t in getattr(section, "topics", ())}
    # Compared as people read it, never as raw Markdown ("##", "**"): app.drafts.markdown.readable_text.
    return SectionSnapshot(key=section.key, title=section.title, body=readable_text(section.body or ""),
                           plain_summary=readable_text(section.plain_summary or ""), topics=frozenset(Topic(t) for t in topics),
                           position=getattr(section, "position", 0) or 0, id=getattr(section, "id", None))


def _moved_keys(old_order, new_order):
    """Keys of sections in both lists whose place relative to the others changed (outside the longest run kept)."""
    common = set(old_order) & set(new_order)
    a = [key for key in old_order if key in common]
    b = [key for key in new_order if key in common]
    kept = set()
    for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        kept.update(a[block.a:block.a + block.size])
    return common - kept


def _topic_order(topics):
    return [topic for topic in Topic if topic in topics]


def compare_sections(old_sections, new_sections, a=None, b=None):
    """Compare two lists of SectionSnapshot (each in reading order)."""
    old_by_key = {s.key: s for s in old_sections}
    new_by_key = {s.key: s for s in new_sections}
    moved = _moved_keys([s.key for s in old_sections], [s.key for s in new_sections])
    old_index = {s.key: i for i, s in enumerate(old_sections, start=1)}
    new_index = {s.key: i for i, s in enumerate(new_sections, start=1)}

    def change_for(old, new):
        if old is None:
            return SectionChange(new.key, ADDED, None, new, title=word_diff("", new.title),
                                 body=word_diff("", new.body), plain_summary=word_diff("", new.plain_summary),
                                 topics_added=_topic_order(new.topics))
        if new is None:
            return SectionChange(old.key, REMOVED, old, None, title=word_diff(old.title, ""),
                                 body=word_diff(old.body, ""), plain_summary=word_diff(old.plain_summary, ""),
                                 topics_removed=_topic_order(old.topics))
        change = SectionChange(old.key, UNCHANGED, old, new, moved=old.key in moved,
                               title=word_diff(old.title, new.title), body=word_diff(old.body, new.body),
                               plain_summary=word_diff(old.plain_summary, new.plain_summary),
                               topics_added=_topic_order(new.topics - old.topics),
                               topics_removed=_topic_order(old.topics - new.topics),
                               topics_kept=_topic_order(old.topics & new.topics))
        if change.title_changed or change.body_changed or change.plain_summary_changed or change.topics_changed:
            change.status = CHANGED
        elif change.moved:
            change.status = MOVED
        return change

    # Reading order of the later version; a removed section shows where it stood: after the nearest section
    # before it that did not move (or after another removed one).
    changes = [change_for(old_by_key.get(s.key), s) for s in new_sections]
    for index, old in enumerate(old_sections):
        if old.key in new_by_key:
            continue
        place = 0
        for earlier in reversed(old_sections[:index]):
            if earlier.key in moved:
                continue
            found = next((i for i, c in enumerate(changes) if c.key == earlier.key), None)
            if found is not None:
                place = found + 1
                break
        changes.insert(place, change_for(old, None))
    for change in changes:
        change.old_index, change.new_index = old_index.get(change.key), new_index.get(change.key)
    return VersionComparison(a=a, b=b, sections=changes)


def compare_versions(version_a, version_b):
    """Section-by-section, word-level comparison of two DraftVersions (a: earlier, b: later)."""

    def ordered(version):
        return [snapshot(s) for s in sorted(version.sections, key=lambda s: (s.position, s.id))]

    return compare_sections(ordered(version_a), ordered(version_b), a=version_a.number, b=version_b.number)
