"""Per-school cache of the parents' feed, so a closure morning's spike is served from memory.

Only what every parent of a school sees alike is cached: each page of posts with their images,
their latest *visible* comments and the count of visible comments (model instances), and the
rendered HTML of each post's body and of its comment list (`cached_fragments`; nothing per user,
no CSRF token). The per-person part — a parent's own comments awaiting review — is merged in by
`merge_own_held` with one small query; a comment list holding any of the viewer's own comments,
and everything else per person (restriction, roles, the comment form), is rendered per request.

Every key carries the school's feed *version*. Any change that can alter what parents see —
a post created, edited, deleted or its comments switched off; a comment added, released, hidden
or deleted; an image hidden after consent is withdrawn — bumps the version (signals below, and
`bump()` for the one bulk `.update()` in consent/withdrawal.py), both at once and again when the
transaction commits (so a reader that rebuilt the page from the not-yet-committed state in
between cannot keep it). Entries also expire after FEED_CACHE_SECONDS, which bounds anything
not signalled (a parent renaming themselves).

If the cache (Redis) is unreachable the feed is built from the database as before: slower, never
an error.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.safestring import mark_safe

from gatehouse.community.models import Comment, Post

log = logging.getLogger(__name__)
FEED_CACHE_SECONDS = 300


def _safe[T](call: Callable[[], T], default: T) -> T:
    try:
        return call()
    except Exception as exc:  # any cache backend error: serve from the database instead
        log.warning("feed cache unavailable, serving from the database: %s", exc)
        return default


def _version_key(school_id: int) -> str:
    return f"feed:v:{school_id}"


def _set_new_version(school_id: int) -> None:
    _safe(lambda: cache.set(_version_key(school_id), uuid.uuid4().hex, None), None)


def bump(school_id: int) -> None:
    """What parents of this school see has changed: forget every cached page, now and again
    once the current transaction commits."""
    _set_new_version(school_id)
    transaction.on_commit(lambda: _set_new_version(school_id))


class CachedPosts(Sequence[Post]):
    """Stands in for the queryset under a Paginator: knows the total and one page's posts."""

    def __init__(self, count: int, start: int, posts: list[Post]) -> None:
        self._count, self._start, self._posts = count, start, posts

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return self._posts[index.start - self._start:index.stop - self._start]
        return self._posts[index - self._start]


def feed_version(school_id: int) -> str | None:
    """The school's current feed version (made on first use), or None when the cache is away.
    Read once per request and passed to `cached_page` and `cached_fragments`."""
    version = _safe(lambda: cache.get(_version_key(school_id)), None)
    if version is None:
        made = uuid.uuid4().hex
        if _safe(lambda: cache.add(_version_key(school_id), made, None), False):
            return made
        # Another process set it first (or the cache is away).
        version = _safe(lambda: cache.get(_version_key(school_id)), None)
    return version


def cached_page(school_id: int, version: str | None, number: int,
                build: Callable[[], tuple[int, int, list[Post]]]
                ) -> tuple[int, int, list[Post]]:
    """(total posts, first index on the page, the page's posts) for page `number`, from the
    cache when this school's feed has not changed since it was stored, else from `build()`."""
    if version is None:
        return build()
    key = f"feed:p:{school_id}:{version}:{number}"
    hit = _safe(lambda: cache.get(key), None)
    if hit is not None:
        return hit
    value = build()
    _safe(lambda: cache.set(key, value, FEED_CACHE_SECONDS), None)
    return value


def cached_fragments(school_id: int, version: str | None,
                     renders: dict[str, Callable[[], str]]) -> dict[str, str]:
    """Rendered HTML shared by every parent of the school (a post's body, a post's comment
    list when nothing in it is the viewer's own), under the school's feed version: one
    round trip for the whole page, rendering only what is missing."""
    if version is None:
        return {name: render() for name, render in renders.items()}
    keys = {name: f"feed:f:{school_id}:{version}:{name}" for name in renders}
    found = _safe(lambda: cache.get_many(list(keys.values())), {})
    out: dict[str, str] = {}
    missing: dict[str, str] = {}
    for name, key in keys.items():
        if key in found:
            out[name] = mark_safe(found[key])  # noqa: S308 (HTML we rendered and escaped)
        else:
            out[name] = missing[key] = renders[name]()
    if missing:
        _safe(lambda: cache.set_many(missing, FEED_CACHE_SECONDS), None)
    return out


def merge_own_held(posts: list[Post], user: Any, shown: int) -> None:
    """Add the viewer's own comments awaiting review to each post (one query for the page):
    `latest_comments` becomes the newest `shown` of visible + own held, newest first, and
    `comment_count` counts both — the same as Comment.objects.seen_by(user) gives."""
    held: dict[int, list[Comment]] = {}
    if posts and user.is_authenticated:
        for comment in (Comment.objects.filter(post_id__in=[p.pk for p in posts], author=user,
                                               status=Comment.Status.HELD)
                        .select_related("author", "queue_item")):
            held.setdefault(comment.post_id, []).append(comment)
    for post in posts:
        own = held.get(post.pk, [])
        post.has_own_held = bool(own)
        post.comment_count += len(own)
        if own:
            merged = [*post.latest_comments, *own]
            merged.sort(key=lambda c: (c.created_at, c.pk), reverse=True)
            post.latest_comments = merged[:shown]


def _post_changed(sender: type, instance: Post, **kwargs: Any) -> None:
    bump(instance.school_id)


def _child_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    """A comment or a post image: find its school through the post."""
    try:
        school_id = instance.post.school_id
    except ObjectDoesNotExist:  # the post went first (its own signal bumped the version)
        return
    bump(school_id)


def connect() -> None:
    from gatehouse.consent.models import PostImage

    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(_post_changed, sender=Post, dispatch_uid=f"feedcache-post-{name}")
        for model in (Comment, PostImage):
            signal.connect(_child_changed, sender=model,
                           dispatch_uid=f"feedcache-{model.__name__}-{name}")
