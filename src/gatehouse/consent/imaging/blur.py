"""Make chosen faces unrecognisable before a photo is published.

A Gaussian blur alone can be partly undone and leaves face shape and skin tone; a pixelation
alone keeps a blocky likeness. We widen each box (hair, ears and jawline identify people too),
pixelate it to a few coarse blocks, then blur over the blocks so no edges remain.
"""

from __future__ import annotations

from collections.abc import Iterable

from PIL import Image, ImageFilter

# How far to widen each box on every side, as a share of its width and height.
MARGIN = 0.25
# Blocks across the widened face: about 6 leaves no eyes, nose or mouth to see.
BLOCKS_ACROSS = 6


def blur_regions(img: Image.Image, boxes: Iterable[tuple[int, int, int, int]]) -> Image.Image:
    """A copy of `img` with each (x, y, w, h) box, widened, pixelated and blurred."""
    out = img.convert("RGB") if img.mode != "RGB" else img.copy()
    for box in boxes:
        region = _widened(box, out.size)
        if region is not None:
            out.paste(_obscure(out.crop(region)), region[:2])
    return out


def _widened(
    box: tuple[int, int, int, int], size: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    x, y, w, h = (int(v) for v in box)
    if w <= 0 or h <= 0:
        return None
    dx, dy = round(w * MARGIN), round(h * MARGIN)
    left, top = max(0, x - dx), max(0, y - dy)
    right, bottom = min(size[0], x + w + dx), min(size[1], y + h + dy)
    if right <= left or bottom <= top:
        return None
    return (left, top, right, bottom)


def _obscure(patch: Image.Image) -> Image.Image:
    width, height = patch.size
    block = max(2, max(width, height) // BLOCKS_ACROSS)
    small = patch.resize((max(1, width // block), max(1, height // block)), Image.Resampling.BOX)
    blocky = small.resize((width, height), Image.Resampling.NEAREST)
    return blocky.filter(ImageFilter.GaussianBlur(radius=block / 2))
