"""Fixtures every test shares, unit and browser alike: one Celery worker for the whole session
when a broker is configured (the PostgreSQL CI run), and the rule that a test's background
tasks finish within that test.

They live here, above both src/ and e2e/, so that pytest creates them once: a fixture defined
(or imported) in two conftest files is two fixtures, and two embedded workers in one process
share Celery's module-level worker state and event loop, so stopping one can leave the other
unable to stop (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session", autouse=True)
def _celery_worker(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """With a broker, tasks go through Redis to a real worker beside the tests; without one
    they run in-process and there is nothing to start."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL:
        yield
        return
    from celery.contrib.testing.worker import start_worker

    from gatehouse.celery import app
    from gatehouse.lib.testing import wait_for_background_tasks

    app.control.purge()
    with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False,
                                                   shutdown_timeout=10):
        yield
        # Every test waits for its own tasks, so the session ends with nothing left to run
        # and the worker stops at once.
        left = wait_for_background_tasks(app, timeout=5)
        assert not left, f"background tasks outlived the test session: {left}"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with no rate-limit counts, lockouts or used authenticator codes from
    earlier tests (every test client comes from the same address)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _background_tasks_finish_within_the_test(_celery_worker: None) -> Iterator[None]:
    """A test's emails and other tasks are done (or the test fails) before the next test
    starts: nothing one test sends is delivered into another's settings or SMTP server."""
    yield
    from django.conf import settings

    if not settings.CELERY_BROKER_URL:
        return
    from gatehouse.celery import app
    from gatehouse.lib.testing import wait_for_background_tasks

    left = wait_for_background_tasks(app)
    if left:
        app.control.purge()
        pytest.fail(f"background tasks did not finish within the test: {left}")
