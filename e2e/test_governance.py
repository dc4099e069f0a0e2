"""Governance in the browser: a leaver's offboarding is blocked until their accounts are handed
over; the governors' report as a page and a PDF; a retention run; a subject access export."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible, sign_in
from gatehouse.accounts.models import StaffRole
from gatehouse.schools import demo

DESKTOP = {"width": 1366, "height": 768}


def test_offboarding_is_blocked_until_the_handover_then_allowed(
    page: Page, url: Any, demo_school: Any,
) -> None:
    sign_in(page, url, "admin@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    nav = page.get_by_role("navigation", name="Staff console")
    nav.get_by_text("Governance").click()
    nav.get_by_role("link", name="Account custody register").click()
    expect(page.get_by_role("cell", name="Tom Fielding")).to_be_visible()
    assert_accessible(page)
    nav.get_by_text("Governance").click()
    nav.get_by_role("link", name="Leaver handover").click()
    page.get_by_label("Member of staff who is leaving").select_option(label="Tom Fielding")
    page.get_by_role("button", name="Show what they hold").click()
    page.get_by_role("button", name="Offboard: remove all their roles").click()
    expect(page.get_by_role("alert")).to_contain_text("Facebook Page OakfieldPrimary")
    assert StaffRole.objects.filter(user__email="leadership@oakfield.example").count() == 2
    page.get_by_role("link", name="Record the handover").click()
    page.get_by_label("New administrator", exact=True).select_option(label="Helen Carter")
    for label in ("has signed in", "password was changed", "Two-factor was moved",
                  "connection to the account was re-issued"):
        page.get_by_label(label).check()
    assert_accessible(page)
    page.get_by_role("button", name="Record the handover").click()
    expect(page.get_by_text("Handover of Facebook Page OakfieldPrimary recorded.")).to_be_visible()
    page.get_by_role("button", name="Offboard: remove all their roles").click()
    expect(page.get_by_text("Tom Fielding is offboarded: 2 role(s) removed.")).to_be_visible()
    assert not StaffRole.objects.filter(user__email="leadership@oakfield.example").exists()
    page.goto(url("/s/oakfield/staff/governance/accounts/"))
    expect(page.get_by_role("cell", name="Helen Carter")).to_be_visible()
    expect(page.get_by_role("cell", name="Tom Fielding")).to_have_count(0)


def test_a_governor_reads_the_report_and_downloads_its_pdf(
    page: Page, url: Any, demo_school: Any, tmp_path: Any,
) -> None:
    import shutil
    import subprocess

    sign_in(page, url, "governor@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    nav = page.get_by_role("navigation", name="Staff console")
    nav.get_by_text("Governance").click()
    nav.get_by_role("link", name="Governors' reports").click()
    page.get_by_role("link", name="Current term").click()
    expect(page.get_by_role("heading", name="Restricted-list exposures")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    assert page.locator("svg.chart").count() >= 5
    assert "Jordan Lee" not in page.content()  # parents are never named to governors
    assert_accessible(page)
    href = page.get_by_role("link", name="Download as PDF").get_attribute("href")
    pdf = page.request.get(url(href or ""))
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.body())
    pdftotext = shutil.which("pdftotext") or "/usr/bin/pdftotext"
    text = " ".join(subprocess.run([pdftotext, str(path), "-"], capture_output=True,  # noqa: S603
                                   check=True, text=True).stdout.split())
    assert "governors' report" in text and "Comments received, published and held" in text
    assert "must be 0" in text and "Social Media Policy" in text
