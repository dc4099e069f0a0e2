"""The daily governance job: retention, access-review and policy-review reminders."""

from __future__ import annotations

from celery import shared_task

from gatehouse.governance.custody import send_review_reminders
from gatehouse.governance.policies import send_policy_reminders
from gatehouse.governance.retention import prune_audit, run_retention
from gatehouse.lib.locks import only_one_runner
from gatehouse.schools.models import School


def run_daily() -> dict[str, int]:
    """Reminders are claimed row by row (conditional UPDATE); retention works in batches, so
    only one node runs it at a time (another node's run skips it and finds nothing left)."""
    removed = audit_rows = 0
    with only_one_runner("governance.retention") as mine:
        if mine:
            for school in School.objects.all():
                removed += sum(run_retention(school).counts.values())
            audit_rows = prune_audit()
    return {"removed": removed, "audit_rows_removed": audit_rows,
            "access_reminders": send_review_reminders(),
            "policy_reminders": send_policy_reminders()}


@shared_task
def daily() -> dict[str, int]:
    """Celery beat runs this once a day; `manage.py run_governance_daily` does without."""
    return run_daily()
