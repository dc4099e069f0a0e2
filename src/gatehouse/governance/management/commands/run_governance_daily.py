"""Run the daily governance job (retention and reminders) once, or every day with --loop."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gatehouse.governance.tasks import run_daily


class Command(BaseCommand):
    help = "Delete what is past retention and send access- and policy-review reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running, once a day")

    def handle(self, *args: Any, loop: bool, **options: Any) -> None:
        while True:
            done = run_daily()
            self.stdout.write(f"{done['removed']} record(s) past retention removed, "
                              f"{done['audit_rows_removed']} audit row(s); "
                              f"{done['access_reminders']} access-review and "
                              f"{done['policy_reminders']} policy-review reminder(s) sent.")
            if not loop:
                return
            time.sleep(24 * 3600)
