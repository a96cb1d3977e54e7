"""Who may do what: the groups of roles, each named once, used by the navigation, the queries and the route
decorators alike (issue 15). A group that changes here changes for the menu, the page and the check together.
"""
from dataclasses import dataclass

from flask import abort
from flask_login import current_user
from sqlalchemy import or_
from sqlalchemy.orm import joinedload

from app.accounts.models import Role
from app.extensions import db

# The rooms' models and queries are imported inside the functions below: they import this module's groups.

SIGNATORIES = (Role.LEAD_SIGNATORY, Role.DELEGATED_SIGNATORY)
# Read every draft, consultation and sign-off of the partnership without taking part in any: the business unit,
# the independent scrutineer and the statutory partners' signatories.
OVERSEERS = (Role.FACILITATOR, Role.SCRUTINEER, *SIGNATORIES)
# Also read what others may not: moderated and withdrawn text, draft answers, earlier versions.
SEES_ALL = (Role.FACILITATOR, Role.SCRUTINEER)
# Read comments under a safeguarding concern (app/moderation).
SEES_CONCERNS = (Role.SCRUTINEER, Role.DSL)
# Decide on comments: approve, reject, hide, restore, raise a concern, dismiss reports.
MODERATORS = (Role.FACILITATOR, Role.DSL)
# Read every moderation decision; the scrutineer decides none.
MODERATION_READERS = (*MODERATORS, Role.SCRUTINEER)
# Their posts wait for a moderator and are screened for possible disclosures of harm.
PRE_MODERATED = (Role.YOUNG_PERSON, Role.PUBLIC)

# The service navigation: (endpoint, text, the roles that see it), in order.
NAVIGATION = [
    ("drafts.index", "Drafts", OVERSEERS),
    ("consultations.index", "Consultations", (Role.FACILITATOR,)),
    ("signoff.index", "Sign-off", OVERSEERS),
    ("moderation.queue", "Moderation", MODERATION_READERS),
    ("moderation.concerns", "Concerns", SEES_CONCERNS),
    ("moderation.invite_codes", "Invite codes", (Role.YOUTH_WORKER,)),
    ("workshops.index", "Workshop input", (Role.FACILITATOR, Role.YOUTH_WORKER)),  # issue 19
    ("scrutiny.index", "Scrutiny", (Role.SCRUTINEER,)),
    ("role_grants.index", "Roles", OVERSEERS),
    ("partnerships.people", "People", (Role.FACILITATOR,)),
    ("partnerships.organisations", "Organisations", (Role.FACILITATOR,)),
    ("partnerships.partnership", "Partnership", (Role.FACILITATOR,)),
]


def navigation_for(person):
    """The menu items (endpoint, text) this person's roles open, Home first."""
    return [("main.home", "Home")] + [(endpoint, text) for endpoint, text, roles in NAVIGATION
                                      if person.has_role(*roles)]


# --- which comments a reader sees -------------------------------------------------------------------
# Defined once, as data, and turned into the SQL filter (app/consultations/queries.py) and the Python check
# (`can_see_comment`) alike, so the two cannot disagree (tests/main/test_access.py checks every reader kind,
# status and author against both).

@dataclass(frozen=True)
class CommentsSeen:
    """The statuses in which a reader sees anyone's comment, and those in which they read its text. A reader
    always sees their own comments, with their text, whatever their status ("Waiting for a moderator: only you
    can see it for now")."""

    statuses: frozenset
    text_statuses: frozenset


def comments_seen(access):
    """What `access` (app.consultations.queries.Access) sees of other people's comments."""
    from app.consultations.models import CommentStatus

    if access.sees_all:  # the business unit and scrutineers read moderated text; concerns are for the DSL's readers
        statuses = frozenset(s.value for s in CommentStatus
                             if access.sees_concerns or s != CommentStatus.CONCERN)
        return CommentsSeen(statuses, statuses)
    return CommentsSeen(frozenset({CommentStatus.PUBLISHED.value, CommentStatus.WITHDRAWN.value}),
                        frozenset({CommentStatus.PUBLISHED.value}))


