"""Safety nets that hold whichever code path changes a pupil."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from gatehouse.consent.models import Pupil, ReferenceTemplate


@receiver(post_save, sender=Pupil)
def delete_templates_of_leavers(sender: type[Pupil], instance: Pupil, **kwargs: Any) -> None:
    # The law requires deletion at once when a pupil leaves, however the leaving was recorded.
    if instance.left_at is not None:
        ReferenceTemplate.objects.filter(pupil=instance).delete()
