"""The rules for sign-off and publication. One function = one transaction.

A facilitator asks the statutory partners to sign off one published version (after
the consultation closed and its comments were answered, or with a recorded waiver).
Each partner's signatory (the lead, or the lead's delegate) approves or returns it
after entering their password again. Decisions on one request are serialised by a
row lock on the request (SELECT ... FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on
SQLite), and the database allows one decision per partner per request, so two
signatories approving at once count once each and the rule is checked exactly once.
When the partnership's rule is met the Publication is made in the same transaction.
"""
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Person, Role, RoleGrant
from app.accounts.passwords import check_password
from app.consultations.models import ConsultationState
from app.consultations.services import clean_text
from app.database import transaction
from app.drafts.models import DraftVersion
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.mail import services as mail
from app.partnerships.models import Partnership, PartnerKind, SignOffRule, StatutoryPartner
from app.partnerships.services import coverage_gaps
from app.responses import publishing
from app.responses import services as responses
from app.signoff.models import (
    Decision,
    Publication,
    RequestStatus,
    SignOff,
    SignOffRequest,
)
from app.passkeys import services as passkeys
from app.signoff import assertions
from app.timeutil import utcnow
from app.trail import services as trail

MAX_REASON = 5000


@dataclass(frozen=True)
class Authority:
    """Who a signatory may decide for: one statutory partner, as its lead or as the lead's delegate."""

    partner_id: int
    acting_for_id: int | None  # the lead, when a delegate decides

    @property
    def is_lead(self):
        return self.acting_for_id is None


def authority_of(person):
    """The statutory partner a person signs for, or None (not a signatory, or a delegate whose lead is not one)."""
    for grant in person.grants:
        if grant.role == Role.LEAD_SIGNATORY.value and grant.statutory_partner_id:
            return Authority(grant.statutory_partner_id, None)
    for grant in person.grants:
        if grant.role == Role.DELEGATED_SIGNATORY.value and grant.acting_for_id:
            lead_grant = db.session.execute(select(RoleGrant).where(
                RoleGrant.person_id == grant.acting_for_id, RoleGrant.role == Role.LEAD_SIGNATORY.value)
            ).scalar_one_or_none()
            # A delegate acts only for their own lead's partner.
            if lead_grant is not None and lead_grant.statutory_partner_id == grant.statutory_partner_id:
                return Authority(grant.statutory_partner_id, grant.acting_for_id)
    return None


def _clean_reason(text, what, field="reason"):
    text = clean_text(text)
    if not text:
        raise DomainError(f"Enter {what}", field=field)
    if len(text) > MAX_REASON:
        raise DomainError(f"The reason must be {MAX_REASON:,} characters or fewer", field=field)
    return text


def _partners(partnership_id):
    return db.session.execute(select(StatutoryPartner).where(StatutoryPartner.partnership_id == partnership_id)
                              .order_by(StatutoryPartner.id)).scalars().all()


def publication_of(version_id):
    return db.session.execute(select(Publication).where(Publication.version_id == version_id)).scalar_one_or_none()


def _newest_published(draft_id):
    return db.session.execute(select(DraftVersion).where(DraftVersion.draft_id == draft_id,
                                                         DraftVersion.status == "published")
                              .order_by(DraftVersion.number.desc()).limit(1)).scalar_one_or_none()


def signable_versions(consultation):
    """The version that may be signed off: the draft's newest published one, if it is not older than the
    consulted version and not signed off already (a superseded version is never signed off)."""
    newest = _newest_published(consultation.version.draft_id)
    if newest is None or newest.number < consultation.version.number or publication_of(newest.id):
        return []
    return [newest]


# --- asking for sign-off ------------------------------------------------------------------------

