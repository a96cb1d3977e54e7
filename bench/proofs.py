"""The log's proofs at 1,000,000 entries (issue 20): serving and checking inclusion and consistency proofs.

    make bench-proofs                         # or: .venv/bin/python bench/proofs.py
    BENCH_PROOF_ENTRIES=100000 BENCH_BACKENDS=sqlite .venv/bin/python bench/proofs.py    # a quicker run

For each backend it builds a log of BENCH_PROOF_ENTRIES entries with the real hashing and its Merkle tree
(bench/run.py make_log, as append() writes them), then, in one process through Flask's test client (no network,
so the time is the portal's own): GET /log/proof/inclusion for random leaves of random tree sizes and GET
/log/proof/consistency between random pairs of sizes, beside a baseline — bench/baseline's bare Flask page, served
the same way in the same run, rounds interleaved so that the machine's load falls on both alike. It counts the
hashes in each proof and checks each with verify_log.py's verify_inclusion/verify_consistency (standard library).
Targets: ≤ 1 ms per proof served, ≤ 64 hashes per proof. Results: bench/results/proofs.md.
"""
import os
import random
import statistics
import sys
import time
from base64 import b64decode
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "baseline"))

import run as bench_run  # noqa: E402  (bench/run.py: fresh databases, the 1,000,000-entry log)

from app.trail.verify_log import leaf_hash, verify_consistency, verify_inclusion  # noqa: E402

ENTRIES = int(os.environ.get("BENCH_PROOF_ENTRIES", "1000000"))
BACKENDS = os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",")
ROUNDS = int(os.environ.get("BENCH_PROOF_ROUNDS", "2000"))
RESULTS = ROOT / "bench" / "results" / "proofs.md"


def _app(url):
    from tests.soak.harness import server_env

    import importlib

    import config

    os.environ.update(server_env(url))  # as deployed: settings are read when config is imported, so again
    importlib.reload(config)
    from app import create_app

    return create_app(config.ProductionConfig)


def measure(url, rng):
    import baseline

    portal, bare = _app(url).test_client(), baseline.app.test_client()
    requests = []
    for _ in range(ROUNDS):
        size = rng.randint(1, ENTRIES)
        if rng.random() < 0.5:
            requests.append(("inclusion", f"/log/proof/inclusion?index={rng.randrange(size)}&size={size}"))
        else:
            requests.append(("consistency", f"/log/proof/consistency?from={rng.randint(1, size)}&to={size}"))
    for kind, path in requests[:50]:  # warm up both (imports, connections, caches)
        portal.get(path)
        bare.get("/")
    served = {"inclusion": [], "consistency": []}
    base, hashes, checked, check_seconds = [], {"inclusion": [], "consistency": []}, 0, []
    for kind, path in requests:
        start = time.perf_counter()
        response = portal.get(path)
        served[kind].append(time.perf_counter() - start)
        start = time.perf_counter()
        assert bare.get("/").status_code == 200
        base.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.get_data(as_text=True))
        body = response.get_json()
        proof = [b64decode(h) for h in body["proof"]]
        hashes[kind].append(len(proof))
        start = time.perf_counter()
        if kind == "inclusion":
            ok = verify_inclusion(b64decode(body["leaf_hash"]), body["index"], body["size"], proof,
                                  b64decode(body["root"]))
        else:
            ok = verify_consistency(body["from"], body["to"], b64decode(body["root_from"]), b64decode(body["root_to"]),
                                    proof)
        check_seconds.append(time.perf_counter() - start)
        assert ok, f"the proof served for {path} does not verify"
        checked += 1
    return served, base, hashes, checked, check_seconds


def _ms(values):
    return statistics.mean(values) * 1000, sorted(values)[int(len(values) * 0.95)] * 1000


def main():
    rng = random.Random(20)
    rows = []
    for backend in BACKENDS:
        url, drop = bench_run.fresh_database(backend, f"proofs_{backend}")
        try:
            start = time.perf_counter()
            bench_run.make_log(url, ENTRIES)
            made = time.perf_counter() - start
            served, base, hashes, checked, check_seconds = measure(url, rng)
            rows.append((backend, made, served, base, hashes, checked, check_seconds))
        finally:
            drop()
    lines = [f"# Proofs at {ENTRIES:,} entries", "",
             f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by bench/proofs.py on {os.cpu_count()} CPUs: "
             f"{ROUNDS} requests a backend, half inclusion, half consistency, random leaves and sizes, through Flask's "
             "test client; the baseline (bench/baseline's bare Flask page) requested after each, in the same process.",
             "", "| backend | proof | served, mean ms | p95 ms | baseline mean ms | ÷ baseline | hashes max (mean) "
             "| checked, mean ms |", "|---|---|---|---|---|---|---|---|"]
    verdicts = []
    for backend, made, served, base, hashes, checked, check_seconds in rows:
        base_mean, _ = _ms(base)
        for kind in ("inclusion", "consistency"):
            mean, p95 = _ms(served[kind])
            most = max(hashes[kind])
            lines.append(f"| {backend} | {kind} | {mean:.3f} | {p95:.3f} | {base_mean:.3f} | {mean / base_mean:.1f}× "
                         f"| {most} ({statistics.mean(hashes[kind]):.1f}) | {_ms(check_seconds)[0]:.3f} |")
            verdicts.append((f"{backend} {kind}: ≤ 1 ms per proof served", mean <= 1.0, f"{mean:.3f} ms"))
            verdicts.append((f"{backend} {kind}: ≤ 64 hashes per proof", most <= 64, f"{most}"))
        lines.append(f"| {backend} | (log of {ENTRIES:,} entries and its tree built in {made:.0f} s; every proof "
                     f"served verified: {checked}) | | | | | | |")
    lines += ["", "| target | met | measured |", "|---|---|---|"]
    lines += [f"| {name} | {'yes' if ok else 'NO'} | {value} |" for name, ok, value in verdicts]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
