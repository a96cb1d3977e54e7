"""Demo moderation data: an invite code for the youth council, and one approved young person's comment."""
from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Role
from app.consultations.models import Comment, CommentStatus
from app.extensions import db
from app.moderation import services
from app.moderation.models import InviteCode
from app.timeutil import utcnow

DEMO_CODE = "NSYC-DEMO-2019"
DEMO_GROUP = "North Somerset Youth Council"


def load_demo_moderation(partnership, people):
    """Idempotent: the code is made once; one pending young person's comment is approved if none is yet."""
    group = next((o for o in partnership.organisations if o.name == DEMO_GROUP), None)
    if group is None:
        return
    if db.session.execute(select(InviteCode).where(InviteCode.code_hash == services.code_hash(DEMO_CODE))
                          ).scalar_one_or_none() is None:
        services.issue_invite_code(None, group, max_uses=100, expires_at=utcnow() + timedelta(days=365),
                                   code=DEMO_CODE)
    moderator = people.get("facilitator@demo.test")
    if moderator is None or not moderator.has_role(Role.FACILITATOR):
        return
    young = Comment.author_audience == "young_people"
    approved = db.session.execute(select(Comment.id).where(young, Comment.status == CommentStatus.PUBLISHED.value)
                                  .limit(1)).scalar_one_or_none()
    waiting = db.session.execute(select(Comment).where(young, Comment.status == CommentStatus.PENDING.value,
                                                       Comment.flagged.is_(False))
                                 .order_by(Comment.id).limit(1)).scalar_one_or_none()
    if approved is None and waiting is not None:
        services.approve(moderator, waiting)
