from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gatehouse.accounts"
    label = "accounts"

    def ready(self) -> None:
        from gatehouse.accounts import access

        access.connect()