def request_signoff(by, consultation, version, *, effective_date, waiver_reason=None):
    """Ask every statutory partner to sign off `version`, to take effect on `effective_date`."""
    if by is None or not by.has_role(Role.FACILITATOR):
        raise NotAllowed("Only facilitators can ask for sign-off")
    if consultation.partnership_id != by.partnership_id:
        raise NotFound("No such consultation")
    if consultation.state != ConsultationState.CLOSED.value:
        raise DomainError("Close the consultation before asking for sign-off")
    if version is None or version.draft_id != consultation.version.draft_id:
        raise DomainError("Choose a version of this draft", field="version")
    if version not in signable_versions(consultation):
        raise DomainError("Only the newest published version, not yet signed off, can be signed off. "
                          "Publish a new version to change it.", field="version")
    if effective_date is None:
        raise DomainError("Enter the date the arrangements take effect", field="effective_date")
    waiver = clean_text(waiver_reason) or None
    claims = responses.unchanged_claims(consultation, version)
    if claims:
        raise DomainError(f"{len(claims)} answer{'s say' if len(claims) != 1 else ' says'} a section changed, but "
                          f"version {version.number} is the same as the consulted version there "
                          f"({', '.join(sorted({title for _, title in claims}))}). Change the answer or the version "
                          "before asking for sign-off.", field="version")
    drafts = publishing.draft_answer_count(consultation)
    if drafts:
        # The partners sign what the people who commented were told: no answer is signed before it is published.
        raise DomainError(f"{drafts} answer{'s are' if drafts != 1 else ' is a'} draft{'s' if drafts != 1 else ''}. "
                          "Publish the answers before asking for sign-off.")
    partnership = db.session.get(Partnership, by.partnership_id)
    if partnership.signoff_rule == SignOffRule.EVERY_AREA.value:
        gaps = coverage_gaps(partnership)
        if gaps:
            raise DomainError("The rule needs a local authority, a police force and an ICB in every area, but "
                              + "; ".join(f"no {kind.label.lower()} partner covers {area.name}" for area, kind in gaps)
                              + ". Say which areas each partner covers on the partnership page.")
    with transaction() as session:
        unanswered = responses.unanswered_count(consultation)
        if unanswered and not waiver:
            raise DomainError(f"{unanswered} comment{'s' if unanswered != 1 else ''} still "
                              f"{'have' if unanswered != 1 else 'has'} no answer. Answer them, or record why "
                              "sign-off should go ahead without them.", field="waiver_reason")
        if session.execute(select(SignOffRequest).where(SignOffRequest.version_id == version.id,
                                                        SignOffRequest.status == RequestStatus.OPEN.value)
                           ).scalar_one_or_none():
            raise DomainError("Sign-off has already been asked for this version")
        _close_stale_requests(by, version)
        request = SignOffRequest(
            consultation_id=consultation.id, version_id=version.id, status=RequestStatus.OPEN.value,
            rule=partnership.signoff_rule, quorum=partnership.signoff_quorum, effective_date=effective_date,
            waiver_reason=waiver if unanswered else None, unanswered=unanswered,
            version_hash=version.content_hash, requested_by_id=by.id)
        session.add(request)
        session.flush()
        subject = f"signoff_request:{request.id}"
        trail.append("signoff.requested", subject, {
            "consultation": consultation.id, "version": version.id, "version_hash": version.content_hash,
            "effective_date": effective_date.isoformat(), "rule": request.rule, "quorum": request.quorum,
            "unanswered": unanswered}, actor=by.id)
        if unanswered:
            trail.append("signoff.waiver_recorded", subject,
                         {"unanswered": unanswered, "reason_sha256": trail.text_hash(waiver)}, actor=by.id)
        _notify_signatories(request, consultation)
    return request


def _close_stale_requests(by, version):
    """An open request for an older version of the same draft ends: a new version needs new sign-offs."""
    stale = db.session.execute(
        select(SignOffRequest).join(DraftVersion, SignOffRequest.version_id == DraftVersion.id)
        .where(DraftVersion.draft_id == version.draft_id, SignOffRequest.status == RequestStatus.OPEN.value)
    ).scalars().all()
    for old in stale:
        old.status, old.closed_at = RequestStatus.RETURNED.value, utcnow()
        trail.append("signoff.superseded", f"signoff_request:{old.id}", {"by_version": version.id}, actor=by.id)


def _signatories(partnership_id):
    return db.session.execute(
        select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(Person.partnership_id == partnership_id, Person.email.is_not(None),
               RoleGrant.role.in_([Role.LEAD_SIGNATORY.value, Role.DELEGATED_SIGNATORY.value])).distinct()
    ).scalars().all()


