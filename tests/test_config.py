"""Configuration from the environment, the production guard, and the demo-data command."""
import pytest
from sqlalchemy import func, select

import config
from app import create_app
from app.accounts.models import Person
from app.demo import ACCOUNTS, DEMO_PASSWORD
from app.extensions import db as _db
from app.partnerships.models import Organisation, Partnership
from app.trail import services as trail
from config import DEV_SECRET_KEY, ProductionConfig, TestConfig

GOOD_KEY = "k3y-" + "x" * 40


def _production(secret_key, log_signing_key="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="):
    return type("Production", (ProductionConfig,), {"SECRET_KEY": secret_key, "LOG_SIGNING_KEY": log_signing_key})


def test_production_refuses_to_start_without_a_log_signing_key(tmp_path):
    """Outside production a key is made on first use; in production it must be given (issue 20)."""
    with pytest.raises(RuntimeError, match="LOG_SIGNING_KEY"):
        create_app(_production(GOOD_KEY, None), SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.sqlite3")


@pytest.mark.parametrize("secret_key", [DEV_SECRET_KEY, "", None, "too-short", "x" * 31])
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, secret_key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_production(secret_key), SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.sqlite3")


def test_production_refuses_a_weak_key_passed_as_an_override(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_production(GOOD_KEY), SECRET_KEY=DEV_SECRET_KEY,
                   SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.sqlite3")


def test_production_starts_with_a_long_secret_key_and_secure_cookies(tmp_path):
    app = create_app(_production(GOOD_KEY), SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.sqlite3")
    assert app.config["ENV_NAME"] == "production"
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.config.get("TESTING")


def test_development_and_test_configs_start_with_their_own_keys(tmp_path):
    assert create_app(config.Config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/d.sqlite3")
    assert create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/t.sqlite3")


@pytest.mark.parametrize("value,expected", [
    (None, f"sqlite:///{config.BASE_DIR / 'instance' / 'portal.sqlite3'}"),
    ("", f"sqlite:///{config.BASE_DIR / 'instance' / 'portal.sqlite3'}"),
    ("postgres://u:p@db:5432/portal", "postgresql+psycopg://u:p@db:5432/portal"),
    ("postgresql://u@db/portal", "postgresql+psycopg://u@db/portal"),
    ("postgresql+psycopg://u@db/portal", "postgresql+psycopg://u@db/portal"),
    ("sqlite:////srv/portal.sqlite3", "sqlite:////srv/portal.sqlite3"),
])
def test_database_url_from_the_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("DATABASE_URL", value)
    assert config._database_url() == expected


def test_settings_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_TIMEOUT_MINUTES", "15")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "yes")
    monkeypatch.setenv("MAIL_USE_TLS", "0")
    monkeypatch.delenv("MAIL_PORT", raising=False)
    assert config._env_int("SESSION_IDLE_TIMEOUT_MINUTES", 60) == 15
    assert config._env_int("MAIL_PORT", 25) == 25
    assert config._env_bool("SESSION_COOKIE_SECURE", False) is True
    assert config._env_bool("MAIL_USE_TLS", True) is False
    assert config._env_bool("NOT_SET_AT_ALL", True) is True


# --- demo data ---------------------------------------------------------------------------------

def _counts(db):
    count = lambda column: db.session.scalar(select(func.count(column)))  # noqa: E731
    return trail.head(), count(Person.id), count(Organisation.id), count(Partnership.id)


def test_demo_data_is_idempotent_and_its_log_verifies(app, db, runner):
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    assert "Demo partnership loaded" in first.output
    db.session.expire_all()
    after_first = _counts(db)
    assert after_first[1] >= len(ACCOUNTS) and after_first[3] == 1
    second = runner.invoke(args=["demo-data"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    db.session.expire_all()
    assert _counts(db) == after_first
    count, head = trail.head()
    verify = runner.invoke(args=["verify-log"])
    assert verify.exit_code == 0
    assert verify.output.strip() == f"OK {count} {head}"


def test_every_demo_account_signs_in(app, db, runner, client, csrf):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    for login, name, _organisation, roles, _slot in ACCOUNTS:
        response = client.post("/login", data={"email": login, "password": DEMO_PASSWORD,
                                               "csrf_token": csrf(client, "/login")})
        assert response.status_code == 303, login
        home = client.get("/").get_data(as_text=True)
        assert f"Welcome, {name}" in home
        assert all(role.label in home for role in roles)
        client.post("/logout", data={"csrf_token": csrf(client, "/accessibility")})


def test_demo_data_is_refused_in_production(database_url):
    production = create_app(_production(GOOD_KEY), SQLALCHEMY_DATABASE_URI=database_url)
    with production.app_context():  # the CLI runs in the current app context, so make it this one
        result = production.test_cli_runner().invoke(args=["demo-data"])
        assert result.exit_code != 0
        assert "refused in production" in result.output
        assert _db.session.scalar(select(func.count(Partnership.id))) == 0
        assert trail.head()[0] == 0
        _db.session.remove()
        _db.engine.dispose()
