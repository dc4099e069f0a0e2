"""Warning deadlines: a reminder to the head teacher before, an alert once it has passed.

Each step is claimed with a conditional UPDATE (`... WHERE reminder_sent_at IS NULL`), so when
two schedulers run at once (beat and the command, or two workers) each email goes once.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from gatehouse.audit.log import record
from gatehouse.cases.actions import head_teacher_emails
from gatehouse.cases.models import Case, Step
from gatehouse.lib.mail import email_after_commit

REMINDER_DAYS = 2


def _due_warnings() -> QuerySet[Step]:
    return Step.objects.filter(kind=Step.Kind.WARNING, deadline__isnull=False, outcome="",
                               case__status=Case.Status.OPEN)


def run_due(now: dt.datetime | None = None) -> dict[str, int]:
    today = timezone.localdate(now or timezone.now())
    reminders = _due_warnings().filter(reminder_sent_at__isnull=True,
                                       deadline__lte=today + dt.timedelta(days=REMINDER_DAYS),
                                       deadline__gte=today)
    expired = _due_warnings().filter(expiry_sent_at__isnull=True, deadline__lt=today)
    sent = {"reminders": 0, "expired": 0}
    for step in reminders.select_related("case__school"):
        sent["reminders"] += _claim_and_send(step, "reminder_sent_at", "reminder", now)
    for step in expired.select_related("case__school"):
        sent["expired"] += _claim_and_send(step, "expiry_sent_at", "expired", now)
    return sent


def _claim_and_send(step: Step, field: str, which: str, now: dt.datetime | None) -> int:
    with transaction.atomic():
        claimed = Step.objects.filter(pk=step.pk, **{f"{field}__isnull": True}).update(
            **{field: now or timezone.now()})
        if not claimed:  # another scheduler got there first
            return 0
        case = step.case
        email_after_commit(head_teacher_emails(case.school), f"cases/email/deadline_{which}",
                           {"case": case, "step": step, "school": case.school})
        record(f"cases.deadline.{which}", school=case.school, target=step,
               details={"case": case.pk, "deadline": step.deadline})
    return 1
