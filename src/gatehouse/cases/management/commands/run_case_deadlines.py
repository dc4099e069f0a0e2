"""Send warning-deadline reminders and alerts on a loop, for servers without Celery beat."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gatehouse.cases.deadlines import run_due


class Command(BaseCommand):
    help = "Send due case deadline reminders and alerts (once, or every --interval seconds)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running")
        parser.add_argument("--interval", type=int, default=300, help="seconds between runs")

    def handle(self, *args: Any, loop: bool, interval: int, **options: Any) -> None:
        while True:
            sent = run_due()
            if sent["reminders"] or sent["expired"] or not loop:
                self.stdout.write(f"{sent['reminders']} reminder(s), {sent['expired']} "
                                  "deadline alert(s) sent.")
            if not loop:
                return
            time.sleep(max(interval, 5))
