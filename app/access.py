"""Who may do what: the groups of roles, each named once, used by the navigation, the queries and the route
decorators alike (issue 15). A group that changes here changes for the menu, the page and the check together.
"""
from app.accounts.models import Role

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
