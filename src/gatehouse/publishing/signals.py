"""Carry out new takedown tasks through the platforms' APIs, whichever path made them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from gatehouse.consent.models import TakedownTask


@receiver(post_save, sender=TakedownTask)
def take_down_through_the_api(sender: type[TakedownTask], instance: TakedownTask,
                              created: bool, **kwargs: Any) -> None:
    if created and instance.done_at is None:
        from gatehouse.publishing.tasks import take_down

        transaction.on_commit(lambda: take_down.delay(instance.pk))