def _notify_signatories(request, consultation):
    for person in _signatories(consultation.partnership_id):
        mail.queue(person.email, f"Sign-off asked: {consultation.version.draft.title}", "signoff_requested",
                   person=person, request=request, title=consultation.version.draft.title,
                   path=f"/signoff/{request.id}/decide")


# --- deciding -----------------------------------------------------------------------------------

def get_request(request_id):
    request = db.session.get(SignOffRequest, request_id)
    if request is None:
        raise NotFound("No such sign-off request")
    return request


def _lock(session, request_id):
    """The request re-read under a row lock: decisions on one request happen one after another."""
    session.flush()
    session.expire_all()
    return session.execute(select(SignOffRequest).where(SignOffRequest.id == request_id).with_for_update()
                           ).scalar_one()


def check_may_decide(by, request, partner):
    """NotAllowed unless `by` may decide for `partner` on this request."""
    if by is None or not by.has_role(Role.LEAD_SIGNATORY, Role.DELEGATED_SIGNATORY):
        raise NotAllowed("Only the statutory partners' signatories can sign off")
    if request.consultation.partnership_id != by.partnership_id:
        raise NotFound("No such sign-off request")
    authority = authority_of(by)
    if authority is None or partner is None or authority.partner_id != partner.id \
            or partner.partnership_id != by.partnership_id:
        raise NotAllowed("You can only sign off for the statutory partner you represent")
    if request.rule == SignOffRule.ALL_LEADS.value and not authority.is_lead:
        raise NotAllowed("This partnership's rule needs each lead safeguarding partner to sign off in person")
    return authority


def decide(by, request, partner, *, decision, password=None, reason="", now=None, assertion=None, checkpoint=None):
    """Approve or return `request` for `partner`, with a passkey `assertion` (JSON from the browser) over the
    `checkpoint` shown, or with the password where the partnership still allows it. A wrong password or a refused
    assertion is logged (in its own transaction), then refused."""
    authority = check_may_decide(by, request, partner)
    try:
        decision = Decision(decision).value
    except ValueError:
        raise DomainError("Choose whether to approve or return it", field="decision") from None
    reason = _clean_reason(reason, "why you are returning it", field="reason") \
        if decision == Decision.RETURNED.value else clean_text(reason)
    request_id, partner_id, by_id = request.id, partner.id, by.id
    proof = None
    if assertion:
        proof = _check_passkey(by, request, partner, decision, assertion, checkpoint)
    elif passkeys.passkey_required(db.session.get(Partnership, by.partnership_id)):
        raise DomainError("This partnership's partners must sign with a passkey: the password is not accepted here")
    elif not password:
        raise DomainError("Enter your password", field="password")
    elif not check_password(by.password_hash, password or ""):
        with transaction():
            trail.append("signoff.password_failed", f"signoff_request:{request_id}", {"partner": partner_id},
                         actor=by_id)
        raise DomainError("The password is not right. Enter the password you sign in with.", field="password")
    try:
        with transaction() as session:
            request = _lock(session, request_id)
            if request.status != RequestStatus.OPEN.value:
                raise DomainError("This sign-off request is no longer open")
            newest = _newest_published(request.version.draft_id)
            if publication_of(request.version_id) or newest.id != request.version_id:
                raise DomainError("A newer version exists: this one can no longer be signed off")
            if session.execute(select(SignOff).where(SignOff.request_id == request_id,
                                                     SignOff.statutory_partner_id == partner_id)).scalar_one_or_none():
                raise DomainError("Your organisation has already decided on this request")
            seq, head = trail.head()  # what the signatory saw
            signoff = SignOff(request_id=request_id, statutory_partner_id=partner_id, signatory_id=by_id,
                              acting_for_id=authority.acting_for_id, decision=decision, reason=reason,
                              version_hash=request.version_hash, log_seq=seq, log_head=head,
                              decided_at=now or utcnow())
            session.add(signoff)
            session.flush()
            data = {"partner": partner_id, "version": request.version_id, "version_hash": request.version_hash,
                    "log_seq": seq, "log_head": head, "acting_for": authority.acting_for_id}
            if reason:
                data["reason_sha256"] = trail.text_hash(reason)
            if proof is not None:  # issue 20, part 5: the partner's own signature, kept and logged
                data["assertion"] = assertions.log_data(_keep_assertion(session, signoff, request, proof))
            trail.append(f"signoff.{decision}", f"signoff_request:{request_id}", data, actor=by_id)
            if decision == Decision.RETURNED.value:
                _return(request, by_id)
            elif rule_met(request):
                publish(request, by_id)
    except IntegrityError:
        raise DomainError("Your organisation has already decided on this request") from None
    return signoff


