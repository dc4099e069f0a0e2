"""Serve the fake Graph API for the demo (`make run`), so a person can try publishing to a
Facebook Page and Instagram without Meta. Never for production."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gatehouse.publishing.fake_graph import FakeGraph


class Command(BaseCommand):
    help = "Serve a fake Graph API on localhost for the demo school."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args: Any, port: int, **options: Any) -> None:
        graph = FakeGraph(port=port)
        graph.state.fetch_media = True  # fetch each photo from Gatehouse, as Meta does
        graph.start()
        self.stdout.write(f"Fake Graph API at {graph.base_url}")
        try:
            while True:
                time.sleep(3600)
        finally:
            graph.stop()
