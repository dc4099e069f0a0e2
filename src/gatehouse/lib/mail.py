"""Send email after the surrounding transaction commits, through a retrying task."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from gatehouse.lib.tasks import send_email


def email_after_commit(to: list[str], template: str, context: dict[str, object]) -> None:
    """Render `<template>.txt` (first line is the subject) and send it once the data is saved."""
    text = render_to_string(f"{template}.txt", {"site_url": settings.SITE_URL, **context}).strip()
    subject, _, body = text.partition("\n")
    recipients = [address for address in to if address]
    if recipients:
        transaction.on_commit(lambda: send_email.delay(recipients, subject.strip(), body.strip()))
