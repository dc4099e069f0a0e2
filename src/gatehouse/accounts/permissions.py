"""Access checks. Each raises PermissionDenied or Http404, so views stay declarative."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from gatehouse.accounts import access
from gatehouse.accounts.models import Membership, Restriction, Role
from gatehouse.schools.models import School

POSTING_ROLES = frozenset({Role.ADMINISTRATOR, Role.POSTER})


def access_school(slug: str) -> School:
    return get_object_or_404(School, slug=slug)


def check_roles(user: Any, school: School, roles: frozenset[str]) -> None:
    if not user.is_authenticated or not (user.roles_at(school.pk) & roles):
        raise PermissionDenied("Your role at this school does not allow this.")


def is_staff_at(user: Any, school: School) -> bool:
    return bool(user.is_authenticated and user.roles_at(school.pk))


def access_membership(user: Any, school: School) -> Membership | None:
    """The parent's membership, or None for staff; anyone else is refused."""
    if is_staff_at(user, school):
        return None
    membership = access.for_user(user).memberships.get(school.pk) if user.is_authenticated else None
    if membership is None:
        raise PermissionDenied("You are not a member of this school's group.")
    return membership


def check_can_comment(membership: Membership | None) -> None:
    if membership is None:
        return
    restriction = membership.active_restriction()
    if restriction is not None:
        raise PermissionDenied(f"You cannot comment at the moment: {restriction.reason}")


def check_not_removed(membership: Membership | None) -> Restriction | None:
    """Return the restriction in force, refusing entry if it removes the parent."""
    if membership is None:
        return None
    restriction = membership.active_restriction()
    if restriction is not None and restriction.is_removal:
        raise PermissionDenied("removed")
    return restriction


def staff_view(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view under /s/<slug>/staff/: it receives the school; roles are enforced.

    The allowed roles are kept on the view so the role test can check every staff URL.
    """
    allowed = frozenset(roles)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            school = access_school(slug)
            check_roles(request.user, school, allowed)
            return view(request, school, *args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorator
