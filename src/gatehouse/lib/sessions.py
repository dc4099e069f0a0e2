"""Sessions kept in the database and cached in Redis, read from the database while Redis is away.

Django's cached_db backend reads a session from the cache (no query on a busy morning), and
writes through to the database, so no one is signed out when Redis restarts. Its `load` still
raises if Redis is away when it stores a session it had to read from the database; here that
is only logged, so pages keep working (slower) during an outage. A session deleted (signing
out) while Redis is away is gone from the database at once and deleted from Redis by this
process's next cache call once Redis is back (lib/cache.py), so it cannot come back to life
from Redis's saved data.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import cached_db

from gatehouse.lib import cache
from gatehouse.lib.cache import safely


class SessionStore(cached_db.SessionStore):
    def load(self) -> dict[str, Any]:
        cache.send_unsent()
        data = safely(lambda: self._cache.get(self.cache_key), None)
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if stored is None:
            return {}
        data = self.decode(stored.session_data)
        safely(lambda: self._cache.set(self.cache_key, data,
                                       self.get_expiry_age(expiry=stored.expire_date)), None)
        return data

    def exists(self, session_key: str | None) -> bool:
        if not session_key:
            return False
        key = self.cache_key_prefix + session_key
        return safely(lambda: key in self._cache, False) or super(
            cached_db.SessionStore, self).exists(session_key)

    def delete(self, session_key: str | None = None) -> None:
        super(cached_db.SessionStore, self).delete(session_key)
        session_key = session_key or self.session_key
        if session_key is not None:
            cache.delete(self.cache_key_prefix + session_key)
