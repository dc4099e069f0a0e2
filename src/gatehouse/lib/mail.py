"""Send email after the surrounding transaction commits, through a retrying task."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from kombu.exceptions import OperationalError

from gatehouse.lib.tasks import send_email, send_email_now

log = logging.getLogger(__name__)


def _queue(recipients: list[str], subject: str, body: str) -> None:
    """Queue the email; with the queue (Redis) away, send it from here instead. The data is
    already saved, so failing the request now would only make the person try again."""
    try:
        send_email.delay(recipients, subject, body)
    except OperationalError as exc:
        log.warning("task queue unavailable, sending the email now: %s", exc)
        try:
            send_email_now(recipients, subject, body)
        except Exception:
            log.exception("an email could be neither queued nor sent")


def email_after_commit(to: list[str], template: str, context: dict[str, object]) -> None:
    """Render `<template>.txt` (first line is the subject) and send it once the data is saved."""
    text = render_to_string(f"{template}.txt", {"site_url": settings.SITE_URL, **context}).strip()
    subject, _, body = text.partition("\n")
    recipients = [address for address in to if address]
    if recipients:
        transaction.on_commit(lambda: _queue(recipients, subject.strip(), body.strip()))
