"""Views for joining a school's group and for administrators managing members and roles."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gatehouse.accounts import actions
from gatehouse.accounts.forms import DecisionForm, GrantRoleForm, JoinRequestForm, RestrictionForm
from gatehouse.accounts.models import JoinRequest, Membership, Restriction, Role, StaffRole
from gatehouse.accounts.permissions import access_school, staff_view
from gatehouse.lib.ratelimit import RateLimited, check_rate
from gatehouse.schools.models import School

ADMIN = Role.ADMINISTRATOR


def join(request: HttpRequest, slug: str) -> HttpResponse:
    school = access_school(slug)
    form = JoinRequestForm(request.POST or None, school=school)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            check_rate(request, "join")
            actions.do_submit_join_request(school, form.cleaned_data)
        except RateLimited as exc:
            form.add_error(None, str(exc))  # the form keeps what was typed
            status = 429
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("join_sent", slug=school.slug)
    if form.errors and status == 200:
        status = 400
    return render(request, "accounts/join.html", {"school": school, "form": form}, status=status)


def join_sent(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "accounts/join_sent.html", {"school": access_school(slug)})


@staff_view(ADMIN)
def join_requests(request: HttpRequest, school: School) -> HttpResponse:
    pending = JoinRequest.objects.filter(school=school, status=JoinRequest.Status.PENDING)
    recent = JoinRequest.objects.filter(school=school).exclude(
        status=JoinRequest.Status.PENDING).select_related("decided_by").order_by("-decided_at")[:20]
    emails = set(pending.values_list("email", flat=True))
    earlier = JoinRequest.objects.filter(school=school, email__in=emails).exclude(
        status=JoinRequest.Status.PENDING).values_list("email", flat=True)
    return render(request, "accounts/join_requests.html", {
        "school": school, "pending": pending, "recent": recent, "asked_before": set(earlier),
        "form": DecisionForm(),
    })


@staff_view(ADMIN)
@require_POST
def decide_join_request(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    join_request = get_object_or_404(JoinRequest, pk=pk, school=school)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, f"{join_request.full_name}: {' '.join(error)}")
        return redirect("staff:join_requests", slug=school.slug)
    try:
        if form.cleaned_data["decision"] == "approve":
            actions.do_approve_join_request(join_request, actor=request.user)
            messages.success(request, f"{join_request.full_name} has joined the group.")
        else:
            actions.do_decline_join_request(join_request, actor=request.user,
                                            reason=form.cleaned_data["reason"])
            messages.success(request, f"{join_request.full_name}'s request was declined.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("staff:join_requests", slug=school.slug)


@staff_view(ADMIN)
def members(request: HttpRequest, school: School) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    members = Membership.objects.filter(school=school).select_related("user").order_by(
        "user__full_name")
    if query:
        members = members.filter(user__full_name__icontains=query) | members.filter(
            user__email__icontains=query)
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    in_force = Restriction.objects.in_force().filter(membership__in=[m.pk for m in page])
    by_member = {r.membership_id: r for r in in_force.order_by("-kind")}
    for member in page:
        member.restriction = by_member.get(member.pk)
    return render(request, "accounts/members.html", {"school": school, "page": page,
                                                     "query": query})


@staff_view(ADMIN)
def restrict_member(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk,
                                   school=school)
    form = RestrictionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_restrict_member(membership, actor=request.user, **form.cleaned_data)
        messages.success(request, f"{membership.user} is now restricted.")
        return redirect("staff:members", slug=school.slug)
    history = membership.restrictions.select_related("created_by").order_by("-starts_at")
    return render(request, "accounts/restrict.html", {
        "school": school, "membership": membership, "form": form, "history": history,
        "current": membership.active_restriction(),
    }, status=400 if form.errors else 200)


@staff_view(ADMIN)
@require_POST
def lift_restriction(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    restriction = get_object_or_404(Restriction, pk=pk, membership__school=school,
                                    lifted_at__isnull=True)
    actions.do_lift_restriction(restriction, actor=request.user)
    messages.success(request, "The restriction was lifted.")
    return redirect("staff:restrict_member", slug=school.slug, pk=restriction.membership_id)


@staff_view(ADMIN)
def roles(request: HttpRequest, school: School) -> HttpResponse:
    form = GrantRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_grant_role(school, actor=request.user, **form.cleaned_data)
        messages.success(request, "Role granted.")
        return redirect("staff:roles", slug=school.slug)
    staff = StaffRole.objects.filter(school=school).select_related("user").order_by(
        "user__full_name", "role")
    people = list({sr.user_id: sr.user for sr in staff}.values())
    return render(request, "accounts/roles.html", {"school": school, "staff": staff,
                                                   "form": form, "people": people},
                  status=400 if form.errors else 200)


@staff_view(ADMIN)
@require_POST
def revoke_role(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    staff_role = get_object_or_404(StaffRole.objects.select_related("user"), pk=pk,
                                   school=school)
    try:
        actions.do_revoke_role(staff_role, actor=request.user)
        messages.success(request, f"{staff_role.user} no longer has that role.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("staff:roles", slug=school.slug)


@staff_view(ADMIN)
@require_POST
def set_employment(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    staff_role = StaffRole.objects.filter(school=school, user_id=pk).select_related("user").first()
    if staff_role is None:
        raise Http404("No such member of staff.")
    value = request.POST.get("centrally_employed") == "1"
    actions.do_set_centrally_employed(staff_role.user, school=school, actor=request.user,
                                      value=value)
    messages.success(request, f"{staff_role.user}: "
                     f"{'centrally employed' if value else 'employed by the school'}.")
    return redirect("staff:roles", slug=school.slug)
