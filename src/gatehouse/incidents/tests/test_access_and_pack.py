"""Who sees what (invariant 7), the custody log of every view, the evidence pack, case links."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from gatehouse.cases.models import Case
from gatehouse.evidence.models import CustodyEvent, EvidenceItem, PackExport, owner_key
from gatehouse.evidence.packs import verify_pack
from gatehouse.incidents.models import Incident


def _url(school: Any, name: str, **kwargs: Any) -> str:
    return reverse(f"staff:{name}", kwargs={"slug": school.slug, **kwargs})


@pytest.fixture
def incident(school: Any, staff: dict[str, Any], login_client: Any,
             screenshot: bytes) -> Incident:
    login_client(staff["teacher"]).post(_url(school, "incident_report"), {
        "about": staff["teacher"].pk, "what_happened": "Called me a disgrace in the group.",
        "platform": "Facebook", "seen_at": "2026-01-10T19:30",
        "files": [SimpleUploadedFile("shot.png", screenshot)]})
    return Incident.objects.get()


@pytest.mark.parametrize("who", ["moderator", "dsl", "governor", "admin", "ta", "hr"])
def test_nobody_but_the_owner_sees_the_report_or_its_evidence(
    school: Any, staff: dict[str, Any], login_client: Any, incident: Incident, who: str,
) -> None:
    client = login_client(staff[who])
    item = EvidenceItem.objects.get(owner=owner_key(incident))
    for name, kwargs in (("incident_detail", {"pk": incident.pk}),
                         ("incident_evidence_file", {"pk": incident.pk, "item_id": item.pk}),
                         ("incidents", {})):
        response = client.get(_url(school, name, **kwargs))
        if who == "hr" and name == "incidents":  # HR's own list, without this report
            assert incident.reference not in response.content.decode()
            continue
        assert response.status_code in {403, 404}, (who, name)
    assert client.post(_url(school, "incident_pack", pk=incident.pk)).status_code in {403, 404}
    assert not CustodyEvent.objects.exclude(action="created").exists()


def test_head_teachers_of_another_school_see_nothing(
    school: Any, make_school: Any, make_user: Any, login_client: Any, incident: Incident,
) -> None:
    other = make_school()
    head = make_user(school=other, roles=("head_teacher", "head_of_hr"))
    client = login_client(head)
    assert client.get(_url(other, "incident_detail", pk=incident.pk)).status_code == 404
    assert client.get(_url(school, "incident_detail", pk=incident.pk)).status_code == 403


def test_every_view_and_download_is_on_the_custody_log(
    school: Any, staff: dict[str, Any], login_client: Any, incident: Incident,
    screenshot: bytes,
) -> None:
    client = login_client(staff["head"])
    page = client.get(_url(school, "incident_detail", pk=incident.pk)).content.decode()
    assert "Called me a disgrace" in page
    item = EvidenceItem.objects.get(owner=owner_key(incident))
    url = _url(school, "incident_evidence_file", pk=incident.pk, item_id=item.pk)
    assert client.get(url).content == screenshot
    assert client.get(url + "?download=1")["Content-Disposition"].startswith("attachment")
    actions = list(CustodyEvent.objects.filter(item=item).values_list("action", "actor"))
    assert actions == [("created", staff["teacher"].pk), ("viewed", staff["head"].pk),
                       ("downloaded", staff["head"].pk)]


def test_the_evidence_pack_verifies_and_a_changed_byte_is_named(
    school: Any, staff: dict[str, Any], login_client: Any, incident: Incident,
    screenshot: bytes, tmp_path: Path,
) -> None:
    response = login_client(staff["head"]).post(_url(school, "incident_pack", pk=incident.pk))
    assert response.status_code == 200
    data = response.content
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    assert {"summary.pdf", "manifest.json", "manifest.json.hmac", "audit.json",
            "custody.json"} <= names
    original = next(n for n in names if n.startswith("evidence/"))
    assert archive.read(original) == screenshot
    verdict = verify_pack(data)
    assert verdict.ok and verdict.export == PackExport.objects.get(owner=owner_key(incident))
    pack = tmp_path / "pack.zip"
    pack.write_bytes(data)
    call_command("verify_evidence_pack", str(pack))
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as out:
        for name in names:
            content = archive.read(name)
            out.writestr(name, content[:-1] + b"X" if name == original else content)
    with pytest.raises(CommandError):
        call_command("verify_evidence_pack", str(tampered))
    assert CustodyEvent.objects.filter(action="exported").count() == 1


def test_the_head_teacher_links_a_case_and_closes_the_report(
    school: Any, staff: dict[str, Any], login_client: Any, incident: Incident,
) -> None:
    import datetime as dt

    case = Case.objects.create(school=school, subject_name="A parent", opened_by=staff["head"],
                               began_on=dt.date(2026, 1, 1))
    client = login_client(staff["head"])
    response = client.post(_url(school, "incident_detail", pk=incident.pk),
                           {"status": "closed", "outcome": "Met the parent.", "case": case.pk})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.case == case and incident.closed_at is not None
    mine = login_client(staff["teacher"]).get(_url(school, "incidents_mine")).content.decode()
    assert "Closed" in mine and "Met the parent" not in mine


def test_a_case_from_another_school_cannot_be_linked(
    school: Any, make_school: Any, staff: dict[str, Any], login_client: Any,
    incident: Incident,
) -> None:
    import datetime as dt

    foreign = Case.objects.create(school=make_school(), subject_name="X",
                                  opened_by=staff["head"], began_on=dt.date(2026, 1, 1))
    response = login_client(staff["head"]).post(
        _url(school, "incident_detail", pk=incident.pk), {"status": "in_hand",
                                                          "case": foreign.pk})
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.case is None and incident.status == "received"


def test_the_audit_log_page_does_not_reveal_incident_reports(
    school: Any, staff: dict[str, Any], login_client: Any, incident: Incident,
) -> None:
    from gatehouse.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="incidents.incident.reported").exists()
    for who in ("admin", "head"):
        page = login_client(staff[who]).get(_url(school, "audit")).content.decode()
        assert "incidents.incident" not in page
