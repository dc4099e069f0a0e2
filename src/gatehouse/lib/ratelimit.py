"""How often one account, or one address, may join, comment or report. Counts live in the cache
(Redis in production, so every web process counts together) in fixed windows."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


class RateLimited(PermissionDenied):
    """Too many tries: said plainly, with how long to wait."""

    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        minutes = -(-wait_seconds // 60)
        wait = f"{wait_seconds} seconds" if wait_seconds < 60 else (
            "a minute" if minutes == 1 else f"{minutes} minutes")
        super().__init__(f"That's a lot in a short time. Please wait {wait} and try again.")


def _parse(rule: str) -> Limit:
    count, _, seconds = rule.partition("/")
    return Limit(int(count), int(seconds))


def _count(key: str, limit: Limit) -> None:
    now = time.time()
    window_key = f"ratelimit:{key}:{int(now // limit.seconds)}"
    try:
        cache.add(window_key, 0, timeout=limit.seconds + 5)
        try:
            used = cache.incr(window_key)
        except ValueError:  # the window expired between add and incr: this is its first use
            cache.add(window_key, 1, timeout=limit.seconds + 5)
            used = 1
    except Exception as exc:  # the cache (Redis) is away: let people through, not fail them
        log.warning("rate limit not counted, cache unavailable: %s", exc)
        return
    if used > limit.count:
        raise RateLimited(wait_seconds=max(1, int(limit.seconds - now % limit.seconds)))


def check_rate(request: HttpRequest, action: str) -> None:
    """Count one `action` for the signed-in account and for the address; raise RateLimited
    once either is over the limits in settings.RATE_LIMITS ("count/seconds" each)."""
    rules = settings.RATE_LIMITS.get(action, {})
    if rules.get("account") and request.user.is_authenticated:
        _count(f"{action}:user:{request.user.pk}", _parse(rules["account"]))
    if rules.get("address"):
        address = get_adapter(request).get_client_ip(request)
        _count(f"{action}:addr:{address}", _parse(rules["address"]))
