"""Publish due posts (and check tokens) on a loop, for servers without Celery beat."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gatehouse.publishing.actions import check_connections
from gatehouse.publishing.delivery import run_due
from gatehouse.publishing.notifications import send_digests


class Command(BaseCommand):
    help = ("Publish every due delivery, send the day's digests and check the Page and "
            "Instagram tokens when due (once, or every --interval seconds with --loop).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running")
        parser.add_argument("--interval", type=int, default=30, help="seconds between runs")

    def handle(self, *args: Any, loop: bool, interval: int, **options: Any) -> None:
        while True:
            done = run_due()
            digests = send_digests()
            if digests:
                done["digest emails"] = digests
            for health, n in check_connections().items():
                done[f"connections {health}"] = n
            if done or not loop:
                summary = ", ".join(f"{n} {state}" for state, n in sorted(done.items()))
                self.stdout.write(f"Publishing: {summary or 'nothing due'}.")
            if not loop:
                return
            time.sleep(max(interval, 1))
