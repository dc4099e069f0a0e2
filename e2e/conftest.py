"""Browser tests: Playwright driving Debian's Chromium against a live Gatehouse server."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from playwright.sync_api import Browser, BrowserContext, Page, expect

from gatehouse.conftest import (  # noqa: F401  (shared fixtures)
    _fast_password_hashing,
    login_client,
    make_parent,
    make_school,
    make_user,
    smtp_server,
)
from gatehouse.lib.testing import totp_now
from gatehouse.schools import demo

# Playwright's sync API keeps an event loop running in the test thread; the ORM calls the
# tests make there are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
_AXE = Axe()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # A parent's phone: most parents will see Gatehouse this size.
    return {**browser_context_args, "viewport": {"width": 390, "height": 844},
            "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture(autouse=True)
def _no_content_security_policy_violations(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Every page any browser test opens is watched: a script or style the
    Content-Security-Policy refuses (Chromium says so on the console) fails the test."""
    violations: list[str] = []
    original = Browser.new_context

    def watched(self: Browser, *args: Any, **kwargs: Any) -> BrowserContext:
        context = original(self, *args, **kwargs)
        context.on("console", lambda message: violations.append(message.text)
                   if "Content Security Policy" in message.text else None)
        return context

    monkeypatch.setattr(Browser, "new_context", watched)
    yield
    assert not violations, "\n".join(violations)


@pytest.fixture
def demo_school(transactional_db: None, live_server: Any) -> Any:
    # Sign-in lockout counters and used authenticator codes live in the cache (Redis in the
    # PostgreSQL run); each browser test starts with none.
    cache.clear()
    return demo.create_demo_school(posts=3)


@pytest.fixture
def url(live_server: Any) -> Callable[[str], str]:
    return lambda path: f"{live_server.url}{path}"


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violations on the page as it stands."""
    results = _AXE.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
    assert not bad, results.generate_report()


def sign_in(page: Page, url: Callable[[str], str], email: str, *,
            password: str = demo.DEMO_PASSWORD, totp_secret: str | None = None) -> None:
    page.goto(url("/accounts/login/"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    if totp_secret:
        expect(page.get_by_label("Code")).to_be_visible()
        page.get_by_label("Code").fill(totp_now(totp_secret))
        page.get_by_role("button", name="Sign In").click()
        if page.get_by_text("Incorrect code").count():
            # A code is accepted once (replay protection): a second sign-in by the same person
            # within 30 seconds waits for the next code, as a person would.
            time.sleep(30.5 - time.time() % 30)
            page.get_by_label("Code").fill(totp_now(totp_secret))
            page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    confirm = page.get_by_role("button", name="Sign Out")
    if confirm.count():
        confirm.click()
