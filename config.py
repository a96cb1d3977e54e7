"""Configuration, read from the environment in one place.

Every setting and its default is listed in the README ("Configuration").
`Config` is for development (`make run`), `ProductionConfig` for gunicorn
(`wsgi.py` picks it when `PORTAL_ENV=production`), `TestConfig` for pytest.
"""
import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-only-secret-key-change-me"


def _env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _database_url():
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{BASE_DIR / 'instance' / 'portal.sqlite3'}"
    # Accept the plain URLs hosting platforms hand out and use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Where links in emails point; the app never trusts the Host header for this.
    PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:5000")
    PORTAL_NAME = os.environ.get("PORTAL_NAME", "Safeguarding arrangements consultation")
    # Pages, CSS and JavaScript are sent compressed (Brotli or gzip): a phone on a slow connection waits less.
    # Turn it off (COMPRESS_RESPONSES=0) where the proxy in front compresses instead (README, Deploying).
    COMPRESS_RESPONSES = _env_bool("COMPRESS_RESPONSES", True)
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                          "image/svg+xml", "text/csv"]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "deflate"]
    # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)

    # Sessions: the cookie holds only a random id; the row in auth_session is the truth.
    SESSION_COOKIE_NAME = "portal_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    SESSION_IDLE_TIMEOUT_MINUTES = _env_int("SESSION_IDLE_TIMEOUT_MINUTES", 60)
    SESSION_ABSOLUTE_LIFETIME_HOURS = _env_int("SESSION_ABSOLUTE_LIFETIME_HOURS", 12)

    # Pages remembered per reader and data version, per worker process (app/fragments.py); 0 turns it off.
    PAGE_CACHE_SIZE = _env_int("PAGE_CACHE_SIZE", 200)
    FRAGMENT_CACHE_SIZE = _env_int("FRAGMENT_CACHE_SIZE", 5000)
    # Benchmarks only: say in an X-Page-Memo header whether a remembered page was served (hit) or drawn (miss).
    PAGE_MEMO_HEADER = _env_bool("PAGE_MEMO_HEADER", False)
    # --- issue 15 (memo): consultation pages shared by kind of reader (app/memo_store.py) ---
    # Unset: each worker keeps PAGE_CACHE_SIZE drawings itself; redis://host:6379/1 shares them between hosts.
    PAGE_CACHE_REDIS_URL = os.environ.get("PAGE_CACHE_REDIS_URL") or None
    PAGE_CACHE_TTL_SECONDS = _env_int("PAGE_CACHE_TTL_SECONDS", 86400)
    # --- end memo ---

    # Rate limits: memory by default; a redis:// URI shares them between hosts.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_FAILURES_PER_MINUTE = _env_int("LOGIN_FAILURES_PER_MINUTE", 5)  # per account and route
    # Per address and route: several people behind one office address must not lock each other out.
    ADDRESS_FAILURES_PER_MINUTE = _env_int("ADDRESS_FAILURES_PER_MINUTE", 30)

    # Account links sent by email.
    INVITATION_TTL_HOURS = _env_int("INVITATION_TTL_HOURS", 72)
    PASSWORD_RESET_TTL_MINUTES = _env_int("PASSWORD_RESET_TTL_MINUTES", 60)
    # "Forgotten your password?" answers after this long whether or not the address is known (no enumeration).
    PASSWORD_RESET_ANSWER_SECONDS = float(os.environ.get("PASSWORD_RESET_ANSWER_SECONDS") or 0.5)
    # Parents, carers and the public register themselves (issue 17): the link that confirms their address, how
    # many registrations one address may send an hour, and when a registration never confirmed is anonymised.
    EMAIL_CONFIRMATION_TTL_HOURS = _env_int("EMAIL_CONFIRMATION_TTL_HOURS", 24)
    REGISTRATIONS_PER_HOUR = _env_int("REGISTRATIONS_PER_HOUR", 10)  # per sender's address
    REGISTRATION_EMAILS_PER_HOUR = _env_int("REGISTRATION_EMAILS_PER_HOUR", 3)  # per email address typed
    UNCONFIRMED_REGISTRATION_DAYS = _env_int("UNCONFIRMED_REGISTRATION_DAYS", 7)
    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 12)
    # argon2id cost (RFC 9106 "second recommended": t=3, 64 MiB, p=4).
    ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_KIB = _env_int("ARGON2_MEMORY_KIB", 65536)
    ARGON2_PARALLELISM = _env_int("ARGON2_PARALLELISM", 4)

    # Mail: "console" prints messages (development); "smtp" sends them.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)  # STARTTLS
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)  # implicit TLS
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "portal@localhost")
    MAIL_TIMEOUT_SECONDS = _env_int("MAIL_TIMEOUT_SECONDS", 30)
    MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 8)

    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the (revocable) session

    # Request size: the largest form is a section (20,000 characters) plus a few fields. Only the upload forms
    # (app/attachments: documents for drafts, photos of workshop flipcharts) take files, and only they may send
    # more: UPLOAD_MAX_BYTES for the file plus a little for the other fields (app/converters.py).
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 1024 * 1024)
    MAX_FORM_PARTS = _env_int("MAX_FORM_PARTS", 1000)
    MAX_FORM_MEMORY_SIZE = MAX_CONTENT_LENGTH  # one field may be the whole request, no more

    # Uploaded files (issue 19): kept outside the web root, named by a random id, served only through routes that
    # check who may see them. The largest file accepted, in bytes (10 MB by default).
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or str(BASE_DIR / "instance" / "uploads")
    UPLOAD_MAX_BYTES = _env_int("UPLOAD_MAX_BYTES", 10_000_000)
    # An image larger than this many pixels is refused before it is decoded (a "decompression bomb").
    UPLOAD_MAX_IMAGE_PIXELS = _env_int("UPLOAD_MAX_IMAGE_PIXELS", 40_000_000)

    # Signed checkpoints of the consultation log (issue 20, README "Signed checkpoints"). LOG_SIGNING_KEY: a path to
    # an Ed25519 private key (PEM, PKCS#8) or its 32-byte seed in base64. Unset outside production: a key is made
    # in LOG_SIGNING_KEY_FILE on first use (and the log says so). LOG_ORIGIN: the checkpoint's first line (default:
    # the host of PORTAL_BASE_URL + "/consultation-log": set it in production, as checkpoints signed under one origin
    # do not verify under another if the address changes); LOG_KEY_NAME: the signature's key name (default: the
    # origin). LOG_RETIRED_KEYS: the verifier keys of earlier signing keys, one per line, kept to check old
    # checkpoints with.
    LOG_SIGNING_KEY = os.environ.get("LOG_SIGNING_KEY")
    LOG_SIGNING_KEY_FILE = os.environ.get("LOG_SIGNING_KEY_FILE") or str(BASE_DIR / "instance" / "log-signing-key.pem")
    LOG_ORIGIN = os.environ.get("LOG_ORIGIN")
    LOG_KEY_NAME = os.environ.get("LOG_KEY_NAME")
    LOG_RETIRED_KEYS = [key for key in (os.environ.get("LOG_RETIRED_KEYS") or "").split() if key]
    # --- issue 20, part 4 (receipts): email each author the receipt for their comment, reply or vote ---
    RECEIPT_EMAILS = _env_bool("RECEIPT_EMAILS", True)

    # --- passkeys (issue 20, part 5; README "Signing off with a passkey") ---
    # The WebAuthn relying party: its ID (a domain, never an IP address) and the origin pages are served from.
    # Unset: taken from the request's host (fine in development; set both in production).
    WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID")
    WEBAUTHN_ORIGIN = os.environ.get("WEBAUTHN_ORIGIN")
    WEBAUTHN_CHALLENGE_TTL_MINUTES = _env_int("WEBAUTHN_CHALLENGE_TTL_MINUTES", 10)
    # --- end passkeys ---


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")

    @classmethod
    def check(cls, settings=None):
        """Refuse to start with settings that are only safe on a laptop."""
        secret_key = (settings or {}).get("SECRET_KEY", cls.SECRET_KEY)
        if not isinstance(secret_key, str) or secret_key == DEV_SECRET_KEY or len(secret_key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of 32 or more characters in production"
            )
        if not (settings or {}).get("LOG_SIGNING_KEY", cls.LOG_SIGNING_KEY):
            raise RuntimeError("LOG_SIGNING_KEY must be set in production: the key the log's checkpoints are "
                               "signed with (README, Signed checkpoints)")


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") and _database_url() or "sqlite://"
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_BACKEND = "smtp"
    MAIL_SERVER = "127.0.0.1"
    PORTAL_BASE_URL = "http://portal.test"
    PASSWORD_RESET_ANSWER_SECONDS = 0  # tests that time it set their own
    # Uploaded files of the whole test run go to one folder of their own, never into instance/.
    UPLOAD_FOLDER = os.environ.get("TEST_UPLOAD_FOLDER") or os.path.join(tempfile.gettempdir(),
                                                                         f"portal-test-uploads-{os.getpid()}")
    # The test run's log signing key is made once, outside instance/.
    LOG_SIGNING_KEY_FILE = os.path.join(tempfile.gettempdir(), f"portal-test-log-key-{os.getpid()}.pem")
    # Cheaper hashing keeps the suite fast; still argon2id, still verified for real.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_KIB = 8192
    ARGON2_PARALLELISM = 1
    # Receipt emails (issue 20) are off here so other rooms' tests count only their own notices;
    # tests/receipts turns them on (app_config) and tests them.
    RECEIPT_EMAILS = False
