"""Staff incident pages: report, my reports, and the owner's list, report, evidence and pack."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gatehouse.accounts.models import Role
from gatehouse.accounts.permissions import staff_view
from gatehouse.evidence.models import EvidenceItem, owner_key
from gatehouse.evidence.store import items_of
from gatehouse.incidents import actions
from gatehouse.incidents.access import (
    OWNER_ROLES,
    REPORTER_ROLES,
    access_incident,
    own_reports,
    visible_incidents,
)
from gatehouse.incidents.forms import IncidentForm, UpdateForm
from gatehouse.incidents.models import Incident
from gatehouse.lib.views import private_file
from gatehouse.schools.models import School


@staff_view(*REPORTER_ROLES)
def report(request: HttpRequest, school: School) -> HttpResponse:
    form = IncidentForm(request.POST or None, request.FILES or None, school=school,
                        user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        victim, files = data.pop("about"), data.pop("files")
        try:
            incident = actions.do_report_incident(school, reporter=request.user, victim=victim,
                                                  data=data, files=files)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Your report {incident.reference} has gone to the "
                             f"{incident.get_route_display().lower()}. Thank you.")
            return redirect("staff:incidents_mine", slug=school.slug)
    return render(request, "incidents/report.html", {"school": school, "form": form},
                  status=400 if form.errors else 200)


@staff_view(*REPORTER_ROLES)
def mine(request: HttpRequest, school: School) -> HttpResponse:
    """The reporter's own reports and their status: nothing else."""
    return render(request, "incidents/mine.html", {
        "school": school, "incidents": own_reports(request.user, school)})


@staff_view(*OWNER_ROLES)
def incident_list(request: HttpRequest, school: School) -> HttpResponse:
    closed = request.GET.get("status") == "closed"
    incidents = visible_incidents(request.user, school).select_related("reporter", "victim")
    incidents = (incidents.filter(status=Incident.Status.CLOSED) if closed
                 else incidents.exclude(status=Incident.Status.CLOSED))
    return render(request, "incidents/list.html", {
        "school": school, "incidents": incidents, "closed": closed})


@staff_view(*OWNER_ROLES)
def detail(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    incident = access_incident(request.user, school, pk)
    head_teacher = Role.HEAD_TEACHER in request.user.roles_at(school.pk)
    form = UpdateForm(request.POST or None, school=school, head_teacher=head_teacher, initial={
        "status": incident.status, "outcome": incident.outcome, "case": incident.case,
        "platform_report": incident.platform_report, "legal_hold": incident.legal_hold})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_incident(incident, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("staff:incident_detail", slug=school.slug, pk=incident.pk)
    return render(request, "incidents/detail.html", {
        "school": school, "incident": incident, "form": form,
        "evidence": items_of(owner_key(incident))}, status=400 if form.errors else 200)


@staff_view(*OWNER_ROLES)
def evidence_file(request: HttpRequest, school: School, pk: int, item_id: int) -> HttpResponse:
    """An original, served only inside its incident; every view and download is logged."""
    incident = access_incident(request.user, school, pk)
    item = EvidenceItem.objects.filter(pk=item_id, owner=owner_key(incident)).first()
    if item is None:
        raise Http404("No such item.")
    download = request.GET.get("download") == "1"
    actions.do_note_view(incident, item, actor=request.user, download=download)
    return private_file(item.read_original(), item.media_type,
                        f"{incident.reference}-{item.pk}.{item.extension}", download=download)


@staff_view(*OWNER_ROLES)
@require_POST
def pack(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    incident = access_incident(request.user, school, pk)
    data = actions.do_export_pack(incident, actor=request.user)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return private_file(data, "application/zip",
                        f"evidence-pack-{incident.reference}-{stamp}.zip")
