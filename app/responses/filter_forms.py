"""Forms for finding and tagging comments at scale on the answers page: shape only (rules in bulk.py/answering.py)."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional

from app.accounts.models import Audience
from app.consultations.models import VoteChoice
from app.responses.answering import Filters
from app.responses.forms import TagForm
from app.responses.models import Outcome

ANY = ("", "Any")


def _int(value):
    return int(value) if value not in (None, "", "None") and str(value).isdigit() else None


class FilterForm(FlaskForm):
    """A GET form (no CSRF: it changes nothing), so a filtered list has a link that can be shared or reloaded."""

    class Meta:
        csrf = False

    q = StringField("Search the comments", validators=[Optional(), Length(max=200)])
    section = SelectField("Section", coerce=_int, validate_choice=False)
    audience = SelectField("Audience", choices=[ANY] + [(a.value, a.label) for a in Audience], validate_choice=False)
    organisation = SelectField("Organisation", coerce=_int, validate_choice=False)
    theme = SelectField("Theme", coerce=_int, validate_choice=False)
    outcome = SelectField("Outcome", choices=[ANY] + [(o.value, o.label) for o in Outcome], validate_choice=False)
    answered = SelectField("Answered", choices=[ANY, ("no", "Not answered yet"), ("yes", "Answered")],
                           validate_choice=False)
    vote = SelectField("The commenter's vote on the section", choices=[ANY] + [(c.value, c.label) for c in VoteChoice],
                       validate_choice=False)
    page = HiddenField()

    def filters(self):
        valid = {name: getattr(self, name).data or None for name in ("audience", "outcome", "answered", "vote")}
        return Filters(q=(self.q.data or "").strip(), section=self.section.data, organisation=self.organisation.data,
                       theme=self.theme.data, page=_int(self.page.data) or 1, **valid)


class BulkTagForm(TagForm):
    comments = SelectMultipleField("Comments", coerce=int, validate_choice=False)
    back = HiddenField()  # the filtered list to go back to (a query string)
