"""Exports, streamed chunk by chunk so memory stays flat however long the log is.

The scrutiny ZIP is written by zipfile into a sink that is emptied after every
chunk: the sink has no seek() or tell(), so zipfile writes each member with a
data descriptor and never goes back. Nothing but the current chunk is held.
"""
import csv
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.consultations.models import Comment, CommentRevision, CommentStatus, Vote
from app.extensions import db
from app.moderation.queries import exported_text, withheld_texts
from app.scrutiny import queries
from app.timeutil import utcnow
from app.trail import services as trail
from app.trail import verify_log

ROWS_PER_CHUNK = 500
LOG_BATCH = 1000

OPEN_DATA_COLUMNS = ["comment_id", "consultation_id", "section_id", "section_title", "parent_id", "depth", "author",
                     "audience", "created_at", "edited_at", "body"]


class _Sink:
    """A write-only, non-seekable file: zipfile writes into it, the generator empties it."""

    def __init__(self):
        self._parts = []

    def write(self, data):
        self._parts.append(bytes(data))
        return len(data)

    def flush(self):
        pass

    def take(self):
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def stream_zip(members):
    """Yield a ZIP's bytes; `members` is an iterable of (name, iterable of str chunks)."""
    sink = _Sink()
    stamp = utcnow().timetuple()[:6]
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, mode="w") as member:
                for chunk in chunks:
                    member.write(chunk.encode("utf-8"))
                    data = sink.take()
                    if data:
                        yield data
            yield sink.take()
    yield sink.take()


def csv_chunks(header, rows):
    """CSV text in chunks of ROWS_PER_CHUNK rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(["" if value is None else _cell(value) for value in row])
        count += 1
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cell(value):
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return value


def log_chunks():
    """The whole log as JSON Lines, LOG_BATCH entries a chunk."""
    lines = []
    for entry in trail.iter_entries(batch=LOG_BATCH):
        lines.append(trail.canonical(entry) + "\n")
        if len(lines) >= LOG_BATCH:
            yield "".join(lines)
            lines.clear()
    yield "".join(lines)


# --- the scrutiny export -------------------------------------------------------------------------
# Which files and columns, and what the verifier checks in each, are defined once in the verifier itself.

COMMENT_COLUMNS = verify_log.EXPORT_FILES["comments.csv"]
TABLES = {  # file -> (optional model key, the model's columns in the file's order)
    "themes.csv": ("themes", ["id", "consultation_id", "name", "created_by_id", "created_at"]),
    "responses.csv": ("responses", verify_log.EXPORT_FILES["responses.csv"]),
    "moderation_acts.csv": ("moderation_acts", verify_log.EXPORT_FILES["moderation_acts.csv"]),
    "signoff_requests.csv": ("signoff_requests", verify_log.EXPORT_FILES["signoff_requests.csv"]),
    "signoffs.csv": ("signoffs", verify_log.EXPORT_FILES["signoffs.csv"]),
    "publications.csv": ("publications", verify_log.EXPORT_FILES["publications.csv"]),
    "findings.csv": ("findings", verify_log.EXPORT_FILES["findings.csv"]),
    "workshop_sessions.csv": ("workshop_sessions", verify_log.EXPORT_FILES["workshop_sessions.csv"]),  # issue 19
}


def _comments(consultation_id, where=None):
    query = select(Comment).where(Comment.consultation_id == consultation_id)
    if where is not None:
        query = query.where(where)
    return db.session.execute(query.order_by(Comment.id).execution_options(yield_per=ROWS_PER_CHUNK)).scalars()


def _label(labels, person_id):
    label = labels.get(person_id)
    return label.label if label else ""


def comment_rows(consultation_id, labels, replies_only=False):
    withheld = withheld_texts(consultation_id)  # possible disclosures: the DSL's record alone holds the words
    for c in _comments(consultation_id, Comment.parent_id.is_not(None) if replies_only else None):
        yield [c.id, c.consultation_id, c.section_id, c.parent_id, c.thread_id, c.depth, c.status,
               _label(labels, c.author_id), c.author_audience, c.created_at, c.edited_at, c.withdrawn_at,
               exported_text(withheld, c.id, c.body), c.erased_sha256 or trail.text_hash(c.body or "")]
        db.session.expunge(c)


def revision_rows(consultation_id):
    withheld = withheld_texts(consultation_id)
    query = (select(CommentRevision).join(Comment, CommentRevision.comment_id == Comment.id)
             .where(Comment.consultation_id == consultation_id).order_by(CommentRevision.id)
             .execution_options(yield_per=ROWS_PER_CHUNK))
    for r in db.session.execute(query).scalars():
        yield [r.comment_id, r.id, r.written_at, r.replaced_at, exported_text(withheld, r.comment_id, r.body),
               r.erased_sha256 or trail.text_hash(r.body or "")]
        db.session.expunge(r)


def vote_rows(consultation_id, labels):
    query = (select(Vote).where(Vote.consultation_id == consultation_id).order_by(Vote.id)
             .execution_options(yield_per=ROWS_PER_CHUNK))
    for v in db.session.execute(query).scalars():
        yield [v.id, v.consultation_id, v.section_id, _label(labels, v.person_id), v.audience, v.choice, v.reason,
               v.created_at, v.updated_at]
        db.session.expunge(v)


def _table_chunks(key, names, consultation_id):
    """A table of another room as CSV: its rows about this consultation (a header alone if the room is absent)."""
    model = queries.optional_model(key)

    def rows():
        if model is None:
            return
        for row in queries.rows_for_consultation(model, consultation_id, yield_per=ROWS_PER_CHUNK):
            yield queries.row_values(row, names)
            db.session.expunge(row)

    return csv_chunks(names, rows())


def scrutiny_members(consultation_id, labels):
    """The export's files. The log goes last, so it holds every entry the CSV files depend on.

    Takes plain values, never ORM objects: the generator runs while the response streams, after the view's
    session work is over (an object loaded by the view may be expired or detached by then)."""
    cid = consultation_id
    yield verify_log.MANIFEST, iter([json.dumps({"format": verify_log.EXPORT_FORMAT, "consultation": cid,
                                                 "files": sorted(verify_log.EXPORT_NAMES)}, indent=1) + "\n"])
    yield "README.txt", iter([README.format(consultation=cid)])
    yield "comments.csv", csv_chunks(COMMENT_COLUMNS, comment_rows(cid, labels))
    yield "replies.csv", csv_chunks(COMMENT_COLUMNS, comment_rows(cid, labels, replies_only=True))
    yield "comment_revisions.csv", csv_chunks(verify_log.EXPORT_FILES["comment_revisions.csv"], revision_rows(cid))
    yield "votes.csv", csv_chunks(verify_log.EXPORT_FILES["votes.csv"], vote_rows(cid, labels))
    for name, (key, names) in TABLES.items():
        yield name, _table_chunks(key, names, cid)
    yield "org_responses.csv", csv_chunks(verify_log.EXPORT_FILES["org_responses.csv"], org_response_rows(cid))
    from app.suggestions.exports import scrutiny_members as suggestion_members  # suggested wording (issue 19)

    yield from suggestion_members(cid, labels, csv_chunks)
    yield "log.jsonl", log_chunks()


def org_response_rows(consultation_id):
    """Submitted formal responses only (issue 19): a draft is its authors' alone, never exported."""
    from app.org_responses.services import full_text, submitted_of

    for response in submitted_of(consultation_id):
        words = full_text(response)
        yield [response.id, response.consultation_id, response.organisation_id, response.lead_id,
               ",".join(str(a.person_id) for a in sorted(response.co_authors, key=lambda a: a.person_id)),
               response.submitted_at, words, trail.text_hash(words)]


