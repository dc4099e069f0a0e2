"""A read-only view of the audit log for the people who answer for it."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gatehouse.accounts.models import Role
from gatehouse.accounts.permissions import staff_view
from gatehouse.audit.models import AuditEntry
from gatehouse.schools.models import School


@staff_view(Role.ADMINISTRATOR, Role.HEAD_TEACHER)
def audit_log(request: HttpRequest, school: School) -> HttpResponse:
    # Staff incident reports are seen only by the person they were routed to (invariant 7):
    # their rows stay in the chain and go into each incident's evidence pack, not on this page.
    entries = (AuditEntry.objects.filter(school=school).exclude(object_type="incidents.incident")
               .select_related("actor").order_by("-seq"))
    action = request.GET.get("action", "").strip()[:100]
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"school": school, "page": page, "action": action})
