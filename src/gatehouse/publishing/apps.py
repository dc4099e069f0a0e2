from __future__ import annotations

from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "gatehouse.publishing"
    label = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from gatehouse.publishing import signals  # noqa: F401  (connects the receivers)
