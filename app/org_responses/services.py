"""The rules for formal responses from organisations (issue 19). One function = one transaction.

- A person of a voluntary-sector or statutory organisation who may take part in an open consultation starts a
  response for their organisation and leads it; they add co-authors from the people of the same organisation.
- The lead and co-authors save drafts. Each save names the version it was made from; if someone saved since, it is
  refused with their text (EditConflict), never silently overwritten.
- The lead submits it once, while the consultation is open; one submitted response per organisation (the
  database enforces it too) and a submitted response never changes (database triggers).
- Until submitted, nobody but its lead and co-authors sees it: not facilitators, not the scrutineer, not exports.
- The log holds the SHA-256 of the submitted text, never the words; the lead is emailed the full text as a receipt
  with the log entry's seq and hash.
"""
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload

from app.access import PRE_MODERATED
from app.accounts.models import Person, Role
from app.consultations.models import Consultation
from app.consultations.services import _require_open, audience_of, clean_text
from app.database import transaction
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.mail import services as mail
from app.org_responses.models import (FORMAL_KINDS, OrgResponse, OrgResponseAnswer, OrgResponseAuthor,
                                      OrgResponseSection, OrgResponseStatus)
from app.timeutil import utcnow
from app.trail import services as trail

MAX_TEXT = 20000  # a formal response is longer than a comment (5,000): a section of an organisation's paper
OVERALL_TITLE = "Overall statement"


class EditConflict(DomainError):
    """Someone else saved the draft after the version this save started from. `theirs` is the draft as it is now."""

    def __init__(self, theirs):
        who = theirs.updated_by.display_name if theirs.updated_by else "Someone"
        super().__init__(f"{who} saved this response after you opened it, so your changes were not saved. "
                         "Their version is shown below; your text is still in the form.")
        self.theirs = theirs


# --- who may do what -----------------------------------------------------------------------------

def _may_take_part(person, consultation):
    return (person is not None and person.is_active and consultation.partnership_id == person.partnership_id
            and audience_of(person, consultation) is not None
            and not person.has_role(Role.SCRUTINEER, *PRE_MODERATED) and not person.awaits_confirmation)


def may_lead(person, consultation):
    """May this person start a formal response for their organisation to this consultation?"""
    organisation = person.organisation if person is not None else None
    return organisation is not None and organisation.kind in FORMAL_KINDS and _may_take_part(person, consultation)


def is_author(person, response):
    return person is not None and person.id in response.author_ids


def may_read(person, response):
    """A submitted response: anyone who reads the consultation (the caller checks that). A draft: its authors only."""
    return response.is_submitted or is_author(person, response)


def _require_author(person, response):
    if not is_author(person, response):
        raise NotFound("No such formal response")  # a draft's existence is not told to others either


def _require_draft(response):
    if response.is_submitted:
        raise DomainError("This response has been submitted, so it can no longer change")


def _submitted_by(consultation_id, organisation_id):
    return db.session.execute(select(OrgResponse).where(
        OrgResponse.consultation_id == consultation_id, OrgResponse.organisation_id == organisation_id,
        OrgResponse.status == OrgResponseStatus.SUBMITTED.value)).scalar_one_or_none()


def _require_not_yet_submitted(consultation_id, organisation):
    if _submitted_by(consultation_id, organisation.id) is not None:
        raise DomainError(f"{organisation.name} has already submitted its formal response to this consultation")


# --- the text -------------------------------------------------------------------------------------

def check_text(text, field, what="The comment"):
    text = clean_text(text)
    if len(text) > MAX_TEXT:
        raise DomainError(f"{what} must be {MAX_TEXT:,} characters or fewer (it has {len(text):,})", field=field)
    return text


def parts(response, consultation=None):
    """[(heading, text)] in the order of the consulted version's sections, then the overall statement; empty
    sections left out."""
    consultation = consultation or response.consultation
    result = []
    for number, section in enumerate(consultation.version.sections, start=1):
        text = response.text_for(section.id)
        if text:
            result.append((f"{number}. {section.title}", text))
    if response.overall:
        result.append((OVERALL_TITLE, response.overall))
    return result


