from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.accounts.models import ROLE_LABELS, Role
from app.forms import SingleLine
from app.partnerships.models import ORGANISATION_KIND_LABELS, PartnerKind, SignOffRule

# Young people join with a code and the public register themselves: neither role is given by a facilitator.
ROLE_CHOICES = [(role.value, label) for role, label in ROLE_LABELS.items() if role not in (Role.YOUNG_PERSON, Role.PUBLIC)]
SIGNOFF_RULE_CHOICES = [
    (SignOffRule.ALL_PARTNERS.value, "Every statutory partner approves (lead or delegated partner)"),
    (SignOffRule.ALL_LEADS.value, "Every lead safeguarding partner approves in person"),
    (SignOffRule.N_OF_M.value, "A number of statutory partners approve"),
    (SignOffRule.EVERY_AREA.value, "In every area, a local authority, a police force and an ICB covering it approve"),
]


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class PersonForm(FlaskForm):
    display_name = StringField("Full name", validators=[DataRequired("Enter the person's full name"), SingleLine(),
                                                                Length(max=120)])
    organisation = SelectField("Organisation", coerce=_int_or_none, validate_choice=True)
    roles = SelectMultipleField("Roles", choices=ROLE_CHOICES,
                                validators=[DataRequired("Choose at least one role")])
    statutory_partner = SelectField("Statutory partner they sign for", coerce=_int_or_none)
    acting_for = SelectField("Lead safeguarding partner they act for", coerce=_int_or_none)


class InvitePersonForm(PersonForm):
    email = StringField("Email address", validators=[
        DataRequired("Enter the person's email address"),
        Email("Enter an email address in the correct format, like name@example.org", check_deliverability=False),
        Length(max=254)])


class EditPersonForm(PersonForm):
    active = BooleanField("Account is active")


class OrganisationForm(FlaskForm):
    name = StringField("Organisation name", validators=[DataRequired("Enter the organisation's name"),
                                                                         SingleLine(), Length(max=200)])
    kind = RadioField("Kind of organisation", choices=[(k.value, v) for k, v in ORGANISATION_KIND_LABELS.items()],
                      validators=[DataRequired("Choose the kind of organisation")])
    statutory_partner = SelectField("Statutory partner it belongs to (local authority, police and ICB bodies only)",
                                    coerce=_int_or_none)


class PartnershipForm(FlaskForm):
    name = StringField("Partnership name", validators=[DataRequired("Enter the partnership's name"),
                                                                    SingleLine(), Length(max=200)])
    areas = TextAreaField("Local authority areas covered", description="One area a line",
                          validators=[DataRequired("Enter at least one local authority area"), Length(max=4000)])
    signoff_rule = RadioField("Sign-off rule", choices=SIGNOFF_RULE_CHOICES,
                              validators=[DataRequired("Choose a sign-off rule")])
    signoff_quorum = IntegerField("Number of statutory partners who must approve",
                                  validators=[Optional()])


class PartnerAreasForm(FlaskForm):
    areas = SelectMultipleField("Areas it covers", coerce=int,
                                validators=[DataRequired("Choose at least one area this partner covers")])


class StatutoryPartnerForm(PartnerAreasForm):
    name = StringField("Statutory partner's name", validators=[
        DataRequired("Enter the statutory partner's name"), Length(max=200)])
    kind = RadioField("Kind of statutory partner", choices=[(k.value, k.label) for k in PartnerKind],
                      validators=[DataRequired("Choose the kind of statutory partner")])
