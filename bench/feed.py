"""Feed page benchmark: p50/p95 latency and requests/s for a school with 500 posts and
10,000 comments, served by gunicorn on SQLite and PostgreSQL side by side, plus the number
of SQL queries per feed page for several page sizes (it must not grow with posts shown), and
a burst of comments submitted concurrently, counted back from the database (none may be lost).

    .venv/bin/python bench/feed.py [--requests 600] [--concurrency 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
POSTS, COMMENTS = 500, 10_000


def _django_setup() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gatehouse.settings")
    import django

    django.setup()


def populate() -> None:
    """(In a child process, with the backend's environment.) Build the school, print a
    session key for a parent and the query counts."""
    _django_setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from gatehouse.accounts.models import Membership, User
    from gatehouse.community.models import Comment, Post
    from gatehouse.schools.demo import create_demo_school

    call_command("migrate", verbosity=0)
    school = create_demo_school(slug="bench", posts=0)
    admin = User.objects.get(email="admin@oakfield.example")
    parents = [m.user for m in Membership.objects.filter(school=school)]
    posts = Post.objects.bulk_create(
        Post(school=school, author=admin, body=f"News item {n}: " + "lorem ipsum " * 20)
        for n in range(POSTS)
    )
    Comment.objects.bulk_create(
        Comment(post=posts[n % POSTS], author=parents[n % 2], body=f"Comment {n}, thank you!")
        for n in range(COMMENTS)
    )
    parent = User.objects.get(email="parent@oakfield.example")
    session = SessionStore()
    session["_auth_user_id"] = str(parent.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = parent.get_session_auth_hash()
    session.create()
    print("SESSION", session.session_key)
    for size, count in _query_counts(parent).items():
        print("QUERIES", size, count)


def _query_counts(parent: object) -> dict[int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gatehouse.community import views

    client = Client()
    client.force_login(parent)  # type: ignore[arg-type]
    counts = {}
    for size in (5, 10, 20, 50):
        views.POSTS_PER_PAGE = size
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/s/bench/", HTTP_HOST="127.0.0.1").status_code == 200
        counts[size] = len(ctx.captured_queries)
    return counts


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "gatehouse.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", str(workers), "--chdir", str(ROOT / "src"), "--log-level", "warning"],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(base + "/", timeout=1)
            return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def _load(base: str, session: str, requests: int, concurrency: int) -> tuple[list[float], float]:
    pages = [random.randint(1, POSTS // 10) for _ in range(requests)]
    # One pooled client for all threads: building a client per request costs more CPU than
    # the page itself, and the load generator shares this machine's cores with the server.
    client = httpx.Client(cookies={"sessionid": session}, timeout=30,
                          limits=httpx.Limits(max_connections=concurrency))

    def one(page: int) -> float:
        start = time.perf_counter()
        response = client.get(f"{base}/s/bench/?page={page}")
        response.raise_for_status()
        assert "News item" in response.text
        return (time.perf_counter() - start) * 1000

    for page in pages[:20]:  # warm up
        one(page)
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(one, pages))
    return latencies, requests / (time.perf_counter() - start)


def _submit_comments(base: str, session: str, count: int, concurrency: int) -> tuple[int, float]:
    """Post comments concurrently through the real form (CSRF and all); return how many the
    server accepted and the p95 latency of a submission in ms."""
    page = httpx.get(f"{base}/s/bench/", cookies={"sessionid": session}, timeout=30)
    csrf = page.cookies.get("csrftoken") or ""
    post_id = page.text.split('id="post-', 1)[1].split('"', 1)[0]

    client = httpx.Client(cookies={"sessionid": session, "csrftoken": csrf}, timeout=60,
                          headers={"X-CSRFToken": csrf, "Referer": f"{base}/s/bench/",
                                   "HX-Request": "true"})

    def one(n: int) -> tuple[bool, float]:
        start = time.perf_counter()
        response = client.post(
            f"{base}/s/bench/posts/{post_id}/comments/",
            data={"body": f"Load comment {n}: what time does the trip get back?"},
        )
        return response.status_code == 200, (time.perf_counter() - start) * 1000

    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(count)))
    latencies = [ms for _, ms in results]
    return sum(ok for ok, _ in results), statistics.quantiles(latencies, n=100)[94]


def count_load_comments() -> None:
    _django_setup()
    from gatehouse.community.models import Comment

    print("STORED", Comment.objects.filter(body__startswith="Load comment").count())


def _run_backend(name: str, database_url: str, args: argparse.Namespace) -> dict[str, object]:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false",
           "SECRET_KEY": secrets.token_urlsafe(40), "ALLOWED_HOSTS": "127.0.0.1,testserver",
           "PYTHONPATH": str(ROOT / "src"), "CONN_MAX_AGE": "60"}
    env.pop("CELERY_BROKER_URL", None)
    env["RATE_LIMITS_ENABLED"] = "false"  # one parent posts every load comment
    env["SECURE_SSL_REDIRECT"] = "false"  # plain HTTP straight to gunicorn, no TLS proxy here
    out = subprocess.run([PYTHON, __file__, "_populate"], env=env, check=True,
                         capture_output=True, text=True).stdout
    session = next(line.split()[1] for line in out.splitlines() if line.startswith("SESSION"))
    queries = {int(p[1]): int(p[2]) for p in (line.split() for line in out.splitlines())
               if p and p[0] == "QUERIES"}
    proc, base = _serve(env, args.workers)
    try:
        latencies, rps = _load(base, session, args.requests, args.concurrency)
        accepted, submit_p95 = _submit_comments(base, session, args.comments, args.concurrency)
    finally:
        proc.terminate()
        proc.wait()
    stored_out = subprocess.run([PYTHON, __file__, "_count"], env=env, check=True,
                                capture_output=True, text=True).stdout
    stored = int(stored_out.split()[-1])
    cuts = statistics.quantiles(latencies, n=100)
    return {"backend": name, "p50": cuts[49], "p95": cuts[94], "rps": rps, "queries": queries,
            "accepted": accepted, "stored": stored, "submit_p95": submit_p95}


def _postgres_url() -> str | None:
    url = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/gatehouse_bench")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    try:
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL skipped: {exc}")
        return None
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--comments", type=int, default=200,
                        help="comments submitted concurrently to check none is lost")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = [_run_backend("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args)]
        pg = _postgres_url()
        if pg:
            runs.append(_run_backend("PostgreSQL", pg, args))
    print(f"\nFeed page, {POSTS} posts and {COMMENTS:,} comments, gunicorn -w {args.workers}, "
          f"{args.requests} requests at concurrency {args.concurrency}, random pages of 10 posts")
    print(f"{'backend':<12}{'p50 ms':>10}{'p95 ms':>10}{'req/s':>10}   queries per page "
          "(posts shown: count)")
    for run in runs:
        queries = "  ".join(f"{k}:{v}" for k, v in run["queries"].items())  # type: ignore[attr-defined]
        print(f"{run['backend']:<12}{run['p50']:>10.1f}{run['p95']:>10.1f}{run['rps']:>10.1f}   "
              f"{queries}")
    print(f"\nComments submitted under load ({args.comments} at concurrency {args.concurrency}, "
          "each scored by the moderation engine in the request)")
    for run in runs:
        print(f"{run['backend']:<12} accepted {run['accepted']}/{args.comments}, "
              f"stored {run['stored']}, lost {args.comments - run['stored']}, "
              f"p95 submit {run['submit_p95']:.1f} ms")


if __name__ == "__main__":
    if sys.argv[1:] == ["_populate"]:
        populate()
    elif sys.argv[1:] == ["_count"]:
        count_load_comments()
    else:
        main()
