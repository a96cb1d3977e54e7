"""Benchmarks: the portal against a bare Flask baseline, on SQLite and PostgreSQL, at several sizes.

    make bench                                   # or: .venv/bin/python bench/run.py
    BENCH_SIZES=1000,10000 BENCH_DURATION=5 BENCH_BACKENDS=sqlite make bench    # a quicker run
    BENCH_LOG_ENTRIES=200000 ...                 # fewer log entries for the verify/export timing

For each backend and size N it builds a fresh database (the demo partnership, then — bulk inserts — N comments on
the demo consultation, a third of them replies, across its sections and three audiences, and votes from N/20
extra people on every section), serves it with gunicorn as the README deploys it (4 workers), and drives it with
wrk (2 threads, 8 connections): the consultation page, the "more comments" fragment, posting a comment, casting a
vote. The baseline — bench/baseline, a Flask page rendered from a Jinja template file with render_template — is
served and driven the same way in the same run. It then times `flask verify-log` and `flask export-log` over
BENCH_LOG_ENTRIES (default 1,000,000) log entries made with the real hashing. Results: bench/results/latest.md.
"""
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from app.trail.tree import node_rows  # noqa: E402
from app.trail.verify_log import GENESIS_HASH, canonical, entry_bytes, entry_hash, leaf_hash, text_hash  # noqa: E402
from tests.conftest import POSTGRES_URL, create_postgres_database, drop_postgres_database  # noqa: E402
from tests.soak.harness import Client, Gunicorn, csrf_of, flask, server_env  # noqa: E402

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
BACKENDS = os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",")
LOG_ENTRIES = int(os.environ.get("BENCH_LOG_ENTRIES", "1000000"))
CONNECTIONS, THREADS = 8, 2
WRK_LUA = ROOT / "bench" / "wrk.lua"
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results"))
WORK = Path(os.environ.get("BENCH_WORKDIR", "/tmp/portal-bench"))
TARGETS = {"page_10k": 0.35, "scale": 0.9, "post_pg": 0.25, "verify_rate": 100_000, "verify_mb": 200}
ENDPOINTS = ["page", "fresh", "more", "comment", "vote"]
LABELS = {"baseline": "baseline (bare Flask + Jinja)", "page": "consultation page",
          "fresh": "consultation page drawn afresh (PAGE_CACHE_SIZE=0)",
          "more": "“more comments” fragment", "comment": "post a comment", "vote": "cast a vote"}
AUDIENCES = ["practitioners", "voluntary_and_community", "young_people"]
ROLE_OF = {"practitioners": "practitioner", "voluntary_and_community": "vcs_partner", "young_people": "young_person"}
WORDS = ("the working group should name a lead and meet every quarter with health education police and the "
         "voluntary sector so that families get help early and children are heard").split()


def say(*args):
    print(*args, flush=True)


# --- databases of a given size -------------------------------------------------------------------

def fresh_database(backend, tag):
    if backend == "sqlite":
        WORK.mkdir(parents=True, exist_ok=True)
        path = WORK / f"{tag}.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        result = flask(server_env(url), "db", "upgrade")
        assert result.returncode == 0, result.stderr[-3000:]
        return url, lambda: path.unlink(missing_ok=True)
    name = f"portal_bench_{tag}"
    url = create_postgres_database(POSTGRES_URL, name).replace("postgresql+psycopg://", "postgresql://")
    return url, lambda: drop_postgres_database(POSTGRES_URL, name)


