"""A teacher reports online abuse with screenshots; the head teacher sees it and exports a pack
that verifies; a moderator cannot see it at all."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management import call_command
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import assert_accessible, sign_in
from e2e.test_governance import open_page
from gatehouse.evidence.models import CustodyEvent
from gatehouse.incidents.models import Incident
from gatehouse.schools import demo

DESKTOP = {"width": 1366, "height": 768}


def _screenshot(path: Path, colour: str) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 640), colour).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_teacher_reports_abuse_and_only_the_head_teacher_sees_it(
    page: Page, browser: Browser, url: Any, demo_school: Any, smtp_server: Any,
    tmp_path: Path, settings: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    sign_in(page, url, "teacher@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    open_page(page, "Staff safety", "Report an incident")
    expect(page.get_by_text("Do not reply or engage.")).to_be_visible()
    page.get_by_label("What happened").fill("A post in the village group calling me a liar.")
    page.get_by_label("Where (platform or website)").fill("Facebook")
    page.get_by_label("Address (URL), if there is one").fill("https://facebook.example/g/1/p/9")
    page.get_by_label("When was it seen?").fill("2026-01-10T19:30")
    files = page.get_by_label("Screenshots or files")
    files.set_input_files([
        str(_screenshot(tmp_path / "one.png", "red")),
        str(_screenshot(tmp_path / "two.png", "blue"))])
    assert_accessible(page)
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("has gone to the head teacher")).to_be_visible()
    expect(page.get_by_role("cell", name="Received")).to_be_visible()
    incident = Incident.objects.get()

    head = browser.new_context(viewport=DESKTOP, accept_downloads=True).new_page()
    sign_in(head, url, "head@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    head.goto(url("/s/oakfield/staff/"))
    expect(head.get_by_text("Staff incident reports not yet taken up")).to_be_visible()
    head.goto(url("/s/oakfield/staff/incidents/"))
    head.get_by_role("link", name=incident.reference).click()
    expect(head.get_by_text("calling me a liar")).to_be_visible()
    assert_accessible(head)
    with head.expect_download() as download:
        head.get_by_role("button", name="Export the evidence pack").click()
    pack = tmp_path / "pack.zip"
    download.value.save_as(pack)
    call_command("verify_evidence_pack", str(pack))
    head.get_by_role("link", name="Verify a pack").click()
    head.get_by_label("Evidence pack (.zip)").set_input_files(str(pack))
    head.get_by_role("button", name="Verify the pack").click()
    expect(head.get_by_text("Intact.")).to_be_visible()
    assert CustodyEvent.objects.filter(action="exported").count() == 2

    moderator = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(moderator, url, "moderator@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    expect(moderator.get_by_role("navigation", name="Staff console")
           .get_by_text("Staff incident reports")).to_have_count(0)
    response = moderator.goto(url(f"/s/oakfield/staff/incidents/{incident.pk}/"))
    assert response is not None and response.status == 403
    assert "liar" not in moderator.content()
