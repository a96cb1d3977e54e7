"""Serving the portal with gunicorn (the README's settings) and talking to it like a browser, stdlib only.

Shared by the soak test (tests/soak) and the benchmarks (bench/run.py).
"""
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
GUNICORN = str(VENV_BIN / "gunicorn")
FLASK = [str(VENV_BIN / "flask"), "--app", "wsgi"]
DEMO_PASSWORD = "demo-password-2019"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"|<meta name="csrf-token" content="([^"]+)"')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url, **extra):
    """The environment of a production deployment (README), on this machine's loopback."""
    env = dict(os.environ)
    env.update({
        "PORTAL_ENV": "production",
        "SECRET_KEY": "soak-and-bench-secret-key-0123456789abcdef",
        "LOG_SIGNING_KEY": "c29hay1hbmQtYmVuY2gtbG9nLXNpZ25pbmcta2V5ISE=",  # a fixed 32-byte seed, for soak and bench
        "DATABASE_URL": database_url,
        "SESSION_COOKIE_SECURE": "0",  # plain HTTP on 127.0.0.1: no TLS proxy in front here
        "MAIL_BACKEND": "console",  # mail is only queued in requests; nothing is sent
        "RATELIMIT_STORAGE_URI": "memory://",
        # Sign-in is not what is measured: cheap argon2 keeps many logins from dominating a short run.
        "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "8192", "ARGON2_PARALLELISM": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    env.update(extra)
    return env


class Gunicorn:
    """gunicorn --workers 4 --bind 127.0.0.1:<port> --access-logfile <file> wsgi:app (README's settings)."""

    def __init__(self, env, app="wsgi:app", workers=4, log_path=None, cwd=ROOT):
        self.port = free_port()
        self.log_path = log_path or os.devnull
        self.command = [GUNICORN, "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
                        "--access-logfile", self.log_path, app]
        self.env, self.cwd, self.process = env, cwd, None

    def __enter__(self):
        self.process = subprocess.Popen(self.command, env=self.env, cwd=self.cwd, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE if self.log_path == os.devnull else None)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.process.stderr.read().decode()[-3000:] if self.process.stderr else ''}")
            try:
                status = Client(self.port).get("/healthz")[0]
                if status in (200, 302, 404):
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def workers(self):
        """The worker processes' ids (children of this gunicorn master)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids


class Client:
    """One browser: keeps cookies; one connection a request (gunicorn's sync workers close it anyway)."""

    def __init__(self, port, timeout=30):
        self.port, self.timeout, self.cookies = port, timeout, {}

    def request(self, method, path, fields=None, headers=None):
        body = urlencode(fields, doseq=True) if fields is not None else None
        headers = dict(headers or {})
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for key, morsel in cookie.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = morsel.value
            return response.status, response.headers, data.decode("utf-8", "replace")
        finally:
            connection.close()

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, fields, **kwargs):
        return self.request("POST", path, fields, **kwargs)

    def sign_in(self, login, password=DEMO_PASSWORD):
        status, _h, html = self.get("/login")
        status, headers, _body = self.post("/login", {"email": login, "password": password,
                                                      "csrf_token": csrf_of(html)})
        if status != 303:
            raise RuntimeError(f"sign-in as {login} answered {status}")
        return self


def csrf_of(html):
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1) or match.group(2)


def location_path(headers):
    return urlsplit(headers.get("Location", "")).path


def flask(env, *args, timeout=600):
    """Run `flask --app wsgi <args>` with `env`; returns CompletedProcess (text)."""
    return subprocess.run([*FLASK, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
