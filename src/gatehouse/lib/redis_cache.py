"""Django's Redis cache, keeping one redis-py client per connection pool.

Django makes a new `redis.Redis` for every cache call; redis-py 8 builds a table of ~1,000
response callbacks each time, which cost more CPU than the round trip itself (about 0.5 ms a
call, several calls per page). A client is safe to share between threads (its pool is), so one
is made per pool and kept.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        if index not in self._clients:
            self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return self._clients[index]


class RedisCache(redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
