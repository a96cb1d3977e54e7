"""Separation of duties: who may hold, give and confirm the roles that carry power.

The statutory guidance rests on the partners and the independent scrutineer checking the partnership's
business unit, so:
- nobody gives themselves a role;
- a facilitator may not also be the scrutineer or a signatory (they would check their own work);
- signatory, delegate, scrutineer and DSL grants wait for a second, entitled person to confirm them
  (a partner's lead for that partner's signatories; any lead partner for the scrutineer and the DSL;
  `flask grant-first-lead` for a partner that has no lead yet);
- every grant and removal of these roles (and of the facilitator role) is emailed to the lead partners and
  the scrutineer, and kept as RoleGrantRequest rows they can read.
Callers run these inside their own transaction() unless the function says it commits.
"""
from sqlalchemy import select

from app.accounts.models import SIGNATORY_ROLES, Person, Role, RoleGrant, RoleGrantRequest
from app.database import transaction
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.mail import services as mail
from app.partnerships.models import StatutoryPartner
from app.timeutil import utcnow
from app.trail import services as trail

GUARDED = SIGNATORY_ROLES | {Role.SCRUTINEER, Role.DSL}
INDEPENDENT = SIGNATORY_ROLES | {Role.SCRUTINEER}
NOTIFIED = GUARDED | {Role.FACILITATOR}
SEPARATION_MESSAGE = ("A facilitator cannot also be the independent scrutineer or a signatory: the partners and the "
                      "scrutineer check the business unit's work, so nobody may check their own work.")


def check_separation(roles):
    roles = {Role(role) for role in roles}
    if Role.FACILITATOR in roles and roles & INDEPENDENT:
        raise DomainError(SEPARATION_MESSAGE, field="roles")


def check_not_self(by, person, roles):
    if by is not None and by.id == person.id and {Role(role) for role in roles} - person.roles:
        raise DomainError("You cannot give yourself a role: ask another facilitator", field="roles")


def _held(person, role):
    return next((grant for grant in person.grants if grant.role == role.value), None)


def _unchanged(person, role, statutory_partner_id, acting_for_id):
    grant = _held(person, role)
    if grant is None:
        return False
    if role not in SIGNATORY_ROLES:
        return True
    return (grant.statutory_partner_id == statutory_partner_id
            and grant.acting_for_id == (acting_for_id if role == Role.DELEGATED_SIGNATORY else None))


def split_roles(person, roles, statutory_partner_id, acting_for_id):
    """(roles to hold now, guarded roles that must wait for confirmation)."""
    now, waiting = set(), set()
    for role in {Role(role) for role in roles}:
        if role in GUARDED and not _unchanged(person, role, statutory_partner_id, acting_for_id):
            waiting.add(role)
        else:
            now.add(role)
    return now, waiting


def request_grants(by, person, roles, statutory_partner_id, acting_for_id):
    """Pending requests for `roles` (guarded), one per role; an identical pending request is not repeated."""
    for role in sorted(roles, key=lambda r: r.value):
        partner = statutory_partner_id if role in SIGNATORY_ROLES else None
        acting = acting_for_id if role == Role.DELEGATED_SIGNATORY else None
        same = db.session.execute(select(RoleGrantRequest.id).where(
            RoleGrantRequest.person_id == person.id, RoleGrantRequest.role == role.value,
            RoleGrantRequest.status == "pending",
            RoleGrantRequest.statutory_partner_id.is_not_distinct_from(partner))).first()
        if same:
            continue
        request = RoleGrantRequest(person_id=person.id, role=role.value, statutory_partner_id=partner,
                                   acting_for_id=acting, change="grant", requested_by_id=by.id if by else None)
        db.session.add(request)
        db.session.flush()
        trail.append("role.grant_requested", f"person:{person.id}",
                     {"role": role.value, "statutory_partner": partner, "request": request.id},
                     actor=by.id if by else None)
        _ask_confirmers(request)


def _confirmers(request):
    """The people who may confirm a pending request: the partner's lead for its signatories, else any lead."""
    leads = db.session.execute(select(Person).join(RoleGrant, RoleGrant.person_id == Person.id).where(
        Person.partnership_id == request.person.partnership_id, RoleGrant.role == Role.LEAD_SIGNATORY.value,
        Person.is_active_account.is_(True))).scalars().unique().all()
    return [lead for lead in leads if may_confirm(lead, request)]


def _ask_confirmers(request):
    """Tell whoever may confirm the request that it waits for them (their home page says so too)."""
    role = Role(request.role)
    for person in _confirmers(request):
        if person.email:
            mail.queue(person.email, f"A role waits for you to confirm: {role.label}", "role_request",
                       person=person, request=request, role=role, path="/role-grants")


def waiting_for(by):
    """Pending requests `by` may confirm, oldest first (for their home page)."""
    pending = db.session.execute(select(RoleGrantRequest).join(Person, RoleGrantRequest.person_id == Person.id)
                                 .where(RoleGrantRequest.status == "pending",
                                        Person.partnership_id == by.partnership_id)
                                 .order_by(RoleGrantRequest.id)).scalars().all()
    return [request for request in pending if may_confirm(by, request)]


