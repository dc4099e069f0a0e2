"""Sessions in the database, cached in Redis (lib/sessions.py): read from the cache, still read
while Redis is away, and a session deleted meanwhile does not come back from Redis."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from gatehouse.lib.sessions import SessionStore
from gatehouse.lib.testing import free_port

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def cached_sessions(settings: Any) -> Any:
    settings.SESSION_ENGINE = "gatehouse.lib.sessions"
    settings.CACHES = LOCAL
    return settings


def _kill_redis(settings: Any) -> None:
    settings.CACHES = {"default": {
        "BACKEND": "gatehouse.lib.redis_cache.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}


def _new_session() -> str:
    store = SessionStore()
    store["who"] = "parent"
    store.create()
    return store.session_key


def test_a_session_is_read_from_the_cache(cached_sessions: Any, db: None) -> None:
    key = _new_session()
    Session.objects.filter(pk=key).update(session_data="changed behind the cache's back")
    assert SessionStore(key).load() == {"who": "parent"}


def test_with_redis_away_sessions_come_from_the_database(
    cached_sessions: Any, school: Any, make_parent: Any, login_client: Any
) -> None:
    key = _new_session()
    client = login_client(make_parent(school).user)
    _kill_redis(cached_sessions)
    assert SessionStore(key).load() == {"who": "parent"}
    assert client.get(reverse("feed", kwargs={"slug": school.slug})).status_code == 200


def test_a_session_deleted_while_redis_is_away_does_not_come_back(
    cached_sessions: Any, db: None
) -> None:
    from django.core.cache import cache

    key = _new_session()
    cached = cache.get(SessionStore.cache_key_prefix + key)
    _kill_redis(cached_sessions)
    SessionStore(key).delete()  # signing out: gone from the database, Redis unreachable
    assert not Session.objects.filter(pk=key).exists()
    # Redis is back with the session it had saved before the outage.
    cached_sessions.CACHES = LOCAL
    cache.set(SessionStore.cache_key_prefix + key, cached)
    assert SessionStore(key).load() == {}
