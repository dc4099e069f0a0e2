"""A case's evidence pack: summary PDF, originals, letters, custody and audit, hashed and signed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import slugify
from django.template.loader import render_to_string
from django.utils import timezone

from gatehouse.audit.log import record
from gatehouse.audit.models import AuditEntry
from gatehouse.cases.letters import render_pdf
from gatehouse.cases.models import Case
from gatehouse.evidence.models import CustodyEvent, EvidenceItem, owner_key
from gatehouse.evidence.packs import PackFile, build_pack, json_file
from gatehouse.evidence.store import custody_log, do_note_custody, do_record_export
from gatehouse.moderation.originals import originals_of


def _hidden_originals(case: Case) -> dict[int, EvidenceItem]:
    """The kept originals of the case's comments (hidden ones), by comment id."""
    return originals_of(case.comments.values_list("comment_id", flat=True))


def _comment_files(case: Case, originals: dict[int, EvidenceItem]
                   ) -> tuple[list[PackFile], list[dict[str, Any]]]:
    files, rows = [], []
    links = case.comments.select_related("comment__author").order_by("comment__created_at")
    for n, link in enumerate(links, 1):
        original = originals.get(link.comment_id)
        text = original.text if original else link.comment.body
        name = f"comments/{n:03d}-comment-{link.comment_id}.txt"
        files.append(PackFile(name, text.encode("utf-8")))
        rows.append({"file": name, "comment": link.comment, "text": text,
                     "hidden_sha256": original.sha256 if original else ""})
    return files, rows


def _evidence_files(items: list[EvidenceItem]) -> tuple[list[PackFile], list[dict[str, Any]]]:
    files, rows = [], []
    for n, item in enumerate(items, 1):
        name = f"evidence/{n:03d}-{slugify(item.title)[:40] or 'item'}.{item.extension}"
        files.append(PackFile(name, item.read_original()))
        rows.append({"file": name, "item": item})
    return files, rows


def _audit_entries(case: Case) -> list[dict[str, Any]]:
    comment_ids = [str(pk) for pk in case.comments.values_list("comment_id", flat=True)]
    entries = AuditEntry.objects.filter(school=case.school).filter(
        Q(object_type="cases.case", object_id=str(case.pk)) | Q(details__case=case.pk)
        | Q(object_type="community.comment", object_id__in=comment_ids)
    ).select_related("actor").order_by("seq")
    return [{"seq": e.seq, "at": e.created_at.isoformat(), "actor": str(e.actor or "system"),
             "action": e.action, "object": f"{e.object_type}:{e.object_id}",
             "details": e.details, "hash": e.hash} for e in entries]


def build_case_pack(case: Case, originals: dict[int, EvidenceItem]) -> tuple[bytes, str, int]:
    """The ZIP, its manifest's SHA-256 and how many files it holds."""
    items = list(EvidenceItem.objects.filter(owner=owner_key(case)).select_related("created_by"))
    comment_files, comment_rows = _comment_files(case, originals)
    evidence_files, evidence_rows = _evidence_files(items)
    audit = _audit_entries(case)
    summary = render_pdf(render_to_string("cases/pack_summary.html", {
        "case": case, "steps": case.steps.select_related("recorded_by", "restriction"),
        "letters": case.letters.select_related("sent_by"), "comments": comment_rows,
        "evidence": evidence_rows, "audit_count": len(audit), "now": timezone.now()}))
    custody = custody_log([*originals.values(), *items])
    files = [PackFile("summary.pdf", summary), *comment_files, *evidence_files,
             json_file("audit.json", audit), json_file("custody.json", custody)]
    data, manifest_sha256 = build_pack(files, title=f"Evidence pack for case {case.reference}")
    return data, manifest_sha256, len(files)


def do_export_pack(case: Case, *, actor: Any) -> bytes:
    """Build the pack and note the export on the custody log of everything in it: the case's
    own evidence and the hidden originals of its comments."""
    originals = _hidden_originals(case)
    data, manifest_sha256, count = build_case_pack(case, originals)
    with transaction.atomic():
        do_record_export(case.school, owner=owner_key(case), manifest_sha256=manifest_sha256,
                         files=count, actor=actor)
        do_note_custody(originals.values(), action=CustodyEvent.Action.EXPORTED, actor=actor,
                        note=f"pack {manifest_sha256[:16]}")
        record("cases.pack.exported", actor=actor, school=case.school, target=case,
               details={"case": case.pk, "manifest_sha256": manifest_sha256, "files": count})
    return data
