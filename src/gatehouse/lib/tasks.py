"""Background tasks with no domain knowledge."""

from __future__ import annotations

import smtplib
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

# Faults worth trying again: the mail server is down, stalled, or said "try later" (4xx).
# A permanent refusal (5xx: unknown mailbox, message rejected) would fail the same way again.
MAX_RETRIES = 5


def send_email_now(to: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)


def is_temporary(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
        codes = ([exc.smtp_code] if isinstance(exc, smtplib.SMTPResponseException)
                 else [code for code, _ in exc.recipients.values()])
        return all(400 <= code < 500 for code in codes)
    return isinstance(exc, OSError)  # refused, reset, timed out, disconnected


@shared_task(bind=True, max_retries=MAX_RETRIES)
def send_email(self: Any, to: list[str], subject: str, body: str) -> int:
    try:
        return send_email_now(to, subject, body)
    except Exception as exc:
        if not is_temporary(exc):
            raise
        # 2, 4, 8, 16, 32 seconds: about a minute in all, then the task fails and is logged.
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
