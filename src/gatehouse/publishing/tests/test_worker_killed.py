"""Exactly once, proven with a real process: a worker is killed (SIGKILL) after Instagram's
media_publish went through and before it saved the result. The next run reconciles with the
container's status and records the one media; nothing is published twice.

The worker processes share a SQLite database file of their own (the test database may be in
memory), set up by the same migrations."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from gatehouse.publishing.fake_graph import FakeGraph

PROJECT = Path(__file__).resolve().parents[4]
SCENARIO = Path(__file__).with_name("worker_scenario.py")
TOKEN = "demo-page-token"


def _env(tmp_path: Path, graph: FakeGraph) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return {**keep, "PYTHONPATH": str(PROJECT / "src"),
            "DJANGO_SETTINGS_MODULE": "gatehouse.settings",
            "SQLITE_PATH": str(tmp_path / "worker.sqlite3"), "MEDIA_ROOT": str(tmp_path / "m"),
            "GRAPH_API_BASE": graph.base_url, "INSTAGRAM_POLL_SECONDS": "0",
            "PUBLISHING_CLAIM_LEASE_SECONDS": "1", "LOG_LEVEL": "WARNING"}


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], env=env, cwd=PROJECT, check=True,  # noqa: S603
                          capture_output=True, text=True, timeout=600)
    return done.stdout


@pytest.fixture
def graph() -> Any:
    server = FakeGraph().start()
    server.state.hang_after_publish = threading.Event()
    yield server
    server.stop()


def test_killing_the_worker_mid_delivery_publishes_once(tmp_path: Path, graph: FakeGraph
                                                        ) -> None:
    env = _env(tmp_path, graph)
    _run(env, "manage.py", "migrate", "--noinput", "-v0")
    _run(env, str(SCENARIO), "prepare", graph.state.ig_id, TOKEN)
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "run_publishing", "--loop", "--interval", "1"],
        env=env, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert graph.state.publish_seen.wait(300), "the worker never reached media_publish"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    graph.state.hang_after_publish.set()  # the answer goes nowhere: its worker is dead
    [before] = json.loads(_run(env, str(SCENARIO), "report"))
    assert before["state"] == "claimed" and before["remote_id"] == ""
    assert before["remote_ref"]["container"]  # saved before media_publish

    time.sleep(1.5)  # the dead worker's claim lapses
    _run(env, "manage.py", "run_publishing")
    [after] = json.loads(_run(env, str(SCENARIO), "report"))
    media = graph.state.published_media()
    assert len(graph.state.calls("POST", "media_publish")) == 1
    assert len(media) == 1
    assert after["state"] == "published" and after["attempts"] == 2
    [(media_id, _)] = [(k, o) for k, o in graph.state.objects.items() if o["kind"] == "ig_media"]
    assert after["remote_id"] == media_id
