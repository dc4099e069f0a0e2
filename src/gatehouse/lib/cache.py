"""Helpers for what Gatehouse keeps in the shared cache (Redis): versions and degrading quietly.

A cached thing that must never be served stale carries a *version* kept under its own key.
Whoever changes the underlying rows calls `bump_version`, which sets a new version both at once
and again when the transaction commits, so an entry built from the not-yet-committed state in
between is stored under a version nobody reads any more.

If the cache is unreachable every helper returns its default: callers then go to the database.
A bump that could not reach the cache is kept and sent again by this process's next cache call
that goes through here, so entries stored before an outage are not served once Redis is back
(a process that dies first leaves them to expire: FEED_CACHE_SECONDS, ACCESS_SECONDS).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)
_unsent: set[str] = set()  # version keys whose bump did not reach the cache
_undeleted: set[str] = set()  # keys whose deletion did not reach it


def safely[T](call: Callable[[], T], default: T) -> T:
    try:
        return call()
    except Exception as exc:  # any cache backend error: the caller uses the database instead
        log.warning("cache unavailable, serving from the database: %s", exc)
        return default


def _set_new_version(key: str) -> bool:
    try:
        cache.set(key, uuid.uuid4().hex, None)
    except Exception as exc:  # the cache is away: send it again later
        log.warning("cache unavailable, version change kept to send again: %s", exc)
        _unsent.add(key)
        return False
    _unsent.discard(key)
    return True


def send_unsent() -> None:
    """Send the version changes and deletions this process could not send while the cache
    was away (cheap when there are none: call it before reading)."""
    for key in list(_unsent):
        if not _set_new_version(key):
            return  # still away
    for key in list(_undeleted):
        if not delete(key):
            return


def delete(key: str) -> bool:
    """Delete `key`, or keep it to delete again once the cache is back (False)."""
    try:
        cache.delete(key)
    except Exception as exc:
        log.warning("cache unavailable, deletion kept to send again: %s", exc)
        _undeleted.add(key)
        return False
    _undeleted.discard(key)
    return True


def bump_version(key: str) -> None:
    """Forget everything stored under the version kept at `key`, now and again on commit."""
    send_unsent()
    _set_new_version(key)
    transaction.on_commit(lambda: _set_new_version(key))


def current_version(key: str, known: str | None = None) -> str | None:
    """The version kept at `key` (`known`: what a `get_many` just read there), made on first
    use; None when the cache is away."""
    send_unsent()
    version = known if known is not None else safely(lambda: cache.get(key), None)
    if version is None:
        made = uuid.uuid4().hex
        if safely(lambda: cache.add(key, made, None), False):
            return made
        # Another process set it first (or the cache is away).
        version = safely(lambda: cache.get(key), None)
    return version
