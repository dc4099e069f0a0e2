"""Background work for publishing: one delivery now, every due delivery (beat), and a
video's face check."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task
def deliver(delivery_id: int) -> str | None:
    from gatehouse.publishing.delivery import run_delivery

    return run_delivery(delivery_id)


@shared_task(acks_late=True)
def find_video_faces(video_id: int) -> str:
    """The slow part of a video's check (decode, faces, tracks); acks_late so a worker that
    dies mid-way leaves it for another."""
    from gatehouse.publishing.videos import do_find_faces

    return do_find_faces(video_id)


@shared_task
def take_down_video(delivery_id: int, reason: str) -> bool:
    from gatehouse.publishing.videos import take_down_delivery

    return take_down_delivery(delivery_id, reason)


@shared_task
def publish_due() -> dict[str, int]:
    """Celery beat runs this every 30 seconds; `manage.py run_publishing --loop` does without."""
    from gatehouse.publishing.delivery import run_due

    return run_due()


@shared_task
def check_connections() -> dict[str, int]:
    """Celery beat runs this every 15 minutes; `run_publishing --loop` does without. Each
    token is asked about every PUBLISHING_TOKEN_CHECK_SECONDS."""
    from gatehouse.publishing.actions import check_connections as run

    return run()


@shared_task
def screen_platform_comment(comment_id: int) -> str:
    from gatehouse.publishing.comments import screen

    return screen(comment_id).status


@shared_task
def take_down(task_id: int) -> bool:
    from gatehouse.publishing.takedown import take_down as run

    return run(task_id)


@shared_task(bind=True, max_retries=5)
def notify_new_post(self: Any, post_id: int) -> int:
    from gatehouse.lib.tasks import is_temporary
    from gatehouse.publishing.notifications import send_new_post

    try:
        return send_new_post(post_id)
    except Exception as exc:
        if not is_temporary(exc):
            raise
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc


@shared_task
def send_digests() -> int:
    """Celery beat runs this once a day; `run_publishing --loop` sends them at DIGEST_HOUR."""
    from gatehouse.publishing.notifications import send_digests as run

    return run()