@dataclass(frozen=True)
class PasskeyProof:
    """An assertion that verified, with what it was made over (kept by _keep_assertion)."""

    passkey_id: int
    sign_count: int
    credential: object
    partner: str
    decision: str
    challenge: bytes
    checkpoint: str
    rp_id: str
    origin: str


def partner_label(partner):
    """The partner's stable identifier in the challenge: its name."""
    return partner.name


def _our_checkpoint(note):
    """The signed checkpoint text if it is one this portal made and kept, else None."""
    from app.trail import signing

    note = (note or "").replace("\r\n", "\n")  # browsers send a form's line breaks as CRLF (HTML form encoding)
    lines = note.split("\n")
    if len(lines) < 2 or not lines[1].isascii() or not lines[1].isdigit() or len(lines[1]) > 12:
        return None
    kept = signing.at_size(int(lines[1]))
    return kept.note if kept is not None and kept.note == note else None


def _check_passkey(by, request, partner, decision, assertion, checkpoint):
    """PasskeyProof, or DomainError after logging the refusal (its reason only: no secrets)."""
    request_id, partner_id, by_id = request.id, partner.id, by.id
    try:
        note = _our_checkpoint(checkpoint)
        if note is None:
            raise passkeys.AssertionRefused("the checkpoint it was made over is not one of this log's")
        challenge = assertions.challenge_for(note, decision, partner_label(partner), request.version_hash)
        passkey, credential, count = passkeys.check_assertion(by, assertion, challenge)
    except passkeys.AssertionRefused as refused:
        with transaction():
            trail.append("signoff.assertion_refused", f"signoff_request:{request_id}",
                         {"partner": partner_id, "decision": decision, "reason": refused.reason}, actor=by_id)
        raise DomainError(f"Your passkey's signature was refused: {refused.reason}. Nothing was recorded.") \
            from None
    return PasskeyProof(passkey.id, count, credential, partner_label(partner), decision, challenge, note,
                        passkeys.rp_id(), passkeys.origin())


def _keep_assertion(session, signoff, request, proof):
    """Store the assertion (append-only) and move the passkey's counter on, under the request's lock."""
    from app.passkeys.models import Passkey
    from app.signoff.models import SignOffAssertion

    passkey = session.get(Passkey, proof.passkey_id)
    if passkey is None:
        raise DomainError("That passkey was removed. Choose another, or add one.")
    if (proof.sign_count or passkey.sign_count) and proof.sign_count <= passkey.sign_count:
        raise DomainError("Your passkey's signature was refused: the passkey's counter did not go up.")
    passkey.sign_count, passkey.last_used_at = proof.sign_count, utcnow()
    response = proof.credential.response
    row = SignOffAssertion(
        request_id=request.id, signoff_id=signoff.id, statutory_partner_id=signoff.statutory_partner_id,
        partner=proof.partner, decision=proof.decision, person_id=signoff.signatory_id,
        credential_id=passkey.credential_id, public_key=passkey.public_key_spki, algorithm=passkey.algorithm,
        authenticator_data=response.authenticator_data, client_data_json=response.client_data_json,
        signature=response.signature, challenge=proof.challenge, version_hash=request.version_hash,
        checkpoint=proof.checkpoint, rp_id=proof.rp_id, origin=proof.origin, created_at=utcnow())
    session.add(row)
    session.flush()
    return row


def _return(request, by_id):
    """Back to the facilitator; if another partner had approved, the partners disagree: tell the scrutineers."""
    request.status, request.closed_at = RequestStatus.RETURNED.value, utcnow()
    approvals = [s for s in request.signoffs if s.decision == Decision.APPROVED.value]
    _notify_return(request, approvals, by_id)
    if approvals:
        scrutineers = db.session.execute(
            select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
            .where(Person.partnership_id == request.consultation.partnership_id,
                   RoleGrant.role == Role.SCRUTINEER.value, Person.email.is_not(None))).scalars().all()
        title = request.version.draft.title
        for person in scrutineers:
            mail.queue(person.email, f"Statutory partners disagree: {title}", "signoff_disagreement",
                       person=person, request=request, title=title,
                       path=f"/consultations/{request.consultation_id}/signoff")
        trail.append("signoff.disagreement_notified", f"signoff_request:{request.id}",
                     {"scrutineers": [p.id for p in scrutineers]}, actor=by_id)


