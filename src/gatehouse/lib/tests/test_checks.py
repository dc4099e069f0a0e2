from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
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


def test_the_documented_production_settings_pass_check_deploy() -> None:
    """deploy/gatehouse.env.example, filled in, gives a silent `manage.py check --deploy`."""
    project = Path(__file__).resolve().parents[4]
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(project / "src")}
    for line in (project / "deploy" / "gatehouse.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = secrets.token_urlsafe(50) if value == "CHANGE-ME" else value
    env["DATABASE_URL"] = "sqlite:///:memory:"  # the check never connects; no server needed
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(project / "manage.py"), "check", "--deploy", "--fail-level",
         "WARNING"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_pages_carry_a_content_security_policy_without_unsafe_inline(client: Any, db: None) -> None:
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    # A nonce appears only on a page that uses one; none of today's pages needs it.
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert "report-uri /csp-report/" in policy


def test_violation_reports_are_logged_and_bad_ones_refused(client: Any, caplog: Any) -> None:
    report = {"csp-report": {"document-uri": "https://gate.example/s/x/",
                             "violated-directive": "script-src", "blocked-uri": "inline"}}
    response = client.post("/csp-report/", json.dumps(report),
                           content_type="application/csp-report")
    assert response.status_code == 204
    assert "violated-directive" in caplog.text and "script-src" in caplog.text
    assert client.post("/csp-report/", "{not json", content_type="application/json"
                       ).status_code == 400
    assert client.post("/csp-report/", "x" * 20_000, content_type="application/json"
                       ).status_code == 413
    assert client.get("/csp-report/").status_code == 405
