"""The custody register and leaver handover (design invariant 9: the school owns its accounts).

`check_offboarding` is what blocks a leaver: it is called when a role is removed
(accounts.actions.do_revoke_role) and before `do_offboard` removes them all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from gatehouse.accounts.models import Role, StaffRole, User
from gatehouse.audit.log import record
from gatehouse.governance.models import (
    AccessReview,
    AccountAdministrator,
    Handover,
    SchoolDomains,
    SocialAccount,
)
from gatehouse.lib.mail import email_after_commit
from gatehouse.schools.models import School

# Removing one of these roles takes away the right to run the school's accounts.
ACCOUNT_ROLES = frozenset({Role.ADMINISTRATOR, Role.POSTER})
REMINDER_DAYS = 14


def accounts_administered(school: School, user: User) -> QuerySet[SocialAccount]:
    return SocialAccount.objects.filter(school=school, admins__user=user).order_by("platform")


def check_offboarding(school: School, user: User, *, removing: set[str] | None = None) -> None:
    """Refuse to offboard someone who still administers an account, listing the accounts.

    `removing` is the roles about to go (None: all of them). Removing a role other than an
    account-running one, while others remain, is not offboarding."""
    remaining = set(StaffRole.objects.filter(school=school, user=user)
                    .values_list("role", flat=True)) - (removing or set(Role.values))
    if remaining and not (removing or set()) & ACCOUNT_ROLES:
        return
    pending = list(accounts_administered(school, user))
    if pending:
        names = "; ".join(str(account) for account in pending)
        raise ValidationError(
            f"{user} still administers {len(pending)} of the school's accounts: {names}. "
            "Record a handover for each (Governance › Leaver handover) before removing "
            "their roles.")


def do_offboard(school: School, user: User, *, actor: User) -> int:
    if user.pk == actor.pk:
        raise ValidationError("You cannot offboard yourself.")
    with transaction.atomic():
        check_offboarding(school, user)
        roles = list(StaffRole.objects.select_for_update().filter(school=school, user=user))
        for staff_role in roles:
            record("accounts.staff_role.revoked", actor=actor, school=school, target=user,
                   details={"role": staff_role.role, "offboarded": True})
            staff_role.delete()
        record("governance.leaver.offboarded", actor=actor, school=school, target=user,
               details={"roles": sorted(r.role for r in roles)})
    return len(roles)


# --- the register ---------------------------------------------------------------------


def _set_admins(account: SocialAccount, users: list[User]) -> None:
    AccountAdministrator.objects.filter(account=account).exclude(user__in=users).delete()
    for user in users:
        AccountAdministrator.objects.get_or_create(account=account, user=user)


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "administrators"}


def do_add_account(school: School, *, actor: User, data: dict[str, Any]) -> SocialAccount:
    with transaction.atomic():
        account = SocialAccount.objects.create(school=school, created_by=actor, **_fields(data))
        _set_admins(account, list(data["administrators"]))
        record("governance.account.added", actor=actor, school=school, target=account,
               details=_audit_view(account))
    return account


def do_change_account(account: SocialAccount, *, actor: User, data: dict[str, Any]) -> None:
    with transaction.atomic():
        for key, value in _fields(data).items():
            setattr(account, key, value)
        account.save()
        _set_admins(account, list(data["administrators"]))
        record("governance.account.changed", actor=actor, school=account.school,
               target=account, details=_audit_view(account))


def _audit_view(account: SocialAccount) -> dict[str, Any]:
    return {"platform": account.platform, "handle": account.handle,
            "administrators": sorted(a.user_id for a in account.admins.all()),
            "two_factor": account.two_factor, "recovery_email": account.recovery_email}


def do_record_review(account: SocialAccount, *, actor: User, notes: str) -> AccessReview:
    today = timezone.localdate()
    with transaction.atomic():
        names = [str(a.user) for a in account.admins.select_related("user")]
        review = AccessReview.objects.create(account=account, reviewed_by=actor,
                                             reviewed_on=today, administrators=names,
                                             notes=notes)
        account.last_reviewed_on = today
        account.save(update_fields=["last_reviewed_on"])
        record("governance.account.reviewed", actor=actor, school=account.school,
               target=account, details={"administrators": names})
    return review


def check_handover(account: SocialAccount, leaver: User, new_admin: User) -> None:
    if not account.admins.filter(user=leaver).exists():
        raise ValidationError(f"{leaver} is not an administrator of {account}.")
    if new_admin.pk == leaver.pk:
        raise ValidationError("The new administrator must be someone other than the leaver.")
    if not new_admin.roles_at(account.school_id):
        raise ValidationError(f"{new_admin} has no role at this school.")


def do_record_handover(account: SocialAccount, *, actor: User, leaver: User, new_admin: User,
                       notes: str) -> Handover:
    check_handover(account, leaver, new_admin)
    with transaction.atomic():
        handover = Handover.objects.create(
            account=account, leaver=leaver, new_administrator=new_admin,
            credentials_rotated=True, two_factor_moved=True, connector_reissued=True,
            notes=notes, recorded_by=actor)
        AccountAdministrator.objects.filter(account=account, user=leaver).delete()
        AccountAdministrator.objects.get_or_create(account=account, user=new_admin)
        record("governance.account.handed_over", actor=actor, school=account.school,
               target=account, details={"leaver": leaver.pk, "new_administrator": new_admin.pk,
                                        "handover": handover.pk})
    return handover


def handovers_from(school: School, user: User) -> QuerySet[Handover]:
    return Handover.objects.filter(account__school=school, leaver=user).select_related(
        "account", "new_administrator")


def do_set_domains(school: School, *, actor: User, domains: str) -> None:
    with transaction.atomic():
        SchoolDomains.objects.update_or_create(school=school, defaults={"domains": domains})
        record("governance.domains.changed", actor=actor, school=school,
               details={"domains": domains})


# --- access-review reminders (daily) --------------------------------------------------


def send_review_reminders(today: dt.date | None = None) -> int:
    """Email the administrators of each school whose accounts are due a review within
    REMINDER_DAYS; once per due date, claimed with a conditional UPDATE."""
    today = today or timezone.localdate()
    sent = 0
    for account in SocialAccount.objects.select_related("school"):
        due = account.next_review_due
        if due > today + dt.timedelta(days=REMINDER_DAYS):
            continue
        with transaction.atomic():
            claimed = SocialAccount.objects.filter(pk=account.pk).exclude(
                reminder_sent_for=due).update(reminder_sent_for=due)
            if not claimed:
                continue
            emails = sorted(set(StaffRole.objects.filter(
                school=account.school, role=Role.ADMINISTRATOR).values_list("user__email",
                                                                           flat=True)))
            email_after_commit(emails, "governance/email/review_due",
                               {"account": account, "due": due, "school": account.school})
            record("governance.account.review_reminder", school=account.school,
                   target=account, details={"due": due})
            sent += 1
    return sent
