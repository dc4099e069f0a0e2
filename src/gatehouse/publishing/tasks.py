"""Background work for publishing: one delivery now, and every due delivery (beat)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def deliver(delivery_id: int) -> str | None:
    from gatehouse.publishing.delivery import run_delivery

    return run_delivery(delivery_id)


@shared_task
def publish_due() -> dict[str, int]:
    """Celery beat runs this every 30 seconds; `manage.py run_publishing --loop` does without."""
    from gatehouse.publishing.delivery import run_due

    return run_due()


@shared_task
def screen_platform_comment(comment_id: int) -> str:
    from gatehouse.publishing.comments import screen

    return screen(comment_id).status


@shared_task
def take_down(task_id: int) -> bool:
    from gatehouse.publishing.takedown import take_down as run

    return run(task_id)
