"""Scrutiny rules: findings and their answers, and logging each export. Each change is one transaction."""
import re

from sqlalchemy import func, select

from app.accounts.models import Person, Role, RoleGrant
from app.converters import DB_INT_MAX
from app.database import transaction
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.mail import services as mail
from app.scrutiny.models import Finding, FindingAnswer, Severity, Visibility
from app.timeutil import utcnow
from app.trail import services as trail
from app.trail.models import LogEntry

MAX_TEXT = 5000
MAX_ENTRIES = 50
VISIBILITY_ORDER = [Visibility.PRIVATE.value, Visibility.SHARED.value, Visibility.RELEASED.value]


def _text(text, field, what, required=True):
    text = (text or "").strip().replace("\r\n", "\n")
    if required and not text:
        raise DomainError(f"Enter {what}", field=field)
    if len(text) > MAX_TEXT:
        raise DomainError(f"{what[0].upper()}{what[1:]} must be {MAX_TEXT} characters or fewer", field=field)
    return text


def parse_seqs(text):
    """'12, 15 17' -> [12, 15, 17]; anything but numbers is a DomainError."""
    parts = [part for part in re.split(r"[\s,;]+", (text or "").strip()) if part]
    # ASCII digits only ("²".isdigit() is true, int("²") fails), and no seq beyond the database's integers.
    if any(not re.fullmatch(r"[0-9]{1,10}", part) or int(part) > DB_INT_MAX for part in parts):
        raise DomainError("Enter log entry numbers (seq) separated by commas, like 12, 15", field="entries")
    seqs = sorted({int(part) for part in parts})
    if len(seqs) > MAX_ENTRIES:
        raise DomainError(f"Point at {MAX_ENTRIES} log entries or fewer", field="entries")
    return seqs


def _require_scrutineer(by, consultation):
    if not by.has_role(Role.SCRUTINEER):
        raise NotAllowed("Only independent scrutineers can do this")
    if consultation.partnership_id != by.partnership_id:
        raise NotFound("No such consultation")


def record_finding(by, consultation, *, observation, recommendation, severity, entries="", now=None):
    """A scrutineer's finding: private to scrutineers until they share or release it."""
    now = now or utcnow()
    with transaction() as session:
        by_id, consultation_id = by.id, consultation.id
        _require_scrutineer(by, consultation)
        observation = _text(observation, "observation", "what you observed")
        recommendation = _text(recommendation, "recommendation", "your recommendation", required=False)
        try:
            severity = Severity(severity).value
        except ValueError:
            raise DomainError("Choose how serious this is: low, medium or high", field="severity") from None
        seqs = parse_seqs(entries)
        if seqs:
            found = set(session.execute(select(LogEntry.seq).where(LogEntry.seq.in_(seqs))).scalars())
            missing = [seq for seq in seqs if seq not in found]
            if missing:
                raise DomainError(f"There is no log entry {', '.join(map(str, missing))}", field="entries")
        finding = Finding(consultation_id=consultation_id, author_id=by_id, observation=observation,
                          recommendation=recommendation, severity=severity, entry_seqs=",".join(map(str, seqs)),
                          visibility=Visibility.PRIVATE.value, created_at=now)
        session.add(finding)
        session.flush()
        trail.append("finding.recorded", f"scrutiny_finding:{finding.id}", {
            "consultation": consultation_id, "severity": severity, "entries": seqs,
            "observation_sha256": trail.text_hash(observation),
            "recommendation_sha256": trail.text_hash(recommendation),
        }, actor=by_id)
    return finding


def set_visibility(by, finding, visibility, now=None):
    """Share a finding with facilitators, or release it publicly. A finding is never taken back."""
    now = now or utcnow()
    with transaction():
        by_id = by.id
        _require_scrutineer(by, finding.consultation)
        try:
            visibility = Visibility(visibility).value
        except ValueError:
            raise DomainError("Choose whether to share or release the finding") from None
        previous = finding.visibility
        if VISIBILITY_ORDER.index(visibility) <= VISIBILITY_ORDER.index(previous):
            raise DomainError(f"This finding is already {Visibility(previous).label.lower()}")
        finding.visibility = visibility
        if visibility == Visibility.SHARED.value or finding.shared_at is None:
            finding.shared_at = now
        if visibility == Visibility.RELEASED.value:
            finding.released_at = now
        trail.append(f"finding.{visibility}", f"scrutiny_finding:{finding.id}", {
            "consultation": finding.consultation_id, "previous": previous,
        }, actor=by_id)
        if previous == Visibility.PRIVATE.value:
            _tell_facilitators(finding)
    return finding


