from __future__ import annotations

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gatehouse.cases"
    label = "cases"
    verbose_name = "Escalation cases"
