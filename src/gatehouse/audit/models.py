"""The append-only, hash-chained audit log of every staff action."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class AuditChainHead(models.Model):
    """One row, locked while a new entry is appended, so the chain never forks."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    # Retention removes the oldest rows as a block; the chain then starts after this row, whose
    # hash the first kept row links to (and an "audit.pruned" row records both).
    pruned_through_seq = models.PositiveBigIntegerField(default=0)
    pruned_through_hash = models.CharField(max_length=64, default=GENESIS_HASH)


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Audit entries are append-only and cannot be deleted.")

    def compute_hash(self) -> str:
        payload = {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "school": self.school_id,
            "actor": self.actor_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "details": self.details,
            "prev_hash": self.prev_hash,
        }
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()
