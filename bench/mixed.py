"""The consultation page under real load: many signed-in readers while people write (issue 15).

    make bench-mixed                    # or: .venv/bin/python bench/mixed.py (make bench runs it after bench/run.py)
    BENCH_MIXED_N=1000 BENCH_DURATION=5 BENCH_BACKENDS=sqlite make bench-mixed     # a quicker run

For each backend it builds one database as bench/run.py does (the demo partnership plus N = 10,000 comments and
votes from N/20 extra people), serves it with gunicorn (4 workers, the README's settings) and drives it from
this process: 16 readers, each signed in as a different person (practitioners, voluntary-sector partners and
young people), each fetching the consultation page in a loop, while writers post comments at 0, 1, 5 and 20 a
second, or — the last row — change their email settings 5 times a second (a write the page does not show).

Each row is measured beside its own baseline: the same 16 readers fetching bench/baseline's bare Flask page for
the same time, under the same writers' load on the portal, so a busy machine moves both. Printed per row: page
requests a second, baseline requests a second, their ratio, and the memo hit rate (how many pages were served
remembered rather than drawn: the X-Page-Memo header the portal sends when PAGE_MEMO_HEADER=1). Then the CPU a
redraw costs, from bench/cpu.py. Results: bench/results/mixed.md.
"""
import os
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import run as bench  # noqa: E402  (bench/run.py: databases, servers, the CPU measure)
from tests.soak.harness import Client, Gunicorn, csrf_of, server_env  # noqa: E402

N = int(os.environ.get("BENCH_MIXED_N", "10000"))
DURATION = float(os.environ.get("BENCH_DURATION", "10"))
BACKENDS = [b for b in os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",") if b]
READERS = 16
ROWS = [("read only", 0, 0), ("+ 1 comment a second", 1, 0), ("+ 5 comments a second", 5, 0),
        ("+ 20 comments a second", 20, 0), ("+ 5 email-settings changes a second", 0, 5)]
TARGETS = {("sqlite", "+ 5 comments a second"): 0.15, ("postgresql", "+ 5 comments a second"): 0.10,
           ("sqlite", "read only"): 0.35}


def reader_logins(n):
    """Different people: bench/run.py's extra people, a third each of the three audiences."""
    logins = []
    for i in range(n):
        audience = bench.AUDIENCES[i % 3]
        logins.append(f"bench-young-{i}" if audience == "young_people" else f"bench{i}@bench.test")
    return logins


class Readers:
    """READERS threads, each a signed-in person fetching `path` on `port` until stopped; counts and memo hits."""

    def __init__(self, clients, port, path):
        self.clients, self.port, self.path = clients, port, path
        self.done, self.statuses, self.memo = 0, Counter(), Counter()
        self.lock, self.stop = threading.Lock(), threading.Event()

    def _loop(self, client):
        client.port = self.port
        while not self.stop.is_set():
            status, headers, _body = client.get(self.path)
            with self.lock:
                self.done += 1
                self.statuses[status] += 1
                self.memo[headers.get("X-Page-Memo", "-")] += 1

    def run(self, seconds):
        threads = [threading.Thread(target=self._loop, args=(c,), daemon=True) for c in self.clients]
        start = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        self.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        return self.done / (time.monotonic() - start)


class Writers(threading.Thread):
    """Comments at `comments` a second and email-settings changes at `settings` a second, evenly spaced."""

    def __init__(self, port, consultation_id, comments, settings):
        super().__init__(daemon=True)
        self.port, self.consultation_id = port, consultation_id
        self.comments, self.settings = comments, settings
        self.stop, self.written, self.failed = threading.Event(), 0, 0

    def run(self):
        if not (self.comments or self.settings):
            return
        writer = Client(self.port).sign_in("practitioner@demo.test")
        _s, _h, html = writer.get("/account/notifications")
        token = csrf_of(html)
        rate = self.comments or self.settings
        n, start = 0, time.monotonic()
        while not self.stop.is_set():
            if self.comments:
                status, _h, _b = writer.post(f"/consultations/{self.consultation_id}/comments",
                                             {"csrf_token": token, "c-general-body": f"Mixed load comment {n}"})
            else:
                fields = {"csrf_token": token, "reply_emails": "y"}
                if n % 2:
                    fields["consultation_emails"] = "y"
                status, _h, _b = writer.post("/account/notifications", fields)
            if status == 303:
                self.written += 1
            else:
                self.failed += 1
            n += 1
            self.stop.wait(max(0.0, start + n / rate - time.monotonic()))


