"""Shared fixtures: a migrated database per test, the app, a client, and factories.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL points
at one (as .ci/run does). Each test gets a fresh database built by the real
Alembic migrations, so the append-only triggers are there too:
- SQLite: the migrated file is copied per test;
- PostgreSQL: a database of its own for the session, emptied between tests.
"""
import os
import re
import shutil
import uuid

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.accounts import services as accounts
from app.accounts.models import Role
from app.extensions import db as _db
from app.partnerships import services as partnerships
from app.partnerships.models import OrganisationKind, PartnerKind
from config import TestConfig

# `smtp`: a real SMTP server for email tests; `live_server`, `page`, `nojs_page`...: Chromium on the real app
pytest_plugins = ["tests.smtp", "tests.browser.plugin", "tests.fixtures.consultations", "tests.fixtures.responses"]

PASSWORD = "correct horse battery staple"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def backend_url():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url or None


def _migrate(url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        _db.engine.dispose()


def create_postgres_database(base_url, name):
    """A fresh, migrated PostgreSQL database called `name` on the server of `base_url`."""
    server = make_url(base_url)
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # A test database need not survive a power cut: commits skip waiting for the disk (much faster).
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    admin.dispose()
    url = server.set(database=name).render_as_string(hide_password=False)
    _migrate(url)
    return url


def drop_postgres_database(base_url, name):
    admin = create_engine(make_url(base_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once per session: a template SQLite file, or a PostgreSQL test database."""
    url = backend_url()
    if url and url.startswith("postgresql"):
        name = f"portal_test_{os.getpid()}"
        migrated = create_postgres_database(url, name)
        yield ("postgresql", migrated)
        drop_postgres_database(url, name)
    else:
        path = tmp_path_factory.mktemp("db") / "template.sqlite3"
        _migrate(f"sqlite:///{path}")
        yield ("sqlite", path)


def _empty_postgres(url):
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = [row[0] for row in connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT IN ('alembic_version', 'data_version')"))]  # the data version's one row stays
        # Tests start from nothing; replica mode lets the cleanup pass the log's append-only triggers
        # (and the foreign keys, so the order does not matter). DELETE of a few rows is ~6x faster than TRUNCATE.
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            connection.execute(text(f'DELETE FROM "{table}"'))
        sequences = connection.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"))
        for (sequence,) in sequences.all():
            connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
    engine.dispose()


@pytest.fixture
def database_url(database_template, tmp_path):
    kind, source = database_template
    if kind == "postgresql":
        _empty_postgres(source)
        return source
    path = tmp_path / "portal.sqlite3"
    shutil.copyfile(source, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app_config():
    """Override in a test module to change settings: return a dict."""
    return {}


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts with an empty `g`, as in production.

    The `app` fixture keeps an app context pushed for the whole test, and Flask
    reuses it for test requests; without this, `g` would carry the signed-in
    user (Flask-Login), the CSRF token and the CSP nonce from one request, or
    one client, into the next.
    """

    def open(self, *args, **kwargs):
        context = _cv_app.get(None)
        if context is not None:
            context.g.__dict__.clear()
        return super().open(*args, **kwargs)


class SharedBytecodeCache(BytecodeCache):
    """Compiled templates kept for the whole session: compiling them again for each test's app costs ~1 s.

    Jinja checks each template's source checksum, so an edited template is compiled afresh.
    """

    def __init__(self):
        self.store = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


JINJA_BYTECODE = SharedBytecodeCache()


def _url_builders_made_when_first_used():
    """Each test makes an app of its own, and werkzeug compiles two URL builders for each of its ~150 routes as the
    app is made (Python code generated and compiled per rule): ≈ 130 ms a test, a third of `make check`. Here a
    builder is compiled the first time a URL of its rule is built, as it would be, and the rest never are."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder

    def lazily(rule, append_unknown=True):
        made = []

        def build(self, *args, **kwargs):
            if not made:
                made.append(compile_builder(self, append_unknown))
            return made[0](self, *args, **kwargs)

        return build

    Rule._compile_builder = lazily


_url_builders_made_when_first_used()


class SharedCompiledCache(dict):
    """SQL compiled once for the whole session: each test's app has an engine (and dialect) of its own, and
    SQLAlchemy keys its compiled statements by the dialect object, so every test compiled every statement again
    (≈ a fifth of `make check`). Here the dialect in a key is the first one of its kind (class, server version and
    parameter style: what compiling depends on), so a statement compiled for one test is used by the next."""

    def __init__(self):
        super().__init__()
        self.dialects = {}

    def _key(self, key):
        dialect = key[0]
        kind = (type(dialect), dialect.server_version_info, dialect.paramstyle)
        return (self.dialects.setdefault(kind, dialect), *key[1:])

    def get(self, key, default=None):
        return super().get(self._key(key), default)

    def __setitem__(self, key, value):
        super().__setitem__(self._key(key), value)


SQL_CACHE = SharedCompiledCache()


@pytest.fixture
def app(database_url, app_config):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, **app_config)
    app.test_client_class = FreshRequestClient
    app.jinja_env.bytecode_cache = JINJA_BYTECODE
    with app.app_context():
        _db.engine._compiled_cache = SQL_CACHE
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories --------------------------------------------------------------------------------

@pytest.fixture
def partnership(app):
    """A partnership with the three statutory partner slots and one organisation in each."""
    p = partnerships.create_partnership(name="Test Safeguarding Children Partnership", slug="test", areas=["Testshire"])
    slots = {}
    for kind, name, org_kind in [
        (PartnerKind.LOCAL_AUTHORITY, "Testshire Council", OrganisationKind.LOCAL_AUTHORITY),
        (PartnerKind.POLICE, "Testshire Police", OrganisationKind.POLICE),
        (PartnerKind.ICB, "Testshire ICB", OrganisationKind.ICB),
    ]:
        slot = partnerships.add_statutory_partner(None, p, name=name, kind=kind)
        partnerships.add_organisation(None, p, name=name, kind=org_kind, statutory_partner=slot)
        slots[kind] = slot
    partnerships.add_organisation(None, p, name="Testshire Youth Council", kind=OrganisationKind.YOUNG_PEOPLES_GROUP)
    partnerships.add_organisation(None, p, name="Testshire Voluntary Action", kind=OrganisationKind.VOLUNTARY_OR_COMMUNITY)
    p.slots = slots
    return p


def _organisation(partnership, name):
    return next((o for o in partnership.organisations if o.name == name), None)


@pytest.fixture
def make_person(partnership):
    """make_person(role=Role.PRACTITIONER, email=..., partner=PartnerKind.POLICE) -> Person with PASSWORD."""

    def make(role=Role.PRACTITIONER, email=None, username=None, name=None, partner=None, acting_for=None,
             organisation=None, password=PASSWORD):
        role = Role(role)
        if role == Role.YOUNG_PERSON:
            username = username or f"young-{uuid.uuid4().hex[:8]}"
            organisation = organisation or "Testshire Youth Council"
        else:
            email = email or f"{role.value}-{uuid.uuid4().hex[:8]}@example.org"
        if role in (Role.LEAD_SIGNATORY, Role.DELEGATED_SIGNATORY):
            partner = partner or PartnerKind.LOCAL_AUTHORITY
            organisation = organisation or partnership.slots[partner].name
        slot = partnership.slots[PartnerKind(partner)] if partner else None
        return accounts.create_account(
            None, partnership=partnership, display_name=name or role.label, roles=[role], password=password,
            email=email, username=username, organisation=_organisation(partnership, organisation or "Testshire Council"),
            statutory_partner_id=slot.id if slot else None, acting_for_id=acting_for.id if acting_for else None)

    return make


@pytest.fixture
def facilitator(make_person):
    """The partnership's facilitator, Fran Facilitator (every room's tests use one)."""
    return make_person(Role.FACILITATOR, name="Fran Facilitator")


@pytest.fixture
def login(client):
    """login(person) signs the test client in through the real login form."""

    def do_login(person, password=PASSWORD, target=client):
        response = target.post("/login", data={"email": person.login_name, "password": password,
                                               "csrf_token": csrf_token(target, "/login")})
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        return response

    return do_login


@pytest.fixture
def as_person(app, login):
    """as_person(person): a browser of its own (a test client), signed in as `person` — a second reader beside
    `client`, say."""

    def make(person):
        browser = app.test_client()
        login(person, target=browser)
        return browser

    return make


def csrf_token(client, path):
    """The CSRF token from the form on `path`, as a browser would send it."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html) or \
        re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def csrf():
    return csrf_token
