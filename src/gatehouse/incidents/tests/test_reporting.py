"""Reporting an incident: routing, evidence kept byte for byte, bad uploads, who may report."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gatehouse.audit.models import AuditEntry
from gatehouse.evidence.models import CustodyEvent, EvidenceItem, owner_key
from gatehouse.incidents.models import Incident
from gatehouse.incidents.tests.conftest import png


def _url(school: Any, name: str, **kwargs: Any) -> str:
    return reverse(f"staff:{name}", kwargs={"slug": school.slug, **kwargs})


def _form(about: Any, **extra: Any) -> dict[str, Any]:
    return {"about": about.pk, "what_happened": "A post calling me a liar and worse.",
            "platform": "Facebook", "url": "https://facebook.example/groups/village/p/1",
            "seen_at": "2026-01-10T19:30", "source": "A parent's account, name unknown",
            **extra}


def test_a_teacher_reports_abuse_of_themselves_with_screenshots(
    school: Any, staff: dict[str, Any], login_client: Any, screenshot: bytes,
    smtp_server: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    client = login_client(staff["teacher"])
    page = client.get(_url(school, "incident_report")).content.decode()
    assert "Do not reply or engage" in page
    files = [SimpleUploadedFile("one.png", screenshot), SimpleUploadedFile("two.png", png())]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(school, "incident_report"),
                               {**_form(staff["teacher"]), "files": files})
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.route == Incident.Route.HEAD_TEACHER
    assert incident.victim == incident.reporter == staff["teacher"]
    items = list(EvidenceItem.objects.filter(owner=owner_key(incident)))
    assert len(items) == 2
    assert items[0].read_original() == screenshot
    assert items[0].sha256 == hashlib.sha256(screenshot).hexdigest()
    assert CustodyEvent.objects.filter(item__in=items, action="created").count() == 2
    message = smtp_server.wait_for("head@s.example")
    assert "liar" not in message.get_payload() and incident.reference in message["Subject"]
    assert not [m for m in smtp_server.messages if "hr@" in m["To"] or "mod@" in m["To"]]
    entry = AuditEntry.objects.get(action="incidents.incident.reported")
    assert "liar" not in str(entry.details)


def test_a_centrally_employed_colleague_s_report_goes_to_the_head_of_hr(
    school: Any, staff: dict[str, Any], login_client: Any,
) -> None:
    client = login_client(staff["teacher"])
    response = client.post(_url(school, "incident_report"), _form(staff["ta"]))
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.route == Incident.Route.HEAD_OF_HR and incident.victim == staff["ta"]
    hr = login_client(staff["hr"])
    assert hr.get(_url(school, "incident_detail", pk=incident.pk)).status_code == 200
    head = login_client(staff["head"])
    assert head.get(_url(school, "incident_detail", pk=incident.pk)).status_code == 404
    assert incident.reference not in head.get(_url(school, "incidents")).content.decode()


def test_without_a_head_of_hr_it_goes_to_the_head_teacher(
    school: Any, staff: dict[str, Any], login_client: Any,
) -> None:
    staff["hr"].staff_roles.all().delete()
    login_client(staff["teacher"]).post(_url(school, "incident_report"), _form(staff["ta"]))
    assert Incident.objects.get().route == Incident.Route.HEAD_TEACHER


def test_corrupt_oversized_or_non_image_files_are_refused_and_nothing_is_kept(
    school: Any, staff: dict[str, Any], login_client: Any, settings: Any,
) -> None:
    client = login_client(staff["teacher"])
    bad = [
        SimpleUploadedFile("broken.png", png()[:60]),
        SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>"),
        SimpleUploadedFile("fake.pdf", b"%PDF-1.4 truncated"),
        SimpleUploadedFile("huge.png", b"\x89PNG\r\n\x1a\n" + b"0" * (21 * 1024 * 1024)),
    ]
    for upload in bad:
        response = client.post(_url(school, "incident_report"),
                               {**_form(staff["teacher"]), "files": [upload]})
        assert response.status_code == 400, upload.name
        page = response.content.decode()
        assert upload.name in page or "20 MB" in page
        assert "A post calling me a liar" in page  # what was typed is kept
    assert not Incident.objects.exists() and not EvidenceItem.objects.exists()


def test_a_pdf_is_accepted_as_a_file(school: Any, staff: dict[str, Any],
                                     login_client: Any) -> None:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = login_client(staff["teacher"]).post(
        _url(school, "incident_report"),
        {**_form(staff["teacher"]), "files": [SimpleUploadedFile("letter.pdf", pdf)]})
    assert response.status_code == 302
    assert EvidenceItem.objects.get().media_type == "application/pdf"


def test_a_time_in_the_future_is_refused(school: Any, staff: dict[str, Any],
                                         login_client: Any) -> None:
    response = login_client(staff["teacher"]).post(
        _url(school, "incident_report"), _form(staff["teacher"], seen_at="2099-01-01T10:00"))
    assert response.status_code == 400 and "future" in response.content.decode()
    assert not Incident.objects.exists()


def test_a_parent_cannot_report_and_a_non_colleague_cannot_be_named(
    school: Any, staff: dict[str, Any], login_client: Any, make_parent: Any,
    make_school: Any, make_user: Any,
) -> None:
    parent = make_parent(school)
    assert login_client(parent.user).post(
        _url(school, "incident_report"), _form(staff["teacher"])).status_code == 403
    elsewhere = make_user(school=make_school(), roles=("staff",))
    for stranger in (parent.user, elsewhere):
        response = login_client(staff["teacher"]).post(_url(school, "incident_report"),
                                                       _form(stranger))
        assert response.status_code == 400
    assert not Incident.objects.exists()


def test_the_reporter_sees_only_the_status_of_their_own_reports(
    school: Any, staff: dict[str, Any], login_client: Any,
) -> None:
    login_client(staff["teacher"]).post(_url(school, "incident_report"),
                                        _form(staff["teacher"]))
    login_client(staff["admin"]).post(_url(school, "incident_report"),
                                      _form(staff["admin"], platform="TikTok"))
    mine = login_client(staff["teacher"]).get(_url(school, "incidents_mine")).content.decode()
    assert "Facebook" in mine and "Received" in mine and "TikTok" not in mine
    incident = Incident.objects.get(reporter=staff["teacher"])
    assert login_client(staff["teacher"]).get(
        _url(school, "incident_detail", pk=incident.pk)).status_code == 403


def test_an_administrator_sets_the_centrally_employed_flag(
    school: Any, staff: dict[str, Any], login_client: Any,
) -> None:
    url = _url(school, "set_employment", pk=staff["teacher"].pk)
    assert login_client(staff["head"]).post(url, {"centrally_employed": "1"}).status_code == 403
    assert login_client(staff["admin"]).post(url, {"centrally_employed": "1"}).status_code == 302
    staff["teacher"].refresh_from_db()
    assert staff["teacher"].centrally_employed
    assert AuditEntry.objects.filter(action="accounts.staff.employment_changed").exists()
