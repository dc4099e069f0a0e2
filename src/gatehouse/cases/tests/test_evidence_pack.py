"""External evidence kept byte for byte, and the case's evidence pack that proves it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from gatehouse.audit.models import AuditEntry
from gatehouse.cases.models import Case
from gatehouse.cases.tests.conftest import case_url, pdf_text, png_bytes
from gatehouse.evidence.models import CustodyEvent, EvidenceItem, PackExport, owner_key
from gatehouse.evidence.packs import verify_pack


def _add(client: Any, case: Case, upload: Any = None, **data: Any) -> Any:
    data = {"version": Case.objects.get(pk=case.pk).version, "title": "Facebook post",
            "platform": "Facebook", "url": "https://facebook.example/posts/1",
            "seen_at": "2026-11-20T19:05", **data}
    if upload is not None:
        data["screenshot"] = upload
    return client.post(case_url("case_evidence_add", case), data)


def test_a_screenshot_is_kept_as_uploaded_with_its_hash_and_custody(
    staff: dict[str, Any], case: Case, login_client: Any
) -> None:
    original = png_bytes()
    response = _add(login_client(staff["moderator"]), case,
                    SimpleUploadedFile("IMG_0001 Ellie.png", original))
    assert response.status_code == 302
    item = EvidenceItem.objects.get(kind="screenshot")
    assert item.read_original() == original and item.is_intact()
    assert "Ellie" not in item.file.name  # never the uploaded name
    head = login_client(staff["head"])
    served = head.get(case_url("case_evidence_file", case, item_id=item.pk))
    assert served.content == original and served["Cache-Control"] == "private, no-store"
    assert list(item.custody.values_list("action", flat=True)) == ["created", "viewed"]


@pytest.mark.parametrize(("data", "message"), [
    (b"\xff\xd8\xff\xe0" + b"\x00garbage" * 50, "damaged or incomplete"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not a photo"),
    (b"%PDF-1.7 not an image", "is a PDF"),
])
def test_corrupt_or_wrong_screenshots_are_refused_and_nothing_is_kept(
    staff: dict[str, Any], case: Case, login_client: Any, data: bytes, message: str
) -> None:
    response = _add(login_client(staff["moderator"]), case, SimpleUploadedFile("s.png", data))
    assert response.status_code == 400 and message in response.content.decode()
    assert not EvidenceItem.objects.filter(owner=owner_key(case)).exists()


def test_an_oversized_screenshot_is_refused(
    staff: dict[str, Any], case: Case, login_client: Any, monkeypatch: Any
) -> None:
    from gatehouse.evidence import store

    monkeypatch.setattr(store, "MAX_BYTES", 100)  # the limit itself is the photos' 20 MB
    response = _add(login_client(staff["moderator"]), case,
                    SimpleUploadedFile("big.png", png_bytes((400, 400))))
    assert response.status_code == 400 and "the limit is" in response.content.decode()


def _export(client: Any, case: Case) -> bytes:
    response = client.post(case_url("case_pack", case))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return response.content


@pytest.fixture
def pack(staff: dict[str, Any], case: Case, login_client: Any, tmp_path: Path) -> Path:
    _add(login_client(staff["moderator"]), case, SimpleUploadedFile("a.png", png_bytes()))
    _add(login_client(staff["moderator"]), case, text="You lot will pay", title="Copied text")
    path = tmp_path / "pack.zip"
    path.write_bytes(_export(login_client(staff["head"]), case))
    return path


def test_the_pack_holds_the_summary_originals_manifest_and_audit(
    pack: Path, case: Case, tmp_path: Path
) -> None:
    archive = zipfile.ZipFile(pack)
    names = archive.namelist()
    assert {"manifest.json", "manifest.json.hmac", "summary.pdf", "audit.json",
            "custody.json"} <= set(names)
    comment = next(n for n in names if n.startswith("comments/"))
    assert "batter Mr Hollis" in archive.read(comment).decode()
    assert any(n.startswith("evidence/") and n.endswith(".png") for n in names)
    audit = json.loads(archive.read("audit.json"))
    assert {"cases.case.opened", "moderation.comment.escalated"} <= {e["action"] for e in audit}
    summary = pdf_text(archive.read("summary.pdf"), tmp_path)
    assert case.reference in summary and "Hidden and" in summary and "batter Mr Hollis" in summary
    export = PackExport.objects.get()
    assert AuditEntry.objects.filter(action="cases.pack.exported",
                                     details__manifest_sha256=export.manifest_sha256).exists()
    # the case's two items and the escalated comment's hidden original
    assert CustodyEvent.objects.filter(action="exported").count() == 3


def test_the_pack_carries_the_hidden_original_and_its_custody(
    pack: Path, case: Case, staff: dict[str, Any]
) -> None:
    link = case.comments.get()
    original = EvidenceItem.objects.get(owner=owner_key(link.comment))
    archive = zipfile.ZipFile(pack)
    name = next(n for n in archive.namelist() if n.startswith("comments/"))
    assert archive.read(name) == original.text.encode("utf-8")
    manifest = json.loads(archive.read("manifest.json"))
    assert original.sha256 in json.dumps(manifest)
    custody = json.loads(archive.read("custody.json"))
    assert {"created"} <= {e["action"] for e in custody if e["item"] == original.pk}
    assert list(original.custody.values_list("action", "actor")) == [
        ("created", staff["moderator"].pk), ("exported", staff["head"].pk)]
    assert verify_pack(pack.read_bytes()).ok


def test_an_intact_pack_verifies(pack: Path, capsys: Any) -> None:
    call_command("verify_evidence_pack", str(pack))
    out = capsys.readouterr().out
    assert "is intact" in out and "exported" in out


def _tamper(pack: Path, name: str, change: Any) -> Path:
    source = zipfile.ZipFile(pack)
    out = pack.with_name("tampered.zip")
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data) if info.filename == name else data)
    return out


def test_one_changed_byte_is_named(pack: Path, capsys: Any) -> None:
    name = next(n for n in zipfile.ZipFile(pack).namelist() if n.endswith(".png"))
    tampered = _tamper(pack, name, lambda d: d[:-1] + bytes([d[-1] ^ 1]))
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("verify_evidence_pack", str(tampered))
    assert f"ALTERED: {name} was altered" in capsys.readouterr().err


def test_rewriting_the_manifest_to_match_is_caught(pack: Path, capsys: Any) -> None:
    manifest = json.loads(zipfile.ZipFile(pack).read("manifest.json"))
    manifest["files"][0]["sha256"] = "0" * 64
    tampered = _tamper(pack, "manifest.json", lambda d: json.dumps(manifest).encode())
    with pytest.raises(CommandError):
        call_command("verify_evidence_pack", str(tampered))
    assert "manifest.json was altered" in capsys.readouterr().err


def test_the_upload_form_names_the_altered_file(
    pack: Path, staff: dict[str, Any], case: Case, login_client: Any
) -> None:
    url = f"/s/{case.school.slug}/staff/evidence/verify/"
    client = login_client(staff["head"])
    good = client.post(url, {"pack": SimpleUploadedFile("p.zip", pack.read_bytes())})
    assert "Intact." in good.content.decode()
    tampered = _tamper(pack, "audit.json", lambda d: d.replace(b"opened", b"closed", 1))
    bad = client.post(url, {"pack": SimpleUploadedFile("p.zip", tampered.read_bytes())})
    assert "Not intact." in bad.content.decode() and "audit.json was altered" in \
        bad.content.decode()
    junk = client.post(url, {"pack": SimpleUploadedFile("p.zip", b"hello")})
    assert "not a readable ZIP" in junk.content.decode()


def test_only_the_head_teacher_exports(staff: dict[str, Any], case: Case,
                                       login_client: Any) -> None:
    assert login_client(staff["moderator"]).post(case_url("case_pack", case)).status_code == 403
    assert not PackExport.objects.exists()


def test_the_pack_includes_a_sent_letter(staff: dict[str, Any], case: Case,
                                         login_client: Any) -> None:
    from gatehouse.cases.tests.test_letters import MEETING_AT, _meeting

    head = login_client(staff["head"])
    step = _meeting(head, case, MEETING_AT)
    head.post(case_url("case_letter", case, step_id=step.pk), {"delivery": "print"})
    archive = zipfile.ZipFile(io.BytesIO(_export(head, case)))
    assert any(n.endswith(".pdf") and n.startswith("evidence/") for n in archive.namelist())


def test_loading_the_pdf_library_does_not_let_truncated_screenshots_through(
    staff: dict[str, Any], case: Case, login_client: Any
) -> None:
    import io as _io

    from PIL import Image

    import gatehouse.cases.letters  # noqa: F401  (imports WeasyPrint)

    buffer = _io.BytesIO()
    Image.effect_noise((200, 200), 60).convert("RGB").save(buffer, "JPEG")
    truncated = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    response = _add(login_client(staff["moderator"]), case,
                    SimpleUploadedFile("cut.jpg", truncated))
    assert response.status_code == 400 and "damaged or incomplete" in response.content.decode()
