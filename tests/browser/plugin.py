"""Browser tests: the real app on a live server, driven by Debian's Chromium through Playwright.

A plugin (registered in tests/conftest.py) so that tests/browser/ (pages and widgets) and tests/journeys/ (a
person's whole journey across rooms) share one live server and one Chromium.

- `live_server` (session): create_app(TestConfig) served by werkzeug on 127.0.0.1 in a daemon thread, on a
  database of its own (a copy of the migrated SQLite template, or a PostgreSQL database made for it) with
  the demo data loaded. CSRF and every other protection stay on.
- `browser`: one Chromium, shared by every browser test in a row (see _Chromium).
- `context`/`page` and `nojs_context`/`nojs_page` (per test): fresh cookies; JavaScript on or off.
- `browser_errors`: every page above is watched; a console error, a CSP violation, an uncaught exception or
  a 5xx response fails the test.
Every test in those folders is marked `browser`.
"""
import os
import shutil
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from app import create_app
from app.demo import load_demo_data
from app.extensions import db as _db
from config import TestConfig
from tests.browser.helpers import CHROMIUM_ARGS, CSP_REPORTER, BrowserErrors, chromium_path
from tests.conftest import backend_url, create_postgres_database, drop_postgres_database


HERE = Path(__file__).resolve().parent
BROWSER_FOLDERS = (HERE, HERE.parent / "journeys")
# Waits are Playwright's own (no sleeps); generous limits keep a busy 2-core machine from failing a test.
ACTION_TIMEOUT_MS = 10_000
expect.set_options(timeout=ACTION_TIMEOUT_MS)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    url: str
    app: object

    def create_account(self, role="practitioner", password="a long and unguessable password"):
        """A throwaway account (for tests that change it); returns its email address."""
        from app.accounts import services as accounts
        from app.accounts.models import Role
        from app.partnerships.services import current_partnership

        email = f"browser-{uuid.uuid4().hex[:10]}@example.org"
        with self.app.app_context():
            partnership = current_partnership()
            accounts.create_account(None, partnership=partnership, display_name="Browser Tester", roles=[Role(role)],
                                    password=password, email=email, organisation=partnership.organisations[0])
            _db.session.remove()
        return email


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request drowns the test output
        pass


@contextmanager
def serve(request, tmp_path_factory, name, load):
    """A live server of its own: the app on a fresh database (a copy of the migrated SQLite template, or a
    PostgreSQL database made for it), `load()` run in its app context, served by werkzeug on 127.0.0.1 in a
    daemon thread. Yields (base URL, app, what `load` returned); stops the server and drops the database after."""
    url = backend_url()
    database = None
    if url and url.startswith("postgresql"):
        database = f"portal_{name}_{os.getpid()}"
        database_url = create_postgres_database(url, database)
    else:
        _kind, template = request.getfixturevalue("database_template")
        path = tmp_path_factory.mktemp(name) / "portal.sqlite3"
        shutil.copyfile(template, path)
        database_url = f"sqlite:///{path}"
    # Many tests show the wrong-password page on purpose, all from 127.0.0.1.
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, LOGIN_FAILURES_PER_MINUTE=1000,
                     ADDRESS_FAILURES_PER_MINUTE=1000, REGISTRATIONS_PER_HOUR=1000)
    with app.app_context():
        loaded = load()
        _db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    base_url = f"http://127.0.0.1:{server.server_port}"
    with app.app_context():  # the log's origin stays what the checkpoints made while loading were signed under
        from app.trail.signing import origin

        app.config["LOG_ORIGIN"] = origin()
    app.config["PORTAL_BASE_URL"] = base_url  # links in emails point at this server
    thread = threading.Thread(target=server.serve_forever, name=f"{name}-server", daemon=True)
    thread.start()
    try:
        yield base_url, app, loaded
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            _db.engine.dispose()
        if database:
            drop_postgres_database(url, database)


@pytest.fixture(scope="session")
def live_server(request, tmp_path_factory):
    """The demo partnership on a live server shared by every browser test and journey."""
    with serve(request, tmp_path_factory, "browser", load_demo_data) as (base_url, app, _loaded):
        yield LiveServer(url=base_url, app=app)


class _Chromium:
    """One Chromium for each unbroken run of browser tests.

    Playwright's sync API keeps an asyncio loop running on the main thread while it is started, which would
    break later tests that run their own loop; so it stops as soon as the next test is not a browser test.
    """

    def __init__(self):
        self._playwright = self._browser = None

    def get(self):
        if self._browser is None:
            executable = chromium_path()
            if not Path(executable).exists():
                pytest.fail(f"Chromium is not at {executable}. Run `make browser` to install Debian's Chromium "
                            "(or set PLAYWRIGHT_CHROMIUM to its path).", pytrace=False)
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        return self._browser

    def stop(self):
        if self._browser is not None:
            self._browser.close()
            self._playwright.stop()
        self._playwright = self._browser = None


_chromium = _Chromium()


def _is_browser_test(item):
    return any(folder in item.path.parents for folder in BROWSER_FOLDERS)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)  # the test's contexts are closed by now
    finally:
        if nextitem is None or not _is_browser_test(nextitem):
            _chromium.stop()


@pytest.fixture
def browser():
    return _chromium.get()


@pytest.fixture
def browser_errors():
    errors = BrowserErrors()
    yield errors
    errors.assert_clean()


def _context(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London", **options)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.add_init_script(CSP_REPORTER)
    context.javascript_enabled = options.get("java_script_enabled", True)  # read by axe_violations()
    return context


@pytest.fixture
def context(browser, live_server):
    context = _context(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def page(context, browser_errors):
    return browser_errors.watch(context.new_page())


@pytest.fixture
def nojs_context(browser, live_server):
    context = _context(browser, live_server, java_script_enabled=False)
    yield context
    context.close()


@pytest.fixture
def nojs_page(nojs_context, browser_errors):
    return browser_errors.watch(nojs_context.new_page())
