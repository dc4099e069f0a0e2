"""Verify the audit log's hash chain and name the first row that was altered."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gatehouse.audit.log import chain_problem
from gatehouse.audit.models import AuditChainHead, AuditEntry


class Command(BaseCommand):
    help = "Check that no audit row has been altered, removed or inserted."

    def handle(self, *args: Any, **options: Any) -> None:
        problem = chain_problem()
        if problem:
            raise CommandError(problem)
        count = AuditEntry.objects.count()
        head = AuditChainHead.objects.filter(pk=1).first()
        since = (f" (rows up to #{head.pruned_through_seq} were removed by retention)"
                 if head is not None and head.pruned_through_seq else "")
        self.stdout.write(self.style.SUCCESS(
            f"Audit log verified: {count} rows, chain intact{since}."))
