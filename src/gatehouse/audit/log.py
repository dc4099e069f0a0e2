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


def find_first_broken(entries: Iterator[AuditEntry]) -> tuple[AuditEntry | None, str]:
    """Walk the chain in order; return the first row that does not verify, and why."""
    expected_prev, expected_seq = GENESIS_HASH, 1
    for entry in entries:
        if entry.seq != expected_seq:
            return entry, f"expected sequence {expected_seq}, found {entry.seq} (rows missing)"
        if entry.prev_hash != expected_prev:
            return entry, "its link to the previous row does not match"
        if entry.compute_hash() != entry.hash:
            return entry, "its contents were altered after it was written"
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    return None, ""