def _notify_return(request, approvals, by_id):
    """Tell the facilitators (they act next) and whoever already approved (their approval is now moot), once each."""
    returned = next(s for s in reversed(request.signoffs) if s.decision == Decision.RETURNED.value)
    facilitators = db.session.execute(
        select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(Person.partnership_id == request.consultation.partnership_id,
               RoleGrant.role == Role.FACILITATOR.value, Person.email.is_not(None))).scalars().all()
    people = {p.id: p for p in [*facilitators, *(s.signatory for s in approvals)] if p.email and p.is_active_account}
    title = request.version.draft.title
    for person in people.values():
        mail.queue(person.email, f"Returned by {returned.statutory_partner.name}: {title}", "signoff_returned",
                   person=person, request=request, returned=returned, title=title,
                   facilitator=person.has_role(Role.FACILITATOR),
                   path=f"/consultations/{request.consultation_id}/signoff")
    trail.append("signoff.return_notified", f"signoff_request:{request.id}", {"people": sorted(people)},
                 actor=by_id)


def approvals(request):
    return {s.statutory_partner_id for s in request.signoffs if s.decision == Decision.APPROVED.value}


def needed(request):
    """How many partners' approvals the request's rule needs."""
    partners = _partners(request.consultation.partnership_id)
    if request.rule == SignOffRule.N_OF_M.value:
        return min(request.quorum or len(partners), len(partners))
    return len(partners)


def rule_met(request):
    partners = _partners(request.consultation.partnership_id)
    approved = approvals(request) & {p.id for p in partners}
    if request.rule == SignOffRule.N_OF_M.value:
        return len(approved) >= needed(request)
    if request.rule == SignOffRule.EVERY_AREA.value:
        return not areas_waiting(request, partners)
    return approved == {p.id for p in partners}  # all_partners; all_leads also refuses delegates in check_may_decide


def areas_waiting(request, partners=None):
    """For the "every area" rule: [(area, PartnerKind)] still without an approving partner of that kind covering
    the area. Several partners of one kind may cover an area (s16E "any part of"); one approval of each kind is
    enough for it."""
    partners = partners if partners is not None else _partners(request.consultation.partnership_id)
    approved = approvals(request)
    done = {(area.id, partner.kind) for partner in partners if partner.id in approved for area in partner.areas}
    partnership = db.session.get(Partnership, request.consultation.partnership_id)
    return [(area, kind) for area in partnership.areas for kind in PartnerKind if (area.id, kind.value) not in done]


# --- publication --------------------------------------------------------------------------------

def slugify(title):
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:100] or "arrangements"


def _slug_for(draft):
    """The draft's public slug: the one it had before, or one made from its title (unique across drafts)."""
    earlier = db.session.execute(select(Publication.slug).where(Publication.draft_id == draft.id).limit(1)
                                 ).scalar_one_or_none()
    if earlier:
        return earlier
    slug = slugify(draft.title)
    taken = db.session.execute(select(func.count()).select_from(Publication).where(Publication.slug == slug,
                                                                                   Publication.draft_id != draft.id)
                               ).scalar_one()
    return f"{slug}-{draft.id}" if taken else slug


def publish(request, by_id):
    """The rule is met: publish, recording the log head at sign-off (the last approval's entry)."""
    seq, head = trail.head()
    version = request.version
    publication = Publication(request_id=request.id, version_id=version.id, draft_id=version.draft_id,
                              slug=_slug_for(version.draft), version_number=version.number,
                              effective_date=request.effective_date, log_seq=seq, log_head=head)
    db.session.add(publication)
    request.status, request.closed_at = RequestStatus.PUBLISHED.value, utcnow()
    db.session.flush()
    trail.append("arrangement.published", f"publication:{publication.id}", {
        "request": request.id, "version": version.id, "version_hash": version.content_hash,
        "slug": publication.slug, "version_number": version.number, "log_seq": seq, "log_head": head,
        "effective_date": request.effective_date.isoformat()}, actor=by_id)
    return publication