def measure_row(portal, baseline, clients, consultation_id, comments, settings):
    writers = Writers(portal.port, consultation_id, comments, settings)
    writers.start()
    time.sleep(0.5)  # the writers are under way before anything is counted
    page = Readers(clients, portal.port, f"/consultations/{consultation_id}")
    page_rps = page.run(DURATION)
    base = Readers(clients, baseline.port, "/")
    base_rps = base.run(DURATION)
    writers.stop.set()
    writers.join(timeout=30)
    served = page.memo["hit"] + page.memo["miss"]
    return {"page_rps": page_rps, "baseline_rps": base_rps, "ratio": page_rps / base_rps,
            "hit_rate": page.memo["hit"] / served if served else 0.0, "bad": {s: n for s, n in page.statuses.items()
                                                                              if s != 200},
            "written": writers.written, "write_failures": writers.failed}


def bench_backend(backend):
    url, drop = bench.fresh_database(backend, f"mixed_{backend}")
    try:
        bench.say(f"{backend}: building N = {N:,} …")
        consultation_id, _sections, _votes = bench.build(url, N)
        rows = {}
        with Gunicorn(server_env(url, PAGE_MEMO_HEADER="1")) as portal, bench.baseline_server() as baseline:
            clients = [Client(portal.port).sign_in(login) for login in reader_logins(READERS)]
            Readers(clients, portal.port, f"/consultations/{consultation_id}").run(DURATION)  # warm up, not counted
            for label, comments, settings in ROWS:
                rows[label] = row = measure_row(portal, baseline, clients, consultation_id, comments, settings)
                bench.say(f"  {label:38} page {row['page_rps']:7.1f}/s  baseline {row['baseline_rps']:7.1f}/s  "
                          f"×{row['ratio']:.3f}  memo hits {row['hit_rate']:.0%}  writes {row['written']}"
                          f"{'  not 200: ' + str(row['bad']) if row['bad'] else ''}")
        cpu = bench.cpu_per_request(url)
        return rows, cpu
    finally:
        drop()


def report(results, started):
    lines = ["# The consultation page under mixed load", "",
             f"Run {started:%Y-%m-%d %H:%M} UTC on {bench.machine()}; load average at the end "
             f"{os.getloadavg()[0]:.1f}.",
             f"N = {N:,} comments; gunicorn --workers 4; {READERS} signed-in readers (different people) for "
             f"{DURATION:g} s per row; each row's baseline (bare Flask + Jinja) measured by the same readers right "
             "after it, under the same writers. Memo hits: pages served remembered rather than drawn afresh.",
             "Remembered pages kept: " + (f"in Redis ({os.environ['PAGE_CACHE_REDIS_URL']}), shared by the workers"
                                         if os.environ.get("PAGE_CACHE_REDIS_URL") else "in each worker (LRU)")
             + "; per consultation version and kind of reader (issue 15, memo).", "",
             "| load | " + " | ".join(f"{b} page/s | baseline/s | ratio | memo hits" for b in results) + " |",
             "|---|" + "---|---|---|---|" * len(results)]
    for label, _c, _s in ROWS:
        cells = []
        for backend, (rows, _cpu) in results.items():
            row = rows[label]
            target = TARGETS.get((backend, label))
            mark = "" if target is None else (f" (target ≥ {target}: {'met' if row['ratio'] >= target else 'NOT met'})")
            cells.append(f"{row['page_rps']:.1f} | {row['baseline_rps']:.1f} | {row['ratio']:.3f}{mark} | "
                         f"{row['hit_rate']:.0%}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "Unrelated writes (email settings) against read only, target within 10 %:"]
    for backend, (rows, _cpu) in results.items():
        change = rows["+ 5 email-settings changes a second"]["ratio"] / rows["read only"]["ratio"] - 1
        lines.append(f"- {backend}: {change:+.0%} ({'met' if abs(change) <= 0.10 else 'NOT met'})")
    lines += ["", "CPU to draw the page afresh (bench/cpu.py, in-process; target ≤ 8 ms):"]
    for backend, (_rows, cpu) in results.items():
        lines.append(f"- {backend}: " + ", ".join(f"{k} {v / 1024:.0f} KB" if k.endswith("bytes") else f"{k} {v:.1f} ms"
                                                 for k, v in cpu.items()))
    return "\n".join(lines) + "\n"


def main():
    started = datetime.utcnow()
    results = {backend: bench_backend(backend) for backend in BACKENDS}
    markdown = report(results, started)
    bench.RESULTS.mkdir(parents=True, exist_ok=True)
    (bench.RESULTS / "mixed.md").write_text(markdown, encoding="utf-8")
    bench.say("\n" + markdown + f"written to {bench.RESULTS / 'mixed.md'}")


if __name__ == "__main__":
    main()
