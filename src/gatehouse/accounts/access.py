"""What one person may do at each school — staff roles, parent memberships and the
restrictions not yet lifted — and where they have comments awaiting review, read together and
kept in one cache entry per person.

Every page a parent opens checks these; from the cache that is one round trip instead of
four or five queries. The entry carries the person's access *version* (gatehouse.lib.cache),
and any save or delete of a StaffRole, Membership, Restriction or of their Comment bumps it
(signals below), at once and again on commit, so a role taken away or a restriction imposed
counts on the very next request.
Whether a restriction is in force *now* (start and end times) is decided at each read, never
cached. The entry also expires after ACCESS_SECONDS. With the cache away, it is read from the
database on every request, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.db.models.signals import post_delete, post_save

from gatehouse.accounts.models import Membership, Restriction, StaffRole
from gatehouse.community.models import Comment
from gatehouse.lib.cache import bump_version, current_version, safely

ACCESS_SECONDS = 300


@dataclass(frozen=True)
class Access:
    version: str | None
    roles: dict[int, frozenset[str]]  # school id → staff roles there
    memberships: dict[int, Membership]  # school id → membership, restrictions not lifted loaded
    held_at: frozenset[int]  # schools where the person has comments awaiting review


def _version_key(user_id: int) -> str:
    return f"access:v:{user_id}"


def _build(user_id: int, version: str | None) -> Access:
    """Two queries for a parent (roles, memberships), one more if a restriction was ever
    imposed and not lifted, one more for staff (their own held comments)."""
    roles: dict[int, set[str]] = {}
    for school_id, role in StaffRole.objects.filter(user_id=user_id).values_list("school_id",
                                                                                   "role"):
        roles.setdefault(school_id, set()).add(role)
    not_lifted = Restriction.objects.filter(lifted_at__isnull=True).order_by("kind", "pk")
    held = Comment.objects.filter(author_id=user_id, status=Comment.Status.HELD).order_by()
    memberships = list(Membership.objects.filter(user_id=user_id).annotate(
        restricted=Exists(not_lifted.filter(membership=OuterRef("pk"))),
        held_here=Exists(held.filter(post__school_id=OuterRef("school_id")))))
    for membership in memberships:
        if not membership.restricted:
            membership.not_lifted = []
    prefetch_related_objects([m for m in memberships if m.restricted],
                             Prefetch("restrictions", queryset=not_lifted, to_attr="not_lifted"))
    held_at = {m.school_id for m in memberships if m.held_here}
    if roles:
        held_at.update(held.filter(post__school_id__in=roles).values_list("post__school_id",
                                                                          flat=True).distinct())
    return Access(version, {k: frozenset(v) for k, v in roles.items()},
                  {m.school_id: m for m in memberships}, frozenset(held_at))


def for_user(user: Any) -> Access:
    """This person's access, once per request (kept on the user object: the User itself, not
    request.user's lazy wrapper, so the user's own methods find it too)."""
    user_id = user.pk  # sets the wrapper up
    user = user.__dict__.get("_wrapped", user)
    if "_access" not in user.__dict__:
        user.__dict__["_access"] = _load(user_id)
    return user.__dict__["_access"]


def _load(user_id: int) -> Access:
    key, data_key = _version_key(user_id), f"access:{user_id}"
    found = safely(lambda: cache.get_many([key, data_key]), {})
    version = current_version(key, found.get(key))
    hit = found.get(data_key)
    if version is not None and isinstance(hit, Access) and hit.version == version:
        return hit
    access = _build(user_id, version)
    if version is not None:
        safely(lambda: cache.set(data_key, access, ACCESS_SECONDS), None)
    return access


def forget(user_id: int) -> None:
    bump_version(_version_key(user_id))


def _authored_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    """A staff role, a membership or one of the person's comments (held or decided)."""
    forget(instance.author_id if isinstance(instance, Comment) else instance.user_id)


def _restriction_changed(sender: type, instance: Restriction, **kwargs: Any) -> None:
    try:
        user_id = instance.membership.user_id
    except ObjectDoesNotExist:  # the membership went first (its own signal forgot the entry)
        return
    forget(user_id)


def connect() -> None:
    for name, signal in (("save", post_save), ("delete", post_delete)):
        for model in (StaffRole, Membership, Comment):
            signal.connect(_authored_changed, sender=model,
                           dispatch_uid=f"access-{model.__name__}-{name}")
        signal.connect(_restriction_changed, sender=Restriction,
                       dispatch_uid=f"access-restriction-{name}")
