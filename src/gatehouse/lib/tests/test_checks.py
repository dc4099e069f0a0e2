from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from gatehouse.lib.env import envbool, envint


def test_it_refuses_production_with_the_development_key(settings: Any) -> None:
    settings.DEBUG = False
    settings.SECRET_KEY = settings.DEV_SECRET_KEY
    assert "gatehouse.E001" in {e.id for e in run_checks()}
    settings.SECRET_KEY = "a-real-secret-from-the-environment-0123456789"
    assert "gatehouse.E001" not in {e.id for e in run_checks()}


def test_bad_environment_values_fail_loudly(monkeypatch: Any) -> None:
    monkeypatch.setenv("GH_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="true or false"):
        envbool("GH_FLAG", False)
    monkeypatch.setenv("GH_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        envint("GH_NUM", 1)
    monkeypatch.setenv("GH_FLAG", "off")
    assert envbool("GH_FLAG", True) is False
