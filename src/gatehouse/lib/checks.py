"""System checks that refuse unsafe production settings: we hold children's data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=False)
def check_secret_key(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return [
            Error(
                "DEBUG is off but SECRET_KEY is the public development key.",
                hint="Set SECRET_KEY in the environment to a long random value.",
                id="gatehouse.E001",
            )
        ]
    return []
