from __future__ import annotations

from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "gatehouse.consent"
    label = "consent"
    verbose_name = "Consent"

    def ready(self) -> None:
        from gatehouse.consent import signals  # noqa: F401  (connects the receivers)
