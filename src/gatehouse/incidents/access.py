"""Who sees which incident report (design invariant 7). Each function raises or filters.

The head teacher sees the reports routed to the head teacher, the Head of HR those routed to
HR (centrally employed staff); a reporter sees only the status of their own reports. Moderators,
the DSL and governors see none (governors get counts in the governors' report).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from gatehouse.accounts.models import Role
from gatehouse.incidents.models import Incident
from gatehouse.schools.models import School

OWNER_ROLES = (Role.HEAD_TEACHER, Role.HEAD_OF_HR)
# Any member of staff may report; governors are volunteers, not staff, and only see counts.
REPORTER_ROLES = tuple(r for r in Role.values if r != Role.GOVERNOR)
_ROUTE_OF_ROLE = {Role.HEAD_TEACHER: Incident.Route.HEAD_TEACHER,
                  Role.HEAD_OF_HR: Incident.Route.HEAD_OF_HR}


def owned_routes(user: Any, school: School) -> set[str]:
    return {route for role, route in _ROUTE_OF_ROLE.items() if role in user.roles_at(school.pk)}


def visible_incidents(user: Any, school: School) -> QuerySet[Incident]:
    return Incident.objects.filter(school=school, route__in=owned_routes(user, school))


def access_incident(user: Any, school: School, pk: int) -> Incident:
    incident = (visible_incidents(user, school).filter(pk=pk)
                .select_related("reporter", "victim", "case", "platform_report").first())
    if incident is None:
        raise Http404("No such incident report.")
    return incident


def own_reports(user: Any, school: School) -> QuerySet[Incident]:
    return Incident.objects.filter(school=school, reporter=user)
