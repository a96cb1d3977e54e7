"""Load and fault test: mixed traffic on PostgreSQL through gunicorn with four workers.

    .venv/bin/python -m tests.soak.soak --seconds 60     # make soak: 60 s a phase
(tests/soak/test_soak.py runs a short version, ~10 s a phase, in make test.)

Phase 1 (steady): threads sign in as demo people and, until time is up, read the consultation page, post comments
(each with a unique marker), cast and change votes, and edit their own comments. Afterwards: no 5xx, every accepted
comment (303) is stored exactly once, no vote is stored twice, and `flask verify-log` says OK.
Phase 2 (faults): the same traffic while one gunicorn worker is killed with SIGKILL a third of the way in and
every database connection of the app is dropped (pg_terminate_backend) two thirds of the way in. Afterwards,
besides the checks above: nothing half-written — every comment has its comment.posted / reply.posted log entry
and every such entry its comment; every revision its comment.edited entry; every vote its vote.cast entry — and
the chain is intact.
Through both phases the mail worker (`flask send-mail`) runs against a real SMTP server while good messages and
poisoned ones (a header injection in a subject or an address, no address at all, a mailbox the server refuses
with 550) are queued: the worker never stops, every good message is delivered exactly once, and every poisoned
one is marked failed with its reason and never delivered.
"""
import argparse
import os
import random
import re
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_URL, create_postgres_database, drop_postgres_database
from tests.smtp import SMTPServer
from tests.soak.harness import FLASK, ROOT, Client, Gunicorn, csrf_of, flask, server_env

PEOPLE = ["practitioner@demo.test", "vcs@demo.test", "amy.clarke@demo.test", "tom.reeves@demo.test",
          "hannah.price@demo.test", "sam.okafor@demo.test", "jo.bennett@demo.test", "youth-demo"]
THREADS = 8
MARKER = re.compile(r"soak-[0-9a-f]{16}")


@dataclass
class Tally:
    requests: Counter = field(default_factory=Counter)  # (kind, status) -> n
    server_errors: list = field(default_factory=list)
    dropped: int = 0  # connection refused/reset while a worker died: the client would retry
    accepted: set = field(default_factory=set)  # markers of comments answered 303
    uncertain: set = field(default_factory=set)  # markers whose POST got no answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind, status, detail=""):
        with self.lock:
            self.requests[(kind, status)] += 1
            if status >= 500:
                self.server_errors.append(f"{status} on {kind} {detail}")

    @property
    def total(self):
        return sum(self.requests.values())


class Visitor(threading.Thread):
    def __init__(self, port, login, consultation_id, deadline, tally, seed):
        super().__init__(daemon=True)
        self.port, self.login, self.consultation_id = port, login, consultation_id
        self.deadline, self.tally, self.random = deadline, tally, random.Random(seed)
        self.my_comments = []
        self.error = None

    def run(self):
        try:
            self.client = Client(self.port).sign_in(self.login)
            self.page()
            while time.monotonic() < self.deadline:
                action = self.random.choices([self.page, self.comment, self.vote, self.edit], [45, 25, 15, 15])[0]
                try:
                    action()
                except (ConnectionError, OSError) as error:  # a killed worker's half-open connection
                    with self.tally.lock:
                        self.tally.dropped += 1
                    self.last_error = error
        except Exception as error:  # noqa: BLE001 — reported by the main thread
            self.error = error

    def page(self):
        status, _headers, html = self.client.get(f"/consultations/{self.consultation_id}")
        self.tally.note("read", status)
        if status == 200:
            self.csrf = csrf_of(html)
            self.sections = sorted(set(map(int, re.findall(
                rf"/consultations/{self.consultation_id}/sections/(\d+)/vote", html))))

    def comment(self):
        marker = f"soak-{uuid.uuid4().hex[:16]}"
        with self.tally.lock:
            self.tally.uncertain.add(marker)
        status, headers, _body = self.client.post(
            f"/consultations/{self.consultation_id}/comments",
            {"c-general-body": f"Load test comment {marker}: the working groups need named leads.",
             "csrf_token": self.csrf})
        self.tally.note("comment", status, marker)
        with self.tally.lock:
            if status < 500:  # a 5xx may come after the commit (the connection dropped): stored or not
                self.tally.uncertain.discard(marker)
            if status == 303:
                self.tally.accepted.add(marker)
        found = re.search(r"comment-(\d+)", headers.get("Location", ""))
        if status == 303 and found:
            self.my_comments.append((int(found.group(1)), marker))

    def vote(self):
        if not self.sections:
            return
        section = self.random.choice(self.sections)
        status, _h, _b = self.client.post(
            f"/consultations/{self.consultation_id}/sections/{section}/vote",
            {f"v{section}-choice": self.random.choice(["support", "support_with_changes", "oppose"]),
             f"v{section}-reason": self.random.choice(["", "Needs clearer leads."]), "csrf_token": self.csrf})
        self.tally.note("vote", status)

    def edit(self):
        if not self.my_comments:
            return self.comment()
        comment_id, marker = self.random.choice(self.my_comments)
        status, _h, _b = self.client.post(
            f"/comments/{comment_id}/edit",
            {f"e{comment_id}-body": f"Load test comment {marker}, edited {uuid.uuid4().hex[:6]}.",
             "csrf_token": self.csrf})
        self.tally.note("edit", status)


