"""Lighthouse's mobile audit (simulated slow 4G) of the pages a phone user meets first.

    make audit                 # or: .venv/bin/python bench/audit.py   (make audit installs Lighthouse first)

It builds a fresh SQLite database with the demo partnership, serves it with gunicorn as the README deploys it,
signs in as the demo young person, and runs Lighthouse (npm `lighthouse`, in .audit/, driving Debian's Chromium)
on the consultation page as that young person, and on the public front door and a published arrangement as
nobody. It prints each page's performance, accessibility and best-practices scores against the targets (0.98,
1.0, 1.0) and writes bench/results/audit.md. A measurement, like `make bench`: not a test that can fail the build.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.soak.harness import Client, Gunicorn, csrf_of, flask, server_env  # noqa: E402

LIGHTHOUSE = ROOT / ".audit" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium")
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results"))
TARGETS = {"performance": 0.98, "accessibility": 1.0, "best-practices": 1.0}
PAGES = [("consultation page, as a young person", "/consultations/1", "youth-demo"),
         ("public front door", "/", None),
         ("a published arrangement", "/arrangements/thematic-groups", None)]


def say(*args):
    print(*args, flush=True)


def _database(workdir):
    url = f"sqlite:///{workdir}/audit.sqlite3"
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("PORTAL_ENV", None)  # demo-data is refused in production; the server below runs as production
    for args in (("db", "upgrade"), ("demo-data",)):
        done = flask(env, *args)
        if done.returncode:
            raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return url


def _cookie(port, login):
    client = Client(port)
    _status, _headers, html = client.request("GET", "/login")
    client.request("POST", "/login", {"email": login, "password": "demo-password-2019", "csrf_token": csrf_of(html)})
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def _lighthouse(url, cookie, workdir):
    report = Path(workdir) / "report.json"
    command = ["node", str(LIGHTHOUSE), url, f"--chrome-path={CHROMIUM}",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
               "--form-factor=mobile", "--throttling-method=simulate",
               "--only-categories=performance,accessibility,best-practices",
               "--output=json", f"--output-path={report}", "--quiet"]
    if cookie:
        headers = Path(workdir) / "headers.json"
        headers.write_text(json.dumps({"Cookie": cookie}))
        command.append(f"--extra-headers={headers}")
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if done.returncode or not report.exists():
        raise SystemExit(f"Lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    data = json.loads(report.read_text())
    scores = {key: data["categories"][key]["score"] for key in TARGETS}
    audits = data["audits"]
    dom = audits.get("dom-size") or audits.get("dom-size-insight") or {}
    notes = {"first contentful paint": audits["first-contentful-paint"]["displayValue"],
             "DOM elements": dom.get("numericValue") or 0}
    return scores, notes


def main():
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: run `make audit` (it installs it into .audit/)")
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        url = _database(workdir)
        with Gunicorn(server_env(url), workers=2) as server:
            for label, path, login in PAGES:
                cookie = _cookie(server.port, login) if login else None
                scores, notes = _lighthouse(f"http://127.0.0.1:{server.port}{path}", cookie, workdir)
                rows.append((label, path, scores, notes))
                say(f"{label} ({path}): " + ", ".join(
                    f"{key} {scores[key]:.2f} (target {target})" for key, target in TARGETS.items())
                    + f"; {notes['first contentful paint']} to first paint, {notes['DOM elements']:.0f} elements")
    lines = ["# Lighthouse mobile audit (simulated slow 4G)", "",
             "| page | performance | accessibility | best practices | first contentful paint | DOM elements |",
             "|---|---|---|---|---|---|"]
    for label, path, scores, notes in rows:
        met = {key: "✓" if scores[key] >= target else "✗" for key, target in TARGETS.items()}
        lines.append(f"| {label} (`{path}`) | {scores['performance']:.2f} {met['performance']} | "
                     f"{scores['accessibility']:.2f} {met['accessibility']} | "
                     f"{scores['best-practices']:.2f} {met['best-practices']} | "
                     f"{notes['first contentful paint']} | {notes['DOM elements']:.0f} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "audit.md").write_text("\n".join(lines) + "\n")
    say(f"written {RESULTS / 'audit.md'}")


if __name__ == "__main__":
    main()
