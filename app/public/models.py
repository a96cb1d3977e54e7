"""The public pages read the signoff room's Publication (app.signoff.models); they have no tables of their own."""
from app.signoff.models import Publication  # noqa: F401
