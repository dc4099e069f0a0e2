"""Test videos made on the spot with PyAV (publishing.sample_video): a real face photo moving
across the frame, with the metadata a phone writes (QuickTime location, creation time, a
title) so tests can prove the published copy has none of it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import av

from gatehouse.lib.testing import SHARED_DATA
from gatehouse.publishing import sample_video
from gatehouse.publishing.sample_video import LOCATION, TITLE, add_tone

__all__ = ["FACE_PHOTO", "FFPROBE", "LOCATION", "TITLE", "ffprobe", "make_sound_only",
           "make_video"]

FACE_PHOTO = SHARED_DATA / "faces" / "face_recognition_examples" / "examples" / "obama-480p.jpg"
FFPROBE = shutil.which("ffprobe") or "/usr/bin/ffprobe"


def make_video(path: Path, *, face: bool = True, **options: Any) -> Path:
    """A short H.264 video of a face sliding slowly right (or of a plain background)."""
    return sample_video.make_video(path, portrait=FACE_PHOTO if face else None, **options)


def make_sound_only(path: Path) -> Path:
    out = av.open(str(path), "w", format="mp4")
    add_tone(out, out.add_stream("aac", rate=22050), 1.0)
    out.close()
    return path


def ffprobe(path: Path) -> dict[str, Any]:
    """What Debian's ffprobe (apt package ffmpeg) reads from the file: format and streams."""
    found = subprocess.run([FFPROBE, "-v", "error", "-show_format", "-show_streams",  # noqa: S603
                            "-of", "json", str(path)], capture_output=True, check=True)
    return json.loads(found.stdout)
