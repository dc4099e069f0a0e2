from __future__ import annotations

from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "gatehouse.lib"
    label = "lib"

    def ready(self) -> None:
        from gatehouse.lib import checks  # noqa: F401  (registers the system checks)