def _tell_facilitators(finding):
    """Facilitators answer shared findings: each is emailed a link to them."""
    facilitators = db.session.execute(
        select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(Person.partnership_id == finding.consultation.partnership_id, Person.email.is_not(None),
               RoleGrant.role == Role.FACILITATOR.value, Person.is_active_account.is_(True))).scalars().all()
    for person in facilitators:
        mail.queue(person.email, f"A scrutiny finding to answer: {finding.consultation.title}", "finding_shared",
                   person=person, title=finding.consultation.title, severity=finding.severity,
                   path=f"/scrutiny/findings#finding-{finding.id}")


def visible_to(person, finding):
    """Scrutineers see every finding; facilitators once shared; everyone once released."""
    same = finding.consultation.partnership_id == getattr(person, "partnership_id", None)
    if finding.visibility == Visibility.RELEASED.value:
        return True
    if not same:
        return False
    if person.has_role(Role.SCRUTINEER):
        return True
    return person.has_role(Role.FACILITATOR) and finding.visibility == Visibility.SHARED.value


def answer_finding(by, finding, body, now=None):
    """A facilitator answers a finding that has been shared with them (or released)."""
    now = now or utcnow()
    with transaction() as session:
        by_id = by.id
        if not by.has_role(Role.FACILITATOR):
            raise NotAllowed("Only facilitators answer findings")
        if not visible_to(by, finding) or finding.consultation.partnership_id != by.partnership_id:
            raise NotFound("No such finding")
        body = _text(body, "body", "your answer")
        answer = FindingAnswer(finding_id=finding.id, author_id=by_id, body=body, created_at=now)
        session.add(answer)
        session.flush()
        trail.append("finding.answered", f"scrutiny_finding:{finding.id}", {
            "consultation": finding.consultation_id, "answer": answer.id, "answer_sha256": trail.text_hash(body),
        }, actor=by_id)
    return answer


def log_export(by_id, kind, consultation_id):
    """A served export is logged: who and what (signed-in people only: anonymous requests never write to the
    log). Called once the export has been produced in full. Returns the entry's seq."""
    if by_id is None:
        raise NotAllowed("Anonymous downloads are not logged")
    with transaction():
        entry = trail.append(f"export.{kind}", f"consultation:{consultation_id}", {
            "consultation": consultation_id, "format": "zip" if kind == "scrutiny" else "csv",
        }, actor=by_id)
        seq = entry.seq
    return seq


def findings_for(person, consultation=None):
    """The findings this person may see, newest first."""
    query = select(Finding).order_by(Finding.id.desc())
    if consultation is not None:
        query = query.where(Finding.consultation_id == consultation.id)
    if not person.has_role(Role.SCRUTINEER):
        shown = [Visibility.RELEASED.value] + ([Visibility.SHARED.value] if person.has_role(Role.FACILITATOR) else [])
        query = query.where(Finding.visibility.in_(shown))
    return [finding for finding in db.session.execute(query).scalars() if visible_to(person, finding)]


def released_findings(consultation):
    return db.session.execute(select(Finding).where(Finding.consultation_id == consultation.id,
                                                    Finding.visibility == Visibility.RELEASED.value)
                              .order_by(Finding.id)).scalars().all()


def count_findings(consultation_ids):
    if not consultation_ids:
        return {}
    rows = db.session.execute(select(Finding.severity, Finding.visibility, func.count())
                              .where(Finding.consultation_id.in_(consultation_ids))
                              .group_by(Finding.severity, Finding.visibility)).all()
    return {(severity, visibility): count for severity, visibility, count in rows}
