"""Retention schedule and runs, subject access and erasure requests (administrators and the
head teacher)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gatehouse.accounts.models import Role
from gatehouse.accounts.permissions import staff_view
from gatehouse.governance import requests, retention
from gatehouse.governance.forms import RetentionRuleForm, SubjectRequestForm
from gatehouse.governance.models import RetentionRun, SubjectRequest
from gatehouse.lib.views import private_file
from gatehouse.schools.models import School

PRIVACY_ROLES = (Role.ADMINISTRATOR, Role.HEAD_TEACHER)


@staff_view(*PRIVACY_ROLES)
def retention_page(request: HttpRequest, school: School) -> HttpResponse:
    form = RetentionRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        retention.do_set_rule(school, actor=request.user, **form.cleaned_data)
        messages.success(request, "Retention period saved.")
        return redirect("staff:governance_retention", slug=school.slug)
    months = retention.months_for(school)
    due = retention.due_counts(school)
    rows = [{"type": t, "months": months.get(t.key), "due": due.get(t.key, 0)}
            for t in retention.SCHEDULE]
    return render(request, "governance/retention.html", {
        "school": school, "rows": rows, "form": form,
        "runs": RetentionRun.objects.filter(school=school)[:10],
        "holds": retention.legal_holds(school)}, status=400 if form.errors else 200)


@staff_view(*PRIVACY_ROLES)
@require_POST
def retention_run(request: HttpRequest, school: School) -> HttpResponse:
    run = retention.run_retention(school, actor=request.user)
    total = sum(run.counts.values())
    messages.success(request, f"Retention run finished: {total} record(s) removed." if total
                     else "Retention run finished: nothing was past its retention period.")
    return redirect("staff:governance_retention", slug=school.slug)


@staff_view(*PRIVACY_ROLES)
def subject_requests(request: HttpRequest, school: School) -> HttpResponse:
    form = SubjectRequestForm(request.POST or None,
                              initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            opened = requests.do_open_request(school, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Recorded. Due by {opened.due_on:%d %B %Y}.")
            return redirect("staff:governance_request", slug=school.slug, pk=opened.pk)
    return render(request, "governance/requests.html", {
        "school": school, "form": form, "today": timezone.localdate(),
        "requests": SubjectRequest.objects.filter(school=school).select_related("person")},
        status=400 if form.errors else 200)


def _request(school: School, pk: int) -> SubjectRequest:
    return get_object_or_404(SubjectRequest.objects.select_related("person"), pk=pk,
                             school=school)


@staff_view(*PRIVACY_ROLES)
def subject_request(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    subject = _request(school, pk)
    plan = (requests.erasure_plan(school, subject.person)
            if subject.kind == SubjectRequest.Kind.ERASURE and subject.status == "open" else None)
    return render(request, "governance/request.html", {
        "school": school, "subject": subject, "plan": plan})


@staff_view(*PRIVACY_ROLES)
@require_POST
def subject_export(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    subject = _request(school, pk)
    try:
        content = requests.do_export(subject, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("staff:governance_request", slug=school.slug, pk=pk)
    return private_file(content, "application/zip",
                        f"subject-access-{subject.pk}-{timezone.localdate():%Y%m%d}.zip")


@staff_view(*PRIVACY_ROLES)
@require_POST
def subject_erase(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    subject = _request(school, pk)
    try:
        requests.do_erase(subject, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Erasure carried out; the exceptions kept are listed below.")
    return redirect("staff:governance_request", slug=school.slug, pk=pk)
