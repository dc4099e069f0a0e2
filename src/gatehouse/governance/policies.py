"""Term dates, policy documents as versions, their reviews, and review reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gatehouse.accounts.models import Role, StaffRole, User
from gatehouse.audit.log import record
from gatehouse.governance.models import PolicyDocument, PolicyReview, PolicyVersion, Term
from gatehouse.lib.mail import email_after_commit
from gatehouse.schools.models import School

REMINDER_DAYS = 30


def check_term(school: School, starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on <= starts_on:
        raise ValidationError("The term must end after it starts.")
    if (ends_on - starts_on).days > 200:
        raise ValidationError("A term is at most about four months long; check the dates.")
    clash = Term.objects.filter(school=school).filter(
        Q(starts_on__lte=ends_on) & Q(ends_on__gte=starts_on)).first()
    if clash is not None:
        raise ValidationError(f"These dates overlap {clash} ({clash.starts_on:%d/%m/%Y}–"
                              f"{clash.ends_on:%d/%m/%Y}).")


def do_add_term(school: School, *, actor: User, name: str, starts_on: dt.date,
                ends_on: dt.date) -> Term:
    check_term(school, starts_on, ends_on)
    try:
        with transaction.atomic():
            term = Term.objects.create(school=school, name=name, starts_on=starts_on,
                                       ends_on=ends_on)
            record("governance.term.added", actor=actor, school=school, target=term,
                   details={"name": name, "starts_on": starts_on, "ends_on": ends_on})
    except IntegrityError as exc:
        raise ValidationError(f"There is already a term called {name}.") from exc
    return term


def check_next_review(approved_on: dt.date, next_review_due: dt.date) -> None:
    if approved_on > timezone.localdate():
        raise ValidationError("The approval date cannot be in the future.")
    if next_review_due <= approved_on:
        raise ValidationError("The next review must fall after the approval date.")


def do_add_policy(school: School, *, actor: User, data: dict[str, Any]) -> PolicyDocument:
    check_next_review(data["approved_on"], data["next_review_due"])
    with transaction.atomic():
        document = PolicyDocument.objects.create(school=school, kind=data["kind"],
                                                 title=data["title"],
                                                 committee=data["committee"])
        version = _new_version(document, actor, data, number=1)
        record("governance.policy.added", actor=actor, school=school, target=document,
               details={"version": version.version, "next_review_due": version.next_review_due})
    return document


def _new_version(document: PolicyDocument, actor: User, data: dict[str, Any],
                 number: int) -> PolicyVersion:
    return PolicyVersion.objects.create(
        document=document, version=number, body=data["body"], approved_on=data["approved_on"],
        next_review_label=data["next_review_label"], next_review_due=data["next_review_due"],
        published_by=actor)


def do_review_policy(document: PolicyDocument, *, actor: User,
                     data: dict[str, Any]) -> PolicyReview:
    """A review always makes a new version (the text may be unchanged), so each approved text
    and its review dates stay exactly as they were."""
    check_next_review(data["approved_on"], data["next_review_due"])
    with transaction.atomic():
        current = document.versions.select_for_update().order_by("-version").first()
        body = data.get("body") or (current.body if current else "")
        version = _new_version(document, actor, {**data, "body": body},
                               number=(current.version if current else 0) + 1)
        review = PolicyReview.objects.create(
            document=document, reviewed_by=actor, reviewed_on=data["approved_on"],
            what_changed=data["what_changed"], version=version)
        record("governance.policy.reviewed", actor=actor, school=document.school,
               target=document, details={"version": version.version,
                                         "text_changed": bool(current and body != current.body),
                                         "next_review_due": version.next_review_due})
    return review


def send_policy_reminders(today: dt.date | None = None) -> int:
    """Email the head teacher and administrators before a policy's review falls due."""
    today = today or timezone.localdate()
    sent = 0
    for document in PolicyDocument.objects.select_related("school"):
        current = document.current
        if current is None or current.next_review_due > today + dt.timedelta(
                days=REMINDER_DAYS):
            continue
        with transaction.atomic():
            claimed = PolicyVersion.objects.filter(pk=current.pk).exclude(
                reminder_sent_for=current.next_review_due).update(
                reminder_sent_for=current.next_review_due)
            if not claimed:
                continue
            emails = sorted(set(StaffRole.objects.filter(
                school=document.school, role__in=[Role.HEAD_TEACHER, Role.ADMINISTRATOR])
                .values_list("user__email", flat=True)))
            email_after_commit(emails, "governance/email/policy_review_due", {
                "document": document, "version": current, "school": document.school})
            record("governance.policy.review_reminder", school=document.school,
                   target=document, details={"due": current.next_review_due})
            sent += 1
    return sent
