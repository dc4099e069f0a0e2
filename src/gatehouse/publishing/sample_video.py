"""Short sample videos made on the spot with PyAV, for the tests, the bench and the demo
school: a face photo sliding slowly across the frame (or a plain background), with the
metadata a phone writes (QuickTime location, creation time, a title) so the published copy can
be shown to have none of it."""

from __future__ import annotations

import fractions
from pathlib import Path

import av
import numpy as np
from PIL import Image

LOCATION = "+51.5074-000.1278/"
TITLE = "Ellie Lee at sports day"


def make_video(path: Path, *, portrait: Path | None, seconds: float = 3.0,
               size: tuple[int, int] = (320, 240), fps: int = 10, audio: bool = True,
               container: str = "mov") -> Path:
    """A short H.264 video (with AAC sound) of `portrait` sliding slowly right, or of a plain
    background; written with location and creation-time tags like a phone's."""
    width, height = size
    background = Image.new("RGB", size, (90, 140, 90))
    face = None
    if portrait is not None:
        face = Image.open(portrait).convert("RGB")
        face.thumbnail((round(width * 0.55), round(height * 0.8)))
    out = av.open(str(path), "w", format=container)
    out.metadata.update({"location": LOCATION, "creation_time": "2026-05-01T10:00:00Z",
                         "title": TITLE, "com.apple.quicktime.location.ISO6709": LOCATION})
    video = out.add_stream("libx264", rate=fps)
    video.width, video.height, video.pix_fmt = width, height, "yuv420p"
    video.codec_context.options = {"preset": "ultrafast"}
    video.metadata["handler_name"] = "Ellie's iPhone"
    sound = out.add_stream("aac", rate=22050) if audio else None
    frames = round(seconds * fps)
    for n in range(frames):
        image = background.copy()
        if face is not None:
            x = round((width - face.width) * n / max(1, frames - 1) * 0.3)
            image.paste(face, (x, (height - face.height) // 2))
        frame = av.VideoFrame.from_image(image)
        frame.pts, frame.time_base = n, fractions.Fraction(1, fps)
        for packet in video.encode(frame):
            out.mux(packet)
    for packet in video.encode():
        out.mux(packet)
    if sound is not None:
        add_tone(out, sound, seconds)
    out.close()
    return path


def add_tone(out: av.container.OutputContainer, sound: av.audio.stream.AudioStream,
             seconds: float) -> None:
    rate = sound.rate
    tone = np.sin(np.arange(round(seconds * rate)) * 2 * np.pi * 440 / rate).astype(np.float32)
    for start in range(0, len(tone) - 1024, 1024):
        frame = av.AudioFrame.from_ndarray(tone[None, start:start + 1024] * 0.2,
                                           format="fltp", layout="mono")
        frame.sample_rate, frame.pts = rate, start
        for packet in sound.encode(frame):
            out.mux(packet)
    for packet in sound.encode():
        out.mux(packet)
