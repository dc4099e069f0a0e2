"""A withdrawal deletes the published Page post and Instagram media through the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gatehouse.consent.models import Channel, Pupil, TakedownTask
from gatehouse.consent.withdrawal import do_reach_past
from gatehouse.publishing.delivery import run_due
from gatehouse.publishing.fake_graph import meta_error
from gatehouse.publishing.models import Delivery

CHANNELS = [Channel.PARENTS_GROUP, Channel.FACEBOOK, Channel.INSTAGRAM]

# Committed data: with a broker, the Celery worker reads the rows on its own connection.
pytestmark = pytest.mark.django_db(transaction=True)


def _published(agreed_post: Any) -> Any:
    post = agreed_post(channels=CHANNELS, publish_at=timezone.now() + dt.timedelta(hours=1))
    assert run_due(timezone.now() + dt.timedelta(hours=2)) == {"published": 3}
    return post


def test_a_withdrawal_deletes_the_post_and_the_media_through_the_api(
    agreed_post: Any, connected: Any, fake_graph: Any, admin: Any,
    background: Any
) -> None:
    post = _published(agreed_post)
    remote = {d.channel: d.remote_id for d in post.deliveries.all()}
    assert remote[Channel.FACEBOOK] in fake_graph.state.objects
    ellie = Pupil.objects.get(first_name="Ellie")
    with background():
        do_reach_past(ellie, channels=CHANNELS, actor=admin, reason="Consent withdrawn")
    assert remote[Channel.FACEBOOK] not in fake_graph.state.objects
    assert remote[Channel.INSTAGRAM] not in fake_graph.state.objects
    assert len(fake_graph.state.calls("DELETE", "")) == 2
    tasks = TakedownTask.objects.all()
    assert len(tasks) == 2 and all(t.done_at is not None for t in tasks)
    assert {d.state for d in post.deliveries.exclude(channel=Channel.PARENTS_GROUP)} == {
        Delivery.State.REMOVED}


def test_when_the_api_refuses_the_task_stays_for_a_person(
    agreed_post: Any, connected: Any, fake_graph: Any, admin: Any,
    background: Any
) -> None:
    _published(agreed_post)
    fake_graph.fail_next("DELETE", "", 400, meta_error("(#200) Permissions error", 200),
                         times=2)
    with background():
        do_reach_past(Pupil.objects.get(first_name="Ellie"), channels=CHANNELS, actor=admin,
                      reason="Consent withdrawn")
    assert TakedownTask.objects.filter(done_at__isnull=True).count() == 2