def engine_for(url):
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def build(url, n):
    """The demo partnership, then N comments (1/3 replies) and votes from N/20 extra people, in bulk."""
    demo = flask({**server_env(url), "PORTAL_ENV": "development"}, "demo-data")
    assert demo.returncode == 0, demo.stderr[-3000:]
    engine = engine_for(url)
    rng = random.Random(n)
    now = datetime.utcnow().replace(microsecond=0)
    with engine.begin() as c:
        consultation_id = c.execute(text("SELECT MIN(id) FROM consultation")).scalar_one()
        version_id = c.execute(text("SELECT version_id FROM consultation WHERE id = :id"),
                               {"id": consultation_id}).scalar_one()
        sections = c.execute(text("SELECT id FROM section WHERE version_id = :v ORDER BY id"),
                             {"v": version_id}).scalars().all()
        partnership_id, organisation_id = c.execute(text("SELECT partnership_id, organisation_id FROM person "
                                                         "WHERE email = 'practitioner@demo.test'")).one()
        password_hash = c.execute(text("SELECT password_hash FROM person WHERE email = 'practitioner@demo.test'")
                                  ).scalar_one()
        first_person = c.execute(text("SELECT MAX(id) FROM person")).scalar_one() + 1
        people = max(60, n // 20)
        person_rows, grants, audience_of = [], [], {}
        for i in range(people):
            pid = first_person + i
            audience = AUDIENCES[i % 3]
            audience_of[pid] = audience
            young = audience == "young_people"
            person_rows.append({"id": pid, "partnership_id": partnership_id, "organisation_id": organisation_id,
                                "display_name": f"Bench person {i}", "email": None if young else f"bench{i}@bench.test",
                                "username": f"bench-young-{i}" if young else None, "password_hash": password_hash,
                                "is_active": True, "created_at": now})
            grants.append({"person_id": pid, "role": ROLE_OF[audience]})
        c.execute(text("INSERT INTO person (id, partnership_id, organisation_id, display_name, email, username, "
                       "password_hash, is_active, created_at) VALUES (:id, :partnership_id, :organisation_id, "
                       ":display_name, :email, :username, :password_hash, :is_active, :created_at)"), person_rows)
        c.execute(text("INSERT INTO role_grant (person_id, role) VALUES (:person_id, :role)"), grants)

        first_comment = (c.execute(text("SELECT MAX(id) FROM comment")).scalar_one() or 0) + 1
        comments, tops = [], []
        for i in range(n):
            cid = first_comment + i
            author = first_person + rng.randrange(people)
            section = rng.choice([None, *sections])
            parent = tops and i % 3 == 2 and rng.choice(tops[-200:])
            body = " ".join(rng.choices(WORDS, k=rng.randint(8, 40))).capitalize() + "."
            created = now - timedelta(seconds=n - i)
            if parent:
                comments.append({"id": cid, "consultation_id": consultation_id, "section_id": parent[1],
                                 "parent_id": parent[0], "thread_id": parent[0], "depth": 1, "author_id": author,
                                 "author_audience": audience_of[author], "body": body, "status": "published",
                                 "created_at": created, "flagged": False})
            else:
                tops.append((cid, section))
                comments.append({"id": cid, "consultation_id": consultation_id, "section_id": section,
                                 "parent_id": None, "thread_id": cid, "depth": 0, "author_id": author,
                                 "author_audience": audience_of[author], "body": body, "status": "published",
                                 "created_at": created, "flagged": False})
        for start in range(0, len(comments), 20_000):
            c.execute(text("INSERT INTO comment (id, consultation_id, section_id, parent_id, thread_id, depth, "
                           "author_id, author_audience, body, status, created_at, flagged) VALUES (:id, "
                           ":consultation_id, :section_id, :parent_id, :thread_id, :depth, :author_id, "
                           ":author_audience, :body, :status, :created_at, :flagged)"), comments[start:start + 20_000])
        votes = [{"consultation_id": consultation_id, "section_id": s, "person_id": p, "audience": audience_of[p],
                  "choice": rng.choice(["support", "support_with_changes", "oppose"]), "reason": "",
                  "created_at": now, "updated_at": now}
                 for p in range(first_person, first_person + people) for s in sections]
        for start in range(0, len(votes), 20_000):
            c.execute(text("INSERT INTO vote (consultation_id, section_id, person_id, audience, choice, reason, "
                           "created_at, updated_at) VALUES (:consultation_id, :section_id, :person_id, :audience, "
                           ":choice, :reason, :created_at, :updated_at)"), votes[start:start + 20_000])
        if engine.dialect.name == "postgresql":
            for table in ("person", "comment"):
                c.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"))
    with engine.begin() as c:
        if engine.dialect.name == "postgresql":
            c.execute(text("ANALYZE"))
        else:
            c.execute(text("ANALYZE"))
    engine.dispose()
    return consultation_id, sections, len(votes)


# --- driving with wrk -----------------------------------------------------------------------------

def wrk(port, path, duration=DURATION, **env):
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "10s", "-s", str(WRK_LUA),
               f"http://127.0.0.1:{port}{path}"]
    result = subprocess.run(command, env={**os.environ, **{k: v for k, v in env.items() if v is not None}},
                            capture_output=True, text=True, timeout=duration + 120)
    found = re.search(r"BENCH_JSON (\{.*\})", result.stdout)
    assert found, f"wrk failed: {result.stdout}\n{result.stderr}"
    stats = json.loads(found.group(1))
    non_2xx3xx = {code: n for code, n in stats["statuses"].items() if not code.startswith(("2", "3"))}
    stats["bad"] = non_2xx3xx
    return stats


