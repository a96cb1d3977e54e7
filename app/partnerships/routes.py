"""Facilitators manage the partnership, its organisations and its people."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import Person, Role
from app.extensions import db
from app.forms import attempt, submit
from app.partnerships import services
from app.partnerships.forms import (EditPersonForm, InvitePersonForm, OrganisationForm, PartnerAreasForm,
                                    PartnershipForm, StatutoryPartnerForm)
from app.partnerships.models import Area, Organisation, StatutoryPartner
from app.security import roles_required

bp = Blueprint("partnerships", __name__, url_prefix="/admin")
facilitators_only = roles_required(Role.FACILITATOR)


def _partnership():
    partnership = services.current_partnership()
    if partnership is None:
        abort(404)
    return partnership


def _get_person(person_id):
    """Load a person of this partnership, or 404."""
    person = db.session.get(Person, person_id)
    if person is None or person.partnership_id != _partnership().id:
        abort(404)
    return person


def _fill_choices(form, partnership):
    none = [(None, "None")]
    form.organisation.choices = none + [(o.id, o.name) for o in partnership.organisations]
    form.statutory_partner.choices = none + [(p.id, p.name) for p in partnership.statutory_partners]
    leads = db.session.execute(select(Person).where(Person.partnership_id == partnership.id)
                               .order_by(Person.display_name)).scalars()
    form.acting_for.choices = none + [(p.id, p.display_name) for p in leads if p.has_role(Role.LEAD_SIGNATORY)]


def _person_fields(form, partnership):
    organisation = db.session.get(Organisation, form.organisation.data) if form.organisation.data else None
    return dict(display_name=form.display_name.data, organisation=organisation,
                roles=[Role(value) for value in form.roles.data],
                statutory_partner_id=form.statutory_partner.data, acting_for_id=form.acting_for.data)


def _waiting_note(roles):
    if not roles:
        return ""
    names = ", ".join(role.label for role in sorted(roles, key=lambda r: r.value))
    return f". {names} starts once another entitled person confirms it on the Roles page"


@bp.route("/people")
@facilitators_only
def people():
    partnership = _partnership()
    everyone = db.session.execute(select(Person).where(Person.partnership_id == partnership.id,
                                                       Person.is_group_voice.is_(False))  # workshops' voices
                                  .order_by(Person.display_name)).scalars().all()
    return render_template("partnerships/people.html", people=everyone)


@bp.route("/people/new", methods=["GET", "POST"])
@facilitators_only
def invite_person():
    partnership = _partnership()
    form = InvitePersonForm()
    _fill_choices(form, partnership)
    if done := submit(form, lambda: accounts.invite_person(current_user, partnership=partnership,
                                                           email=form.email.data, **_person_fields(form, partnership))):
        person = done.value
        flash(f"Invitation sent to {person.email}", "success")
        return redirect(url_for(".people"), 303)
    return render_template("partnerships/invite_person.html", form=form)


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@facilitators_only
def edit_person(person_id):
    partnership = _partnership()
    person = _get_person(person_id)
    form = EditPersonForm()
    _fill_choices(form, partnership)
    if not form.is_submitted():
        grant = next((g for g in person.grants if g.statutory_partner_id), None)
        form.display_name.data, form.organisation.data = person.display_name, person.organisation_id
        form.roles.data = [role.value for role in person.roles]
        form.statutory_partner.data = grant.statutory_partner_id if grant else None
        form.acting_for.data = next((g.acting_for_id for g in person.grants if g.acting_for_id), None)
        form.active.data = person.is_active_account
    if person.has_role(Role.YOUNG_PERSON, Role.PUBLIC):
        abort(404)  # young people's accounts belong to their group; the public's are their own (they registered)
    if done := submit(form, lambda: accounts.update_person(current_user, person, active=form.active.data,
                                                           **_person_fields(form, partnership))):
        waiting = done.value
        flash(f"{person.display_name}'s account has been updated" + _waiting_note(waiting), "success")
        return redirect(url_for(".people"), 303)
    return render_template("partnerships/edit_person.html", form=form, person=person)


@bp.route("/people/<int:person_id>/resend", methods=["POST"])
@facilitators_only
def resend_invitation(person_id):
    person = _get_person(person_id)
    if attempt(lambda: accounts.resend_invitation(current_user, person)):
        flash(f"A new invitation has been sent to {person.email}", "success")
    return redirect(url_for(".edit_person", person_id=person.id), 303)


@bp.route("/organisations", methods=["GET", "POST"])
@facilitators_only
def organisations():
    partnership = _partnership()
    form = OrganisationForm()
    form.statutory_partner.choices = [(None, "None")] + [(p.id, p.name) for p in partnership.statutory_partners]
    if done := submit(form, lambda: services.add_organisation(
            current_user, partnership, name=form.name.data, kind=form.kind.data, statutory_partner=db.session.get(
                StatutoryPartner, form.statutory_partner.data) if form.statutory_partner.data else None)):
        flash(f"{done.value.name} has been added", "success")
        return redirect(url_for(".organisations"), 303)
    return render_template("partnerships/organisations.html", form=form, partnership=partnership)


def _partner_form(partnership, form_class=StatutoryPartnerForm):
    form = form_class(prefix="partner")
    form.areas.choices = [(area.id, area.name) for area in partnership.areas]
    return form


def _chosen_areas(form):
    return [db.session.get(Area, area_id) for area_id in form.areas.data or []]


def _partnership_page(partnership, form, partner_form, status=200):
    # `form` is the one whose errors the page's error summary lists.
    return render_template("partnerships/partnership.html", form=partner_form if partner_form.errors else form,
                           details_form=form, partnership=partnership, partner_form=partner_form,
                           gaps=services.coverage_gaps(partnership)), status


@bp.route("/partnership", methods=["GET", "POST"])
@facilitators_only
def partnership():
    partnership = _partnership()
    form = PartnershipForm()
    if not form.is_submitted():
        form.name.data = partnership.name
        form.areas.data = "\n".join(area.name for area in partnership.areas)
        form.signoff_rule.data, form.signoff_quorum.data = partnership.signoff_rule, partnership.signoff_quorum
    if submit(form, lambda: services.update_partnership(
            current_user, partnership, name=form.name.data, areas=form.areas.data.splitlines(),
            signoff_rule=form.signoff_rule.data, signoff_quorum=form.signoff_quorum.data)):
        flash("The partnership's details have been saved", "success")
        return redirect(url_for(".partnership"), 303)
    return _partnership_page(partnership, form, _partner_form(partnership))


@bp.route("/partnership/partners", methods=["POST"])
@facilitators_only
def add_partner():
    """A facilitator adds a statutory partner (a council, police force or ICB) and says which areas it covers."""
    partnership = _partnership()
    partner_form = _partner_form(partnership)
    if done := submit(partner_form, lambda: services.add_statutory_partner(
            current_user, partnership, name=partner_form.name.data, kind=partner_form.kind.data,
            areas=_chosen_areas(partner_form))):
        partner = done.value
        flash(f"{partner.name} has been added as a statutory partner. Invite its lead safeguarding partner "
              "from People.", "success")
        return redirect(url_for(".partnership"), 303)
    form = PartnershipForm(formdata=None, name=partnership.name,
                           areas="\n".join(area.name for area in partnership.areas),
                           signoff_rule=partnership.signoff_rule, signoff_quorum=partnership.signoff_quorum)
    return _partnership_page(partnership, form, partner_form)


@bp.route("/partnership/partners/<int:partner_id>", methods=["GET", "POST"])
@facilitators_only
def partner_areas(partner_id):
    partnership = _partnership()
    partner = db.session.get(StatutoryPartner, partner_id)
    if partner is None or partner.partnership_id != partnership.id:
        abort(404)
    form = _partner_form(partnership, PartnerAreasForm)
    if not form.is_submitted():
        form.areas.data = [area.id for area in partner.areas]
    if submit(form, lambda: services.set_partner_areas(current_user, partner, _chosen_areas(form))):
        flash(f"The areas {partner.name} covers have been saved", "success")
        return redirect(url_for(".partnership"), 303)
    return render_template("partnerships/partner_areas.html", form=form, partner=partner)
