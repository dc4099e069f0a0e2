"""A trust that outgrows one server: two web processes and two Celery workers, as separate
processes, sharing one PostgreSQL and one Redis. A session made on one web node is valid on the
other, and every email the nodes cause is sent exactly once though two workers share the queue.
(PostgreSQL run only: the processes must see the test's committed data.)"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.db import connection

from gatehouse.accounts.tests.test_join import _form
from gatehouse.lib.testing import free_port, stop_processes
from gatehouse.schools import demo
from gatehouse.schools.models import School

PROJECT = Path(__file__).resolve().parents[4]
pytestmark = [
    pytest.mark.celery,
    pytest.mark.skipif(not settings.CELERY_BROKER_URL or connection.vendor != "postgresql",
                       reason="needs PostgreSQL and Redis shared by separate processes"),
]


# Generous: the first request to a node loads the moderation model, on a busy machine.
_http = httpx.Client(timeout=60)


def _node_env(smtp_port: int, queue: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    return {
        "PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT / "src"), "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY if settings.SECRET_KEY != settings.DEV_SECRET_KEY
        else "two-nodes-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "CELERY_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port), "RATE_LIMITS_ENABLED": "false",
    }


@pytest.fixture
def two_nodes(transactional_db: None, smtp_server: Any) -> Iterator[list[str]]:
    demo.create_demo_school(posts=2)
    env = _node_env(smtp_server.port, queue=f"two-nodes-{secrets.token_hex(4)}")
    bin_dir = Path(sys.executable).parent
    ports = [free_port(), free_port()]
    processes = [subprocess.Popen(  # noqa: S603
        [str(bin_dir / "gunicorn"), "gatehouse.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--chdir", str(PROJECT / "src")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for port in ports]
    processes += [subprocess.Popen(  # noqa: S603
        [str(bin_dir / "celery"), "-A", "gatehouse", "worker", "-Q", env["CELERY_QUEUE"],
         "--pool", "solo", "-n", f"node{n}@%h", "--without-gossip", "--without-mingle"],
        cwd=PROJECT / "src", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for n in (1, 2)]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            _wait_for(base)
        yield bases
    finally:
        stop_processes(*processes)


def _wait_for(base: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if _http.get(f"{base}/accounts/login/").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{base} did not start")


def _cookies(response: httpx.Response) -> dict[str, str]:
    """Gatehouse's cookies are Secure; over this plain test link they are carried by hand."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        name, _, value = header.split(";", 1)[0].partition("=")
        found[name] = value
    return found


def _cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}


def _signed_in(base: str, email: str) -> dict[str, str]:
    page = _http.get(f"{base}/accounts/login/")
    cookies = _cookies(page)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = _http.post(f"{base}/accounts/login/", headers=_cookie_header(cookies),
                        data={"csrfmiddlewaretoken": token, "login": email,
                              "password": demo.DEMO_PASSWORD})
    assert answer.status_code == 302, answer.status_code
    return {**cookies, **_cookies(answer)}


def test_two_web_nodes_and_two_workers_share_sessions_and_send_each_email_once(
    two_nodes: list[str], smtp_server: Any
) -> None:
    # (Both promises in one test: starting four processes is the slow part.)
    _a_session_from_one_node_is_valid_on_the_other(*two_nodes)
    _each_email_is_sent_once(two_nodes, smtp_server)


def _a_session_from_one_node_is_valid_on_the_other(first: str, second: str) -> None:
    cookies = _signed_in(first, "parent@oakfield.example")
    feed = _http.get(f"{second}/s/oakfield/", headers=_cookie_header(cookies))
    assert feed.status_code == 200
    assert demo.SAMPLE_POSTS[0] in feed.text and "Sign out" in feed.text


def _each_email_is_sent_once(two_nodes: list[str], smtp_server: Any) -> None:
    """Join requests through both nodes: each applicant gets exactly one acknowledgement,
    though two workers take from the same queue."""
    oakfield = School.objects.get(slug="oakfield")
    addresses = [f"family{n}@example.net" for n in range(8)]
    for n, address in enumerate(addresses):
        base = two_nodes[n % 2]
        page = _http.get(f"{base}/s/oakfield/join/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        data = {**_form(oakfield, email=address), "csrfmiddlewaretoken": token}
        sent = _http.post(f"{base}/s/oakfield/join/", data=data,
                          headers=_cookie_header(_cookies(page)))
        assert sent.status_code == 302, sent.status_code
    for address in addresses:
        smtp_server.wait_for(address, timeout=60)
    time.sleep(3)  # time for any duplicate to arrive
    received = [m["To"] for m in smtp_server.messages if m["To"].startswith("family")]
    assert sorted(received) == sorted(addresses)  # each once: none lost, none sent twice
