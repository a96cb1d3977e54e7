"""The rules for the partnership and its organisations. One function = one transaction."""
from sqlalchemy import delete, select

from app.database import transaction
from app.errors import DomainError
from app.extensions import db
from app.partnerships.models import (Area, Organisation, OrganisationKind, Partnership, PartnerKind, SignOffRule,
                                     StatutoryPartner, StatutoryPartnerArea, StatutoryPartnerMember)
from app.trail import services as trail

# The kind of organisation each statutory partner slot may hold.
PARTNER_ORGANISATION_KIND = {
    PartnerKind.LOCAL_AUTHORITY: OrganisationKind.LOCAL_AUTHORITY,
    PartnerKind.POLICE: OrganisationKind.POLICE,
    PartnerKind.ICB: OrganisationKind.ICB,
}


def current_partnership():
    """The partnership this installation serves (one per installation; see README)."""
    return db.session.execute(select(Partnership).order_by(Partnership.id).limit(1)).scalar_one_or_none()


def create_partnership(*, name, slug, areas, by=None):
    """A partnership with its areas and the default three statutory partner slots (empty)."""
    with transaction() as session:
        partnership = Partnership(name=name, slug=slug, signoff_rule=SignOffRule.ALL_PARTNERS.value)
        session.add(partnership)
        session.flush()
        for area in areas:
            session.add(Area(partnership_id=partnership.id, name=area))
        trail.append("partnership.created", f"partnership:{partnership.id}",
                     {"name": name, "areas": list(areas)}, actor=by.id if by else None)
    return partnership


def update_partnership(by, partnership, *, name, areas, signoff_rule, signoff_quorum=None):
    if not (name or "").strip():
        raise DomainError("Enter the partnership's name", field="name")
    areas = [area.strip() for area in areas if area.strip()]
    if not areas:
        raise DomainError("Enter at least one local authority area", field="areas")
    if len(set(a.lower() for a in areas)) != len(areas):
        raise DomainError("Each area must be listed once", field="areas")
    rule = SignOffRule(signoff_rule)
    with transaction() as session:
        if rule == SignOffRule.N_OF_M:
            total = len(partnership.statutory_partners)
            if not signoff_quorum or not 1 <= signoff_quorum <= total:
                raise DomainError(f"Enter a number of partners from 1 to {total}", field="signoff_quorum")
        partnership.name = name.strip()
        partnership.signoff_rule = rule.value
        partnership.signoff_quorum = signoff_quorum if rule == SignOffRule.N_OF_M else None
        keep = {a.lower(): a for a in areas}
        for area in list(partnership.areas):
            if area.name.lower() not in keep:
                # Partners stop covering an area that leaves the partnership.
                session.execute(delete(StatutoryPartnerArea).where(StatutoryPartnerArea.area_id == area.id))
                session.delete(area)
            else:
                area.name = keep[area.name.lower()]  # the same area, perhaps written with other capitals
        existing = {a.name.lower() for a in partnership.areas}
        session.flush()
        for area in areas:
            if area.lower() not in existing:
                session.add(Area(partnership_id=partnership.id, name=area))
        trail.append("partnership.updated", f"partnership:{partnership.id}",
                     {"name": partnership.name, "areas": areas, "signoff_rule": rule.value,
                      "signoff_quorum": partnership.signoff_quorum}, actor=by.id)


def add_organisation(by, partnership, *, name, kind, statutory_partner=None):
    """Add an organisation; local authority, police and ICB bodies may join a statutory partner slot."""
    name, kind = name.strip(), OrganisationKind(kind)
    with transaction() as session:
        clash = session.execute(select(Organisation).where(Organisation.partnership_id == partnership.id,
                                                           Organisation.name == name)).first()
        if clash:
            raise DomainError("An organisation with this name already exists", field="name")
        if statutory_partner is not None:
            if PARTNER_ORGANISATION_KIND[PartnerKind(statutory_partner.kind)] != kind:
                raise DomainError(f"Only a {PARTNER_ORGANISATION_KIND[PartnerKind(statutory_partner.kind)].label.lower()}"
                                  f" can join {statutory_partner.name}", field="statutory_partner")
        organisation = Organisation(partnership_id=partnership.id, name=name, kind=kind.value)
        session.add(organisation)
        session.flush()
        if statutory_partner is not None:
            session.add(StatutoryPartnerMember(statutory_partner_id=statutory_partner.id,
                                               organisation_id=organisation.id))
        trail.append("organisation.added", f"organisation:{organisation.id}",
                     {"name": name, "kind": kind.value,
                      "statutory_partner": statutory_partner.id if statutory_partner else None},
                     actor=by.id if by else None)
    return organisation


def _areas_of(partnership, areas):
    """The chosen areas, checked to be the partnership's own (at least one)."""
    ids = {area.id for area in partnership.areas}
    areas = [area for area in areas if area is not None]
    if not areas:
        raise DomainError("Choose at least one area this partner covers", field="areas")
    if any(area.id not in ids for area in areas):
        raise DomainError("Choose areas of this partnership", field="areas")
    return areas


def add_statutory_partner(by, partnership, *, name, kind, areas=None):
    """A statutory partner (with its own lead and delegates) covering `areas` (by default all the partnership's)."""
    kind, name = PartnerKind(kind), (name or "").strip()
    if not name:
        raise DomainError("Enter the statutory partner's name", field="name")
    areas = _areas_of(partnership, list(partnership.areas) if areas is None else areas)
    with transaction() as session:
        clash = session.execute(select(StatutoryPartner.id).where(StatutoryPartner.partnership_id == partnership.id,
                                                                  StatutoryPartner.name == name)).first()
        if clash:
            raise DomainError("A statutory partner with this name already exists", field="name")
        partner = StatutoryPartner(partnership_id=partnership.id, name=name, kind=kind.value)
        session.add(partner)
        session.flush()
        for area in areas:
            session.add(StatutoryPartnerArea(statutory_partner_id=partner.id, area_id=area.id))
        trail.append("statutory_partner.added", f"statutory_partner:{partner.id}",
                     {"name": partner.name, "kind": kind.value, "areas": sorted(a.id for a in areas)},
                     actor=by.id if by else None)
    db.session.expire(partner, ["areas"])
    return partner


def set_partner_areas(by, partner, areas):
    """Say which of the partnership's areas a statutory partner covers."""
    areas = _areas_of(partner.partnership, areas)
    with transaction() as session:
        session.execute(delete(StatutoryPartnerArea).where(StatutoryPartnerArea.statutory_partner_id == partner.id))
        for area in areas:
            session.add(StatutoryPartnerArea(statutory_partner_id=partner.id, area_id=area.id))
        trail.append("statutory_partner.areas_changed", f"statutory_partner:{partner.id}",
                     {"areas": sorted(a.id for a in areas)}, actor=by.id if by else None)
    db.session.expire(partner, ["areas"])


def coverage_gaps(partnership):
    """[(area, PartnerKind)] for each area that no partner of that kind covers: s16E wants all three in each."""
    covered = {(area.id, PartnerKind(partner.kind)) for partner in partnership.statutory_partners
               for area in partner.areas}
    return [(area, kind) for area in partnership.areas for kind in PartnerKind if (area.id, kind) not in covered]
