"""Prove an exported evidence pack is intact, naming any file that was altered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gatehouse.evidence.packs import verify_pack


class Command(BaseCommand):
    help = "Verify an evidence pack ZIP: every file against the signed SHA-256 manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        verdict = verify_pack(data)
        for problem in verdict.problems:
            self.stderr.write(f"ALTERED: {problem}")
        if not verdict.ok:
            raise CommandError(f"{file} is NOT intact ({len(verdict.problems)} problem(s)).")
        exported = (f"; exported {verdict.export.exported_at:%Y-%m-%d %H:%M} by "
                    f"{verdict.export.exported_by}" if verdict.export else
                    "; no export with this manifest is recorded on this server")
        self.stdout.write(f"OK: {file} is intact. {verdict.checked} files match the signed "
                          f"manifest (SHA-256 {verdict.manifest_sha256}){exported}.")
