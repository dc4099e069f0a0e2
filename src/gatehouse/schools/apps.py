from __future__ import annotations

from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "gatehouse.schools"
    label = "schools"
