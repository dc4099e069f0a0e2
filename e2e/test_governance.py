"""Governance in the browser: a leaver's offboarding is blocked until their accounts are handed
over; the governors' report as a page and a PDF; a retention run; a subject access export."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible, sign_in
from gatehouse.accounts.models import StaffRole
from gatehouse.schools import demo


def open_page(page: Page, group: str, link: str) -> None:
    """Open a page from the staff menu, as a person would on a phone."""
    nav = page.get_by_role("navigation", name="Staff console")
    nav.locator("summary", has_text=group).click()
    nav.get_by_role("link", name=link).click()


def test_offboarding_is_blocked_until_the_handover_then_allowed(
    page: Page, url: Any, demo_school: Any,
) -> None:
    sign_in(page, url, "admin@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    open_page(page, "Governance", "Account custody register")
    expect(page.get_by_role("cell", name="Tom Fielding")).to_be_visible()
    assert_accessible(page)
    open_page(page, "Governance", "Leaver handover")
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
    open_page(page, "Governance", "Governors' reports")
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


def test_a_retention_run_and_a_subject_access_export(
    page: Page, url: Any, demo_school: Any, tmp_path: Any,
) -> None:
    import datetime as dt
    import json
    import zipfile

    from django.utils import timezone

    from gatehouse.community.models import Comment

    old = list(Comment.objects.filter(author__email="parent2@oakfield.example")
               .values_list("pk", flat=True))
    Comment.objects.filter(pk__in=old).update(
        created_at=timezone.now() - dt.timedelta(days=365 * 3))
    sign_in(page, url, "head@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    open_page(page, "Governance", "Retention")
    expect(page.get_by_role("cell", name="Comments in the parents' group")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Delete what is past retention now").click()
    expect(page.get_by_text(f"Retention run finished: {len(old)} record(s) removed.")
           ).to_be_visible()
    assert not Comment.objects.filter(pk__in=old).exists()

    open_page(page, "Governance", "Subject access and erasure")
    page.get_by_label("Request", exact=True).select_option(label="Subject access")
    page.get_by_label("The person's email address").fill("parent@oakfield.example")
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_text("Recorded. Due by")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the export").click()
    path = tmp_path / "sar.zip"
    download.value.save_as(path)
    archive = zipfile.ZipFile(path)
    data = json.loads(archive.read("data.json"))
    section = data["schools"][0]
    assert data["person"]["email"] == "parent@oakfield.example"
    assert section["membership"]["child_name"] == "Ellie Lee"
    mine = {c["text"] for c in section["comments"]}
    assert mine and mine == set(Comment.objects.filter(
        author__email="parent@oakfield.example").values_list("body", flat=True))
    assert "Jordan Lee" in archive.read("index.html").decode()
    assert "Chris Rowe" not in json.dumps(data)  # another parent
