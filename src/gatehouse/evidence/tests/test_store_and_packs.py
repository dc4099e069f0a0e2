"""The evidence store keeps originals unchanged; packs name what was altered, added or lost."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gatehouse.evidence.models import CustodyEvent, EvidenceItem
from gatehouse.evidence.packs import PackFile, build_pack, verify_pack
from gatehouse.evidence.store import do_keep_file, do_keep_text


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_any_owner_can_keep_evidence_and_it_is_never_changed(school: Any) -> None:
    item = do_keep_text(school, owner="incidents.report:7", title="Message", text="Ça va?",
                        actor=None)
    assert item.sha256 == hashlib.sha256("Ça va?".encode()).hexdigest() and item.is_intact()
    assert list(item.custody.values_list("action", flat=True)) == ["created"]
    item.title = "Changed"
    with pytest.raises(ValidationError):
        item.save()
    with pytest.raises(ValidationError):
        item.delete()
    with pytest.raises(ValidationError):
        CustodyEvent.objects.get(item=item).save()


def test_a_file_is_kept_byte_for_byte_under_a_random_name(school: Any) -> None:
    data = bytes(range(256)) * 10
    item = do_keep_file(school, owner="cases.case:1", title="Ellie's screenshot", data=data,
                        media_type="image/png", kind=EvidenceItem.Kind.SCREENSHOT, actor=None)
    assert item.read_original() == data and item.is_intact()
    assert "Ellie" not in item.file.name and item.file.name.endswith(".png")
    assert EvidenceItem.objects.filter(owner="cases.case:1").count() == 1


def _rewrite(data: bytes, *, drop: str = "", add: tuple[str, bytes] | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != drop:
                target.writestr(info.filename, source.read(info.filename))
        if add:
            target.writestr(*add)
    return out.getvalue()


def test_a_pack_names_missing_and_added_files(db: None) -> None:
    data, _ = build_pack([PackFile("a.txt", b"one"), PackFile("b/c.txt", b"two")], title="t")
    assert verify_pack(data).ok and verify_pack(data).checked == 2
    missing = verify_pack(_rewrite(data, drop="b/c.txt"))
    assert missing.problems == ["b/c.txt is missing from the pack."]
    added = verify_pack(_rewrite(data, add=("extra.txt", b"new")))
    assert added.problems == ["extra.txt is not in the manifest: it was added after export."]
    assert not verify_pack(b"PK\x03\x04 broken").ok


def test_a_pack_signed_by_another_server_does_not_verify(db: None, settings: Any) -> None:
    data, _ = build_pack([PackFile("a.txt", b"one")], title="t")
    settings.SECRET_KEY = "another-server-entirely"
    assert "signature does not match" in verify_pack(data).problems[0]
