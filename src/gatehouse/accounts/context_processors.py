"""The staff console navigation: only the pages the person's roles allow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from gatehouse.accounts.models import Role

# (label, url name, roles that see it). The views enforce the same roles.
NAV: list[tuple[str, str, frozenset[str]]] = [
    ("Console", "staff:home", frozenset(Role.values)),
    ("New post", "staff:post_new", frozenset({Role.ADMINISTRATOR, Role.POSTER})),
    ("Join requests", "staff:join_requests", frozenset({Role.ADMINISTRATOR})),
    ("Members", "staff:members", frozenset({Role.ADMINISTRATOR})),
    ("Staff roles", "staff:roles", frozenset({Role.ADMINISTRATOR})),
    ("Audit log", "staff:audit", frozenset({Role.ADMINISTRATOR, Role.HEAD_TEACHER})),
    ("Photo posts", "staff:drafts", frozenset({Role.ADMINISTRATOR, Role.POSTER})),
    ("Pupils and consent", "staff:pupils",
     frozenset({Role.ADMINISTRATOR, Role.POSTER, Role.DSL, Role.HEAD_TEACHER})),
    ("Takedowns", "staff:takedowns", frozenset({Role.ADMINISTRATOR})),
    ("Face recognition", "staff:recognition",
     frozenset({Role.ADMINISTRATOR, Role.HEAD_TEACHER})),
    ("My image permission", "staff:image_permission", frozenset(Role.values)),
    ("Moderation", "staff:moderation_queue", frozenset({Role.MODERATOR, Role.ADMINISTRATOR,
                                                         Role.HEAD_TEACHER, Role.DSL})),
    ("Safeguarding concerns", "staff:moderation_concerns",
     frozenset({Role.DSL, Role.HEAD_TEACHER})),
    ("Policy rules", "staff:moderation_rules", frozenset({Role.ADMINISTRATOR})),
    ("Watched words", "staff:moderation_watched", frozenset({Role.ADMINISTRATOR,
                                                             Role.MODERATOR})),
    ("Roster", "staff:moderation_roster", frozenset({Role.ADMINISTRATOR})),
    ("Platform reports", "staff:platform_reports", frozenset({Role.MODERATOR,
                                                              Role.ADMINISTRATOR})),
]


def staff_nav(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("slug") if match else None
    user = request.user
    if not slug or not user.is_authenticated:
        return {}
    from gatehouse.schools.models import School

    school = School.objects.filter(slug=slug).only("pk", "slug").first()
    if school is None:
        return {}
    roles = user.roles_at(school.pk)
    items = [
        {"label": label, "url": reverse(name, kwargs={"slug": slug}), "active": False}
        for label, name, allowed in NAV
        if roles & allowed
    ]
    for item in items:
        item["active"] = request.path == item["url"]
    return {"staff_nav": items, "is_staff_here": bool(roles)}