def full_text(response, consultation=None):
    """The response as one text: what is hashed into the log, exported, and emailed to the lead."""
    return "\n\n".join(f"{heading}\n{text}" for heading, text in parts(response, consultation))


# --- starting, co-authors, saving, submitting ------------------------------------------------------

def start(by, consultation, now=None):
    """A new draft for the person's organisation, led by them; or the draft of it they already write (a second
    click, or a colleague's draft they co-write), so nobody starts a rival draft by accident."""
    now = now or utcnow()
    with transaction() as session:
        by_id = by.id
        if not may_lead(by, consultation):
            raise NotAllowed("Only people of a voluntary-sector or statutory organisation taking part in this "
                             "consultation can start a formal response")
        _require_open(consultation, now)
        organisation = by.organisation
        _require_not_yet_submitted(consultation.id, organisation)
        mine = next((r for r in drafts_for(by, consultation.id) if r.organisation_id == organisation.id), None)
        if mine is not None:
            return mine
        colleague = colleagues_draft(by, consultation.id)
        if colleague is not None:  # found walking: two rival drafts, and one author left with a dead one
            raise DomainError(f"{colleague.lead.display_name} has already started {organisation.name}’s formal "
                              "response. Ask them to add you as a co-author, so that your organisation gives one "
                              "response")
        response = OrgResponse(consultation_id=consultation.id, organisation_id=organisation.id, lead_id=by_id,
                               status=OrgResponseStatus.DRAFT.value, overall="", version=1, updated_by_id=by_id,
                               created_at=now, updated_at=now)
        session.add(response)
        session.flush()
        trail.append("org_response.started", f"org_response:{response.id}",
                     {"consultation": consultation.id, "organisation": organisation.id}, actor=by_id)
    return response


def co_author_choices(response):
    """The people of the response's organisation the lead may add: active, taking part, not yet authors."""
    people = db.session.execute(select(Person).where(
        Person.organisation_id == response.organisation_id, Person.partnership_id == response.organisation.partnership_id,
        Person.erased_at.is_(None)).order_by(Person.display_name, Person.id)).scalars().all()
    authors = response.author_ids
    return [p for p in people if p.id not in authors and _may_take_part(p, response.consultation)]


def add_co_author(by, response, person, now=None):
    """The lead adds someone of the same organisation as a co-author."""
    now = now or utcnow()
    with transaction() as session:
        _require_author(by, response)
        if by.id != response.lead_id:
            raise NotAllowed("Only the lead of this response can add co-authors")
        _require_draft(response)
        if person is None:
            raise DomainError("Choose a person of your organisation", field="person")
        if person.organisation_id != response.organisation_id:
            raise DomainError(f"Only people of {response.organisation.name} can be co-authors", field="person")
        if person.id in response.author_ids:
            raise DomainError(f"{person.display_name} is already an author of this response", field="person")
        if not _may_take_part(person, response.consultation):
            raise DomainError(f"{person.display_name} is not taking part in this consultation", field="person")
        session.add(OrgResponseAuthor(org_response_id=response.id, person_id=person.id, added_by_id=by.id,
                                      added_at=now))
        session.flush()
        trail.append("org_response.co_author_added", f"org_response:{response.id}",
                     {"consultation": response.consultation_id, "organisation": response.organisation_id,
                      "person": person.id}, actor=by.id)
    db.session.expire(response, ["co_authors"])
    return response


