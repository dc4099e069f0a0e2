"""Per-school cache of the parents' feed, so a closure morning's spike is served from memory.

Only what every parent of a school sees alike is cached: each page of posts with their images,
their latest *visible* comments and the count of visible comments (model instances), and the
rendered HTML of each post's body and of its comment list (`cached_fragments`; nothing per user,
no CSRF token). The per-person part — a parent's own comments awaiting review — is merged in by
`merge_own_held` with one small query; a comment list holding any of the viewer's own comments,
and everything else per person (restriction, roles, the comment form), is rendered per request.

The school's pinned group rules and contact details are one more shared fragment.

Every key carries the school's feed *version*. Any change that can alter what parents see —
a post created, edited, deleted or its comments switched off; a comment added, released, hidden
or deleted; an image hidden after consent is withdrawn; the school's details or group rules
changed — bumps the version (signals below, and
`bump()` for the one bulk `.update()` in consent/withdrawal.py), both at once and again when the
transaction commits (so a reader that rebuilt the page from the not-yet-committed state in
between cannot keep it). Entries also expire after FEED_CACHE_SECONDS, which bounds anything
not signalled (a parent renaming themselves).

If the cache (Redis) is unreachable the feed is built from the database as before: slower, never
an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_delete, post_save
from django.utils.safestring import mark_safe

from gatehouse.community.models import Comment, Post
from gatehouse.lib.cache import bump_version, current_version, safely

FEED_CACHE_SECONDS = 300


def _version_key(school_id: int) -> str:
    return f"feed:v:{school_id}"


def bump(school_id: int) -> None:
    """What parents of this school see has changed: forget every cached page, now and again
    once the current transaction commits."""
    bump_version(_version_key(school_id))


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
    return current_version(_version_key(school_id))


def cached_page(school_id: int, version: str | None, number: int,
                build: Callable[[], tuple[int, int, list[Post]]]
                ) -> tuple[int, int, list[Post]]:
    """(total posts, first index on the page, the page's posts) for page `number`, from the
    cache when this school's feed has not changed since it was stored, else from `build()`."""
    if version is None:
        return build()
    key = f"feed:p:{school_id}:{version}:{number}"
    hit = safely(lambda: cache.get(key), None)
    if hit is not None:
        return hit
    value = build()
    safely(lambda: cache.set(key, value, FEED_CACHE_SECONDS), None)
    return value


def cached_fragments(school_id: int, version: str | None,
                     renders: dict[str, Callable[[], str]]) -> dict[str, str]:
    """Rendered HTML shared by every parent of the school (a post's body, a post's comment
    list when nothing in it is the viewer's own), under the school's feed version: one
    round trip for the whole page, rendering only what is missing."""
    if version is None:
        return {name: render() for name, render in renders.items()}
    keys = {name: f"feed:f:{school_id}:{version}:{name}" for name in renders}
    found = safely(lambda: cache.get_many(list(keys.values())), {})
    out: dict[str, str] = {}
    missing: dict[str, str] = {}
    for name, key in keys.items():
        if key in found:
            out[name] = mark_safe(found[key])  # noqa: S308 (HTML we rendered and escaped)
        else:
            out[name] = missing[key] = renders[name]()
    if missing:
        safely(lambda: cache.set_many(missing, FEED_CACHE_SECONDS), None)
    return out


def merge_own_held(posts: list[Post], user: Any, shown: int, any_held: bool = True) -> None:
    """Add the viewer's own comments awaiting review to each post (one query for the page,
    none when `any_held` says the viewer has none at this school):
    `latest_comments` becomes the newest `shown` of visible + own held, newest first, and
    `comment_count` counts both — the same as Comment.objects.seen_by(user) gives."""
    held: dict[int, list[Comment]] = {}
    if posts and user.is_authenticated and any_held:
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


def _school_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    """The school's contact details or one of its documents (the pinned group rules)."""
    bump(getattr(instance, "school_id", None) or instance.pk)


def _child_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    """A comment or a post image: find its school through the post."""
    try:
        school_id = instance.post.school_id
    except ObjectDoesNotExist:  # the post went first (its own signal bumped the version)
        return
    bump(school_id)


def connect() -> None:
    from gatehouse.consent.models import PostImage
    from gatehouse.schools.models import School, SchoolDocument

    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(_post_changed, sender=Post, dispatch_uid=f"feedcache-post-{name}")
        for model in (Comment, PostImage):
            signal.connect(_child_changed, sender=model,
                           dispatch_uid=f"feedcache-{model.__name__}-{name}")
        for model in (School, SchoolDocument):
            signal.connect(_school_changed, sender=model,
                           dispatch_uid=f"feedcache-{model.__name__}-{name}")
