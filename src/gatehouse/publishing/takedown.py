"""Withdrawal reaching the platforms: a takedown task (made by consent.withdrawal when consent
is withdrawn or a pupil is restricted) is carried out through the API where it allows, by
deleting the Page post or Instagram media. Otherwise it stays on the Takedowns page."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from gatehouse.audit.log import record
from gatehouse.consent.models import Channel, TakedownTask
from gatehouse.publishing.connectors.base import PublishError
from gatehouse.publishing.connectors.registry import CONNECTORS, connector_for
from gatehouse.publishing.models import Connection, Delivery

logger = logging.getLogger(__name__)


def take_down(task_id: int) -> bool:
    """True if the item is gone from the platform and the task is done."""
    task = TakedownTask.objects.select_related("school").get(pk=task_id)
    if task.done_at is not None:
        return True
    delivery = Delivery.objects.filter(post__photos_id=task.draft_id, channel=task.channel,
                                       state=Delivery.State.PUBLISHED).first()
    if delivery is not None and task.channel == Channel.WEBSITE:
        _done(task, delivery)  # Gatehouse serves the website's news: it drops out at once
        return True
    connection = Connection.objects.filter(school=task.school, platform=task.channel).first()
    if delivery is None or not delivery.remote_id or connection is None \
            or task.channel not in CONNECTORS:
        return False  # stays a task for a person
    try:
        connector_for(connection).delete(delivery.remote_id)
    except PublishError as exc:
        if "does not exist" not in exc.message:  # already gone counts as done
            record("publishing.takedown.failed", school=task.school, target=task,
                   details={"channel": task.channel, "why": exc.message})
            return False
    _done(task, delivery)
    return True


def _done(task: TakedownTask, delivery: Delivery) -> None:
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.REMOVED,
            message=f"Deleted from {delivery.get_channel_display()}: {task.reason}"[:500])
        TakedownTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
            done_at=timezone.now())
        record("publishing.takedown.deleted", school=task.school, target=task,
               details={"channel": task.channel, "remote_id": delivery.remote_id,
                        "draft": task.draft_id})


def take_down_open_tasks(draft_id: int, channel: str) -> None:
    """A delivery that finished after a withdrawal came in: its task can be done now."""
    from gatehouse.publishing.tasks import take_down as task

    ids = list(TakedownTask.objects.filter(draft_id=draft_id, channel=channel,
                                           done_at__isnull=True).values_list("pk", flat=True))
    transaction.on_commit(lambda: [task.delay(pk) for pk in ids])
