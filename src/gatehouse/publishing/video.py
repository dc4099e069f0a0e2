"""Videos: checking an upload, finding the faces in it, and making the copy that is published.

- The upload is sniffed from its container (an ISO/QuickTime `ftyp` box and PyAV's demuxer),
  never its name, and refused at once when it is too big, too long, corrupt or has no video
  stream (`probe_video`, quick, while the poster waits).
- Faces are looked for on frames sampled a few times a second (scaled down, with the photo
  check's detector, consent.imaging.faces) and grouped into tracks: a box joins the track whose
  box at a neighbouring sample overlaps it or whose centre is near (`find_faces`, slow, in the
  worker). A person tags or blurs each track, as for a photo's faces.
- The published copy is re-encoded (H.264 and AAC in MP4, `faststart`) with the blurred tracks
  pixelated on every frame (boxes interpolated between samples, padded in space and time), and
  no metadata at all: no container or stream tags, no QuickTime location (©xyz), no
  creation_time, no encoder name (the muxer runs `bitexact`).
"""

from __future__ import annotations

import fractions
import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import av
import numpy as np
from django.conf import settings
from PIL import Image

from gatehouse.consent.imaging.blur import blur_regions
from gatehouse.consent.imaging.faces import MAX_FACES, FaceBox, detect_faces_capped
from gatehouse.consent.imaging.strip import publishable_bytes

# Frames are looked at with their longest side at most this (faces of about 1/50 of the width
# are still found: the detector's smallest is about 12 px).
SAMPLE_MAX_SIDE = 640
# A box joins a track whose last box (at most MAX_GAP samples earlier) overlaps it this much,
# or whose centre is within CENTRE_SHARE of the boxes' mean size.
SAME_TRACK_IOU = 0.3
CENTRE_SHARE = 0.6
MAX_GAP = 2
# Blurred boxes are widened (on top of blur.py's margin) for motion between samples, and the
# blur starts and ends this many seconds beyond the track's first and last sample.
MOTION_PAD = 0.15
TIME_PAD = 0.5
# The published copy: longest side at most this, H.264 at this quality.
OUTPUT_MAX_SIDE = 1920
# No caption or user data carried over from the source frames' side data.
X264_OPTIONS = {"preset": "veryfast", "crf": "23", "a53cc": "0", "udu_sei": "0"}
# QuickTime and ISO media files start with a box whose type is one of these.
CONTAINER_BOXES = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")
ALLOWED_BRANDS_DEMUXER = "mov,mp4,m4a,3gp,3g2,mj2"


