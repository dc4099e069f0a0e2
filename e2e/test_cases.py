"""The policy's ladder in the browser: a held threat becomes a case, letters go out as PDFs,
deadlines remind, and the evidence pack verifies until someone changes a byte."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import assert_accessible, sign_in
from gatehouse.accounts.models import Membership
from gatehouse.cases.deadlines import run_due
from gatehouse.cases.models import Case
from gatehouse.schools import demo

THREAT = "I'm going to batter Mr Patel when I see him at the gates, he won't walk away"
DESKTOP = {"width": 1366, "height": 768}


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    pdftotext = shutil.which("pdftotext") or "/usr/bin/pdftotext"
    out = subprocess.run([pdftotext, "-layout", str(path), "-"],  # noqa: S603
                         capture_output=True, check=True, text=True)
    return " ".join(out.stdout.split())


def _wait_subject(smtp: Any, to: str, text: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in smtp.messages:
            if to in message.get("To", "") and text in message.get("Subject", ""):
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email to {to} about {text!r}: "
                         f"{[(m['To'], m['Subject']) for m in smtp.messages]}")


def _pdf_attachment(message: Any) -> bytes:
    return next(p.get_payload(decode=True) for p in message.walk()
                if p.get_content_type() == "application/pdf")


def _step(head: Page, label: str) -> None:
    head.get_by_role("link", name=label, exact=True).click()
    expect(head.get_by_role("heading", level=1, name=label)).to_be_visible()


def _send_letter(head: Page) -> None:
    expect(head.get_by_role("heading", name="Check the letter")).to_be_visible()
    head.get_by_label("Emailed as a PDF attachment").check()
    head.get_by_role("button", name="Send and freeze the letter").click()
    expect(head.get_by_text("The letter is sent and frozen.")).to_be_visible()


def _escalate_a_threat(page: Page, browser: Browser, url: Any) -> None:
    sign_in(page, url, "parent@oakfield.example")
    first_post = page.locator("article").first
    first_post.get_by_label("Write a comment").fill(THREAT)
    first_post.get_by_role("button", name="Send comment").click()
    expect(first_post.get_by_text("Awaiting review — only you can see this")).to_be_visible()
    moderator = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(moderator, url, "moderator@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    moderator.goto(url("/s/oakfield/staff/moderation/"))
    item = moderator.locator(".queue-item").filter(has_text="batter Mr Patel")
    item.get_by_role("button", name="Escalate").click()
    expect(moderator.get_by_text("added to case GH-")).to_be_visible()


def test_a_threat_goes_up_the_ladder_and_the_evidence_pack_verifies(
    page: Page, browser: Browser, url: Any, demo_school: Any, smtp_server: Any, tmp_path: Path
) -> None:
    _escalate_a_threat(page, browser, url)
    head = browser.new_context(viewport=DESKTOP, accept_downloads=True).new_page()
    sign_in(head, url, "head@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    head.goto(url("/s/oakfield/staff/"))
    expect(head.locator(".dashboard").get_by_text("Open cases")).to_be_visible()
    nav = head.get_by_role("navigation", name="Staff console")
    nav.get_by_text("Cases", exact=True).first.click()
    nav.get_by_role("link", name="Cases", exact=True).click()
    head.get_by_role("link", name="GH-").first.click()
    expect(head.get_by_text("Hidden and reported to the platform").first).to_be_visible()
    expect(head.get_by_text("Consider contacting the police")).to_be_visible()
    assert_accessible(head)
    assert Case.objects.get().member.user.email == "parent@oakfield.example"
    case_url = head.url

    # Rung 2: the meeting, and its invitation letter as PDF.
    _step(head, "Meeting with the head teacher")
    head.get_by_label("Meeting date and time").fill("2031-03-14T15:30")
    head.get_by_label("Home-School Agreement clauses concerned").fill(
        "Parents will raise concerns directly with the school rather than online.")
    head.get_by_role("button", name="Record this step").click()
    expect(head.get_by_text("batter Mr Patel").first).to_be_visible()  # the preview
    assert_accessible(head)
    href = head.get_by_role("link", name="Preview as PDF").get_attribute("href")
    pdf = head.request.get(url(href or ""))
    text = _pdf_text(pdf.body(), tmp_path)
    assert "batter Mr Patel" in text and "Friday 14 March 2031" in text and "15:30" in text
    _send_letter(head)
    invitation = _wait_subject(smtp_server, "parent@oakfield.example", "Invitation to a meeting")
    assert "Friday 14 March 2031" in _pdf_text(_pdf_attachment(invitation), tmp_path)

    # Rung 3: the written warning with a removal deadline; reminder and expiry by email.
    head.goto(case_url)
    _step(head, "Written warning asking for removal")
    deadline = timezone.localdate() + dt.timedelta(days=2)
    head.get_by_label("Removal deadline").fill(deadline.isoformat())
    head.get_by_role("button", name="Record this step").click()
    _send_letter(head)
    _wait_subject(smtp_server, "parent@oakfield.example", "Written warning")
    run_due(timezone.now() + dt.timedelta(days=1))
    _wait_subject(smtp_server, "head@oakfield.example", "Reminder: removal deadline")
    run_due(timezone.now() + dt.timedelta(days=3))
    _wait_subject(smtp_server, "head@oakfield.example", "Deadline passed")

    # Rungs 5, 6 and 7: police, forum restriction, provider removal request.
    head.goto(case_url)
    _step(head, "Police")
    head.get_by_label("Police force").fill("Kent Police")
    head.get_by_label("Reference").fill("46/12345/26")
    head.get_by_label("Officer").fill("PC 1234 Ahmed")
    head.get_by_role("button", name="Record this step").click()
    expect(head.get_by_text("46/12345/26")).to_be_visible()
    _step(head, "Forum access blocked or restricted")
    head.get_by_label("Restriction").select_option(label="Read-only (cannot comment)")
    head.get_by_label("Reason shown to the parent").fill("Threats about a member of staff")
    head.get_by_role("button", name="Record this step").click()
    expect(head.get_by_text("Read-only (cannot comment)").first).to_be_visible()
    member = Membership.objects.get(user__email="parent@oakfield.example")
    assert member.active_restriction() is not None
    _step(head, "Removal request to the host or provider")
    head.get_by_label("Platform or host").fill("Facebook")
    head.get_by_label("Address of the content").fill("https://facebook.example/groups/1/p/2")
    head.get_by_label("Provider's email for removal requests").fill("abuse@facebook.example")
    head.get_by_role("button", name="Record this step").click()
    _send_letter(head)
    request = _wait_subject(smtp_server, "abuse@facebook.example", "Request to remove content")
    assert "facebook.example/groups/1/p/2" in _pdf_text(_pdf_attachment(request), tmp_path)

    # The evidence pack: verifies, then fails once one byte is changed.
    head.goto(case_url)
    expect(head.locator("ol.timeline > li")).to_have_count(6)
    with head.expect_download() as download:
        head.get_by_role("button", name="Export the evidence pack").click()
    pack = tmp_path / "pack.zip"
    download.value.save_as(pack)
    call_command("verify_evidence_pack", str(pack))
    tampered = _tamper(pack, tmp_path)
    with pytest.raises(CommandError):
        call_command("verify_evidence_pack", str(tampered))
    head.get_by_role("link", name="Verify a pack").click()
    head.get_by_label("Evidence pack (.zip)").set_input_files(str(pack))
    head.get_by_role("button", name="Verify the pack").click()
    expect(head.get_by_text("Intact.")).to_be_visible()
    head.get_by_label("Evidence pack (.zip)").set_input_files(str(tampered))
    head.get_by_role("button", name="Verify the pack").click()
    expect(head.get_by_text("Not intact.")).to_be_visible()
    expect(head.get_by_text("summary.pdf was altered")).to_be_visible()
    assert_accessible(head)
    # Every email the test caused has arrived: alert + escalation to the head, the three letters.
    _wait_subject(smtp_server, "head@oakfield.example", "Urgent")
    _wait_subject(smtp_server, "head@oakfield.example", "was escalated to you")


def _tamper(pack: Path, tmp_path: Path) -> Path:
    source = zipfile.ZipFile(pack)
    out = tmp_path / "tampered.zip"
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "summary.pdf":
                data = data[:500] + bytes([data[500] ^ 1]) + data[501:]
            target.writestr(info.filename, data)
    return out