README = (Path(__file__).with_name("export_readme.txt")).read_text(encoding="utf-8")


def scrutiny_zip(consultation_id, partnership_id, on_served=None):
    """The ZIP's bytes. on_served() runs once the last byte has been produced (not if the download stops)."""
    labels = queries.person_labels(partnership_id)  # loaded now, before the response streams
    yield from stream_zip(scrutiny_members(consultation_id, labels))
    if on_served is not None:
        on_served()


# --- the public open-data export -----------------------------------------------------------------

def public_author(label):
    """Organisations for adults; never anything that identifies a young person."""
    if label is None:
        return ""
    if label.is_voice:  # "Participants in the … workshop, 12 people": a group, never a person (issue 19)
        return label.name
    if label.is_young:
        return "A young person"
    if label.is_public:
        return label.name
    return label.organisation or "A participant"


def open_data_rows(consultation_id, labels, sections):
    """Published comments whose authors chose the wider use only: no hidden, pending, concern or withdrawn ones, none
    kept for the partnership, no young person's identity."""
    withheld = withheld_texts(consultation_id)
    # Only words their authors let go beyond the partnership (app/privacy: consent to publish).
    for c in _comments(consultation_id, (Comment.status == CommentStatus.PUBLISHED.value)
                       & (Comment.publish_use == "public")):
        yield [c.id, c.consultation_id, c.section_id, sections.get(c.section_id, ""), c.parent_id, c.depth,
               public_author(labels.get(c.author_id)), c.author_audience, c.created_at, c.edited_at,
               exported_text(withheld, c.id, c.body)]
        db.session.expunge(c)


def open_data_csv(consultation):
    """The CSV's text chunks. Everything but the comments themselves is loaded now, before the response streams
    (the consulted version's section titles: a published version, never a working draft)."""
    from app.drafts.models import Section

    consultation_id = consultation.id
    labels = queries.person_labels(consultation.partnership_id)
    sections = dict(db.session.execute(select(Section.id, Section.title)
                                       .where(Section.version_id == consultation.version_id)).all())
    return csv_chunks(OPEN_DATA_COLUMNS, open_data_rows(consultation_id, labels, sections))
