"""Governors' report pages (term dates, the report, its PDF) and policy documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string

from gatehouse.accounts.models import Role
from gatehouse.accounts.permissions import access_membership, access_school, staff_view
from gatehouse.audit.log import record
from gatehouse.cases.letters import render_pdf
from gatehouse.cases.models import Case
from gatehouse.governance import policies
from gatehouse.governance.forms import PolicyForm, PolicyReviewForm, TermForm
from gatehouse.governance.models import PolicyDocument, Term
from gatehouse.governance.reports import (
    build_report,
    policy_status,
    term_bounds,
    trust_rows,
)
from gatehouse.lib.views import private_file
from gatehouse.schools.models import School

READERS = (Role.GOVERNOR, Role.HEAD_TEACHER, Role.ADMINISTRATOR)
EDITORS = frozenset({Role.HEAD_TEACHER, Role.ADMINISTRATOR})


def _can_edit(request: HttpRequest, school: School) -> bool:
    return bool(request.user.roles_at(school.pk) & EDITORS)


def _saved(request: HttpRequest, school: School, form: Form, save: Callable[[], Any]) -> Any:
    """On a valid POST by an editor, run `save` (which reads form.cleaned_data) and return what
    it made; otherwise None, with any refusal shown on the form and what was typed kept."""
    if request.method != "POST":
        return None
    if not _can_edit(request, school):
        raise PermissionDenied("Only the head teacher or an administrator can change this.")
    if not form.is_valid():
        return None
    try:
        return save()
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@staff_view(*READERS)
def terms(request: HttpRequest, school: School) -> HttpResponse:
    form = TermForm(request.POST or None)
    term = _saved(request, school, form, lambda: policies.do_add_term(
        school, actor=request.user, **form.cleaned_data))
    if term is not None:
        messages.success(request, f"{term} added.")
        return redirect("staff:governance_terms", slug=school.slug)
    return render(request, "governance/terms.html", {
        "school": school, "terms": Term.objects.filter(school=school), "form": form,
        "can_edit": _can_edit(request, school)}, status=400 if form.errors else 200)


def _drill_down(request: HttpRequest, school: School, term: Term) -> dict[str, object]:
    """The head teacher's drill-down: the cases behind the counts (governors never get it)."""
    if Role.HEAD_TEACHER not in request.user.roles_at(school.pk):
        return {}
    start, end = term_bounds(term)
    return {"cases": Case.objects.filter(school=school, opened_at__gte=start,
                                         opened_at__lt=end)}


@staff_view(*READERS)
def report(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    term = get_object_or_404(Term, pk=pk, school=school)
    return render(request, "governance/report.html", {
        "school": school, "report": build_report(school, term),
        "drill": _drill_down(request, school, term),
        "trust": trust_rows(request.user, school, term, frozenset(READERS))})


@staff_view(*READERS)
def report_pdf(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    term = get_object_or_404(Term, pk=pk, school=school)
    data = render_pdf(render_to_string("governance/report_pdf.html", {
        "school": school, "report": build_report(school, term)}))
    record("governance.report.exported", actor=request.user, school=school, target=term)
    return private_file(data, "application/pdf",
                        f"governors-report-{term.starts_on:%Y-%m}.pdf", download=False)


@staff_view(*READERS)
def policy_list(request: HttpRequest, school: School) -> HttpResponse:
    form = PolicyForm(request.POST or None)
    document = _saved(request, school, form, lambda: policies.do_add_policy(
        school, actor=request.user, data=form.cleaned_data))
    if document is not None:
        messages.success(request, f"{document} added.")
        return redirect("staff:governance_policies", slug=school.slug)
    return render(request, "governance/policies.html", {
        "school": school, "rows": policy_status(school), "form": form,
        "can_edit": _can_edit(request, school)}, status=400 if form.errors else 200)


@staff_view(*READERS)
def policy_detail(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    document = get_object_or_404(PolicyDocument, pk=pk, school=school)
    form = PolicyReviewForm(request.POST or None)
    if _saved(request, school, form, lambda: policies.do_review_policy(
            document, actor=request.user, data=form.cleaned_data)) is not None:
        messages.success(request, "Review recorded.")
        return redirect("staff:governance_policy", slug=school.slug, pk=document.pk)
    return render(request, "governance/policy.html", {
        "school": school, "document": document, "form": form,
        "versions": document.versions.select_related("published_by"),
        "reviews": document.reviews.select_related("reviewed_by", "version"),
        "can_edit": _can_edit(request, school)}, status=400 if form.errors else 200)


def public_policies(request: HttpRequest, slug: str) -> HttpResponse:
    """Parents in the group (and staff) read the current version of each policy."""
    school = access_school(slug)
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    access_membership(request.user, school)
    documents = PolicyDocument.objects.filter(school=school).prefetch_related("versions")
    return render(request, "governance/public_policies.html", {
        "school": school, "documents": [d for d in documents if d.current]})
