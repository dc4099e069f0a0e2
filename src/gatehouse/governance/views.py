"""Governance pages: the custody register, access reviews, leaver handover and offboarding."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gatehouse.accounts.models import Role, StaffRole, User
from gatehouse.accounts.permissions import staff_view
from gatehouse.governance import custody
from gatehouse.governance.forms import (
    AccountForm,
    DomainsForm,
    HandoverForm,
    LeaverForm,
    ReviewForm,
)
from gatehouse.governance.models import SchoolDomains, SocialAccount
from gatehouse.schools.models import School

ADMIN = Role.ADMINISTRATOR
REGISTER_READERS = (Role.ADMINISTRATOR, Role.HEAD_TEACHER)


def _account(school: School, pk: int) -> SocialAccount:
    return get_object_or_404(SocialAccount, pk=pk, school=school)


@staff_view(*REGISTER_READERS)
def register(request: HttpRequest, school: School) -> HttpResponse:
    """Every account and who can reach it now, flagging anyone no longer on the staff."""
    accounts = list(SocialAccount.objects.filter(school=school)
                    .prefetch_related("admins__user"))
    staff_ids = set(StaffRole.objects.filter(school=school).values_list("user_id", flat=True))
    return render(request, "governance/register.html", {
        "school": school, "accounts": accounts, "staff_ids": staff_ids,
        "can_edit": ADMIN in request.user.roles_at(school.pk),
        "domains": SchoolDomains.for_school(school)})


@staff_view(ADMIN)
def account_new(request: HttpRequest, school: School) -> HttpResponse:
    form = AccountForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        account = custody.do_add_account(school, actor=request.user, data=form.cleaned_data)
        messages.success(request, f"{account} is in the register.")
        return redirect("staff:governance_register", slug=school.slug)
    return render(request, "governance/account_form.html", {
        "school": school, "form": form, "account": None}, status=400 if form.errors else 200)


@staff_view(*REGISTER_READERS)
def account_detail(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    account = _account(school, pk)
    can_edit = ADMIN in request.user.roles_at(school.pk)
    form = AccountForm(request.POST or None, instance=account, school=school)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only administrators change the register.")
        if form.is_valid():
            custody.do_change_account(account, actor=request.user, data=form.cleaned_data)
            messages.success(request, "Saved.")
            return redirect("staff:governance_account", slug=school.slug, pk=account.pk)
    return render(request, "governance/account_form.html", {
        "school": school, "form": form, "account": account, "can_edit": can_edit,
        "review_form": ReviewForm(), "reviews": account.reviews.select_related("reviewed_by"),
        "handovers": account.handovers.select_related("leaver", "new_administrator",
                                                      "recorded_by")},
        status=400 if form.errors else 200)


@staff_view(ADMIN)
@require_POST
def account_review(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    account = _account(school, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        custody.do_record_review(account, actor=request.user, notes=form.cleaned_data["notes"])
        messages.success(request, "Access review recorded.")
    else:
        messages.error(request, "Tick the box to confirm you checked who has access.")
    return redirect("staff:governance_account", slug=school.slug, pk=account.pk)


@staff_view(ADMIN)
def domains(request: HttpRequest, school: School) -> HttpResponse:
    form = DomainsForm(request.POST or None,
                       initial={"domains": ", ".join(SchoolDomains.for_school(school))})
    if request.method == "POST" and form.is_valid():
        custody.do_set_domains(school, actor=request.user, domains=form.cleaned_data["domains"])
        messages.success(request, "Saved.")
        return redirect("staff:governance_register", slug=school.slug)
    return render(request, "governance/domains.html", {"school": school, "form": form},
                  status=400 if form.errors else 200)


@staff_view(ADMIN)
def leavers(request: HttpRequest, school: School) -> HttpResponse:
    form = LeaverForm(request.GET or None, school=school)
    if request.GET and form.is_valid():
        return redirect("staff:governance_leaver", slug=school.slug,
                        pk=form.cleaned_data["person"].pk)
    return render(request, "governance/leavers.html", {"school": school, "form": form},
                  status=400 if form.errors else 200)


def _leaver(school: School, pk: int) -> User:
    user = User.objects.filter(pk=pk, staff_roles__school=school).distinct().first()
    if user is None:
        raise Http404("No such member of staff.")
    return user


@staff_view(ADMIN)
def leaver(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """What the leaver administers; offboarding is refused, with the list, until handed over."""
    person = _leaver(school, pk)
    blocked = ""
    if request.method == "POST":
        try:
            count = custody.do_offboard(school, person, actor=request.user)
        except ValidationError as exc:
            blocked = " ".join(exc.messages)
        else:
            messages.success(request, f"{person} is offboarded: {count} role(s) removed.")
            return redirect("staff:governance_leavers", slug=school.slug)
    return render(request, "governance/leaver.html", {
        "school": school, "person": person, "blocked": blocked,
        "roles": StaffRole.objects.filter(school=school, user=person),
        "pending": custody.accounts_administered(school, person),
        "done": custody.handovers_from(school, person)},
        status=409 if blocked else 200)


@staff_view(ADMIN)
def handover(request: HttpRequest, school: School, pk: int, account_id: int) -> HttpResponse:
    person = _leaver(school, pk)
    account = _account(school, account_id)
    form = HandoverForm(request.POST or None, school=school, leaver=person)
    if request.method == "POST" and form.is_valid():
        try:
            custody.do_record_handover(account, actor=request.user, leaver=person,
                                       new_admin=form.cleaned_data["new_administrator"],
                                       notes=form.cleaned_data["notes"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Handover of {account} recorded.")
            return redirect("staff:governance_leaver", slug=school.slug, pk=person.pk)
    return render(request, "governance/handover.html", {
        "school": school, "person": person, "account": account, "form": form},
        status=400 if form.errors else 200)