def comment_visible_sql(access, person=None):
    """SQL: the comments `access` sees (a withdrawn one shows as a note, keeping its replies' place). `person`: the
    reader's id as a bound parameter, for a statement built once and run for many readers of the same kind."""
    from app.consultations.models import Comment

    return or_(Comment.status.in_(sorted(comments_seen(access).statuses)),
               Comment.author_id == (access.person_id if person is None else person))


def can_see_comment(comment, access):
    """Python: the same rule for one comment already loaded."""
    return comment.author_id == access.person_id or comment.status in comments_seen(access).statuses


def can_read_comment_text(comment, access):
    return comment.author_id == access.person_id or comment.status in comments_seen(access).text_statuses


# --- loading an object with what the signed-in person may do with it --------------------------------
# Every blueprint loads through these: an object of another partnership is 404 (never told it exists), one the
# person may not use as `need` asks is 403 (or 404 where its existence is itself private: comments, findings).

_NEEDS = {
    "partnership": lambda access, person: True,  # anyone of the partnership (the published record)
    "read": lambda access, person: access.can_read,
    "take_part": lambda access, person: access.can_read and access.can_take_part,
    "oversee": lambda access, person: access.can_read and person.has_role(*OVERSEERS),
    "facilitate": lambda access, person: access.can_read and access.is_facilitator,
}


def load_consultation(consultation_id, need="read"):
    """(consultation, access) for the signed-in person: 404 if it is not their partnership's, 403 if they may not
    `need` it: "partnership", "read", "take_part", "oversee" (the overseers' rooms) or "facilitate"."""
    from app.consultations.models import Consultation
    from app.consultations.queries import access_for
    from app.drafts.models import DraftVersion

    consultation = db.session.get(Consultation, consultation_id, options=[  # and its partnership, in one statement
        joinedload(Consultation.version).joinedload(DraftVersion.draft)])
    if consultation is None or consultation.partnership_id != current_user.partnership_id:
        abort(404)
    access = access_for(current_user, consultation)
    require(access, need)
    return consultation, access


def require(access, need):
    """403 unless the person may `need` the consultation `access` was worked out for (load_consultation's needs)."""
    if not _NEEDS[need](access, current_user):
        abort(403)


def load_comment(comment_id, need="read"):
    """(comment, consultation, access): 404 unless the person sees the comment (app/access.py rule above), then
    403 if they may not `need` its consultation."""
    from app.consultations.models import Comment

    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    consultation, access = load_consultation(comment.consultation_id, need="partnership")
    if not access.can_read or not can_see_comment(comment, access):
        abort(404)
    require(access, need)
    return comment, consultation, access


def load_signoff_request(request_id):
    """A sign-off request of the person's partnership, or 404 (what they may decide is the service's rule)."""
    from app.signoff.models import SignOffRequest

    found = db.session.get(SignOffRequest, request_id)
    if found is None or found.consultation.partnership_id != current_user.partnership_id:
        abort(404)
    return found


def load_finding(finding_id):
    """A scrutiny finding the person may see, or 404 (they are not told it exists)."""
    from app.scrutiny import services
    from app.scrutiny.models import Finding

    finding = db.session.get(Finding, finding_id)
    if finding is None or finding.consultation.partnership_id != current_user.partnership_id \
            or not services.visible_to(current_user, finding):
        abort(404)
    return finding



# --- receipts (issue 20, part 4): only the author downloads a receipt; anyone else is told nothing exists --------

def load_own_comment(comment_id):
    """A comment the signed-in person wrote, in their partnership; 404 for anyone else."""
    from app.consultations.models import Comment

    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.author_id != current_user.id or \
            comment.consultation.partnership_id != current_user.partnership_id:
        abort(404)
    return comment


def load_own_vote(vote_id):
    """A vote the signed-in person cast, in their partnership; 404 for anyone else."""
    from app.consultations.models import Consultation, Vote

    vote = db.session.get(Vote, vote_id)
    if vote is None or vote.person_id != current_user.id or \
            db.session.get(Consultation, vote.consultation_id).partnership_id != current_user.partnership_id:
        abort(404)
    return vote
