from flask import Blueprint

bp = Blueprint("consultations", __name__)

from app.consultations import models  # noqa: E402,F401  (registers the tables)
