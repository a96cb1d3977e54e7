"""Entry point for gunicorn (`gunicorn wsgi:app`) and the flask CLI (`flask --app wsgi ...`).

PORTAL_ENV=production selects ProductionConfig, which refuses the default secret key.
"""
import os

from app import create_app
from config import Config, ProductionConfig

app = create_app(ProductionConfig if os.environ.get("PORTAL_ENV") == "production" else Config)