def drive_portal(server, consultation_id, sections):
    client = Client(server.port).sign_in("practitioner@demo.test")
    status, _h, html = client.get(f"/consultations/{consultation_id}")
    assert status == 200, status
    token = csrf_of(html)
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    more = re.search(r'href="(/consultations/\d+/comments\?after=[^"]+)"[^>]*hx-target="#([^"]+)"', html) or \
        re.search(r'href="(/consultations/\d+/comments\?after=[^"]+)"', html)
    results = {}
    results["page"] = wrk(server.port, f"/consultations/{consultation_id}", BENCH_COOKIE=cookie)
    if more:
        path = more.group(1).replace("&amp;", "&")
        headers = "HX-Request: true" + (f"|HX-Target: {more.group(2)}" if more.lastindex and more.lastindex > 1 else "")
        results["more"] = wrk(server.port, path, BENCH_COOKIE=cookie, BENCH_HEADERS=headers)
    results["comment"] = wrk(server.port, f"/consultations/{consultation_id}/comments", BENCH_METHOD="POST",
                             BENCH_COOKIE=cookie, BENCH_CSRF=token,
                             BENCH_BODY=f"csrf_token={token}&c-general-body=Benchmark+comment+{{n}}+about+the+groups")
    section = sections[0]
    results["vote"] = wrk(server.port, f"/consultations/{consultation_id}/sections/{section}/vote",
                          BENCH_METHOD="POST", BENCH_COOKIE=cookie, BENCH_CSRF=token,
                          BENCH_BODY=f"csrf_token={token}&v{section}-choice={{choice}}&v{section}-reason=")
    return results


def drive_fresh_page(server, consultation_id):
    client = Client(server.port).sign_in("practitioner@demo.test")
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return wrk(server.port, f"/consultations/{consultation_id}", BENCH_COOKIE=cookie)


def cpu_per_request(url):
    """bench/cpu.py on this database: ms of CPU per request, in-process (not moved by the machine's load)."""
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "cpu.py"), "--url", url], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    found = re.search(r"CPU_JSON (\{.*\})", result.stdout)
    assert found, f"bench/cpu.py failed: {result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return json.loads(found.group(1))


def baseline_server():
    return Gunicorn(server_env("sqlite://"), app="baseline:app", cwd=ROOT / "bench" / "baseline")


# --- the consultation log: verify and export at 1,000,000 entries ----------------------------------

