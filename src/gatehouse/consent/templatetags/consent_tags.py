"""Template helpers for the consent pages."""

from __future__ import annotations

from django import template

from gatehouse.consent.models import Pupil

register = template.Library()


@register.filter
def consent_status(pupil: Pupil, channel: str) -> str:
    return pupil.consent_for(channel)
