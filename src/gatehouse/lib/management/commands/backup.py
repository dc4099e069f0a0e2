"""Take a backup: the database, MEDIA_ROOT and a SHA-256 manifest, in one tar file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gatehouse.lib.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and every media and evidence file, with a SHA-256 manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=None,
                            help="file to write (default: gatehouse-backup-<time>.tar here)")

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        output: Path = options["output"] or Path(f"gatehouse-backup-{stamp}.tar")
        try:
            manifest = create_backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {output}: {manifest['database']} database and "
            f"{len(manifest['files']) - 1} media files, each with its SHA-256."))