def record_removals(by, person, removed):
    """Removals take effect at once; the powerful ones are recorded and announced."""
    for role in sorted(removed & NOTIFIED, key=lambda r: r.value):
        grant = _held(person, role)
        request = RoleGrantRequest(person_id=person.id, role=role.value, change="removal", status="confirmed",
                                   statutory_partner_id=grant.statutory_partner_id if grant else None,
                                   requested_by_id=by.id if by else None, decided_by_id=by.id if by else None,
                                   decided_at=utcnow())
        db.session.add(request)
        _announce(person, role, "removal", by)


def record_direct_grants(by, person, added):
    """The facilitator role, given by another facilitator, needs no confirmation but is still announced."""
    for role in sorted(added & NOTIFIED, key=lambda r: r.value):
        db.session.add(RoleGrantRequest(person_id=person.id, role=role.value, change="grant", status="confirmed",
                                        requested_by_id=by.id if by else None, decided_by_id=by.id if by else None,
                                        decided_at=utcnow()))
        _announce(person, role, "grant", by)


def _announce(person, role, change, by):
    """Email every lead partner and scrutineer (the person concerned too) through the outbox."""
    people = db.session.execute(select(Person).where(Person.partnership_id == person.partnership_id,
                                                     Person.is_active_account.is_(True))).scalars()
    addresses = {p.email for p in people if p.email and p.has_role(Role.LEAD_SIGNATORY, Role.SCRUTINEER)}
    if person.email:
        addresses.add(person.email)
    subject = f"Role {'given' if change == 'grant' else 'removed'}: {role.label}"
    for address in sorted(addresses):
        mail.queue(address, subject, "role_change", person=person, role=role, change=change, by=by)


def may_confirm(by, request):
    """Whether `by` may confirm this pending request (never the person asking or the person given it)."""
    if by is None or request.status != "pending" or by.id in (request.person_id, request.requested_by_id):
        return False
    role = Role(request.role)
    if role in SIGNATORY_ROLES:
        return any(g.role == Role.LEAD_SIGNATORY.value and g.statutory_partner_id == request.statutory_partner_id
                   for g in by.grants)
    return by.has_role(Role.LEAD_SIGNATORY) and by.partnership_id == request.person.partnership_id


def _apply(request, by):
    person, role = request.person, Role(request.role)
    check_separation(person.roles | {role})
    if role == Role.DELEGATED_SIGNATORY:
        lead = request.acting_for
        if lead is None or not any(g.role == Role.LEAD_SIGNATORY.value
                                   and g.statutory_partner_id == request.statutory_partner_id for g in lead.grants):
            raise DomainError("The lead partner this delegate was to act for no longer signs for that partner")
    old = _held(person, role)
    if old is not None:  # the same role for another partner: the confirmed grant replaces it
        person.grants.remove(old)
        db.session.flush()
    person.grants.append(RoleGrant(role=role.value, statutory_partner_id=request.statutory_partner_id,
                                   acting_for_id=request.acting_for_id))
    request.status, request.decided_by_id, request.decided_at = "confirmed", by.id if by else None, utcnow()
    trail.append("role.granted", f"person:{person.id}",
                 {"role": role.value, "statutory_partner": request.statutory_partner_id, "request": request.id},
                 actor=by.id if by else None)
    _announce(person, role, "grant", by)


def confirm(by, request):
    """Another entitled person confirms a pending grant. One transaction."""
    with transaction():
        if request.status != "pending":
            raise DomainError("This request has already been decided")
        if not may_confirm(by, request):
            raise NotAllowed("Only another person entitled to confirm this role can confirm it")
        _apply(request, by)


def grant_first_lead(person, partner):
    """The installer's step (flask grant-first-lead): the first lead partner of a statutory partner."""
    with transaction():
        if person.partnership_id != partner.partnership_id:
            raise DomainError("This person belongs to another partnership")
        leads = db.session.execute(select(RoleGrant.id).where(RoleGrant.role == Role.LEAD_SIGNATORY.value,
                                                              RoleGrant.statutory_partner_id == partner.id)).first()
        if leads:
            raise DomainError(f"{partner.name} already has a lead partner, who confirms any further signatory")
        request = RoleGrantRequest(person_id=person.id, role=Role.LEAD_SIGNATORY.value, change="grant",
                                   statutory_partner_id=partner.id)
        db.session.add(request)
        db.session.flush()
        _apply(request, None)


def pending_and_history(partnership, limit=200):
    rows = db.session.execute(select(RoleGrantRequest).join(Person, Person.id == RoleGrantRequest.person_id)
                              .where(Person.partnership_id == partnership.id)
                              .order_by(RoleGrantRequest.id.desc()).limit(limit)).scalars().all()
    return [r for r in rows if r.status == "pending"], rows


def statutory_partner(partner_id):
    return db.session.get(StatutoryPartner, partner_id)