def _claim_version(response, version, by_id, now):
    """Move the version on from `version`, or raise EditConflict if someone saved since (compare and swap)."""
    moved = db.session.execute(update(OrgResponse).where(
        OrgResponse.id == response.id, OrgResponse.version == version,
        OrgResponse.status == OrgResponseStatus.DRAFT.value)
        .values(version=OrgResponse.version + 1, updated_by_id=by_id, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(response)
    if moved != 1:
        _require_draft(response)
        raise EditConflict(response)


def save(by, response, *, sections, overall, version, now=None):
    """Save the draft: `sections` is {section id: text}; `version` is the one the author started from."""
    now = now or utcnow()
    consultation = response.consultation
    section_ids = {s.id for s in consultation.version.sections}
    texts = {sid: check_text(text, f"section_{sid}") for sid, text in sections.items()}
    if set(texts) - section_ids:
        raise DomainError("That section is not part of this consultation")
    overall = check_text(overall, "overall", "The overall statement")
    try:
        with transaction() as session:
            by_id = by.id
            _require_author(by, response)
            _require_draft(response)
            _require_open(consultation, now)
            _claim_version(response, version, by_id, now)
            for part in list(response.sections):
                session.delete(part)
            session.flush()
            for sid, text in sorted(texts.items()):
                if text:
                    session.add(OrgResponseSection(org_response_id=response.id, section_id=sid, body=text))
            response.overall = overall
            session.flush()
            session.expire(response, ["sections"])
            trail.append("org_response.saved", f"org_response:{response.id}",
                         {"consultation": consultation.id, "organisation": response.organisation_id,
                          "version": response.version, "body_sha256": trail.text_hash(full_text(response))},
                         actor=by_id)
    except EditConflict as conflict:
        db.session.refresh(conflict.theirs)
        raise
    return response


def _unchanged(response, sections, overall):
    texts = {sid: clean_text(text) for sid, text in sections.items() if clean_text(text)}
    return texts == {s.section_id: s.body for s in response.sections} and clean_text(overall) == response.overall


def submit(by, response, *, version, sections=None, overall=None, now=None):
    """Submit the response as the version the lead last saw (with the text in their form, if given, saved first
    in the same transaction): once, while the consultation is open. Returns the seq and hash of the log entry
    recording it (both are in the receipt emailed to the lead)."""
    now = now or utcnow()
    consultation = response.consultation
    with transaction() as session:
        by_id = by.id
        session.expire(response)  # read it as it is now, inside the write lock
        _require_author(by, response)
        if by_id != response.lead_id:
            raise NotAllowed("Only the lead of this response can submit it")
        _require_draft(response)
        _require_open(consultation, now)
        organisation = response.organisation
        _require_not_yet_submitted(consultation.id, organisation)
        if sections is not None and not _unchanged(response, sections, overall):
            save(by, response, sections=sections, overall=overall, version=version, now=now)  # same transaction
            version = response.version
        if response.version != version:
            raise EditConflict(response)
        if not response.overall:
            raise DomainError("Write the overall statement before you submit the response", field="overall")
        text = full_text(response, consultation)
        digest = trail.text_hash(text)
        try:
            with session.begin_nested():  # the UNIQUE index is the last word if two leads submit at once
                session.execute(update(OrgResponse).where(
                    OrgResponse.id == response.id, OrgResponse.version == version,
                    OrgResponse.status == OrgResponseStatus.DRAFT.value)
                    .values(status=OrgResponseStatus.SUBMITTED.value, submitted_at=now, body_sha256=digest,
                            updated_at=now).execution_options(synchronize_session=False))
        except IntegrityError:
            raise DomainError(f"{organisation.name} has already submitted its formal response to this "
                              "consultation") from None
        session.refresh(response)
        if not response.is_submitted:
            raise EditConflict(response)
        entry = trail.append("org_response.submitted", f"org_response:{response.id}", {
            "consultation": consultation.id, "organisation": organisation.id, "version": version,
            "co_authors": sorted(a.person_id for a in response.co_authors),
            "sections": [s.section_id for s in response.sections], "body_sha256": digest,
        }, actor=by_id)
        receipt = {"seq": entry.seq, "hash": entry.hash}
        lead = response.lead
        if lead.email:
            mail.queue(lead.email, f"Your formal response has been submitted: {consultation.title}",
                       "org_response_receipt", person=lead, consultation=consultation, organisation=organisation,
                       response=response, parts=parts(response, consultation), text_sha256=digest,
                       co_authors=[a.person.display_name for a in response.co_authors],
                       log_seq=entry.seq, log_hash=entry.hash,
                       path=f"/consultations/{consultation.id}#formal-responses")
    return receipt


# --- reading --------------------------------------------------------------------------------------

def get(response_id):
    response = db.session.get(OrgResponse, response_id)
    if response is None:
        raise NotFound("No such formal response")
    return response


def submitted_of(consultation_id):
    """The consultation's submitted responses, in the order they arrived, with their organisations and texts (the
    pages that list them show both; their co-authors only when asked for)."""
    return db.session.execute(select(OrgResponse).options(
        joinedload(OrgResponse.organisation), lazyload(OrgResponse.co_authors)).where(
        OrgResponse.consultation_id == consultation_id, OrgResponse.status == OrgResponseStatus.SUBMITTED.value)
        .order_by(OrgResponse.submitted_at, OrgResponse.id)).scalars().all()


def colleagues_draft(person, consultation_id):
    """A draft of the person's organisation that somebody else leads and the person does not co-write, or None."""
    if person.organisation_id is None:
        return None
    return next((r for r in db.session.execute(select(OrgResponse).where(
        OrgResponse.consultation_id == consultation_id, OrgResponse.organisation_id == person.organisation_id,
        OrgResponse.status == OrgResponseStatus.DRAFT.value).order_by(OrgResponse.id)).scalars()
        if person.id not in r.author_ids), None)


def for_page(person, consultation_id):
    """(submitted, the person's own drafts, their organisation's other drafts) of this consultation, in one
    statement (the consultation page asks for all three): the submitted responses for everyone, the drafts the
    person leads or co-writes, and the drafts of their organisation (to tell them a colleague is preparing one)."""
    co_written = select(OrgResponseAuthor.org_response_id).where(OrgResponseAuthor.person_id == person.id)
    mine_or_colleagues = (OrgResponse.lead_id == person.id) | OrgResponse.id.in_(co_written)
    if person.organisation_id is not None:
        mine_or_colleagues |= OrgResponse.organisation_id == person.organisation_id
    rows = db.session.execute(select(OrgResponse).options(  # the page names each one's organisation, and a draft's lead
        joinedload(OrgResponse.organisation), joinedload(OrgResponse.lead).lazyload(Person.grants)).where(
        OrgResponse.consultation_id == consultation_id,
        (OrgResponse.status == OrgResponseStatus.SUBMITTED.value) | mine_or_colleagues)
        .order_by(OrgResponse.submitted_at, OrgResponse.id)).scalars().all()
    submitted = [r for r in rows if r.is_submitted]
    drafts = sorted((r for r in rows if not r.is_submitted), key=lambda r: r.id)
    own = [r for r in drafts if person.id in r.author_ids]
    return submitted, own, [r for r in drafts if person.id not in r.author_ids]


def drafts_for(person, consultation_id):
    """The drafts of this consultation that `person` leads or co-writes (nobody else's)."""
    co_written = select(OrgResponseAuthor.org_response_id).where(OrgResponseAuthor.person_id == person.id)
    return db.session.execute(select(OrgResponse).where(
        OrgResponse.consultation_id == consultation_id, OrgResponse.status == OrgResponseStatus.DRAFT.value,
        (OrgResponse.lead_id == person.id) | OrgResponse.id.in_(co_written))
        .order_by(OrgResponse.id)).scalars().all()


def submitted_count(consultation_ids):
    """{consultation id: submitted formal responses}: counted apart from individual comments."""
    if not consultation_ids:
        return {}
    return dict(db.session.execute(select(OrgResponse.consultation_id, func.count()).where(
        OrgResponse.consultation_id.in_(consultation_ids), OrgResponse.status == OrgResponseStatus.SUBMITTED.value)
        .group_by(OrgResponse.consultation_id)).all())


def answers_of(consultation_id, *, drafts):
    """{org response id: its answer}; only published answers unless drafts (facilitators and the scrutineer)."""
    query = select(OrgResponseAnswer).where(OrgResponseAnswer.consultation_id == consultation_id)
    if not drafts:
        query = query.where(OrgResponseAnswer.published_at.is_not(None))
    return {a.org_response_id: a for a in db.session.execute(query).scalars()}


def consultation_of(response):
    return db.session.get(Consultation, response.consultation_id)


# --- "You said, we did": the partnership's answer to a submitted response ---------------------------

def _require_facilitator(by, response):
    if by is None or not by.has_role(Role.FACILITATOR):
        raise NotAllowed("Only facilitators can answer formal responses")
    if response.organisation.partnership_id != by.partnership_id:
        raise NotFound("No such formal response")


def answer_of(response):
    return db.session.execute(select(OrgResponseAnswer).where(
        OrgResponseAnswer.org_response_id == response.id)).scalar_one_or_none()


def answer(by, response, *, outcome, reason, now=None):
    """Answer a submitted response once the consultation has closed, as a comment is answered. A new answer is a
    draft until published (`publish_answer`); changing a published one keeps it published and is logged."""
    from app.responses.models import Outcome
    from app.responses.services import MAX_REASON, frozen, may_answer

    now = now or utcnow()
    _require_facilitator(by, response)
    if not response.is_submitted:
        raise NotFound("No such formal response")
    consultation = response.consultation
    if not may_answer(consultation):
        raise DomainError("Answer formal responses once the consultation has closed")
    if frozen(consultation):
        raise DomainError("Sign-off has been asked for, so the answers are frozen")
    try:
        outcome = Outcome(outcome).value
    except ValueError:
        raise DomainError("Choose what the partnership did", field="outcome") from None
    reason = clean_text(reason)
    if not reason:
        raise DomainError("Enter the reason, in words the organisation will understand", field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(f"The reason must be {MAX_REASON:,} characters or fewer", field="reason")
    with transaction() as session:
        by_id, response_id, consultation_id = by.id, response.id, consultation.id
        existing = answer_of(response)
        new = existing is None
        if new:
            existing = OrgResponseAnswer(org_response_id=response_id, consultation_id=consultation_id,
                                         outcome=outcome, reason=reason, by_id=by_id, created_at=now, updated_at=now)
            session.add(existing)
        elif (existing.outcome, existing.reason) == (outcome, reason):
            return existing
        existing.outcome, existing.reason, existing.by_id, existing.updated_at = outcome, reason, by_id, now
        session.flush()
        trail.append("org_response.answered" if new else "org_response.answer_revised",
                     f"org_response:{response_id}",
                     {"consultation": consultation_id, "answer": existing.id, "outcome": outcome,
                      "reason_sha256": trail.text_hash(reason)}, actor=by_id)
    return existing


def publish_answer(by, response, now=None):
    """Publish the draft answer: everyone who reads the consultation sees it, and the lead is emailed."""
    now = now or utcnow()
    _require_facilitator(by, response)
    with transaction():
        existing = answer_of(response)
        if existing is None or existing.is_published:
            raise DomainError("There is no draft answer to publish")
        existing.published_at = now
        db.session.flush()
        trail.append("org_response.answer_published", f"org_response:{response.id}",
                     {"consultation": response.consultation_id, "answer": existing.id}, actor=by.id)
        lead = response.lead
        if lead.email:
            consultation = response.consultation
            mail.queue(lead.email, f"The partnership has answered your organisation's response: {consultation.title}",
                       "org_response_answered", person=lead, consultation=consultation,
                       organisation=response.organisation, answer=existing,
                       path=f"/consultations/{consultation.id}#formal-responses")
    return existing


def draft_answer_count(consultation_id):
    """Answers to formal responses not yet published: sign-off waits for them as for comments' answers."""
    return db.session.execute(select(func.count()).select_from(OrgResponseAnswer).where(
        OrgResponseAnswer.consultation_id == consultation_id, OrgResponseAnswer.published_at.is_(None))).scalar_one()
