"""Batch face detection: one JSON line per image, with the detector the upload check uses."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gatehouse.consent.imaging.faces import POSSIBLE_MAX_PIXELS, FaceBox, check_faces
from gatehouse.consent.imaging.safety import ImageRejected, load_reduced


class Command(BaseCommand):
    help = ("Detect faces in images; print {path,width,height,faces,possible_faces,seconds} "
            "per line.")

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
            image, size = load_reduced(path.read_bytes(), keep_pixels=POSSIBLE_MAX_PIXELS)
            found = check_faces(image, size=size)
        except (OSError, ImageRejected) as exc:
            message = exc.message if isinstance(exc, ImageRejected) else str(exc)
            return {"path": str(path), "error": message}
        line: dict[str, Any] = {
            "path": str(path), "width": size[0], "height": size[1],
            "faces": [_box(f) for f in found.faces],
            "possible_faces": [_box(f) for f in found.possible],
            "seconds": round(time.perf_counter() - started, 3),
        }
        if found.capped:
            line["truncated"] = True
        return line


def _box(face: FaceBox) -> dict[str, Any]:
    return {"x": face.x, "y": face.y, "w": face.w, "h": face.h, "score": face.score}
