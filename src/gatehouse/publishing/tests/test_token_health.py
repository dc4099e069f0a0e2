"""The periodic token check: expired and revoked Page and Instagram tokens (Graph error 190)
mark the connection as needing reconnection, shown on the console with how to reconnect, and
the administrators are emailed once per problem, not at every check."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gatehouse.consent.models import Channel
from gatehouse.publishing.actions import check_connections, do_connect
from gatehouse.publishing.fake_graph import FakeGraph
from gatehouse.publishing.models import Connection
from gatehouse.publishing.tasks import check_connections as check_task

pytestmark = pytest.mark.django_db
TOKEN = "demo-page-token"
LATER = dt.timedelta(seconds=settings.PUBLISHING_TOKEN_CHECK_SECONDS + 1)


@pytest.fixture
def run(background: Any) -> Any:
    """One periodic check, and the emails it queued sent (by the worker, with a broker)."""
    def check(now: dt.datetime | None = None) -> dict[str, int]:
        with background():
            done = check_connections(now)
        return done

    return check


def test_an_expired_token_needs_reconnecting_and_administrators_are_told_once(
    school: Any, admin: Any, connected: Any, fake_graph: FakeGraph, run: Any, mailoutbox: Any,
    login_client: Any
) -> None:
    assert run() == {"ok": 2}
    fake_graph.expire(TOKEN)
    assert run() == {}  # each token is asked about only every PUBLISHING_TOKEN_CHECK_SECONDS
    assert run(timezone.now() + LATER) == {"expired": 2}
    facebook = Connection.objects.get(platform=Channel.FACEBOOK)
    assert facebook.needs_reconnecting and "the token has expired" in facebook.health_message
    told = [m for m in mailoutbox if admin.email in m.to]
    assert len(told) == 2  # one for the Page, one for Instagram
    assert "needs connecting again" in told[0].subject and "How to reconnect" in told[0].body

    assert run(timezone.now() + 2 * LATER) == {"expired": 2}
    assert len(mailoutbox) == 2  # not emailed again at the next check

    client = login_client(admin)
    page = client.get(reverse("staff:publishing_connections", kwargs={
        "slug": school.slug})).content.decode()
    assert "Needs reconnecting" in page and "How to reconnect" in page
    console = client.get(reverse("staff:home", kwargs={"slug": school.slug})).content.decode()
    assert "Facebook or Instagram needs connecting again" in console


def test_a_password_change_revokes_and_reconnecting_resets_the_warning(
    school: Any, admin: Any, connected: Any, fake_graph: FakeGraph, run: Any, mailoutbox: Any
) -> None:
    fake_graph.revoke(TOKEN, password_changed=True)
    assert run() == {"revoked": 2}
    facebook = Connection.objects.get(platform=Channel.FACEBOOK)
    assert facebook.health == Connection.Health.REVOKED
    assert "the password was changed" in facebook.health_message
    assert len(mailoutbox) == 2

    fake_graph.state.tokens["new-page-token"] = "ok"
    do_connect(school, actor=admin, platform=Channel.FACEBOOK,
               account_id=fake_graph.state.page_id, token="new-page-token")
    facebook.refresh_from_db()
    assert not facebook.needs_reconnecting and facebook.reconnect_emailed_at is None
    fake_graph.expire("new-page-token")
    assert run(timezone.now() + LATER) == {"expired": 1, "revoked": 1}
    assert len(mailoutbox) == 3  # the new problem is told, the old one not again


def test_a_graph_that_cannot_be_reached_changes_nothing(
    connected: Any, fake_graph: FakeGraph, run: Any, mailoutbox: Any, settings: Any
) -> None:
    settings.GRAPH_API_BASE = "http://127.0.0.1:9/v21.0"
    assert run() == {"unreachable": 2}
    assert set(Connection.objects.values_list("health", flat=True)) == {"ok"}
    assert not mailoutbox


def test_it_runs_from_celery_beat_and_from_the_publishing_loop(
    connected: Any, fake_graph: FakeGraph
) -> None:
    beat = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "gatehouse.publishing.tasks.check_connections" in beat
    fake_graph.expire(TOKEN)
    out = StringIO()
    call_command("run_publishing", stdout=out)
    assert "2 connections expired" in out.getvalue()
    Connection.objects.update(checked_at=None)
    assert check_task.apply().get() == {"expired": 2}
