"""Workflows for joining, approving, restricting and granting roles (check_* then do_*)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gatehouse.accounts.models import JoinRequest, Membership, Restriction, StaffRole, User
from gatehouse.audit.log import record
from gatehouse.lib.mail import email_after_commit
from gatehouse.schools.models import School

# A parent declined this recently must wait before asking again, so repeated requests
# don't flood the administrator's queue.
RETRY_AFTER_DECLINE = dt.timedelta(days=7)


def check_join_request(school: School, email: str) -> None:
    """Refuse a request that repeats an open one, or comes from someone already in the group."""
    if Membership.objects.filter(school=school, user__email=email).exists():
        raise ValidationError("You are already a member of this group. Please sign in instead.")
    if JoinRequest.objects.filter(school=school, email=email,
                                  status=JoinRequest.Status.PENDING).exists():
        raise ValidationError(
            "We already have a request from this email address. The school will email you "
            "when it has been looked at."
        )
    cutoff = timezone.now() - RETRY_AFTER_DECLINE
    if JoinRequest.objects.filter(school=school, email=email, decided_at__gt=cutoff,
                                  status=JoinRequest.Status.DECLINED).exists():
        raise ValidationError(
            "A request from this email address was declined recently. Please contact the "
            "school office if you think this is a mistake."
        )


def do_submit_join_request(school: School, data: dict[str, Any]) -> JoinRequest:
    check_join_request(school, data["email"])
    try:
        with transaction.atomic():
            request = JoinRequest.objects.create(
                school=school,
                full_name=data["full_name"].strip(),
                email=data["email"],
                date_of_birth=data["date_of_birth"],
                child_name=data["child_name"].strip(),
                child_year=data["child_year"],
                security_answer=data["security_answer"].strip(),
                answer_matches=school.check_security_answer(data["security_answer"]),
                rules_version_id=data["rules_version"],
                hsa_version_id=data["hsa_version"],
                password_hash=make_password(data["password1"]),
            )
    except IntegrityError as exc:
        # Two submissions raced past the check: the unique constraint keeps only one.
        raise ValidationError("We already have a request from this email address.") from exc
    email_after_commit([request.email], "accounts/email/join_received", {"request": request,
                                                                       "school": school})
    return request


def check_pending(join_request: JoinRequest) -> None:
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(
            f"This request was already {join_request.get_status_display().lower()}."
        )


def do_approve_join_request(join_request: JoinRequest, *, actor: User) -> Membership:
    with transaction.atomic():
        join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
        check_pending(join_request)
        user, created = User.objects.get_or_create(
            email=join_request.email,
            defaults={"full_name": join_request.full_name, "password": join_request.password_hash},
        )
        membership = Membership.objects.create(
            user=user, school=join_request.school, join_request=join_request,
            child_name=join_request.child_name, child_year=join_request.child_year,
        )
        _decide(join_request, JoinRequest.Status.APPROVED, actor, "")
        record("accounts.join_request.approved", actor=actor, school=join_request.school,
               target=join_request, details={"membership": membership.pk,
                                             "new_account": created})
    email_after_commit([join_request.email], "accounts/email/join_approved",
                       {"request": join_request, "school": join_request.school})
    return membership


def do_decline_join_request(join_request: JoinRequest, *, actor: User, reason: str) -> None:
    with transaction.atomic():
        join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
        check_pending(join_request)
        _decide(join_request, JoinRequest.Status.DECLINED, actor, reason)
        record("accounts.join_request.declined", actor=actor, school=join_request.school,
               target=join_request, details={"reason": reason})
    email_after_commit([join_request.email], "accounts/email/join_declined",
                       {"request": join_request, "school": join_request.school})


def _decide(join_request: JoinRequest, status: str, actor: User, reason: str) -> None:
    join_request.status = status
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.decision_reason = reason.strip()
    join_request.password_hash = ""  # never kept once the request is settled
    join_request.save()


def do_restrict_member(
    membership: Membership, *, actor: User, kind: str, reason: str, ends_on: dt.date | None
) -> Restriction:
    ends_at = None
    if ends_on is not None:
        midnight = dt.datetime.combine(ends_on, dt.time.min)
        ends_at = timezone.make_aware(midnight, timezone.get_current_timezone())
    with transaction.atomic():
        restriction = Restriction.objects.create(
            membership=membership, kind=kind, reason=reason.strip(), ends_at=ends_at,
            created_by=actor,
        )
        record("accounts.member.restricted", actor=actor, school=membership.school,
               target=membership, details={"kind": kind, "reason": reason,
                                           "ends_at": ends_at.isoformat() if ends_at else None})
    return restriction


def do_lift_restriction(restriction: Restriction, *, actor: User) -> None:
    with transaction.atomic():
        restriction.lifted_at = timezone.now()
        restriction.lifted_by = actor
        restriction.save(update_fields=["lifted_at", "lifted_by"])
        record("accounts.member.restriction_lifted", actor=actor,
               school=restriction.membership.school, target=restriction.membership,
               details={"restriction": restriction.pk})


def do_grant_role(school: School, *, actor: User, email: str, full_name: str,
                  role: str) -> StaffRole:
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": full_name or email.split("@")[0]}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        staff_role, _ = StaffRole.objects.get_or_create(user=user, school=school, role=role)
        record("accounts.staff_role.granted", actor=actor, school=school, target=user,
               details={"role": role, "new_account": created})
    if created:
        email_after_commit([user.email], "accounts/email/staff_invite", {
            "school": school, "user": user, "actor": actor, "role": staff_role,
            "link": settings.SITE_URL + password_setting_path(user)})
    return staff_role


def password_setting_path(user: User) -> str:
    """A one-time link to choose a password (allauth's reset flow: it expires, and stops
    working once used because the token depends on the password hash)."""
    return reverse("account_reset_password_from_key", kwargs={
        "uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)})


def do_revoke_role(staff_role: StaffRole, *, actor: User) -> None:
    if staff_role.user_id == actor.pk and staff_role.role == "administrator":
        raise ValidationError("You can't remove your own administrator role.")
    # A leaver keeps their roles until every school account they run is handed over.
    from gatehouse.governance.custody import check_offboarding

    check_offboarding(staff_role.school, staff_role.user, removing={staff_role.role})
    with transaction.atomic():
        record("accounts.staff_role.revoked", actor=actor, school=staff_role.school,
               target=staff_role.user, details={"role": staff_role.role})
        staff_role.delete()


def do_set_centrally_employed(user: User, *, school: School, actor: User, value: bool) -> None:
    """Centrally employed staff's incident reports go to the Head of HR, not the head teacher."""
    with transaction.atomic():
        user.centrally_employed = value
        user.save(update_fields=["centrally_employed"])
        record("accounts.staff.employment_changed", actor=actor, school=school, target=user,
               details={"centrally_employed": value})