@trail.records_heads
def recorded_heads():
    """The log heads sign-offs and publications were made over, for verify-log to check against the chain."""
    for signoff_id, seq, head in db.session.execute(select(SignOff.id, SignOff.log_seq, SignOff.log_head)
                                                    .order_by(SignOff.id)):
        yield f"sign-off {signoff_id}", seq, head
    for publication_id, seq, head in db.session.execute(select(Publication.id, Publication.log_seq,
                                                               Publication.log_head).order_by(Publication.id)):
        yield f"publication {publication_id}", seq, head


# --- reading ------------------------------------------------------------------------------------

def requests_for_consultation(consultation):
    return db.session.execute(select(SignOffRequest).where(SignOffRequest.consultation_id == consultation.id)
                              .order_by(SignOffRequest.id.desc())).scalars().all()


def open_requests(partnership_id):
    from app.consultations.models import Consultation
    from app.drafts.models import DraftArrangement

    return db.session.execute(
        select(SignOffRequest).join(Consultation).join(DraftVersion, Consultation.version_id == DraftVersion.id)
        .join(DraftArrangement).where(DraftArrangement.partnership_id == partnership_id,
                                      SignOffRequest.status == RequestStatus.OPEN.value)
        .order_by(SignOffRequest.id)).scalars().all()


def partners_with_decisions(request):
    """[(partner, SignOff or None)] in the partnership's order."""
    decided = {s.statutory_partner_id: s for s in request.signoffs}
    return [(partner, decided.get(partner.id)) for partner in _partners(request.consultation.partnership_id)]


def returned_by(request):
    """The decisions that returned `request` (normally one: the request closes at the first return)."""
    return [s for s in request.signoffs if s.decision == Decision.RETURNED.value]


def returns_waiting(partnership_id):
    """Returned requests the facilitator has not acted on yet: the newest request of its consultation, with no
    version signed off since. Each is [(request, [returning SignOff])]."""
    from app.consultations.models import Consultation
    from app.drafts.models import DraftArrangement

    newest = select(func.max(SignOffRequest.id)).group_by(SignOffRequest.consultation_id)
    rows = db.session.execute(
        select(SignOffRequest).join(Consultation).join(DraftVersion, Consultation.version_id == DraftVersion.id)
        .join(DraftArrangement).where(DraftArrangement.partnership_id == partnership_id,
                                      SignOffRequest.status == RequestStatus.RETURNED.value,
                                      SignOffRequest.id.in_(newest))
        .order_by(SignOffRequest.id)).scalars().all()
    return [(request, returned_by(request)) for request in rows if returned_by(request)]


def returned_earlier(request, partner):
    """The newest earlier request of the same consultation that `partner` returned, or None: the decision page
    then shows what changed since the version they sent back."""
    return db.session.execute(
        select(SignOffRequest).join(SignOff, SignOff.request_id == SignOffRequest.id)
        .where(SignOffRequest.consultation_id == request.consultation_id, SignOffRequest.id < request.id,
               SignOff.statutory_partner_id == partner.id, SignOff.decision == Decision.RETURNED.value)
        .order_by(SignOffRequest.id.desc()).limit(1)).scalar_one_or_none()


def partner_by_id(partner_id):
    return db.session.get(StatutoryPartner, partner_id) if partner_id else None


def waiting_for(person):
    """For a signatory's home page: open requests their statutory partner has not decided yet."""
    authority = authority_of(person)
    if authority is None:
        return []
    return [r for r in open_requests(person.partnership_id)
            if authority.partner_id not in {s.statutory_partner_id for s in r.signoffs}]


@dataclass(frozen=True)
class RequestFacts:
    """What a request's summary shows besides the request itself, worked out by the view (templates run no
    queries): how many approvals its rule needs and each partner's decision in the partnership's order."""

    needed: int
    decisions: list


def facts_of(requests):
    """{request id: RequestFacts} for the requests a page shows."""
    return {r.id: RequestFacts(needed=needed(r), decisions=partners_with_decisions(r)) for r in requests}
