"""Background tasks with no domain knowledge."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail


def _send_email(to: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(to: list[str], subject: str, body: str) -> int:
    return _send_email(to, subject, body)
