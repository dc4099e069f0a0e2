from __future__ import annotations

from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "gatehouse.community"
    label = "community"

    def ready(self) -> None:
        from gatehouse.community import feedcache

        feedcache.connect()
