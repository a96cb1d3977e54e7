"""The scrutiny workspace in words: names, labels and dates as people read them, never raw ids, codes or timestamps.

`Lookups` holds the names a page needs (loaded by the view in a handful of queries); `in_words(columns, row, ...)`
turns another room's row into (label, text) pairs; `describe(entry, ...)` turns a log entry into a sentence
("Priya Practitioner commented on “Early Intervention”"). The codes and hashes stay one click away on the page.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from app.extensions import db
from app.moderation.models import CONCERN_SOURCES, HIDE_REASONS, REPORT_REASONS, REVIEWS
from app.timeutil import format_london

COLUMN_LABELS = {
    "id": "Record", "comment_id": "Comment", "consultation_id": "Consultation", "version_id": "Version",
    "draft_id": "Draft", "theme_id": "Theme", "statutory_partner_id": "Statutory partner",
    "organisation_id": "Organisation", "partnership_id": "Partnership", "person_id": "About the account of",
    "signatory_id": "Decided by", "acting_for_id": "Acting for", "by_id": "By", "raised_by_id": "Raised by",
    "closed_by_id": "Closed by", "reviewed_by_id": "Reviewed by", "requested_by_id": "Requested by",
    "created_by_id": "Created by", "request_id": "Request for sign-off", "log_seq": "Log entry",
    "log_head": "Log head (SHA-256)", "version_hash": "Version content (SHA-256)",
    "changed_section_key": "Section that changed", "previous_status": "Status before", "reason_code": "Reason",
    "act": "What was done", "unanswered": "Comments left unanswered", "waiver_reason": "Why sign-off went ahead",
}
_MODERATION_ACTS = {"approved": "Approved", "rejected": "Not published", "hidden": "Hidden", "restored": "Restored",
                    "concern": "Safeguarding concern raised"}
_STATUSES = {"published": "Published", "pending": "Waiting for a moderator", "hidden": "Hidden",
             "withdrawn": "Withdrawn by its author", "concern": "Under a safeguarding concern", "open": "Open",
             "returned": "Returned by a partner", "closed": "Closed"}
VALUE_LABELS = {
    "act": _MODERATION_ACTS, "status": _STATUSES, "previous_status": _STATUSES, "source": CONCERN_SOURCES,
    "review": REVIEWS, "reason_code": {**HIDE_REASONS, **REPORT_REASONS},
    "decision": {"approved": "Approved", "returned": "Returned"},
    "rule": {"all_partners": "Every statutory partner", "all_leads": "Every lead safeguarding partner",
             "n_of_m": "A quorum of statutory partners"},
    "outcome": {"accepted": "Accepted", "partly_accepted": "Partly accepted", "not_accepted": "Not accepted",
                "already_covered": "Already covered"},
}
_PEOPLE = {"author_id", "person_id", "signatory_id", "acting_for_id"}


@dataclass
class Lookups:
    """Names by id for one page: people (labels: young people never named), organisations, partners, versions."""

    people: dict
    organisations: dict = field(default_factory=dict)
    partners: dict = field(default_factory=dict)
    partnership: str = ""
    versions: dict = field(default_factory=dict)  # draft_version id -> "version 3 of “Working groups”"
    themes: dict = field(default_factory=dict)
    sections: dict = field(default_factory=dict)  # section id -> title
    section_keys: dict = field(default_factory=dict)  # section key -> title
    consultations: dict = field(default_factory=dict)  # consultation id -> "“Title”"

    def person(self, person_id):
        label = self.people.get(person_id)
        return label.label if label else "someone who no longer has an account"


def load_lookups(partnership, people):
    """Every name the workspace shows, in five small queries."""
    from app.consultations.models import Consultation
    from app.drafts.models import DraftArrangement, DraftVersion, Section
    from app.partnerships.models import Organisation, StatutoryPartner
    from app.responses.models import Theme

    organisations = dict(db.session.execute(select(Organisation.id, Organisation.name)
                                            .where(Organisation.partnership_id == partnership.id)).all())
    partners = dict(db.session.execute(select(StatutoryPartner.id, StatutoryPartner.name)
                                       .where(StatutoryPartner.partnership_id == partnership.id)).all())
    versions, sections, keys = {}, {}, {}
    for version_id, number, title in db.session.execute(
            select(DraftVersion.id, DraftVersion.number, DraftArrangement.title).join(DraftArrangement)
            .where(DraftArrangement.partnership_id == partnership.id)).all():
        versions[version_id] = f"version {number} of “{title}”"
    for section_id, key, title in db.session.execute(
            select(Section.id, Section.key, Section.title).join(DraftVersion).join(DraftArrangement)
            .where(DraftArrangement.partnership_id == partnership.id).order_by(Section.id)).all():
        sections[section_id], keys[key] = title, title
    themes = dict(db.session.execute(select(Theme.id, Theme.name)).all())
    consultations = {cid: f"“{title}”" for cid, title in db.session.execute(
        select(Consultation.id, Consultation.title).join(DraftVersion).join(DraftArrangement)
        .where(DraftArrangement.partnership_id == partnership.id)).all()}
    return Lookups(people=people, organisations=organisations, partners=partners, partnership=partnership.name,
                   versions=versions, themes=themes, sections=sections, section_keys=keys,
                   consultations=consultations)


def _when(value):
    if isinstance(value, datetime):
        return format_london(value)
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return None


def value_in_words(name, value, lookups):
    if value is None or value == "":
        return None
    when = _when(value)
    if when:
        return when
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name in VALUE_LABELS:
        return VALUE_LABELS[name].get(value, str(value).replace("_", " ").capitalize())
    if name in _PEOPLE or name.endswith("by_id"):
        return lookups.person(value)
    named = {"organisation_id": lookups.organisations, "statutory_partner_id": lookups.partners,
             "version_id": lookups.versions, "theme_id": lookups.themes, "section_id": lookups.sections,
             "changed_section_key": lookups.section_keys, "consultation_id": lookups.consultations}.get(name)
    if named is not None:
        return named.get(value, str(value))
    if name == "partnership_id":
        return lookups.partnership
    if name.endswith("_id"):
        return f"{COLUMN_LABELS.get(name, name[:-3].replace('_', ' ').capitalize())} {value}"
    return str(value)


def in_words(columns, row, lookups):
    """[(label, text)] for the columns of `row` that hold something, in words."""
    pairs = []
    for name in columns:
        text = value_in_words(name, getattr(row, name, None), lookups)
        if text is not None:
            pairs.append((COLUMN_LABELS.get(name, name.removesuffix("_id").replace("_", " ").capitalize()), text))
    return pairs


# --- the timeline in sentences ---------------------------------------------------------------------

def _section(data, lookups):
    section = data.get("section")
    return f"“{lookups.sections[section]}”" if section in lookups.sections else "the whole draft"


def _choice(data):
    return {"support": "support", "support_with_changes": "support with changes", "oppose": "oppose"}.get(
        data.get("choice"), data.get("choice"))


NOTICE_WORDS = {"opened": "that the consultation had opened", "week_before": "that it closes in a week",
                "day_before": "that it closes tomorrow", "reply": "that someone replied to their comment"}

SENTENCES = {
    "comment.posted": lambda who, n, d, l: f"{who} commented on {_section(d, l)}",
    "reply.posted": lambda who, n, d, l: f"{who} replied to comment {d.get('parent')}",
    "comment.edited": lambda who, n, d, l: f"{who} edited comment {n}",
    "comment.withdrawn": lambda who, n, d, l: f"{who} withdrew comment {n}",
    "comment.approved": lambda who, n, d, l: f"{who} approved comment {n}, so others could read it",
    "comment.rejected": lambda who, n, d, l: f"{who} decided not to publish comment {n}",
    "comment.hidden": lambda who, n, d, l: f"{who} hid comment {n}",
    "comment.restored": lambda who, n, d, l: f"{who} showed comment {n} again",
    "comment.reported": lambda who, n, d, l: f"{who} reported comment {n} to the moderators",
    "comment.held": lambda who, n, d, l: f"Comment {n} was held for a moderator after a report",
    "comment.reports_dismissed": lambda who, n, d, l: (f"{who} dismissed {len(d.get('reports') or [])} report(s) on "
                                                       f"comment {n} and kept it published"),
    "comment.redacted": lambda who, n, d, l: f"{who} moved the text of comment {n} into the safeguarding record",
    "comment.tagged": lambda who, n, d, l: f"{who} tagged comment {n} with a theme",
    "comment.untagged": lambda who, n, d, l: f"{who} took a theme off comment {n}",
    "concern.raised": lambda who, n, d, l: (f"The portal sent comment {d.get('comment')} to the designated "
                                            "safeguarding lead as a possible disclosure" if d.get("source") == "signal"
                                            else f"{who} raised safeguarding concern {n}"),
    "concern.confirmed": lambda who, n, d, l: f"{who} confirmed safeguarding concern {n}",
    "concern.not_disclosure": lambda who, n, d, l: f"{who} found safeguarding concern {n} was not a disclosure",
    "concern.closed": lambda who, n, d, l: f"{who} closed safeguarding concern {n}",
    "vote.cast": lambda who, n, d, l: f"{who} voted “{_choice(d)}” on {_section(d, l)}",
    "vote.changed": lambda who, n, d, l: f"{who} changed their vote on {_section(d, l)} to “{_choice(d)}”",
    "consultation.opened": lambda who, n, d, l: f"{who} opened the consultation",
    "consultation.extended": lambda who, n, d, l: f"{who} extended the consultation",
    "consultation.closed_early": lambda who, n, d, l: f"{who} closed the consultation early",
    "theme.created": lambda who, n, d, l: f"{who} created a theme",
    "response.given": lambda who, n, d, l: f"{who} answered comment {n} (“You said, we did”)",
    "response.revised": lambda who, n, d, l: f"{who} changed the answer to comment {n}",
    "response.amended": lambda who, n, d, l: f"{who} amended the answer to comment {n} after sign-off was asked for",
    "response.published": lambda who, n, d, l: f"{who} published answer {d.get('response', n)} (“You said, we did”)",
    "notification.queued": lambda who, n, d, l: (f"The portal emailed {len(d.get('people') or [])} "
                                                 f"{'person' if len(d.get('people') or []) == 1 else 'people'}"
                                                 f" {NOTICE_WORDS.get(d.get('kind'), 'about this')}"),
    "signoff.requested": lambda who, n, d, l: f"{who} asked the statutory partners to sign off",
    "signoff.approved": lambda who, n, d, l: f"{who} approved the arrangements",
    "signoff.returned": lambda who, n, d, l: f"{who} returned the arrangements to the facilitator",
    "arrangement.published": lambda who, n, d, l: f"{who} published the arrangements",
    "draft.version_published": lambda who, n, d, l: f"{who} published a version of the draft",
    "draft.version_created": lambda who, n, d, l: f"{who} started a new working version of the draft",
    "finding.recorded": lambda who, n, d, l: f"{who} recorded a finding",
    "finding.answered": lambda who, n, d, l: f"{who} answered a finding",
}


def describe(entry, lookups):
    """One log entry as a sentence, e.g. 'Priya Practitioner commented on “Early Intervention”'."""
    data = entry.get("data") or {}
    who = lookups.person(entry["actor"]) if entry.get("actor") else "The portal"
    number = (entry.get("subject") or "").partition(":")[2]
    sentence = SENTENCES.get(entry["action"])
    if sentence is not None:
        return sentence(who, number, data, lookups)
    kind, _, verb = entry["action"].partition(".")
    return f"{who}: {kind.replace('_', ' ')} {verb.replace('_', ' ')}".strip()

# The timeline's "Kind of action" filter: the first word of each action, as a person would say it.
KIND_LABELS = {"comment": "Comments and their moderation", "reply": "Replies", "vote": "Votes",
               "consultation": "Opening, extending and closing", "concern": "Safeguarding concerns",
               "theme": "Themes", "response": "Answers (“You said, we did”)", "signoff": "Sign-off",
               "arrangement": "Publication", "export": "Downloads", "finding": "Scrutiny findings",
               "draft": "Draft versions", "notification": "Emails"}
