"""`flask demo-data`: the demo partnership from the seed papers (North Somerset, 2019).

Loads into an empty database only: a second run finds the partnership and changes nothing. It once completed
what seemed missing on every `make run`, and so approved a young person's waiting comment as the facilitator,
bypassing pre-moderation and logging an act nobody did (issue 14). Refused in production.
"""
import click
from flask import Blueprint, current_app

from app.accounts import services as accounts
from app.accounts.models import Role
from app.consultations.demo import load_demo_consultation
from app.drafts.demo import load_demo_drafts
from app.moderation.demo import load_demo_moderation
from app.privacy.demo import load_demo_privacy
from app.signoff.demo import load_demo_publication
from app.partnerships import services as partnerships
from app.partnerships.models import OrganisationKind as Kind, PartnerKind

bp = Blueprint("demo", __name__, cli_group=None)

DEMO_PASSWORD = "demo-password-2019"
SLUG = "north-somerset"

ORGANISATIONS = [
    # name, kind, statutory partner slot (by kind) or None
    ("North Somerset Council", Kind.LOCAL_AUTHORITY, PartnerKind.LOCAL_AUTHORITY),
    ("Avon and Somerset Constabulary", Kind.POLICE, PartnerKind.POLICE),
    ("Bristol, North Somerset and South Gloucestershire ICB", Kind.ICB, PartnerKind.ICB),
    ("Avon and Somerset Probation Service", Kind.RELEVANT_AGENCY, None),
    ("Avon Fire and Rescue Service", Kind.RELEVANT_AGENCY, None),
    ("Weston College", Kind.EDUCATION_OR_CHILDCARE, None),
    ("North Somerset Primary Schools Forum", Kind.EDUCATION_OR_CHILDCARE, None),
    ("Voluntary Action North Somerset", Kind.VOLUNTARY_OR_COMMUNITY, None),
    ("North Somerset Youth Council", Kind.YOUNG_PEOPLES_GROUP, None),
    ("Independent Scrutiny Service", Kind.RELEVANT_AGENCY, None),
]

PARTNERS = [
    (PartnerKind.LOCAL_AUTHORITY, "North Somerset Council"),
    (PartnerKind.POLICE, "Avon and Somerset Police"),
    (PartnerKind.ICB, "Bristol, North Somerset and South Gloucestershire ICB"),
]

# login, display name, organisation, roles, statutory partner slot
ACCOUNTS = [
    ("facilitator@demo.test", "Fran Facilitator", "North Somerset Council", [Role.FACILITATOR], None),
    ("practitioner@demo.test", "Priya Practitioner", "North Somerset Council", [Role.PRACTITIONER], None),
    ("vcs@demo.test", "Val Voluntary", "Voluntary Action North Somerset", [Role.VCS_PARTNER], None),
    ("la.partner@demo.test", "Lee Council", "North Somerset Council", [Role.LEAD_SIGNATORY], PartnerKind.LOCAL_AUTHORITY),
    ("police.partner@demo.test", "Pat Police", "Avon and Somerset Constabulary", [Role.LEAD_SIGNATORY], PartnerKind.POLICE),
    ("icb.partner@demo.test", "Isla Health", "Bristol, North Somerset and South Gloucestershire ICB",
     [Role.LEAD_SIGNATORY], PartnerKind.ICB),
    ("scrutineer@demo.test", "Sam Scrutineer", "Independent Scrutiny Service", [Role.SCRUTINEER], None),
    ("dsl@demo.test", "Dana Safeguarding", "North Somerset Council", [Role.DSL], None),
    ("youth.worker@demo.test", "Yusuf Youthworker", "North Somerset Youth Council", [Role.YOUTH_WORKER], None),
    ("youth-demo", "Youth demo", "North Somerset Youth Council", [Role.YOUNG_PERSON], None),
]


def _load_partnership_and_accounts():
    partnership = partnerships.create_partnership(
        name="North Somerset Safeguarding Children Partnership", slug=SLUG, areas=["North Somerset"])
    slots = {kind: partnerships.add_statutory_partner(None, partnership, name=name, kind=kind)
             for kind, name in PARTNERS}
    organisations = {name: partnerships.add_organisation(None, partnership, name=name, kind=kind,
                                                         statutory_partner=slots[slot] if slot else None)
                     for name, kind, slot in ORGANISATIONS}
    for login, name, organisation, roles, slot in ACCOUNTS:
        login_field = {"email": login} if "@" in login else {"username": login}
        accounts.create_account(
            None, partnership=partnership, display_name=name, roles=roles, password=DEMO_PASSWORD,
            organisation=organisations[organisation], statutory_partner_id=slots[slot].id if slot else None,
            **login_field)
    return partnership


def load_demo_data():
    """Create the demo partnership, accounts and content in an empty database. Returns False, having changed
    nothing, if any partnership is there already (start again from an empty database to reload the demo)."""
    if partnerships.current_partnership() is not None:
        return False
    partnership = _load_partnership_and_accounts()
    created = True
    people = {login: accounts.find_by_login(login) for login, *_ in ACCOUNTS}
    facilitator = people["facilitator@demo.test"]
    drafts = load_demo_drafts(partnership, facilitator)
    consultation = load_demo_consultation(partnership, facilitator, people, drafts)
    from app.org_responses.demo import load_demo_org_responses

    load_demo_org_responses(consultation)  # issue 19: a charity's formal response, and a council's draft
    load_demo_moderation(partnership, people)
    load_demo_privacy(partnership, facilitator)  # issue 18: the controller and retention periods
    created = bool(load_demo_publication(partnership, people, drafts, DEMO_PASSWORD)) or created
    return created


def load_hartlepool_stockton():
    """The second demo shape (app/demo_tees.py). Returns False if a partnership is there already: one
    partnership per installation, so it loads only into an empty database."""
    from app import demo_tees

    if partnerships.current_partnership() is not None:
        return False
    demo_tees.load(DEMO_PASSWORD)
    return True


SHAPES = {SLUG: load_demo_data, "hartlepool-stockton": load_hartlepool_stockton}


@bp.cli.command("demo-data")
@click.option("--shape", type=click.Choice(sorted(SHAPES)), default=SLUG, envvar="DEMO", show_default=True,
              help="Which demo partnership to load (or set DEMO).")
def demo_data(shape):
    """Load a demo partnership and its accounts (password: demo-password-2019)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("demo-data is refused in production: it creates accounts with a known password")
    if SHAPES[shape]():
        click.echo(f"Demo partnership loaded ({shape}). Sign in with any demo account; the password is "
                   + DEMO_PASSWORD)
    else:
        click.echo("This database already holds a partnership, so nothing changed "
                   "(the demo loads into an empty one only).")
