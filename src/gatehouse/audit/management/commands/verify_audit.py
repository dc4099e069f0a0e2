"""Verify the audit log's hash chain and name the first row that was altered."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gatehouse.audit.log import find_first_broken
from gatehouse.audit.models import AuditChainHead, AuditEntry


class Command(BaseCommand):
    help = "Check that no audit row has been altered, removed or inserted."

    def handle(self, *args: Any, **options: Any) -> None:
        entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
        broken, reason = find_first_broken(entries)
        if broken is not None:
            raise CommandError(f"Audit row #{broken.seq} ({broken.action}) fails: {reason}.")
        head = AuditChainHead.objects.filter(pk=1).first()
        count = AuditEntry.objects.count()
        if head is not None and head.last_seq != count:
            raise CommandError(
                f"The chain head expects {head.last_seq} rows but {count} exist: "
                "the newest rows were removed."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit log verified: {count} rows, chain intact."))
