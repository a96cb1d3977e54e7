"""The yearly report: what the partnership consulted on in a 12-month period, and what came of it."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, union

from app.accounts.models import Audience
from app.consultations.models import Comment, Vote
from app.drafts.models import DraftArrangement, DraftVersion
from app.extensions import db
from app.scrutiny import queries
from app.scrutiny.services import count_findings


def year_before(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_after(start):
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


@dataclass
class ConsultationLine:
    consultation: object
    comments: int
    votes: int


@dataclass
class YearlyReport:
    start: date
    end: date  # exclusive
    consultations: list = field(default_factory=list)
    participants: dict = field(default_factory=dict)  # audience -> distinct people
    contributions: dict = field(default_factory=dict)  # audience -> (comments, votes)
    responses: dict | None = None  # outcome -> count, None if responses are not recorded here yet
    versions_published: int = 0
    answers_changing_a_section: int | None = None  # responses that changed the draft, where recorded
    signoffs: dict | None = None
    findings: dict = field(default_factory=dict)  # severity -> (recorded, released)
    formal_responses: int = 0  # submitted on behalf of organisations (issue 19): not comments, counted apart
    suggestions: dict = field(default_factory=dict)  # suggested wording (issue 19): outcome or "open" -> count

    @property
    def last_day(self):
        return self.end - timedelta(days=1)

    def rows(self):
        """The report as (section, item, value) rows, for the CSV."""
        yield "period", "from", self.start.isoformat()
        yield "period", "to", self.last_day.isoformat()
        yield "consultations", "run", len(self.consultations)
        for line in self.consultations:
            c = line.consultation
            yield "consultation", f"{c.title} ({c.opens_at:%Y-%m-%d} to {c.ends_at:%Y-%m-%d})", \
                f"{line.comments} published comments and replies, {line.votes} votes"
        for audience in Audience:
            comments, votes = self.contributions.get(audience.value, (0, 0))
            yield "participation", f"{audience.label}: people who commented or voted", \
                self.participants.get(audience.value, 0)
            yield "participation", f"{audience.label}: published comments and replies", comments
            yield "participation", f"{audience.label}: votes", votes
        yield "participation", "formal responses submitted on behalf of organisations", self.formal_responses
        if self.responses is not None:
            for outcome, count in sorted(self.responses.items()):
                yield "responses", outcome, count
        yield "changes", "versions of arrangements published", self.versions_published
        for outcome in ("accepted", "accepted_with_changes", "declined", "open"):
            yield "suggested wording", outcome, self.suggestions.get(outcome, 0)
        if self.answers_changing_a_section is not None:
            yield "changes", "answers that changed a section", self.answers_changing_a_section
        if self.signoffs is not None:
            for decision, count in sorted(self.signoffs.items()):
                yield "sign-offs", decision, count
        for severity in ("low", "medium", "high"):
            recorded, released = self.findings.get(severity, (0, 0))
            yield "scrutiny findings", f"{severity}: recorded", recorded
            yield "scrutiny findings", f"{severity}: released", released


def _instant(day):
    return datetime.combine(day, time(0))


def _count_by(model, column_names, consultation_ids):
    """Rows of another room's table about these consultations, counted by the first of column_names it has."""
    if model is None:
        return None
    table = model.__table__
    clause = queries.about_consultations(model, consultation_ids or [0])
    if clause is None:
        return None
    column = next((table.c[name] for name in column_names if name in table.c), None)
    if column is None:
        return {"recorded": db.session.scalar(select(func.count()).select_from(table).where(clause))}
    rows = db.session.execute(select(column, func.count()).where(clause).group_by(column)).all()
    return {str(value): count for value, count in rows}


def yearly_report(partnership_id, start):
    end = year_after(start)
    report = YearlyReport(start=start, end=end)
    consultations = [c for c in queries.consultations_of(partnership_id)
                     if _instant(start) <= c.opens_at < _instant(end)]
    consultations.sort(key=lambda c: c.opens_at)
    ids = [c.id for c in consultations]
    # Comments count as the consultation report counts them: published ones (not hidden, withdrawn, waiting or
    # under a safeguarding concern), so the two reports agree.
    published = Comment.status == "published"
    comments = dict(db.session.execute(select(Comment.consultation_id, func.count()).where(
        Comment.consultation_id.in_(ids), published).group_by(Comment.consultation_id)).all()) if ids else {}
    votes = dict(db.session.execute(select(Vote.consultation_id, func.count()).where(
        Vote.consultation_id.in_(ids)).group_by(Vote.consultation_id)).all()) if ids else {}
    report.consultations = [ConsultationLine(c, comments.get(c.id, 0), votes.get(c.id, 0)) for c in consultations]
    if ids:
        people = union(
            select(Comment.author_audience.label("audience"), Comment.author_id.label("person"))
            .where(Comment.consultation_id.in_(ids), published),
            select(Vote.audience.label("audience"), Vote.person_id.label("person"))
            .where(Vote.consultation_id.in_(ids)),
        ).subquery()
        report.participants = dict(db.session.execute(
            select(people.c.audience, func.count()).group_by(people.c.audience)).all())
        by_comment = dict(db.session.execute(select(Comment.author_audience, func.count())
                                             .where(Comment.consultation_id.in_(ids), published)
                                             .group_by(Comment.author_audience)).all())
        by_vote = dict(db.session.execute(select(Vote.audience, func.count()).where(Vote.consultation_id.in_(ids))
                                          .group_by(Vote.audience)).all())
        report.contributions = {a.value: (by_comment.get(a.value, 0), by_vote.get(a.value, 0)) for a in Audience}
    from app.org_responses.services import submitted_count

    report.formal_responses = sum(submitted_count(ids).values())
    report.responses = _count_by(queries.optional_model("responses"), ("outcome", "decision", "status"), ids)
    responses = queries.optional_model("responses")
    if responses is not None and {"consultation_id", "changed_section_key"} <= set(responses.__table__.c.keys()):
        table = responses.__table__
        report.answers_changing_a_section = db.session.scalar(
            select(func.count()).select_from(table).where(table.c.consultation_id.in_(ids or [0]),
                                                          table.c.changed_section_key.is_not(None)))
    report.signoffs = _count_by(queries.optional_model("signoffs"), ("decision", "outcome", "status"), ids)
    report.versions_published = db.session.scalar(
        select(func.count()).select_from(DraftVersion)
        .join(DraftArrangement, DraftVersion.draft_id == DraftArrangement.id)
        .where(DraftArrangement.partnership_id == partnership_id, DraftVersion.published_at >= _instant(start),
               DraftVersion.published_at < _instant(end))) or 0
    from app.suggestions.queries import counts_for_year

    report.suggestions = counts_for_year(ids)
    counts = count_findings(ids)
    for severity in ("low", "medium", "high"):
        recorded = sum(n for (s, _v), n in counts.items() if s == severity)
        released = counts.get((severity, "released"), 0)
        report.findings[severity] = (recorded, released)
    return report
