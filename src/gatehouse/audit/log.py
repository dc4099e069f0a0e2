"""Write and verify audit rows. Call `record` from `do_*` actions, never from views."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from gatehouse.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry

SECRET_MARKERS = ("password", "secret", "token", "answer", "otp", "code")
MASK = "***"


def mask_secrets(details: Any) -> Any:
    """Replace the values of keys that look secret, at any depth."""
    if isinstance(details, Mapping):
        return {
            key: MASK if any(m in str(key).lower() for m in SECRET_MARKERS) else mask_secrets(val)
            for key, val in details.items()
        }
    if isinstance(details, list | tuple):
        return [mask_secrets(item) for item in details]
    return details


def record(
    action: str,
    *,
    actor: Any = None,
    school: Any = None,
    target: models.Model | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one row to the chain. Runs inside the caller's transaction if there is one."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.last_seq + 1,
            created_at=timezone.now(),
            school=school,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=action,
            object_type=target._meta.label_lower if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            details=mask_secrets(dict(details or {})),
            prev_hash=head.last_hash,
        )
        # Round-trip the details through JSON now so the hash matches what the database returns.
        entry.details = _json_roundtrip(entry.details)
        entry.hash = entry.compute_hash()
        entry.save()
        AuditChainHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.hash)
    return entry


def _json_roundtrip(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def find_first_broken(entries: Iterator[AuditEntry], *, after_seq: int = 0,
                      after_hash: str = GENESIS_HASH) -> tuple[AuditEntry | None, str]:
    """Walk the chain in order from the row after `after_seq` (whose hash was `after_hash`);
    return the first row that does not verify, and why."""
    expected_prev, expected_seq = after_hash, after_seq + 1
    for entry in entries:
        if entry.seq != expected_seq:
            return entry, f"expected sequence {expected_seq}, found {entry.seq} (rows missing)"
        if entry.prev_hash != expected_prev:
            return entry, "its link to the previous row does not match"
        if entry.compute_hash() != entry.hash:
            return entry, "its contents were altered after it was written"
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    return None, ""


def chain_problem() -> str:
    """Everything `verify_audit` checks; an empty string when the chain is intact."""
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead()
    entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
    broken, reason = find_first_broken(entries, after_seq=head.pruned_through_seq,
                                       after_hash=head.pruned_through_hash)
    if broken is not None:
        return f"Audit row #{broken.seq} ({broken.action}) fails: {reason}."
    count = AuditEntry.objects.count()
    if head.last_seq - head.pruned_through_seq != count:
        return (f"The chain head expects {head.last_seq - head.pruned_through_seq} rows but "
                f"{count} exist: the newest rows were removed.")
    if head.pruned_through_seq:
        # The checkpoint itself must match the (hash-chained) row that recorded the pruning.
        pruned = AuditEntry.objects.filter(action=PRUNED).order_by("-seq").first()
        if pruned is None or (pruned.details.get("through_seq"), pruned.details.get(
                "through_hash")) != (head.pruned_through_seq, head.pruned_through_hash):
            return "The record of where old rows were removed does not match the chain head."
    return ""


PRUNED = "audit.pruned"


def prune_before(before: Any, *, actor: Any = None) -> int:
    """Remove the oldest rows written before `before`, as one block from the start of the
    chain (a row can go only if every older row goes too), and record where the chain now
    starts. Returns how many rows were removed."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        kept = AuditEntry.objects.filter(created_at__gte=before).order_by("seq").first()
        old = AuditEntry.objects.filter(created_at__lt=before)
        if kept is not None:
            old = old.filter(seq__lt=kept.seq)
        last = old.order_by("-seq").first()
        if last is None:
            return 0
        # A queryset delete: AuditEntry.delete() refuses single rows on purpose.
        removed, _ = AuditEntry.objects.filter(seq__lte=last.seq).delete()
        AuditChainHead.objects.filter(pk=1).update(pruned_through_seq=last.seq,
                                                    pruned_through_hash=last.hash)
        record(PRUNED, actor=actor, details={
            "through_seq": last.seq, "through_hash": last.hash, "rows": removed,
            "written_before": before.isoformat()})
    return removed
