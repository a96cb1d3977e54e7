"""Tie Flask-Login to server-side sessions: the cookie names a row in auth_session, and that row decides."""
from flask import request, session
from flask_login import login_user, logout_user

from app.accounts import services


def load_user(user_id):
    auth = services.load_session(session.get("sid"))
    if auth is None or str(auth.person_id) != str(user_id):
        return None
    person = auth.person
    if person is None or not person.is_active:
        return None
    services.touch_session(auth)
    return person


def sign_in(person):
    secret = services.start_session(person, request.user_agent.string)
    session.clear()  # a fresh cookie: nothing from before sign-in carries over
    session["sid"] = secret
    login_user(person)


def sign_out():
    services.end_session(session.get("sid"))
    logout_user()
    session.clear()
