from __future__ import annotations

from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "gatehouse.community"
    label = "community"
