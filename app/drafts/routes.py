from flask import Blueprint

bp = Blueprint("drafts", __name__)

from app.drafts import models  # noqa: E402,F401  (registers the tables)
