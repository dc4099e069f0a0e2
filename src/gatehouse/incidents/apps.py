from __future__ import annotations

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "gatehouse.incidents"
    label = "incidents"
    verbose_name = "Staff incident reports"
