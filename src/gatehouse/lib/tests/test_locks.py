"""Scheduled jobs across nodes: while one node runs the batched retention job, another node's
daily run leaves it alone (PostgreSQL: the nodes share the server). Reminder jobs claim each row
with a conditional UPDATE instead (cases/deadlines.py, governance/policies.py, custody.py)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from gatehouse.governance.models import RetentionRun
from gatehouse.governance.tasks import run_daily
from gatehouse.lib.locks import only_one_runner

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="two nodes share a PostgreSQL server")


def test_a_second_node_skips_the_retention_run_while_the_first_holds_it(
    transactional_db: None, make_school: Any
) -> None:
    make_school()
    make_school()
    holding, release, done = threading.Event(), threading.Event(), threading.Event()
    outcome: list[bool] = []

    def other_node() -> None:  # its own thread, so its own database connection
        try:
            with only_one_runner("governance.retention") as mine:
                outcome.append(mine)
                holding.set()
                release.wait(30)
        finally:
            connection.close()
            done.set()

    threading.Thread(target=other_node, daemon=True).start()
    assert holding.wait(30) and outcome == [True]
    try:
        run_daily()
        assert not RetentionRun.objects.exists()
    finally:
        release.set()
        assert done.wait(30)
    run_daily()
    assert RetentionRun.objects.count() == 2
