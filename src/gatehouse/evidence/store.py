"""Keep originals and record their custody. Callers write their own audit rows around these."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from gatehouse.consent.imaging.safety import MAX_BYTES, ImageRejected, load_upload, sniff
from gatehouse.evidence.models import CustodyEvent, EvidenceItem, PackExport
from gatehouse.schools.models import School

MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
               "GIF": "image/gif", "HEIF": "image/heif"}


def read_screenshot(upload: UploadedFile) -> tuple[bytes, str]:
    """The upload's bytes and real media type, checked exactly as photo uploads are.

    The whole image is decoded once to prove it is not corrupt, but the bytes kept are the
    original ones: evidence is never re-encoded.
    """
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(f"The file is {upload.size / 1_048_576:.1f} MB; the limit is "
                              f"{MAX_BYTES / 1_048_576:.0f} MB. Please upload a smaller copy.")
    data = upload.read(MAX_BYTES + 1)
    try:
        load_upload(data)
        return data, MEDIA_TYPES[sniff(data)]
    except ImageRejected as exc:
        raise ValidationError(exc.message) from exc


def do_keep_text(school: School, *, owner: str, title: str, text: str, actor: Any,
                 **meta: Any) -> EvidenceItem:
    data = text.encode("utf-8")
    with transaction.atomic():
        item = EvidenceItem.objects.create(
            school=school, owner=owner, kind=EvidenceItem.Kind.TEXT, title=title[:200],
            text=text, media_type="text/plain", size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), created_by=_person(actor), **meta)
        CustodyEvent.objects.create(item=item, actor=_person(actor),
                                    action=CustodyEvent.Action.CREATED)
    return item


def do_keep_file(school: School, *, owner: str, title: str, data: bytes, media_type: str,
                 kind: str, actor: Any, **meta: Any) -> EvidenceItem:
    """Store the bytes as they are under a random name (an uploaded name can identify a child)."""
    item = EvidenceItem(school=school, owner=owner, kind=kind, title=title[:200],
                        media_type=media_type, size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), created_by=_person(actor),
                        **meta)
    item.file.save(f"{uuid.uuid4().hex}.{item.extension}", ContentFile(data), save=False)
    try:  # if the rows can't be written, don't leave the file behind
        with transaction.atomic():
            item.save()
            CustodyEvent.objects.create(item=item, actor=_person(actor),
                                        action=CustodyEvent.Action.CREATED)
    except Exception:
        item.file.delete(save=False)
        raise
    return item


def do_note_custody(items: Iterable[EvidenceItem], *, action: str, actor: Any,
                    note: str = "") -> None:
    CustodyEvent.objects.bulk_create(
        CustodyEvent(item=item, actor=_person(actor), action=action, note=note[:200])
        for item in items)


def custody_log(items: Iterable[EvidenceItem]) -> list[dict[str, Any]]:
    """Every custody event of the items, for a pack's custody.json."""
    events = CustodyEvent.objects.filter(item__in=items).select_related("actor")
    return [{"item": e.item_id, "action": e.action, "by": str(e.actor or "system"),
             "at": e.at.isoformat(), "note": e.note} for e in events]


def do_record_export(school: School, *, owner: str, manifest_sha256: str, files: int,
                     actor: Any) -> None:
    """Keep the pack's manifest hash and note the export on each item's custody log. Call in
    the transaction that writes the owner's audit row."""
    PackExport.objects.create(school=school, owner=owner, manifest_sha256=manifest_sha256,
                              files=files, exported_by=_person(actor))
    do_note_custody(EvidenceItem.objects.filter(owner=owner),
                    action=CustodyEvent.Action.EXPORTED, actor=actor,
                    note=f"pack {manifest_sha256[:16]}")


def items_of(owner: str) -> list[EvidenceItem]:
    return list(EvidenceItem.objects.filter(owner=owner).select_related("created_by"))


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None