class VideoRejected(ValueError):
    """A video that can't be accepted; `message` is plain words for the poster."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Track:
    """One person's face across the video: boxes (t, x, y, w, h) in the video's pixels, the
    best-scoring look at them as a small JPEG, and that box."""

    boxes: list[tuple[float, int, int, int, int]] = field(default_factory=list)
    score: float = 0.0
    best: tuple[int, int, int, int] = (0, 0, 0, 0)
    thumbnail: bytes = b""

    @property
    def first(self) -> float:
        return self.boxes[0][0]

    @property
    def last(self) -> float:
        return self.boxes[-1][0]


@dataclass
class ProbedVideo:
    """What the quick check at upload learns: enough to accept or refuse the file at once."""

    sha256: str
    size: tuple[int, int]  # as displayed (rotation applied)
    duration: float
    has_audio: bool


@dataclass
class FoundFaces:
    tracks: list[Track]
    poster: bytes  # a JPEG of the first frame, for the staff page


@dataclass
class CheckedVideo(ProbedVideo, FoundFaces):
    pass


def sniff(head: bytes) -> bool:
    """Does this look like an MP4 or QuickTime file (by its first box, not its name)?"""
    return len(head) >= 8 and head[4:8] in CONTAINER_BOXES


def probe_video(handle: IO[bytes], *, size: int | None = None) -> ProbedVideo:
    """The quick check while the poster waits: size, type (sniffed), a video stream, the
    length, and the first frame decodes. Raises VideoRejected with a plain message."""
    max_bytes, max_seconds = settings.VIDEO_MAX_BYTES, settings.VIDEO_MAX_SECONDS
    if size is not None and size > max_bytes:
        raise VideoRejected(f"The video is {size / 1_048_576:.0f} MB; the limit is "
                            f"{max_bytes / 1_048_576:.0f} MB. Please upload a shorter or "
                            "smaller copy.")
    handle.seek(0)
    if not sniff(handle.read(12)):
        raise VideoRejected("This file isn't an MP4 or MOV video. Please upload the video as "
                            "your phone or camera saved it.")
    handle.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    with _open(handle) as container:
        stream = _video_stream(container)
        duration = _duration(container, stream)
        if duration > max_seconds:
            raise VideoRejected(f"The video is {_clock(duration)} long; the limit is "
                                f"{_clock(max_seconds)}. Please trim it and upload it again.")
        first = next(_frames(container, stream), None)
        if first is None:
            raise VideoRejected(_corrupt())
        return ProbedVideo(sha256=digest.hexdigest(), size=_shown_size(first),
                           duration=duration, has_audio=bool(container.streams.audio))


def find_faces(handle: IO[bytes]) -> FoundFaces:
    """The slow part, in the worker: decode the whole video, look for faces on frames sampled
    VIDEO_SAMPLES_PER_SECOND times a second, and group them into tracks."""
    max_seconds = settings.VIDEO_MAX_SECONDS
    samples: list[tuple[float, list[FaceBox], Image.Image]] = []
    poster = b""
    every = 1 / settings.VIDEO_SAMPLES_PER_SECOND
    next_at, shown = 0.0, (0, 0)
    with _open(handle) as container:
        for frame in _frames(container, _video_stream(container)):
            t = float(frame.time or 0.0)
            if t > max_seconds + 1:  # the header lied about the length
                raise VideoRejected(f"The video is longer than {_clock(max_seconds)}. "
                                    "Please trim it and upload it again.")
            if t + 1e-6 < next_at:
                continue
            image = _upright(frame, SAMPLE_MAX_SIDE)
            shown = _shown_size(frame)
            if not poster:
                poster = publishable_bytes(image)
            faces, capped = detect_faces_capped(image, size=shown)
            if capped or len(faces) > MAX_FACES:
                raise VideoRejected("This video has too many faces to check one by one. "
                                    "Please choose a video of a smaller group.")
            samples.append((t, faces, image))
            next_at = t + every
    if not samples:
        raise VideoRejected(_corrupt())
    tracks = group_tracks([(t, faces) for t, faces, _ in samples], every)
    if len(tracks) > MAX_FACES:
        raise VideoRejected("This video has too many faces to check one by one. Please "
                            "choose a video of a smaller group.")
    by_time = {t: image for t, _, image in samples}
    for track in tracks:
        track.thumbnail = _thumbnail(by_time, track, shown)
    return FoundFaces(tracks=tracks, poster=poster)


def check_video(handle: IO[bytes], *, size: int | None = None) -> CheckedVideo:
    """Both checks in one go (tests and the bench)."""
    probed = probe_video(handle, size=size)
    found = find_faces(handle)
    return CheckedVideo(tracks=found.tracks, poster=found.poster, **vars(probed))


def group_tracks(samples: list[tuple[float, list[FaceBox]]], every: float) -> list[Track]:
    """Boxes found at each sample time, grouped into tracks: each box joins the best-matching
    track seen at most MAX_GAP samples before (overlap, else a near centre), or starts one."""
    tracks: list[Track] = []
    for t, faces in samples:
        open_tracks = [tr for tr in tracks if t - tr.last <= every * MAX_GAP + 1e-6
                       and tr.last < t]
        pairs = sorted(((_likeness(tr.boxes[-1][1:], f.as_tuple()), n, m)
                        for n, tr in enumerate(open_tracks) for m, f in enumerate(faces)),
                       reverse=True)
        taken_tracks: set[int] = set()
        taken_faces: set[int] = set()
        for score, n, m in pairs:
            if score <= 0 or n in taken_tracks or m in taken_faces:
                continue
            taken_tracks.add(n)
            taken_faces.add(m)
            _extend(open_tracks[n], t, faces[m])
        for m, face in enumerate(faces):
            if m not in taken_faces:
                track = Track()
                _extend(track, t, face)
                tracks.append(track)
    return sorted(tracks, key=lambda tr: (tr.first, tr.best[0]))


def _likeness(a: tuple[int, ...], b: tuple[int, int, int, int]) -> float:
    """How well two boxes at neighbouring samples match: their IoU if enough, else a small
    score for near centres, else 0."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    iou = inter / (aw * ah + bw * bh - inter) if inter else 0.0
    if iou >= SAME_TRACK_IOU:
        return 1 + iou
    distance = math.hypot(ax + aw / 2 - bx - bw / 2, ay + ah / 2 - by - bh / 2)
    reach = CENTRE_SHARE * (aw + ah + bw + bh) / 4
    return 1 - distance / reach if distance < reach else 0.0


