"""Exports, streamed chunk by chunk so memory stays flat however long the log is.

The scrutiny ZIP is written by zipfile into a sink that is emptied after every
chunk: the sink has no seek() or tell(), so zipfile writes each member with a
data descriptor and never goes back. Nothing but the current chunk is held.
"""
import csv
import io
import zipfile
from datetime import datetime

from sqlalchemy import select

from app.consultations.models import Comment, CommentRevision, CommentStatus, Vote
from app.extensions import db
from app.moderation.queries import exported_text, withheld_texts
from app.scrutiny import queries
from app.timeutil import utcnow
from app.trail import services as trail

ROWS_PER_CHUNK = 500
LOG_BATCH = 1000

COMMENT_COLUMNS = ["comment_id", "consultation_id", "section_id", "parent_id", "thread_id", "depth", "status",
                   "author", "audience", "created_at", "edited_at", "withdrawn_at", "body"]
REVISION_COLUMNS = ["comment_id", "revision_id", "written_at", "replaced_at", "body"]
VOTE_COLUMNS = ["vote_id", "consultation_id", "section_id", "voter", "audience", "choice", "reason", "created_at",
                "updated_at"]
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

def _comments(consultation_id, where=None):
    query = select(Comment).where(Comment.consultation_id == consultation_id)
    if where is not None:
        query = query.where(where)
    return db.session.execute(query.order_by(Comment.id).execution_options(yield_per=ROWS_PER_CHUNK)).scalars()


def _label(labels, person_id):
    label = labels.get(person_id)
    return label.label if label else ""


def comment_rows(consultation_id, labels):
    withheld = withheld_texts(consultation_id)  # possible disclosures: the DSL's record alone holds the words
    for c in _comments(consultation_id):
        yield [c.id, c.consultation_id, c.section_id, c.parent_id, c.thread_id, c.depth, c.status,
               _label(labels, c.author_id), c.author_audience, c.created_at, c.edited_at, c.withdrawn_at,
               exported_text(withheld, c.id, c.body)]
        db.session.expunge(c)


def revision_rows(consultation_id):
    withheld = withheld_texts(consultation_id)
    query = (select(CommentRevision).join(Comment, CommentRevision.comment_id == Comment.id)
             .where(Comment.consultation_id == consultation_id).order_by(CommentRevision.id)
             .execution_options(yield_per=ROWS_PER_CHUNK))
    for r in db.session.execute(query).scalars():
        yield [r.comment_id, r.id, r.written_at, r.replaced_at, exported_text(withheld, r.comment_id, r.body)]
        db.session.expunge(r)


def vote_rows(consultation_id, labels):
    query = (select(Vote).where(Vote.consultation_id == consultation_id).order_by(Vote.id)
             .execution_options(yield_per=ROWS_PER_CHUNK))
    for v in db.session.execute(query).scalars():
        yield [v.id, v.consultation_id, v.section_id, _label(labels, v.person_id), v.audience, v.choice, v.reason,
               v.created_at, v.updated_at]
        db.session.expunge(v)


def _optional_table(key, consultation_id):
    model = queries.optional_model(key)
    if model is None:
        return None
    names = queries.columns_of(model)

    def rows():
        for row in queries.rows_for_consultation(model, consultation_id, yield_per=ROWS_PER_CHUNK):
            yield queries.row_values(row, names)
            db.session.expunge(row)

    return csv_chunks(names, rows())


def scrutiny_members(consultation, labels):
    """The export's files. The log goes last, so it holds every entry the CSV files depend on."""
    cid = consultation.id
    yield "comments.csv", csv_chunks(COMMENT_COLUMNS, comment_rows(cid, labels))
    yield "replies.csv", csv_chunks(COMMENT_COLUMNS, (row for row in comment_rows(cid, labels) if row[3] is not None))
    yield "comment_revisions.csv", csv_chunks(REVISION_COLUMNS, revision_rows(cid))
    yield "votes.csv", csv_chunks(VOTE_COLUMNS, vote_rows(cid, labels))
    for key, name in (("responses", "responses.csv"), ("moderation_acts", "moderation_acts.csv"),
                      ("signoff_requests", "signoff_requests.csv"), ("signoffs", "signoffs.csv")):
        chunks = _optional_table(key, cid)
        if chunks is not None:
            yield name, chunks
    yield "README.txt", iter([README.format(consultation=cid)])
    yield "log.jsonl", log_chunks()


README = """Scrutiny export of consultation {consultation}.

log.jsonl                the whole consultation log, one entry a line (every consultation: the chain is one)
comments.csv             this consultation's comments and replies, every status, with their current text; the text
                         of a comment under a safeguarding concern is "[withheld: safeguarding concern N]"
                         (the designated safeguarding lead's record alone holds it; the log keeps its SHA-256)
replies.csv              the replies alone (comments with a parent_id)
comment_revisions.csv    earlier texts of edited comments
votes.csv                votes
responses.csv, moderation_acts.csv, signoff_requests.csv, signoffs.csv   what came of it (version and log head hashes)

Check it with the standalone verifier (download verify_log.py from the scrutiny workspace):

    python verify_log.py this-export.zip --head <head hash from the public page or a sign-off>
"""


def scrutiny_zip(consultation):
    labels = queries.person_labels(queries.partnership_of(consultation))
    return stream_zip(scrutiny_members(consultation, labels))


# --- the public open-data export -----------------------------------------------------------------

def public_author(label):
    """Organisations for adults; never anything that identifies a young person."""
    if label is None:
        return ""
    if label.is_young:
        return "A young person"
    return label.organisation or "A participant"


def open_data_rows(consultation):
    """Published comments whose authors chose the wider use only: no hidden, pending, concern or withdrawn ones, none
    kept for the partnership, no young person's identity."""
    from app.drafts.models import Section

    labels = queries.person_labels(queries.partnership_of(consultation))
    sections = dict(db.session.execute(select(Section.id, Section.title)
                                       .where(Section.version_id == consultation.version_id)).all())
    withheld = withheld_texts(consultation.id)
    # Only words their authors let go beyond the partnership (app/privacy: consent to publish).
    for c in _comments(consultation.id, (Comment.status == CommentStatus.PUBLISHED.value)
                       & (Comment.publish_use == "public")):
        yield [c.id, c.consultation_id, c.section_id, sections.get(c.section_id, ""), c.parent_id, c.depth,
               public_author(labels.get(c.author_id)), c.author_audience, c.created_at, c.edited_at,
               exported_text(withheld, c.id, c.body)]
        db.session.expunge(c)


def open_data_csv(consultation):
    return csv_chunks(OPEN_DATA_COLUMNS, open_data_rows(consultation))
