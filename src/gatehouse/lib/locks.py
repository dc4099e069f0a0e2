"""One runner at a time for a scheduled job, across every node sharing the database.

Jobs that claim rows one by one with a conditional UPDATE (case deadline reminders, access- and
policy-review reminders) need no lock. A job that works in batches, such as the retention run,
takes this lock so two nodes (two beats, or beat and `--loop`) never do it at the same time:
on PostgreSQL a session advisory lock, released when the job ends or its connection dies; on
SQLite (a single server by design) there is only one node, so nothing to take.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def only_one_runner(name: str) -> Iterator[bool]:
    """Yield True if this process holds the job's lock (run it), False if another node is
    running it now (skip it)."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_key(name)])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_key(name)])