def _extend(track: Track, t: float, face: FaceBox) -> None:
    track.boxes.append((t, face.x, face.y, face.w, face.h))
    if face.score > track.score or len(track.boxes) == 1:
        track.score, track.best = face.score, face.as_tuple()


def box_at(boxes: list[tuple[float, int, int, int, int]], t: float, every: float
           ) -> tuple[int, int, int, int] | None:
    """A track's box at time t: interpolated between its samples, held for TIME_PAD (and half
    a sample) beyond its ends, widened by MOTION_PAD; None outside that."""
    pad = TIME_PAD + every / 2
    if not boxes or t < boxes[0][0] - pad or t > boxes[-1][0] + pad:
        return None
    after = next((n for n, b in enumerate(boxes) if b[0] >= t), len(boxes))
    if after == 0 or after == len(boxes):
        x, y, w, h = boxes[min(after, len(boxes) - 1)][1:]
    else:
        (t0, *a), (t1, *b) = boxes[after - 1], boxes[after]
        if t1 - t0 > every * (MAX_GAP + 1):  # a long gap: cover both boxes
            x, y = min(a[0], b[0]), min(a[1], b[1])
            w, h = max(a[0] + a[2], b[0] + b[2]) - x, max(a[1] + a[3], b[1] + b[3]) - y
        else:
            k = (t - t0) / (t1 - t0)
            x, y, w, h = (round(p + (q - p) * k) for p, q in zip(a, b, strict=True))
    dx, dy = round(w * MOTION_PAD), round(h * MOTION_PAD)
    return (x - dx, y - dy, w + 2 * dx, h + 2 * dy)


def render_video(source: IO[bytes], target: str | Path,
                 blurred: list[list[tuple[float, int, int, int, int]]]) -> None:
    """Write the published copy of `source` to the file `target`: upright, the `blurred`
    tracks' boxes pixelated on every frame, H.264/AAC MP4 with the index first (faststart
    rewrites the file, so it must be a real path), and no metadata."""
    every = 1 / settings.VIDEO_SAMPLES_PER_SECOND
    with _open(source) as container:
        first = next(_frames(container, _video_stream(container)), None)
        if first is None:
            raise VideoRejected(_corrupt())
        size = _upright(first, OUTPUT_MAX_SIDE).size
    with _open(source) as container:
        stream = _video_stream(container)
        audio = container.streams.audio[0] if container.streams.audio else None
        out = av.open(str(target), "w", format="mp4",
                      options={"movflags": "+faststart", "fflags": "+bitexact"})
        try:
            _render(container, stream, audio, out, blurred, every, size)
        finally:
            out.close()


def _render(container: Any, stream: Any, audio: Any, out: Any,
            blurred: list[list[tuple[float, int, int, int, int]]], every: float,
            size: tuple[int, int]) -> None:
    rate = stream.average_rate or stream.guessed_rate or fractions.Fraction(30)
    video_out = out.add_stream("libx264", rate=rate)
    video_out.width, video_out.height = size[0] // 2 * 2, size[1] // 2 * 2
    video_out.pix_fmt = "yuv420p"
    video_out.codec_context.options = dict(X264_OPTIONS)
    audio_out: Any = None
    resampler: Any = None
    if audio is not None:
        audio_out = out.add_stream("aac", rate=min(audio.rate or 48000, 48000))
        audio_out.bit_rate = 128_000
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=audio_out.rate)
    streams = [stream] + ([audio] if audio is not None else [])
    for packet in container.demux(streams):
        for frame in _decoded(packet):
            if packet.stream.type == "audio":
                for resampled in resampler.resample(frame):
                    resampled.pts = None
                    for out_packet in audio_out.encode(resampled):
                        out.mux(out_packet)
                continue
            pts, time_base = frame.pts, frame.time_base
            boxes = [b for b in (box_at(track, float(frame.time or 0), every)
                                 for track in blurred) if b is not None]
            turned = int(getattr(frame, "rotation", 0) or 0) % 360
            if boxes or turned:
                image = _upright(frame, OUTPUT_MAX_SIDE)
                if boxes:  # boxes are in displayed pixels: scale them to this copy
                    scale = image.width / _shown_size(frame)[0]
                    image = blur_regions(image, [tuple(round(v * scale) for v in b)
                                                 for b in boxes])
                frame = av.VideoFrame.from_image(image)
            # Nothing to blur or turn: straight to the encoder (scaled and converted only).
            made = frame.reformat(width=video_out.width, height=video_out.height,
                                  format="yuv420p")
            made.pts, made.time_base = pts, time_base
            for out_packet in video_out.encode(made):
                out.mux(out_packet)
    for out_packet in video_out.encode():
        out.mux(out_packet)
    if audio_out is not None:
        for resampled in resampler.resample(None):
            for out_packet in audio_out.encode(resampled):
                out.mux(out_packet)
        for out_packet in audio_out.encode():
            out.mux(out_packet)