def make_log(url, count):
    engine = engine_for(url)
    prev, at0 = GENESIS_HASH, datetime(2026, 1, 1)
    insert = text("INSERT INTO log_entry (seq, at, actor, action, subject, data, prev_hash, hash) "
                  "VALUES (:seq, :at, :actor, :action, :subject, :data, :prev_hash, :hash)")
    batch, leaves = [], []
    with engine.begin() as c:
        for seq in range(1, count + 1):
            data = {"consultation": 1, "section": seq % 7, "body_sha256": text_hash(str(seq))}
            entry = {"seq": seq, "at": (at0 + timedelta(milliseconds=seq)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                     "actor": seq % 500 + 1, "action": "comment.posted", "subject": f"comment:{seq}",
                     "data": data, "prev_hash": prev}
            prev = entry_hash(entry)
            leaves.append(leaf_hash(entry_bytes(entry)))
            batch.append({**entry, "data": canonical(data), "hash": prev})
            if len(batch) == 50_000:
                c.execute(insert, batch)
                batch = []
        if batch:
            c.execute(insert, batch)
            batch = []
        # and the log's Merkle tree, as append() would write it (issue 20)
        nodes = text('INSERT INTO merkle_node (level, "index", hash) VALUES (:level, :index, :hash)')
        for row in node_rows(leaves):
            batch.append(row)
            if len(batch) == 50_000:
                c.execute(nodes, batch)
                batch = []
        if batch:
            c.execute(nodes, batch)
    engine.dispose()
    return prev


def timed_flask(env, *args):
    """Wall time and the child's peak RSS (MB) of `flask <args>`, measured by a wrapper process."""
    wrapper = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr); "
               "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
               "sys.exit(r.returncode)")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", wrapper, str(Path(sys.executable).parent / "flask"), "--app",
                             "wsgi", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    rss = int(re.search(r"MAXRSS (\d+)", result.stderr).group(1)) / 1024
    return seconds, rss, result


def bench_log(backend):
    url, drop = fresh_database(backend, f"log_{backend}")
    try:
        start = time.perf_counter()
        head = make_log(url, LOG_ENTRIES)
        made = time.perf_counter() - start
        env = server_env(url)
        seconds, rss, result = timed_flask(env, "verify-log")
        assert result.stdout.startswith(f"OK {LOG_ENTRIES} {head}"), result.stdout + result.stderr[-2000:]
        export = WORK / f"log_{backend}.jsonl"
        e_seconds, e_rss, e_result = timed_flask(env, "export-log", str(export))
        assert e_result.returncode == 0, e_result.stderr[-2000:]
        export.unlink(missing_ok=True)
        return {"entries": LOG_ENTRIES, "made_s": made, "verify_s": seconds, "verify_mb": rss,
                "export_s": e_seconds, "export_mb": e_rss}
    finally:
        drop()


# --- the report -----------------------------------------------------------------------------------

