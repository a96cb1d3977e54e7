"""Suggested wording in the scrutiny export (two CSV files, each row bound to the log by app/trail/verify_log.py)
and in the public open data (as the comments are: published words their authors let go beyond the partnership)."""
from sqlalchemy import select

from app.consultations.models import Comment, CommentStatus
from app.extensions import db
from app.moderation.queries import exported_text, withheld_texts
from app.responses.models import Response
from app.suggestions.models import Suggestion, SuggestionSupport
from app.trail import services as trail
from app.trail import verify_log

ROWS_PER_CHUNK = 500
SUGGESTION_COLUMNS = verify_log.EXPORT_FILES["suggestions.csv"]
SUPPORT_COLUMNS = verify_log.EXPORT_FILES["suggestion_supports.csv"]
OPEN_DATA_COLUMNS = ["suggestion_id", "comment_id", "consultation_id", "section_id", "section_title", "author",
                     "audience", "passage", "replacement", "reason", "supporters", "outcome", "final_text",
                     "created_at"]


def suggestion_rows(consultation_id):
    """One row per suggestion, in the order they were made. A suggestion whose comment is under a safeguarding
    concern has its words withheld as the comment's are; the SHA-256 column still binds them to the log."""
    withheld = withheld_texts(consultation_id)
    query = (select(Suggestion).where(Suggestion.consultation_id == consultation_id).order_by(Suggestion.id)
             .execution_options(yield_per=ROWS_PER_CHUNK))
    for s in db.session.execute(query).scalars():
        yield [s.id, s.comment_id, s.consultation_id, s.section_id, s.section_key, s.passage_start, s.passage_end,
               s.passage, exported_text(withheld, s.comment_id, s.replacement),
               s.erased_sha256 or trail.text_hash(s.replacement or ""), s.section_sha256, s.version_hash,
               s.support_count, s.outcome, s.final_text, s.applied_version_id, s.decided_by_id, s.created_at,
               s.decided_at]
        db.session.expunge(s)


def support_rows(consultation_id, labels):
    query = (select(SuggestionSupport).join(Suggestion, SuggestionSupport.suggestion_id == Suggestion.id)
             .where(Suggestion.consultation_id == consultation_id).order_by(SuggestionSupport.id)
             .execution_options(yield_per=ROWS_PER_CHUNK))
    for r in db.session.execute(query).scalars():
        label = labels.get(r.person_id)
        yield [r.id, r.suggestion_id, label.label if label else "", r.audience, r.status, r.created_at,
               r.withdrawn_at]
        db.session.expunge(r)


def scrutiny_members(consultation_id, labels, csv_chunks):
    """The export's suggestion files: (name, chunks)."""
    yield "suggestions.csv", csv_chunks(SUGGESTION_COLUMNS, suggestion_rows(consultation_id))
    yield "suggestion_supports.csv", csv_chunks(SUPPORT_COLUMNS, support_rows(consultation_id, labels))


def open_data_rows(consultation_id, labels, sections, public_author):
    """Published suggestions whose authors chose the wider use; a decision only once its answer is published."""
    withheld = withheld_texts(consultation_id)
    query = (select(Suggestion, Comment, Response.published_at)
             .join(Comment, Suggestion.comment_id == Comment.id)
             .outerjoin(Response, Response.comment_id == Comment.id)
             .where(Suggestion.consultation_id == consultation_id, Comment.status == CommentStatus.PUBLISHED.value,
                    Comment.publish_use == "public").order_by(Suggestion.id))
    for s, c, answered_at in db.session.execute(query).all():
        decided = answered_at is not None and s.outcome is not None
        yield [s.id, c.id, s.consultation_id, s.section_id, sections.get(s.section_id, ""),
               public_author(labels.get(c.author_id)), c.author_audience, s.passage,
               exported_text(withheld, c.id, s.replacement), exported_text(withheld, c.id, c.body), s.support_count,
               s.outcome if decided else "", s.final_text if decided else "", s.created_at]


def open_data_csv(consultation):
    """The CSV's chunks; everything but the rows is loaded now, before the response streams."""
    from app.drafts.models import Section
    from app.scrutiny import queries
    from app.scrutiny.exports import csv_chunks, public_author

    labels = queries.person_labels(consultation.partnership_id)
    sections = dict(db.session.execute(select(Section.id, Section.title)
                                       .where(Section.version_id == consultation.version_id)).all())
    return csv_chunks(OPEN_DATA_COLUMNS, open_data_rows(consultation.id, labels, sections, public_author))
