"""Warning deadlines: the reminder before and the alert after, each sent once, over SMTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from gatehouse.audit.models import AuditEntry
from gatehouse.cases.deadlines import run_due
from gatehouse.cases.models import Case, Step
from gatehouse.cases.tests.conftest import case_url, days


def _warning(client: Any, case: Case, deadline: dt.date) -> Step:
    client.post(case_url("case_step_add", case, kind="warning"), {
        "version": Case.objects.get(pk=case.pk).version,
        "occurred_on": timezone.localdate().isoformat(), "deadline": deadline.isoformat()})
    return case.steps.get(kind="warning")


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def test_the_head_teacher_is_reminded_before_and_alerted_after_the_deadline(
    staff: dict[str, Any], case: Case, login_client: Any, smtp_server: Any,
    django_capture_on_commit_callbacks: Any
) -> None:
    step = _warning(login_client(staff["head"]), case, days(5))
    with django_capture_on_commit_callbacks(execute=True):
        assert run_due(_at(days(1))) == {"reminders": 0, "expired": 0}  # too early
        assert run_due(_at(days(3))) == {"reminders": 1, "expired": 0}
        assert run_due(_at(days(4))) == {"reminders": 0, "expired": 0}  # claimed: once only
    reminder = smtp_server.wait_for("head@s.example")
    assert "Reminder: removal deadline" in reminder["Subject"]
    assert case.reference in reminder["Subject"]
    assert f"/staff/cases/{case.pk}/" in smtp_server.body_of(reminder)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_due(_at(days(6))) == {"reminders": 0, "expired": 1}
        assert run_due(_at(days(7))) == {"reminders": 0, "expired": 0}
    alert = smtp_server.wait_for("head@s.example", count=2)
    assert "Deadline passed" in alert["Subject"]
    assert len([m for m in smtp_server.messages if "head@s.example" in m["To"]]) == 2
    step.refresh_from_db()
    assert step.reminder_sent_at and step.expiry_sent_at
    assert AuditEntry.objects.filter(action="cases.deadline.expired").count() == 1


def test_no_alert_once_the_outcome_is_recorded(
    staff: dict[str, Any], case: Case, login_client: Any
) -> None:
    step = _warning(login_client(staff["head"]), case, days(5))
    Step.objects.filter(pk=step.pk).update(outcome="removed", outcome_on=timezone.localdate())
    assert run_due(_at(days(9))) == {"reminders": 0, "expired": 0}


def test_the_command_runs_without_a_broker(
    staff: dict[str, Any], case: Case, login_client: Any, capsys: Any, smtp_server: Any,
    django_capture_on_commit_callbacks: Any
) -> None:
    _warning(login_client(staff["head"]), case, days(1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_case_deadlines")
    assert "1 reminder(s)" in capsys.readouterr().out
    smtp_server.wait_for("head@s.example")


def test_a_passed_deadline_is_flagged_on_the_case_and_the_dashboard(
    staff: dict[str, Any], case: Case, login_client: Any
) -> None:
    step = _warning(login_client(staff["head"]), case, days(3))
    Step.objects.filter(pk=step.pk).update(deadline=days(-1))
    client = login_client(staff["head"])
    assert "has passed with no outcome" in client.get(case_url("case_detail", case)
                                                      ).content.decode()
    home = client.get(f"/s/{case.school.slug}/staff/").content.decode()
    assert "Case deadlines this week" in home and "passed" in home
