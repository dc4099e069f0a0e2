"""Who sees which case. Each function raises PermissionDenied or Http404, or filters."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from gatehouse.accounts.models import Role
from gatehouse.cases.models import Case, CaseQuerySet
from gatehouse.schools.models import School

# The head teacher owns cases; moderators open them and add evidence; the DSL sees cases that
# touch a pupil. Governors see anonymised counts only (cases.views.summary).
CASE_ROLES = (Role.HEAD_TEACHER, Role.MODERATOR, Role.DSL)
OPENERS = (Role.HEAD_TEACHER, Role.MODERATOR)
OWNERS = (Role.HEAD_TEACHER,)


def visible_cases(user: Any, school: School) -> CaseQuerySet:
    roles = user.roles_at(school.pk)
    cases = Case.objects.filter(school=school)
    if roles & {Role.HEAD_TEACHER, Role.MODERATOR}:
        return cases
    if Role.DSL in roles:
        return cases.filter(touches_pupil=True)
    return cases.none()


def access_case(user: Any, school: School, pk: int) -> Case:
    case = visible_cases(user, school).filter(pk=pk).select_related("member__user").first()
    if case is None:
        raise Http404("No such case.")
    return case


def is_owner(user: Any, school: School) -> bool:
    return bool(user.roles_at(school.pk) & set(OWNERS))


def check_owner(user: Any, school: School) -> None:
    if not is_owner(user, school):
        raise PermissionDenied("Only the head teacher can do this.")


def can_add_evidence(user: Any, school: School) -> bool:
    return bool(user.roles_at(school.pk) & set(OPENERS))