def earlier_logs():
    """The verify/export timings of the results file this run replaces, each marked with when it was measured."""
    try:
        earlier = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    when = earlier.get("started") or re.search(r"^Run (\S+ \S+) UTC", (RESULTS / "latest.md").read_text(
        encoding="utf-8"), re.M).group(1)
    return {backend: {**log, "measured": log.get("measured", when)} for backend, log in earlier.get("logs", {}).items()}


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))) // 1024 // 1024
    return f"{os.cpu_count()} CPU ({cpu}), {mem} GB RAM, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def report(results, logs, started):
    lines = ["# Benchmark results", "",
             f"Run {started:%Y-%m-%d %H:%M} UTC on {machine()}.",
             f"gunicorn --workers 4 (README settings), wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}s per row; "
             f"sizes {SIZES}; backends {BACKENDS}; log entries {LOG_ENTRIES:,}.",
             "The load tool, the database, the baseline and the four workers share the same machine. The baseline "
             "(bare Flask + render_template of a small Jinja file, same gunicorn settings) is measured beside each "
             "block, and each ratio uses the baseline of its own block; `load` is the 1-minute load average then.", "",
             "| backend | N comments | request | requests/s | × baseline | p50 ms | p95 ms | non-2xx/3xx | load |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: |"]
    for (backend, n), rows in results.items():
        base = rows["baseline"]["rps"]
        for key in ["baseline", *ENDPOINTS]:
            if key in rows:
                r = rows[key]
                lines.append(f"| {backend} | {n:,} | {LABELS[key]} | {r['rps']:.1f} | {r['rps'] / base:.3f} | "
                             f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['bad'] or ''} | {rows['load']:.1f} |")
    lines += ["", "CPU per request, measured in-process by bench/cpu.py on the same databases (ms; the machine's load "
              "does not move these): a small signed-in page (/accessibility) is the fixed cost of any signed-in "
              "request.", "",
              "| backend | N comments | small signed-in page | consultation page | page drawn afresh | “more comments” | "
              "post a comment | cast a vote | page size |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for (backend, n), rows in results.items():
        if "cpu" in rows:
            c = rows["cpu"]
            lines.append(f"| {backend} | {n:,} | {c['small']:.1f} | {c['page']:.1f} | {c['fresh']:.1f} | {c['more']:.1f} | "
                         f"{c['comment']:.1f} | {c['vote']:.1f} | {c['page_bytes'] / 1000:.0f} KB |")
    lines += ["", "## Targets", "", "| target | measured | met |", "| --- | --- | --- |"]
    for backend in BACKENDS:
        mid = next((n for n in SIZES if n == 10_000), None)
        if mid and (backend, mid) in results:
            ratio = results[(backend, mid)]["page"]["rps"] / results[(backend, mid)]["baseline"]["rps"]
            lines.append(f"| {backend}: consultation page ≥ 0.35× baseline at N = 10,000 | {ratio:.3f}× | "
                         f"{'yes' if ratio >= TARGETS['page_10k'] else 'NO'} |")
        small, large = min(SIZES), max(SIZES)
        if small != large and (backend, small) in results and (backend, large) in results:
            big, little = results[(backend, large)], results[(backend, small)]
            ratio = big["page"]["rps"] / little["page"]["rps"]
            normal = (big["page"]["rps"] / big["baseline"]["rps"]) / (little["page"]["rps"] / little["baseline"]["rps"])
            lines.append(f"| {backend}: page throughput N = {large:,} ≥ 0.9× N = {small:,} | {ratio:.2f}× raw, "
                         f"{normal:.2f}× after dividing each by its baseline | "
                         f"{'yes' if max(ratio, normal) >= TARGETS['scale'] else 'NO'} |")
            if "cpu" in big and "cpu" in little:  # the page drawn afresh: the work that could grow with N
                cpu_ratio = little["cpu"]["fresh"] / big["cpu"]["fresh"]
                # The small page does not depend on N: dividing by it takes out how fast the machine was then.
                normal = (little["cpu"]["fresh"] / little["cpu"]["small"]) / (big["cpu"]["fresh"] / big["cpu"]["small"])
                lines.append(f"| {backend}: CPU to draw the page afresh, N = {small:,} ÷ N = {large:,} (≥ 0.9 means "
                             f"flat) | {cpu_ratio:.2f} raw, {normal:.2f} after dividing each by the small signed-in "
                             f"page's | {'yes' if max(cpu_ratio, normal) >= TARGETS['scale'] else 'NO'} |")
        if backend == "postgresql":
            for n in SIZES:
                if (backend, n) in results:
                    ratio = results[(backend, n)]["comment"]["rps"] / results[(backend, n)]["baseline"]["rps"]
                    lines.append(f"| postgresql: posting a comment ≥ 0.25× baseline (N = {n:,}) | {ratio:.3f}× | "
                                 f"{'yes' if ratio >= TARGETS['post_pg'] else 'NO'} |")
    for backend, log in logs.items():
        rate = log["entries"] / log["verify_s"]
        earlier = f" (measured {log['measured']}, carried over: BENCH_LOG_ENTRIES=0)" if log.get("measured") else ""
        lines.append(f"| {backend}: verify-log ≥ 100,000 entries/s, ≤ 200 MB at {log['entries']:,}{earlier} | "
                     f"{rate:,.0f}/s, {log['verify_mb']:.0f} MB | "
                     f"{'yes' if rate >= TARGETS['verify_rate'] and log['verify_mb'] <= TARGETS['verify_mb'] else 'NO'} |")
        lines.append(f"| {backend}: export-log (no target) | {log['entries'] / log['export_s']:,.0f}/s, "
                     f"{log['export_mb']:.0f} MB | |")
    lines += ["", "Times for verify-log and export-log include starting the flask command (imports, app set-up); "
              "peak memory is the child's maximum resident set size (getrusage)."]
    notes = ROOT / "bench" / "results" / "NOTES.md"  # the hand-written analysis: what was profiled, fixed, and what remains
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    return "\n".join(lines) + "\n"


def report_again():
    """`bench/run.py --report`: write latest.md again from latest.json (after editing NOTES.md), measuring nothing."""
    saved = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
    results = {(key.split()[0], int(key.split()[1])): rows for key, rows in saved["results"].items()}
    logs = {backend: {**log, "measured": log.get("measured")} for backend, log in saved["logs"].items()}
    global SIZES, BACKENDS, DURATION, LOG_ENTRIES
    SIZES, BACKENDS = sorted({n for _, n in results}), list(dict.fromkeys(b for b, _ in results))
    DURATION, LOG_ENTRIES = saved.get("duration", DURATION), saved.get("log_entries", LOG_ENTRIES)
    (RESULTS / "latest.md").write_text(report(results, logs, datetime.strptime(saved["started"], "%Y-%m-%d %H:%M")),
                                       encoding="utf-8")


def main():
    if "--report" in sys.argv:
        return report_again()
    started = datetime.utcnow()
    say(f"Benchmarks: sizes {SIZES}, backends {BACKENDS}, {DURATION} s a request type, {LOG_ENTRIES:,} log entries")
    results = {}
    with baseline_server() as base_server:
        for backend in BACKENDS:
            for n in SIZES:
                tag = f"{backend}_{n}_{uuid.uuid4().hex[:6]}"
                url, drop = fresh_database(backend, tag)
                try:
                    start = time.perf_counter()
                    consultation_id, sections, votes = build(url, n)
                    say(f"{backend} N={n:,}: built in {time.perf_counter() - start:.1f} s ({votes:,} votes)")
                    cpu = cpu_per_request(url)
                    say(f"  CPU per request (ms): {cpu}")
                    with Gunicorn(server_env(url)) as server:
                        # The baseline is measured beside each block: the machine's load changes during a run.
                        rows = {"baseline": wrk(base_server.port, "/")}
                        rows.update(drive_portal(server, consultation_id, sections))
                    with Gunicorn({**server_env(url), "PAGE_CACHE_SIZE": "0"}) as server:
                        # The first view after any change: every request draws the page afresh.
                        rows["fresh"] = drive_fresh_page(server, consultation_id)
                        rows["load"] = os.getloadavg()[0]
                    rows["cpu"] = cpu
                    results[(backend, n)] = rows
                    for key in ["baseline", *ENDPOINTS]:
                        if key in rows:
                            r = rows[key]
                            say(f"  {LABELS[key]:30} {r['rps']:8.1f} req/s  ×{r['rps'] / rows['baseline']['rps']:.3f}  "
                                f"p50 {r['p50_ms']:.1f} ms  p95 {r['p95_ms']:.1f} ms  {r['bad'] or ''}")
                finally:
                    drop()
    logs = {}
    for backend in os.environ.get("BENCH_LOG_BACKENDS", "sqlite,postgresql").split(","):
        if backend and LOG_ENTRIES:
            logs[backend] = log = bench_log(backend)
            say(f"{backend} log of {log['entries']:,}: verify {log['entries'] / log['verify_s']:,.0f}/s "
                f"({log['verify_mb']:.0f} MB), export {log['entries'] / log['export_s']:,.0f}/s ({log['export_mb']:.0f} MB)")
    if not LOG_ENTRIES:
        logs = earlier_logs()  # BENCH_LOG_ENTRIES=0: the log timings of the last run that made them, marked so
    RESULTS.mkdir(parents=True, exist_ok=True)
    markdown = report(results, logs, started)
    (RESULTS / "latest.md").write_text(markdown, encoding="utf-8")
    (RESULTS / "latest.json").write_text(json.dumps(
        {"started": f"{started:%Y-%m-%d %H:%M}", "duration": DURATION, "log_entries": LOG_ENTRIES, "results": {f"{b} {n}": rows for (b, n), rows in results.items()},
         "logs": logs}, indent=1), encoding="utf-8")
    say("\n" + markdown)
    say(f"written to {RESULTS / 'latest.md'}")


if __name__ == "__main__":
    main()
