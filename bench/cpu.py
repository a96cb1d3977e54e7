"""CPU per request, measured in-process (no server, no load tool): numbers the machine's load does not move.

    .venv/bin/python bench/cpu.py --url sqlite:////tmp/portal-bench/x.sqlite3          # a database bench/run.py built
    .venv/bin/python bench/cpu.py --url ... --profile page                              # pyinstrument, one request type
    PROFILE_ALL=1 .venv/bin/python bench/cpu.py --url ... --profile page                # ... with library frames shown

Signs in as the demo practitioner through the login form, then times the requests bench/run.py drives with wrk —
the consultation page, the "more comments" fragment, posting a comment, casting a vote — a small signed-in
page (/accessibility) for the fixed cost of any signed-in request, and the consultation page drawn afresh
("fresh": what the first view after any change costs, the reader's remembered page forgotten first). Prints JSON (ms of CPU per request) or a
pyinstrument call tree. bench/run.py runs it for every database it builds.
"""
import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REQUESTS = ["small", "page", "fresh", "more", "comment", "vote"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="DATABASE_URL of a database built by bench/run.py")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--profile", choices=REQUESTS)
    args = parser.parse_args()

    from tests.soak.harness import server_env  # the production settings bench/run.py serves with
    os.environ.update(server_env(args.url))
    # In-process pages only: with Redis, "fresh" would read the drawing back from Redis rather than draw it.
    os.environ.pop("PAGE_CACHE_REDIS_URL", None)
    from app import create_app
    from config import ProductionConfig

    app = create_app(ProductionConfig)
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login).group(1)
    signed_in = client.post("/login", data={"csrf_token": token, "email": "practitioner@demo.test",
                                             "password": "demo-password-2019"})
    assert signed_in.status_code == 303, signed_in.status_code
    page = client.get("/consultations/1").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    section = re.search(r'/consultations/1/sections/(\d+)/vote', page).group(1)
    more = re.search(r'href="(/consultations/1/comments\?after=\d+)"', page).group(1)
    counter = iter(range(10**9))

    def request(kind):
        if kind == "small":
            return client.get("/accessibility")
        if kind == "page":
            return client.get("/consultations/1")
        if kind == "fresh":  # drawn afresh, as after any change: the reader's remembered page is forgotten first
            app.extensions["shared_pages"].clear()  # issue 15 (memo): pages shared by kind of reader
            return client.get("/consultations/1")
        if kind == "more":
            return client.get(more, headers={"HX-Request": "true", "HX-Target": "more-general"})
        if kind == "comment":
            return client.post("/consultations/1/comments", data={
                "csrf_token": token, "c-general-body": f"A comment from the CPU benchmark, number {next(counter)}"})
        return client.post(f"/consultations/1/sections/{section}/vote", data={
            "csrf_token": token, f"v{section}-choice": ["support", "oppose"][next(counter) % 2]})

    def forget_messages():
        # A browser shows "Your comment has been posted" on the page it is sent to next. Nothing here follows the
        # redirect, so the messages would pile up in the session cookie, making every later request (and the page
        # that finally shows them all) bigger than any real one. Dropped between requests, outside the timing.
        with client.session_transaction() as browser_session:
            browser_session.pop("_flashes", None)

    expected = {"small": 200, "page": 200, "fresh": 200, "more": 200, "comment": 303, "vote": 303}
    kinds = [args.profile] if args.profile else REQUESTS
    for kind in kinds:  # warm up: templates compiled, statements cached, fragments remembered
        for _ in range(3):
            status = request(kind).status_code
            assert status == expected[kind], (kind, status)
            forget_messages()
    if args.profile:
        from pyinstrument import Profiler
        profiler = Profiler(interval=0.0005)
        for _ in range(args.repeat):
            with profiler:
                request(args.profile)
            forget_messages()
        print(profiler.output_text(color=False, unicode=False, show_all=bool(os.environ.get("PROFILE_ALL"))))
        return
    result = {}
    for kind in kinds:
        spent = 0.0
        for _ in range(args.repeat):
            started = time.process_time()
            request(kind)
            spent += time.process_time() - started
            forget_messages()
        result[kind] = round(spent / args.repeat * 1000, 2)
    result["page_bytes"] = len(client.get("/consultations/1").data)
    print("CPU_JSON " + json.dumps(result))


if __name__ == "__main__":
    main()