def thumbnail_at(handle: IO[bytes], t: float, box: tuple[int, int, int, int]) -> bytes:
    """The thumbnail for a face marked by hand: the frame at (or just after) t, cropped."""
    with _open(handle) as container:
        image = None
        for frame in _frames(container, _video_stream(container)):
            image, shown = _upright(frame, SAMPLE_MAX_SIDE), _shown_size(frame)
            if float(frame.time or 0.0) >= t:
                break
        if image is None:
            raise VideoRejected(_corrupt())
    track = Track(boxes=[(t, *box)], best=box)
    return _thumbnail({t: image}, track, shown)


# --- decoding ---------------------------------------------------------------------------------


class _open:  # noqa: N801 (used as a context manager, like open())
    """av.open on a file object, with PyAV's errors turned into VideoRejected."""

    def __init__(self, handle: IO[bytes]) -> None:
        handle.seek(0)
        try:
            self.container = av.open(handle, "r", options={"probesize": "5000000"})
        except (av.error.FFmpegError, ValueError, OSError) as exc:
            raise VideoRejected(_corrupt()) from exc
        if not set(self.container.format.name.split(",")) & set(
                ALLOWED_BRANDS_DEMUXER.split(",")):
            self.container.close()
            raise VideoRejected("This file isn't an MP4 or MOV video.")

    def __enter__(self) -> Any:
        return self.container

    def __exit__(self, *exc: object) -> None:
        self.container.close()


def _corrupt() -> str:
    return ("This video can't be read: the file may be damaged or only partly uploaded. "
            "Please export it again from your phone or camera.")


def _video_stream(container: Any) -> Any:
    if not container.streams.video:
        raise VideoRejected("This file has no video in it (only sound, or nothing). Please "
                            "upload a video.")
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    return stream


def _duration(container: Any, stream: Any) -> float:
    if stream.duration is not None and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    raise VideoRejected("This video doesn't say how long it is, so it can't be checked. "
                        "Please export it again.")


def _frames(container: Any, stream: Any) -> Iterator[Any]:
    try:
        for packet in container.demux(stream):
            yield from _decoded(packet)
    except av.error.FFmpegError as exc:
        raise VideoRejected(_corrupt()) from exc


def _decoded(packet: Any) -> list[Any]:
    try:
        return list(packet.decode())
    except av.error.InvalidDataError:
        return []  # one damaged packet: go on with the rest


def _shown_size(frame: Any) -> tuple[int, int]:
    turned = int(getattr(frame, "rotation", 0) or 0) % 180 != 0
    return (frame.height, frame.width) if turned else (frame.width, frame.height)


def _upright(frame: Any, max_side: int) -> Image.Image:
    """The frame as displayed (the phone's rotation applied), at most max_side pixels."""
    width, height = frame.width, frame.height
    scale = min(1.0, max_side / max(width, height))
    rgb = frame.to_ndarray(width=max(2, round(width * scale)),
                           height=max(2, round(height * scale)), format="rgb24")
    turns = (int(getattr(frame, "rotation", 0) or 0) // 90) % 4
    if turns:  # PyAV's rotation is counter-clockwise degrees, like np.rot90
        rgb = np.ascontiguousarray(np.rot90(rgb, turns))
    return Image.fromarray(rgb)


def _thumbnail(by_time: dict[float, Image.Image], track: Track, shown: tuple[int, int]) -> bytes:
    """The track's best look, widened, as a small JPEG for the tagging page."""
    t = next(b[0] for b in track.boxes if b[1:] == track.best)
    image = by_time[t]
    scale = image.width / shown[0]
    x, y, w, h = (v * scale for v in track.best)
    crop = image.crop((max(0, round(x - w / 2)), max(0, round(y - h / 2)),
                       min(image.width, round(x + w * 1.5)),
                       min(image.height, round(y + h * 1.5))))
    crop.thumbnail((160, 160))
    return publishable_bytes(crop)


def _clock(seconds: float) -> str:
    seconds = math.ceil(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"
