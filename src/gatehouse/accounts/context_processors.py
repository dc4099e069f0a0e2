"""The staff console navigation, grouped by area: only the pages the person's roles allow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from gatehouse.accounts.models import Role

R = Role
EVERYONE = frozenset(Role.values)
# (group, [(label, url name, roles that see it)]). The views enforce the same roles.
NAV: list[tuple[str, list[tuple[str, str, frozenset[str]]]]] = [
    ("Parents' group", [
        ("New post", "staff:post_new", frozenset({R.ADMINISTRATOR, R.POSTER})),
        ("Photo posts", "staff:drafts", frozenset({R.ADMINISTRATOR, R.POSTER})),
        ("Join requests", "staff:join_requests", frozenset({R.ADMINISTRATOR})),
        ("Members", "staff:members", frozenset({R.ADMINISTRATOR})),
    ]),
    ("Publishing", [
        ("Posts", "staff:publishing_posts",
         frozenset({R.ADMINISTRATOR, R.POSTER, R.LEADERSHIP, R.HEAD_TEACHER})),
        ("Write a post", "staff:publishing_new", frozenset({R.ADMINISTRATOR, R.POSTER})),
        ("Calendar", "staff:publishing_calendar",
         frozenset({R.ADMINISTRATOR, R.POSTER, R.LEADERSHIP, R.HEAD_TEACHER})),
        ("Connections", "staff:publishing_connections", frozenset({R.ADMINISTRATOR})),
    ]),
    ("Moderation", [
        ("Moderation queue", "staff:moderation_queue",
         frozenset({R.MODERATOR, R.ADMINISTRATOR, R.HEAD_TEACHER, R.DSL})),
        ("Safeguarding concerns", "staff:moderation_concerns", frozenset({R.DSL, R.HEAD_TEACHER})),
        ("Platform reports", "staff:platform_reports", frozenset({R.MODERATOR, R.ADMINISTRATOR})),
        ("Watched words", "staff:moderation_watched", frozenset({R.ADMINISTRATOR, R.MODERATOR})),
        ("Policy rules", "staff:moderation_rules", frozenset({R.ADMINISTRATOR})),
        ("Roster", "staff:moderation_roster", frozenset({R.ADMINISTRATOR})),
    ]),
    ("Cases", [
        ("Cases", "staff:cases", frozenset({R.HEAD_TEACHER, R.MODERATOR, R.DSL})),
        ("Letters", "staff:letter_settings", frozenset({R.HEAD_TEACHER})),
        ("Case counts", "staff:cases_summary", frozenset({R.GOVERNOR, R.HEAD_TEACHER})),
        ("Verify an evidence pack", "staff:evidence_verify",
         frozenset({R.HEAD_TEACHER, R.DSL, R.MODERATOR, R.HEAD_OF_HR})),
    ]),
    ("Staff safety", [
        ("Report an incident", "staff:incident_report", EVERYONE - {R.GOVERNOR}),
        ("My incident reports", "staff:incidents_mine", EVERYONE - {R.GOVERNOR}),
        ("Staff incident reports", "staff:incidents", frozenset({R.HEAD_TEACHER, R.HEAD_OF_HR})),
    ]),
    ("Photos and consent", [
        ("Pupils and consent", "staff:pupils",
         frozenset({R.ADMINISTRATOR, R.POSTER, R.DSL, R.HEAD_TEACHER})),
        ("Takedowns", "staff:takedowns", frozenset({R.ADMINISTRATOR})),
        ("Face recognition", "staff:recognition", frozenset({R.ADMINISTRATOR, R.HEAD_TEACHER})),
        ("My image permission", "staff:image_permission", EVERYONE),
    ]),
    ("Governance", [
        ("Account custody register", "staff:governance_register",
         frozenset({R.ADMINISTRATOR, R.HEAD_TEACHER})),
        ("Leaver handover", "staff:governance_leavers", frozenset({R.ADMINISTRATOR})),
        ("Governors' reports", "staff:governance_terms",
         frozenset({R.GOVERNOR, R.HEAD_TEACHER, R.ADMINISTRATOR})),
        ("Policies and reviews", "staff:governance_policies",
         frozenset({R.GOVERNOR, R.HEAD_TEACHER, R.ADMINISTRATOR})),
        ("Retention", "staff:governance_retention", frozenset({R.ADMINISTRATOR, R.HEAD_TEACHER})),
        ("Subject access and erasure", "staff:governance_requests",
         frozenset({R.ADMINISTRATOR, R.HEAD_TEACHER})),
    ]),
    ("School", [
        ("Staff roles", "staff:roles", frozenset({R.ADMINISTRATOR})),
        ("Audit log", "staff:audit", frozenset({R.ADMINISTRATOR, R.HEAD_TEACHER})),
    ]),
]


def staff_nav(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("slug") if match else None
    user = request.user
    if not slug or not user.is_authenticated:
        return {}
    if not user.is_staff_anywhere():  # a parent: no console, and no query to find that out
        return {"is_staff_here": False}
    from gatehouse.schools.models import School

    school = School.objects.filter(slug=slug).only("pk", "slug").first()
    if school is None:
        return {}
    roles = user.roles_at(school.pk)
    if not roles:
        return {"is_staff_here": False}
    home = reverse("staff:home", kwargs={"slug": slug})
    return {"staff_nav": _groups(roles, slug, request.path), "is_staff_here": True,
            "staff_home": {"url": home, "active": request.path == home}}


def _groups(roles: set[str], slug: str, path: str) -> list[dict[str, Any]]:
    groups = []
    for label, entries in NAV:
        items = [{"label": name, "url": reverse(url, kwargs={"slug": slug})}
                 for name, url, allowed in entries if roles & allowed]
        if not items:
            continue
        # The page in use, or the deepest section it belongs to (a case is under "Cases").
        best = max(items, key=lambda i: len(i["url"]) if path.startswith(i["url"]) else -1)
        for item in items:
            item["active"] = item is best and path.startswith(item["url"])
        groups.append({"label": label, "items": items,
                       "active": any(i["active"] for i in items)})
    return groups
