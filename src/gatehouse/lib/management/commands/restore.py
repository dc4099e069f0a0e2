"""Restore a backup into an empty database and MEDIA_ROOT, then prove what was restored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gatehouse.lib.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by `backup` into an empty database, then verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = restore_backup(options["archive"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {report.files} files ({report.media_files} media), "
                          f"every one matching the manifest.")
        self.stdout.write(f"Evidence and originals intact: {report.intact_records} records.")
        call_command("verify_audit", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Restore complete. Run `migrate` if this release "
                                             "is newer than the backup."))