POISONS = [  # (what is wrong, address, subject)
    ("a header injected in the subject", "parent@example.org", "Your comment\r\nBcc: evil@example.org"),
    ("a header injected in the address", "parent@example.org\r\nBcc: evil@example.org", "Your comment"),
    ("no address at all", "", "Your comment"),
    ("a mailbox the server refuses", "nobody@gone.example", "Your comment"),
]


class MailTraffic(threading.Thread):
    """Queues a good message every 0.2 s and a poisoned one every second, as rows of the outbox."""

    def __init__(self, engine, deadline):
        super().__init__(daemon=True)
        self.engine, self.deadline = engine, deadline
        self.good, self.poisoned = set(), {}  # markers; message_id -> what is wrong
        self.error = None

    def run(self):
        try:
            n = 0
            while time.monotonic() < self.deadline:
                marker = f"mail-{uuid.uuid4().hex[:16]}"
                if n % 5 == 4:
                    what, to, subject = POISONS[(n // 5) % len(POISONS)]
                    self.queue(marker, to, subject)
                    self.poisoned[marker] = what
                else:
                    self.queue(marker, f"{marker}@example.org", f"Soak message {marker}")
                    self.good.add(marker)
                n += 1
                time.sleep(0.2)
        except Exception as error:  # noqa: BLE001 — reported by the main thread
            self.error = error

    def queue(self, marker, to, subject):
        for attempt in range(50):  # the fault phase drops this connection too: queue again once it is back
            try:
                with self.engine.begin() as connection:
                    connection.execute(text(
                        "INSERT INTO outbox_message (message_id, to_address, subject, body_text, status, attempts, "
                        "created_at, next_attempt_at) VALUES (:mid, :to, :subject, :body, 'queued', 0, "
                        "now() AT TIME ZONE 'utc', now() AT TIME ZONE 'utc')"),
                        {"mid": f"<{marker}@soak.test>", "to": to, "subject": subject, "body": f"Body {marker}"})
                return
            except Exception:  # noqa: BLE001 — a dropped connection: the pool reconnects
                time.sleep(0.2)
        raise RuntimeError(f"could not queue {marker}")


# The messages one poll of the worker may hold when every database connection is dropped: it queues about five a
# second and polls every half second, so a batch in flight is a few messages, never more than this.
IN_FLIGHT = 5


def check_mail(engine, traffic, smtp, worker):
    """Every good message delivered exactly once, every poisoned one failed with a reason and not delivered."""
    problems = []
    if traffic.error:
        problems.append(f"queueing mail failed: {traffic.error!r}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            waiting = connection.execute(text(
                "SELECT COUNT(*) FROM outbox_message WHERE status = 'queued' AND to_address LIKE 'mail-%'")).scalar()
        if not waiting:
            break
        time.sleep(0.5)
    if worker.poll() is not None:
        problems.append(f"the mail worker stopped (exit {worker.returncode})")
    delivered = Counter(m["Message-ID"].strip("<>").split("@")[0] for m in smtp.messages)
    not_once = [m for m in traffic.good if delivered[m] != 1]
    with engine.connect() as connection:
        rows = {mid.strip("<>").split("@")[0]: (status, error) for mid, status, error in connection.execute(text(
            "SELECT message_id, status, last_error FROM outbox_message WHERE message_id LIKE '<mail-%'"))}
    # A message claimed at the instant the database dropped every connection stays in `sending` for a person
    # to decide (it may have gone); the worker says so. Anything else good must have arrived exactly once.
    in_doubt = [m for m in not_once if rows.get(m, ("",))[0] == "sending"]
    lost = [m for m in not_once if m not in in_doubt]
    if lost:
        problems.append(f"{len(lost)} of {len(traffic.good)} good messages not delivered exactly once, e.g. "
                        f"{[(m, delivered[m], rows.get(m)) for m in lost[:5]]}")
    # A poisoned message can be the one claimed at that instant too (one in six queued is poisoned): it stays in
    # `sending`, undelivered, like a good one, and counts among the few a dropped connection may leave.
    poisoned_in_doubt = [m for m in traffic.poisoned if rows.get(m, ("",))[0] == "sending" and not delivered[m]]
    if len(in_doubt) + len(poisoned_in_doubt) > IN_FLIGHT:
        problems.append(f"{len(in_doubt) + len(poisoned_in_doubt)} messages left in 'sending': "
                        f"{(in_doubt + poisoned_in_doubt)[:5]}")
    for marker, what in traffic.poisoned.items():
        status, error = rows.get(marker, (None, None))
        if marker in poisoned_in_doubt:
            continue
        if delivered[marker] or status != "failed" or not error:
            problems.append(f"poisoned message ({what}) was {status}, delivered {delivered[marker]} time(s)")
    if any("evil@example.org" in str(m) for m in smtp.messages):
        problems.append("a header injection reached the mail server")
    return problems, (f"mail: {len(traffic.good)} good messages queued, {sum(delivered[m] for m in traffic.good)} "
                      f"delivered; {len(traffic.poisoned)} poisoned, "
                      f"{sum(1 for m in traffic.poisoned if rows.get(m, ('',))[0] == 'failed')} failed with a reason"
                      + (f"; {len(in_doubt) + len(poisoned_in_doubt)} left in 'sending' by the dropped connections"
                         if in_doubt or poisoned_in_doubt else ""))


def drive(server, consultation_id, seconds, faults=None):
    """Run THREADS visitors for `seconds`; `faults` is a list of (at_seconds, callable)."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    visitors = [Visitor(server.port, PEOPLE[i % len(PEOPLE)], consultation_id, deadline, tally, seed=i)
                for i in range(THREADS)]
    start = time.monotonic()
    for visitor in visitors:
        visitor.start()
    for at, fault in sorted(faults or [], key=lambda f: f[0]):
        time.sleep(max(0, start + at - time.monotonic()))
        fault()
    for visitor in visitors:
        visitor.join(timeout=seconds + 120)
    errors = [f"{v.login}: {v.error!r}" for v in visitors if v.error]
    assert not errors, "visitors failed:\n" + "\n".join(errors)
    tally.seconds = time.monotonic() - start
    return tally


def check_database(engine, tally, env, earlier=()):
    """Every accepted comment once, every vote once, nothing half-written, and verify-log OK. Returns facts.

    `earlier`: the tallies of earlier phases on the same database (their comments are there too)."""
    problems = []
    accepted = set().union(tally.accepted, *(t.accepted for t in earlier))
    uncertain = set().union(tally.uncertain, *(t.uncertain for t in earlier))
    with engine.connect() as connection:
        bodies = connection.execute(text("SELECT body FROM comment WHERE body LIKE '%soak-%'")).scalars().all()
        stored = Counter(m for body in bodies for m in set(MARKER.findall(body)))
        missing = [m for m in accepted if stored[m] != 1]
        if missing:
            problems.append(f"{len(missing)} accepted comment(s) not stored exactly once, e.g. "
                            f"{[(m, stored[m]) for m in missing[:5]]}")
        twice = [m for m, n in stored.items() if n > 1]
        if twice:
            problems.append(f"comments stored more than once: {twice[:5]}")
        unexpected = set(stored) - accepted - uncertain
        if unexpected:
            problems.append(f"{len(unexpected)} comment(s) stored although the POST was refused: {sorted(unexpected)[:5]}")
        duplicates = connection.execute(text(
            "SELECT consultation_id, section_id, person_id, COUNT(*) FROM vote "
            "GROUP BY consultation_id, section_id, person_id HAVING COUNT(*) > 1")).all()
        if duplicates:
            problems.append(f"votes stored twice: {duplicates[:5]}")
        problems += half_written(connection)
        counts = dict(connection.execute(text(
            "SELECT 'comments', COUNT(*) FROM comment UNION ALL SELECT 'votes', COUNT(*) FROM vote "
            "UNION ALL SELECT 'log', COUNT(*) FROM log_entry")).all())
    verify = flask(env, "verify-log")
    if verify.returncode != 0 or not verify.stdout.startswith("OK "):
        problems.append(f"verify-log: {verify.stdout}{verify.stderr[-2000:]}")
    counts["verify"] = verify.stdout.strip()
    return problems, counts


def half_written(connection):
    """Each row with its log entry and each log entry with its row."""
    problems = []
    for what, rows_sql, log_sql in [
        ("comment", "SELECT id FROM comment",
         "SELECT subject FROM log_entry WHERE action IN ('comment.posted', 'reply.posted')"),
        ("vote", "SELECT id FROM vote", "SELECT subject FROM log_entry WHERE action = 'vote.cast'"),
    ]:
        rows = set(connection.execute(text(rows_sql)).scalars())
        logged = Counter(int(s.split(":")[1]) for s in connection.execute(text(log_sql)).scalars())
        if rows != set(logged) or any(n > 1 for n in logged.values()):
            problems.append(f"{what}s and their log entries differ: without an entry {sorted(rows - set(logged))[:5]}, "
                            f"entries without a row {sorted(set(logged) - rows)[:5]}, "
                            f"logged twice {[k for k, n in logged.items() if n > 1][:5]}")
    revisions = connection.execute(text("SELECT COUNT(*) FROM comment_revision")).scalar()
    edits = connection.execute(text("SELECT COUNT(*) FROM log_entry WHERE action = 'comment.edited'")).scalar()
    if revisions != edits:
        problems.append(f"{revisions} comment revisions but {edits} comment.edited log entries")
    return problems


def run(seconds=60, report=print):
    """Both phases, `seconds` each. Returns the problems found (an empty list when all is well)."""
    name = f"portal_soak_{uuid.uuid4().hex[:8]}"
    url = create_postgres_database(POSTGRES_URL, name)
    plain_url = url.replace("postgresql+psycopg://", "postgresql://")
    smtp = SMTPServer()
    smtp.handler.unknown_domains.add("gone.example")
    smtp.start()
    env = server_env(plain_url, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port),
                     MAIL_DEFAULT_SENDER="portal@partnership.example")
    engine = create_engine(url)
    problems = []
    worker = None
    try:
        demo = flask({**env, "PORTAL_ENV": "development"}, "demo-data")
        assert demo.returncode == 0, demo.stderr[-3000:]
        with engine.connect() as connection:
            consultation_id = connection.execute(text("SELECT MIN(id) FROM consultation")).scalar_one()
        worker = subprocess.Popen([*FLASK, "send-mail", "--interval", "0.5"], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        mail_traffic = MailTraffic(engine, time.monotonic() + 2 * seconds)
        mail_traffic.start()
        with Gunicorn(env) as server:
            steady = tally = drive(server, consultation_id, seconds)
            found, counts = check_database(engine, tally, env)
            report(summary("steady", tally, counts))
            problems += [f"steady: {p}" for p in found]
            problems += [f"steady: {e}" for e in tally.server_errors[:10]]
            if tally.dropped:
                problems.append(f"steady: {tally.dropped} connection(s) dropped with no fault injected")

            killed, terminated = [], []

            def kill_a_worker():
                pid = server.workers()[0]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

            def drop_connections():
                with engine.connect() as connection:
                    terminated.extend(connection.execute(text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name}).scalars())

            tally = drive(server, consultation_id, seconds,
                          faults=[(seconds / 3, kill_a_worker), (2 * seconds / 3, drop_connections)])
            found, counts = check_database(engine, tally, env, earlier=[steady])
            report(summary("faults", tally, counts) +
                   f"\n  killed worker {killed}, dropped {len(terminated)} database connection(s); "
                   f"{len(tally.server_errors)} 5xx and {tally.dropped} dropped connection(s) while they happened")
            problems += [f"faults: {p}" for p in found]
            if not killed or not terminated:
                problems.append("faults: the faults were not injected")
            # A request in flight on a connection the database just dropped may fail (500); there are at most
            # as many such requests as there are workers. Anything beyond that is a bug.
            if len(tally.server_errors) > 4:
                problems += [f"faults: {e}" for e in tally.server_errors[:10]]
            if server.process.poll() is not None:
                problems.append("faults: gunicorn itself died")
            if sum(n for (kind, status), n in tally.requests.items() if status == 200 and kind == "read") == 0:
                problems.append("faults: no page was served after the faults")
        mail_traffic.join(timeout=seconds + 60)
        found, line = check_mail(engine, mail_traffic, smtp, worker)
        report(line)
        problems += [f"mail: {p}" for p in found]
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        smtp.stop()
        engine.dispose()
        drop_postgres_database(POSTGRES_URL, name)
    return problems


def summary(phase, tally, counts):
    by_kind = Counter()
    for (kind, status), n in tally.requests.items():
        by_kind[f"{kind} {status}"] += n
    return (f"{phase}: {tally.total} requests in {tally.seconds:.1f} s ({tally.total / tally.seconds:.0f}/s): "
            f"{dict(sorted(by_kind.items()))}; {len(tally.accepted)} comments accepted; "
            f"{counts.get('comments')} comments, {counts.get('votes')} votes, {counts.get('log')} log entries; "
            f"verify-log: {counts.get('verify', '')[:20]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of each phase")
    args = parser.parse_args()
    problems = run(args.seconds)
    if problems:
        print("SOAK FAILED:\n" + "\n".join(problems))
        raise SystemExit(1)
    print("SOAK OK")


if __name__ == "__main__":
    main()
