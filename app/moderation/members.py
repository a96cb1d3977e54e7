"""Youth workers look after their group's young people's accounts, and its invite codes. One function = one transaction.

A group's youth worker (or any facilitator) sees the group's members by pseudonym, with when each joined and last
took part; can issue a one-time password reset code to hand over in person (young people have no email); can
suspend and reactivate a member; and can stop (revoke) or change an invite code. Every act is logged, with ids only.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.accounts import services as accounts
from app.accounts.models import Person, Role, RoleGrant
from app.consultations.models import Comment, Vote
from app.database import transaction
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.moderation.models import InviteCode
from app.moderation.services import MAX_CODE_USES, _text, can_issue_codes
from app.timeutil import utcnow
from app.trail import services as trail

RESET_CODE_HOURS = 24


@dataclass
class Member:
    person: Person
    joined_at: datetime
    last_took_part_at: datetime | None

    @property
    def suspended(self):
        return not self.person.is_active_account


def _require_group_lead(by, organisation):
    if organisation is None or organisation.partnership_id != by.partnership_id:
        raise NotFound("No such group")
    if not can_issue_codes(by, organisation):
        raise NotAllowed("Only a facilitator or the group's youth worker can do this")


def _require_member_lead(by, member):
    if member is None or not member.has_role(Role.YOUNG_PERSON) or member.partnership_id != by.partnership_id:
        raise NotFound("No such member")
    _require_group_lead(by, member.organisation)


def members_of(by, organisation):
    """The group's young people, newest first, with when each last commented, replied or voted (2 statements)."""
    _require_group_lead(by, organisation)
    people = db.session.execute(
        select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(Person.organisation_id == organisation.id, RoleGrant.role == Role.YOUNG_PERSON.value)
        .order_by(Person.created_at.desc(), Person.id.desc())).scalars().all()
    ids = [p.id for p in people]
    last = {}
    if ids:
        commented = select(Comment.author_id.label("pid"), func.max(Comment.created_at).label("at")) \
            .where(Comment.author_id.in_(ids)).group_by(Comment.author_id)
        voted = select(Vote.person_id.label("pid"), func.max(Vote.updated_at).label("at")) \
            .where(Vote.person_id.in_(ids)).group_by(Vote.person_id)
        both = commented.union_all(voted).subquery()
        last = dict(db.session.execute(select(both.c.pid, func.max(both.c.at)).group_by(both.c.pid)).all())
    return [Member(person=p, joined_at=p.created_at, last_took_part_at=last.get(p.id)) for p in people]


def issue_reset_code(by, member, now=None):
    """A one-time code (24 hours) the youth worker hands to the member, who sets a new password with it."""
    now = now or utcnow()
    with transaction():
        by_id = by.id
        _require_member_lead(by, member)
        if not member.is_active_account:
            raise DomainError("This member's account is suspended: reactivate it first")
        code = accounts.new_reset_code(member, timedelta(hours=RESET_CODE_HOURS), now)
        trail.append("young_person.reset_code_issued", f"person:{member.id}",
                     {"expires_at": (now + timedelta(hours=RESET_CODE_HOURS)).strftime("%Y-%m-%dT%H:%M:%SZ")},
                     actor=by_id)
    return code


def suspend(by, member, reason, now=None):
    """The member cannot sign in (every session ends); their published comments stay, still anonymous."""
    now = now or utcnow()
    with transaction():
        by_id = by.id
        _require_member_lead(by, member)
        if not member.is_active_account:
            raise DomainError("This member's account is already suspended")
        reason = _text(reason, required=True, what="why you are suspending this account")
        member.is_active_account = False
        accounts.end_all_sessions(member.id)
        trail.append("young_person.suspended", f"person:{member.id}", {"reason_sha256": trail.text_hash(reason)},
                     actor=by_id)
    return member


def reactivate(by, member, now=None):
    with transaction():
        by_id = by.id
        _require_member_lead(by, member)
        if member.is_active_account:
            raise DomainError("This member's account is not suspended")
        member.is_active_account = True
        trail.append("young_person.reactivated", f"person:{member.id}", actor=by_id)
    return member


# --- invite codes: stop one, or change how many may use it and until when ---------------------------

def _require_code_lead(by, invite):
    if invite is None:
        raise NotFound("No such code")
    _require_group_lead(by, invite.organisation)


def revoke_code(by, invite, now=None):
    now = now or utcnow()
    with transaction():
        by_id = by.id
        _require_code_lead(by, invite)
        if invite.revoked_at is not None:
            raise DomainError("This code has already been stopped")
        invite.revoked_at, invite.revoked_by_id = now, by_id
        trail.append("invite_code.revoked", f"invite_code:{invite.id}", {"uses": invite.uses}, actor=by_id)
    return invite


def change_code(by, invite, *, max_uses, expires_at, now=None):
    now = now or utcnow()
    with transaction():
        by_id = by.id
        _require_code_lead(by, invite)
        if invite.revoked_at is not None:
            raise DomainError("This code has been stopped: issue a new one instead")
        if not max_uses or not max(1, invite.uses) <= max_uses <= MAX_CODE_USES:
            raise DomainError(f"The number of people must be between {max(1, invite.uses)} (the people who "
                              f"have joined with it) and {MAX_CODE_USES}", field="max_uses")
        if expires_at is None or expires_at <= now:
            raise DomainError("The code must expire in the future", field="days")
        invite.max_uses, invite.expires_at = max_uses, expires_at
        trail.append("invite_code.changed", f"invite_code:{invite.id}", {
            "max_uses": max_uses, "expires_at": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")}, actor=by_id)
    return invite


def codes_of(organisation):
    return db.session.execute(select(InviteCode).where(InviteCode.organisation_id == organisation.id)
                              .order_by(InviteCode.id.desc())).scalars().all()
