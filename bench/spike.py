"""The closure-morning spike at trust scale, optionally with faults.

Seeds a trust of 20 schools and 20,000 parents (bulk_create) in its own PostgreSQL database
(gh_11_spike, or --database), starts its own redis-server on a free port (cache on DB 0,
Celery broker on DB 1: the shared Redis is never touched), gunicorn, one Celery worker and a
local SMTP server, then:

1. 2,000 parents load their school's feed (target: within 2 minutes);
2. over 5 minutes 300 comments arrive through the real form (CSRF, HTMX), each scored by the
   moderation engine in the request before anyone else can see it, while parents keep reading
   and moderators (in this process, through moderation.actions) work the queue.

It prints requests/s, p50/p95/p99 per page, queries per feed page (cold and cached), comments
sent / stored / lost / stored twice, emails queued / delivered / duplicated, and errors.

With --faults, during phase 2: kill -9 one gunicorn worker; kill -9 the Celery worker (a new
one is started 2 s later); end every PostgreSQL connection of the app's database with
pg_terminate_backend (the shared PostgreSQL server is NOT restarted: others use it); stop this
run's own redis-server for a minute (scaled) and start it again. What users saw in each window
is printed.

    .venv/bin/python bench/spike.py [--scale 0.1] [--faults] [--workers 3] [--threads 1]
                                    [--concurrency 8]

--scale shrinks parents, comments and the durations together (0.1: 2,000 parents seeded, 200
feed loads, 30 comments over 30 s). Rate limits are off (every request comes from 127.0.0.1).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DB_NAME = "gh_11_spike"  # --database: two runs at once need a database each
SCHOOLS, PARENTS, FEED_LOADS, COMMENTS = 20, 20_000, 2_000, 300
FEED_SECONDS, COMMENT_SECONDS, POSTS_PER_SCHOOL = 120, 300, 30
# A few comments the policy check holds or raises as a concern, so emails are queued.
SPICY = ["You are an idiot and a liar, shut up", "My child is being hurt at home and I am scared"]


def _free_port() -> int:
    from gatehouse.lib.testing import free_port

    return free_port()


@dataclass
class Sample:
    at: float
    page: str
    ms: float
    status: int  # 0: no response (connection refused or reset)


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    events: list[tuple[float, float, str]] = field(default_factory=list)  # start, end, what
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def _env(args: argparse.Namespace, redis_port: int, smtp_port: int) -> dict[str, str]:
    pg = os.environ.get("SPIKE_PG", "postgres://postgres@127.0.0.1:5432")
    return {**os.environ, "DATABASE_URL": f"{pg}/{DB_NAME}", "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SPIKE_SECRET", secrets.token_urlsafe(40)),
            "ALLOWED_HOSTS": "127.0.0.1", "PYTHONPATH": str(ROOT / "src"),
            "CONN_MAX_AGE": "60", "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/1",
            "CELERY_QUEUE": "spike", "RATE_LIMITS_ENABLED": "false",
            "SECURE_SSL_REDIRECT": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port), "EMAIL_USE_TLS": "false",
            "DJANGO_SETTINGS_MODULE": "gatehouse.settings"}


def _fresh_database(env: dict[str, str]) -> None:
    import psycopg

    admin = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def _seed(scale: float) -> list[tuple[str, str]]:
    """The trust, its schools, parents, posts and some comments; returns (school slug, session
    key) for the parents who will take part."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.utils import timezone

    from gatehouse.accounts.models import Membership, Role, StaffRole, User
    from gatehouse.community.models import Comment, Post
    from gatehouse.schools.models import School, SchoolDocument, Trust

    call_command("migrate", verbosity=0)
    trust = Trust.objects.create(name="Spike Learning Trust")
    schools, staff = [], []
    for n in range(SCHOOLS):
        school = School(trust=trust, name=f"Spike School {n}", slug=f"spike-{n}",
                        security_question="Tortoise?", phone="01632 960 000",
                        staff_email=f"office{n}@spike.example",
                        complaints_policy_url="https://spike.example/complaints")
        school.set_security_answer("Shelly")
        school.save()
        SchoolDocument.objects.create(school=school, kind=SchoolDocument.Kind.GROUP_RULES,
                                      version=1, title="Group rules", body="Be kind.")
        head = User.objects.create_user(f"head{n}@spike.example", None, full_name=f"Head {n}")
        for role in (Role.ADMINISTRATOR, Role.MODERATOR, Role.HEAD_TEACHER, Role.DSL):
            StaffRole.objects.create(user=head, school=school, role=role)
        schools.append(school)
        staff.append(head)
    per_school = int(PARENTS * scale) // SCHOOLS
    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"p{s}-{i}@spike.example", full_name=f"Parent {s}-{i}", password=password)
        for s in range(SCHOOLS) for i in range(per_school))
    Membership.objects.bulk_create(
        Membership(user=u, school=schools[k // per_school], child_name="Sam", child_year="Year 3")
        for k, u in enumerate(users))
    posts = Post.objects.bulk_create(
        Post(school=s, author=staff[n], body=f"Closure update {p} for {s.name}: " + "news " * 30)
        for n, s in enumerate(schools) for p in range(POSTS_PER_SCHOOL))
    Comment.objects.bulk_create(
        Comment(post=posts[k % len(posts)], author=users[(k * 7) % len(users)],
                body=f"Earlier comment {k}") for k in range(len(posts) * 5))
    chosen = random.Random(1).sample(range(len(users)), min(len(users),
                                                            int(FEED_LOADS * scale) or 1))
    expire = timezone.now() + timezone.timedelta(days=1)
    sessions, out = [], []
    for k in chosen:
        user = users[k]
        key = secrets.token_hex(16)
        data = SessionStore().encode({
            "_auth_user_id": str(user.pk), "_auth_user_hash": user.get_session_auth_hash(),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend"})
        sessions.append(Session(session_key=key, session_data=data, expire_date=expire))
        out.append((schools[k // per_school].slug, key))
    Session.objects.bulk_create(sessions)
    return out


def _query_counts(slug: str, session: str) -> tuple[int, int]:
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gatehouse.accounts.models import User

    user_id = Session.objects.get(pk=session).get_decoded()["_auth_user_id"]
    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/s/{slug}/", HTTP_HOST="127.0.0.1").status_code == 200
        counts.append(len(ctx.captured_queries))
    return counts[0], counts[1]


class Services:
    def __init__(self, env: dict[str, str], workers: int, threads: int, redis_port: int) -> None:
        self.env, self.workers, self.redis_port = env, workers, redis_port
        self.redis_dir = tempfile.mkdtemp(prefix="gh11-spike-redis-")
        self.redis = self._start_redis()
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.gunicorn = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "gatehouse.wsgi", "-b", f"127.0.0.1:{self.port}",
             "-w", str(workers), "--threads", str(threads), "--chdir", str(ROOT / "src"),
             "--log-level", "error"], env=env)
        self.celery = self._start_celery()
        for _ in range(200):
            try:
                httpx.get(self.base + "/", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise SystemExit("gunicorn did not start")

    def _start_redis(self) -> subprocess.Popen[bytes]:
        # Append-only file, as a production Redis should keep the queue: stopping it loses no
        # queued task. The directory is this run's own.
        proc = subprocess.Popen(["redis-server", "--port", str(self.redis_port), "--save", "",
                                 "--appendonly", "yes", "--dir", self.redis_dir,
                                 "--bind", "127.0.0.1"], stdout=subprocess.DEVNULL)
        time.sleep(0.3)
        return proc

    def _start_celery(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "gatehouse", "worker", "-Q", "spike", "-P", "solo",
             "--without-mingle", "--without-gossip", "-l", "error"],
            cwd=ROOT / "src", env=self.env)

    def kill_a_web_worker(self) -> None:
        children = subprocess.run(["pgrep", "-P", str(self.gunicorn.pid)], capture_output=True,
                                  text=True).stdout.split()
        if children:
            os.kill(int(children[0]), signal.SIGKILL)

    def kill_celery(self) -> None:
        self.celery.kill()
        self.celery.wait()
        time.sleep(2)
        self.celery = self._start_celery()

    def stop_redis(self) -> None:
        self.redis.terminate()
        self.redis.wait()

    def start_redis(self) -> None:
        self.redis = self._start_redis()

    def stop(self) -> None:
        for proc in (self.gunicorn, self.celery, self.redis):
            proc.terminate()
        for proc in (self.gunicorn, self.celery, self.redis):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(self.redis_dir, ignore_errors=True)


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the process has gone
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(services: Services) -> dict[str, dict[int, float]]:
    """CPU seconds used so far by each of this run's gunicorn processes, PostgreSQL backends
    and its Redis: divided by pages served, what a page costs whatever else the machine is
    doing."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"],
                         dbname="postgres", autocommit=True) as conn:
        backends = [pid for (pid,) in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [DB_NAME]).fetchall()]
    workers = subprocess.run(["pgrep", "-P", str(services.gunicorn.pid)], capture_output=True,
                             text=True).stdout.split()
    return {"gunicorn": {p: _cpu_seconds(p) for p in [services.gunicorn.pid, *map(int, workers)]},
            "PostgreSQL": {p: _cpu_seconds(p) for p in backends},
            "Redis": {services.redis.pid: _cpu_seconds(services.redis.pid)},
            "load generator": {0: time.process_time()}}


def _report_cpu(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]],
                pages: int) -> None:
    """CPU ms per request by process. A process that started during the phase counts from
    zero; one that ended during it (a PostgreSQL backend past CONN_MAX_AGE, a killed worker)
    is missed, so the figures are a floor."""
    parts = {k: sum(t - before[k].get(p, 0.0) for p, t in after[k].items()) * 1000 / max(1, pages)
             for k in before}
    server = sum(v for k, v in parts.items() if k != "load generator")
    print(f"  CPU per request: server {server:.1f} ms ("
          + ", ".join(f"{k} {v:.1f}" for k, v in parts.items()) + ") → about "
          f"{2000 / (server + parts['load generator']):.0f} requests/s on two idle cores")


def terminate_app_connections() -> int:
    """End every connection to the spike's database (what a PostgreSQL restart does to the
    app), without restarting the server others share."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"],
                         dbname="postgres", autocommit=True) as conn:
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = %s AND pid <> pg_backend_pid()", [DB_NAME]).fetchall()
    return len(rows)


def _client(base: str, session: str) -> httpx.Client:
    return httpx.Client(base_url=base, cookies={"sessionid": session}, timeout=30)


def _get_feed(run: Run, base: str, slug: str, session: str) -> tuple[httpx.Client, str]:
    client = _client(base, session)
    start = time.perf_counter()
    try:
        response = client.get(f"/s/{slug}/")
        status = response.status_code
        if status == 200 and "Closure update" not in response.text:
            status = 599  # a 200 without the feed on it
    except httpx.HTTPError:
        status = 0
    run.add(Sample(time.time(), "feed", (time.perf_counter() - start) * 1000, status))
    return client, client.cookies.get("csrftoken") or ""


async def _fetch_feed(port: int, slug: str, session: str) -> int:
    """One parent's feed over a fresh connection, as cheaply as a client can (the load generator
    shares the two cores with the server): the status, or 599 for a 200 without the feed on it,
    0 for no answer."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /s/{slug}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Cookie: sessionid={session}\r\nConnection: close\r\n\r\n".encode())
        data = await asyncio.wait_for(reader.read(-1), 30)
        writer.close()
    except (OSError, TimeoutError):
        return 0
    status = int(data[9:12]) if data[:5] == b"HTTP/" else 0
    return 599 if status == 200 and b"Closure update" not in data else status


def read_feeds(run: Run, port: int, parents: list[tuple[str, str]], concurrency: int,
               stop: threading.Event | None = None) -> None:
    """`concurrency` parents at a time load their feed: each of `parents` once, or (with
    `stop`) parents picked at random until it is set."""
    rng = random.Random(2)
    todo = iter(parents) if stop is None else iter(lambda: rng.choice(parents), None)

    async def one_reader() -> None:
        for slug, session in todo:
            if stop is not None and stop.is_set():
                return
            start = time.perf_counter()
            status = await _fetch_feed(port, slug, session)
            run.add(Sample(time.time(), "feed", (time.perf_counter() - start) * 1000, status))

    async def readers() -> None:
        await asyncio.gather(*(one_reader() for _ in range(concurrency)))

    asyncio.run(readers())


def _post_ids(slug: str) -> list[int]:
    from gatehouse.community.models import Post

    return list(Post.objects.filter(school__slug=slug).values_list("pk", flat=True)[:5])


def _send_comment(run: Run, base: str, slug: str, session: str, post_id: int,
                  body: str, accepted: list[str]) -> None:
    reader, csrf = _get_feed(run, base, slug, session)
    reader.close()
    # The CSRF cookie is Secure (DEBUG off) and this is plain HTTP to gunicorn: send it as given.
    client = httpx.Client(base_url=base, cookies={"sessionid": session, "csrftoken": csrf},
                          timeout=30)
    start = time.perf_counter()
    try:
        response = client.post(f"/s/{slug}/posts/{post_id}/comments/", data={"body": body},
                               headers={"X-CSRFToken": csrf, "HX-Request": "true",
                                        "Referer": f"{base}/s/{slug}/"})
        status = response.status_code
    except httpx.HTTPError:
        status = 0
    client.close()
    run.add(Sample(time.time(), "comment", (time.perf_counter() - start) * 1000, status))
    if status == 200:
        with run.lock:
            accepted.append(body)


def _moderate(stop: threading.Event, decided: list[int]) -> None:
    """Moderators work the queue: approve what the check held unless it is a concern, which
    the DSL marks handled."""
    from django.db import close_old_connections

    from gatehouse.accounts.models import StaffRole
    from gatehouse.moderation import actions
    from gatehouse.moderation.models import QueueItem

    while not stop.wait(2):
        try:
            close_old_connections()
            for item in QueueItem.objects.filter(status=QueueItem.Status.OPEN).select_related(
                    "school")[:20]:
                head = StaffRole.objects.filter(school=item.school).first().user
                if item.kind == QueueItem.Kind.CONCERN:
                    actions.do_handle_concern(item, actor=head, note="Spoken to the family.")
                else:
                    actions.do_approve(item, actor=head)
                decided.append(item.pk)
        except Exception as exc:  # noqa: BLE001 - a terminated connection: try again next round
            print(f"  moderator: {type(exc).__name__}: {str(exc)[:80]}", flush=True)
            from django.db import connection

            connection.close()


def _percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    cuts = statistics.quantiles(values, n=100)
    return f"p50 {cuts[49]:7.1f}  p95 {cuts[94]:7.1f}  p99 {cuts[98]:7.1f} ms"


def _report_phase(name: str, samples: list[Sample], seconds: float) -> None:
    print(f"\n{name}: {len(samples)} requests in {seconds:.1f} s "
          f"({len(samples) / seconds:.1f} req/s)")
    for page in ("feed", "comment"):
        got = [s for s in samples if s.page == page]
        if not got:
            continue
        ok = [s.ms for s in got if s.status == 200]
        errors = [s.status for s in got if s.status != 200]
        server = sum(1 for e in errors if e >= 500 or e == 0)
        print(f"  {page:<8} {len(got):>6} sent, {len(ok) / seconds:7.1f}/s ok  "
              f"{_percentiles(ok)}  errors: {len(errors)} "
              f"(server errors or no answer: {server}; statuses {sorted(set(errors))})")


def main() -> None:
    global DB_NAME
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="above 1: gthread workers")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database", default=DB_NAME, help="dropped and made afresh")
    args = parser.parse_args()
    DB_NAME = args.database

    sys.path.insert(0, str(ROOT / "src"))
    from gatehouse.lib.testing import SMTPServer, free_port

    smtp = SMTPServer().start()
    redis_port = free_port()
    env = _env(args, redis_port, smtp.port)
    os.environ.update(env)
    _fresh_database(env)
    import logging

    import django

    django.setup()
    for noisy in ("httpx", "mail.log"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    t0 = time.perf_counter()
    # Seeding runs before this run's Redis starts: the cache's "unavailable" warnings are noise.
    logging.getLogger("gatehouse.lib.cache").setLevel(logging.ERROR)
    parents = _seed(args.scale)
    logging.getLogger("gatehouse.lib.cache").setLevel(logging.WARNING)
    print(f"Seeded {SCHOOLS} schools, {int(PARENTS * args.scale):,} parents in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    services = Services(env, args.workers, args.threads, redis_port)
    run = Run()
    try:
        from django.core.cache import cache

        cache.clear()
        # The parents signed in on earlier days: signing in puts the session in Redis as well as
        # the database (lib/sessions.py), and Redis keeps it. Their roles, memberships and the
        # feeds themselves are not cached yet.
        from django.contrib.sessions.models import Session

        from gatehouse.lib.sessions import SessionStore

        for session in Session.objects.filter(pk__in=[key for _, key in parents]):
            store = SessionStore(session.session_key)
            cache.set(store.cache_key, store.decode(session.session_data), 86400)
        cold, warm = _query_counts(*parents[0])
        print(f"Queries per feed page: {cold} (cache cold), {warm} (cached)", flush=True)

        # The web workers have served a few pages (a running site's have): one school's feed,
        # so the other nineteen schools' caches are still cold for the morning's first look.
        warm = parents[-1:] * (2 * args.workers * args.threads)
        read_feeds(Run(), services.port, warm, args.concurrency)

        # Phase 1: the morning's first look.
        feed_loads = int(FEED_LOADS * args.scale) or 1
        start, cpu = time.time(), server_cpu(services)
        read_feeds(run, services.port, parents[:feed_loads], args.concurrency)
        phase1 = time.time() - start
        _report_phase(f"Phase 1: {feed_loads} parents load their feed "
                      f"(target within {FEED_SECONDS * args.scale:.0f} s)",
                      [s for s in run.samples if s.at >= start], phase1)
        _report_cpu(cpu, server_cpu(services), feed_loads)
        print(f"  load average at the end of phase 1: {os.getloadavg()}", flush=True)

        # Phase 2: comments arrive while parents keep reading and moderators work.
        comments = int(COMMENTS * args.scale) or 1
        seconds = COMMENT_SECONDS * args.scale
        posts = {slug: _post_ids(slug) for slug in {slug for slug, _ in parents}}
        accepted: list[str] = []
        sent: list[str] = []
        stop = threading.Event()
        decided: list[int] = []
        moderator = threading.Thread(target=_moderate, args=(stop, decided), daemon=True)
        moderator.start()
        cpu = server_cpu(services)

        reading = threading.Thread(target=read_feeds, daemon=True, args=(
            run, services.port, parents, max(1, args.concurrency - 2), stop))
        start2 = time.time()
        reading.start()
        faults = _fault_plan(services, run, seconds) if args.faults else []
        with ThreadPoolExecutor(4) as pool:
            for n in range(comments):
                due = start2 + n * seconds / comments
                while faults and time.time() >= start2 + faults[0][0]:
                    _, what, act = faults.pop(0)
                    pool.submit(_timed_fault, run, what, act)
                time.sleep(max(0.0, due - time.time()))
                slug, session = parents[(n * 13) % len(parents)]
                body = (f"Spike comment {n}: " + (SPICY[n % 2] if n % 10 == 9
                                                  else "what time does the trip get back?"))
                sent.append(body)
                pool.submit(_send_comment, run, services.base, slug, session,
                            random.choice(posts[slug]), body, accepted)
            for _, what, act in faults:
                pool.submit(_timed_fault, run, what, act)
        stop.set()
        reading.join()
        moderator.join()
        phase2 = time.time() - start2
        in_phase2 = [s for s in run.samples if s.at >= start2]
        _report_phase(f"Phase 2: {comments} comments over {seconds:.0f} s with parents reading "
                      f"and moderators working ({len(decided)} queue items decided)",
                      in_phase2, phase2)
        _report_cpu(cpu, server_cpu(services), len(in_phase2))
        for begin, end, what in run.events:
            window = [s for s in run.samples if begin - 1 <= s.at <= end + 5]
            bad = [s for s in window if s.status != 200]
            ok = [s.ms for s in window if s.status == 200 and s.page == "feed"]
            print(f"  fault at +{begin - start2:5.1f} s: {what}: in the {end - begin + 6:.0f} s "
                  f"around it {len(window)} requests, {len(bad)} failed "
                  f"(statuses {sorted({s.status for s in bad})}), feed {_percentiles(ok)}")
        _check(sent, accepted, smtp)
    finally:
        services.stop()
        smtp.stop()
        print(f"\nLoad average (1/5/15 min) at the end: {os.getloadavg()}; the machine is "
              "shared, so these figures are pessimistic.")


def _fault_plan(services: Services, run: Run, seconds: float) -> list[tuple[float, str, object]]:
    redis_down = min(60.0, seconds * 0.2)

    def redis_outage() -> None:
        services.stop_redis()
        time.sleep(redis_down)
        services.start_redis()

    return [(seconds * 0.1, "kill -9 one gunicorn worker", services.kill_a_web_worker),
            (seconds * 0.25, "kill -9 the Celery worker (new one after 2 s)", services.kill_celery),
            (seconds * 0.4, "pg_terminate_backend on every app connection",
             terminate_app_connections),
            (seconds * 0.55, f"Redis stopped for {redis_down:.0f} s", redis_outage)]


def _timed_fault(run: Run, what: str, act: object) -> None:
    begin = time.time()
    print(f"  FAULT: {what}", flush=True)
    act()  # type: ignore[operator]
    with run.lock:
        run.events.append((begin, time.time(), what))


def _check(sent: list[str], accepted: list[str], smtp: object) -> None:
    from django.db import close_old_connections
    from django.db.models import Count

    from gatehouse.audit.models import AuditEntry
    from gatehouse.community.models import Comment

    close_old_connections()
    stored = Comment.objects.filter(body__startswith="Spike comment ")
    bodies = dict(stored.values("body").annotate(n=Count("pk")).values_list("body", "n"))
    lost = [b for b in accepted if b not in bodies]
    twice = [b for b, n in bodies.items() if n > 1]
    unscored = stored.filter(score__isnull=True).count()
    unscored_visible = stored.filter(score__isnull=True, status=Comment.Status.VISIBLE).count()
    print(f"\nComments: sent {len(sent)}, accepted (200) {len(accepted)}, "
          f"stored {sum(bodies.values())}, "
          f"lost (accepted, not stored) {len(lost)}, stored twice {len(twice)}, "
          f"not yet scored {unscored} (of them visible: {unscored_visible})")
    alerts = AuditEntry.objects.filter(action="moderation.alert.sent").count()
    concerns = list(AuditEntry.objects.filter(action="moderation.concern.raised")
                    .values_list("details", flat=True))
    expected = alerts + sum(1 + bool(d.get("to")) for d in concerns)
    deadline = time.time() + 120
    while time.time() < deadline and len(smtp.messages) < expected:  # type: ignore[attr-defined]
        time.sleep(1)
    time.sleep(3)
    messages = smtp.messages  # type: ignore[attr-defined]
    keys = [(m["To"], m["Subject"], str(m.get_payload())) for m in messages]
    dupes = len(keys) - len(set(keys))
    print(f"Emails: queued {expected}, delivered {len(messages)}, delivered twice {dupes}, "
          f"missing {max(0, expected - len(set(keys)))}")


if __name__ == "__main__":
    main()
