"""Batch face detection: one JSON line per image, with the detector the upload check uses."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gatehouse.consent.imaging.faces import detect_faces_capped
from gatehouse.consent.imaging.safety import ImageRejected, load_upload


class Command(BaseCommand):
    help = "Detect faces in images; print {path,width,height,faces,seconds} per line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="image files")

    def handle(self, *args: Any, paths: list[str], **options: Any) -> None:
        failed = 0
        for path in paths:
            line = self._detect(Path(path))
            failed += "error" in line
            self.stdout.write(json.dumps(line))
        if failed:
            raise CommandError(f"{failed} of {len(paths)} image(s) could not be checked.")

    def _detect(self, path: Path) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            # The same loading and detector as the upload check, so results match it exactly.
            image = load_upload(path.read_bytes())
            faces, too_many = detect_faces_capped(image)
        except (OSError, ImageRejected) as exc:
            message = exc.message if isinstance(exc, ImageRejected) else str(exc)
            return {"path": str(path), "error": message}
        line: dict[str, Any] = {
            "path": str(path), "width": image.width, "height": image.height,
            "faces": [{"x": f.x, "y": f.y, "w": f.w, "h": f.h, "score": f.score} for f in faces],
            "seconds": round(time.perf_counter() - started, 3),
        }
        if too_many:
            line["truncated"] = True
        return line
