"""Safe loading of uploaded photos: sniff the real type, refuse bombs and junk, return RGB.

Accepted: JPEG, PNG, WebP, HEIC/HEIF (through pillow-heif) and still GIFs. Refused, each with a
message a member of staff can act on: anything else (SVG, HTML, PDF, video...), corrupt or
truncated files, files over the byte limit, images over the pixel limit (checked from the header,
before any pixel is decoded), and animated images. Animations are refused rather than cut to
their first frame because the other frames could show a child nobody checked.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 60_000_000
ACCEPTED = "JPEG, PNG, WebP or HEIC"

# ISO base media "ftyp" brands used by HEIC/HEIF stills from phones and cameras.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


class ImageRejected(ValueError):
    """An upload we will not process; `.message` is written for parents and staff."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def load_upload(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> Image.Image:
    """Decode an uploaded photo into an upright RGB image, or raise ImageRejected."""
    return load_reduced(data, max_bytes=max_bytes, max_pixels=max_pixels)[0]


def load_reduced(
    data: bytes, *, keep_pixels: int = 0, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> tuple[Image.Image, tuple[int, int]]:
    """Like load_upload, but a JPEG is decoded at 1/2, 1/4 or 1/8 scale (the decoder skips
    the detail, several times faster than decoding in full and shrinking) as long as at least
    `keep_pixels` pixels remain. Returns the upright image and the upright full size, which
    is what boxes and the photo's recorded size are measured in."""
    img = _checked(data, max_bytes, max_pixels)
    full = img.size
    if keep_pixels and img.format == "JPEG":
        factor = _reduction(full, keep_pixels)
        if factor > 1:
            img.draft("RGB", (max(1, full[0] // factor), max(1, full[1] // factor)))
    _decode(img)
    upright = _upright_rgb(img)
    turned = upright.size != img.size and upright.size == img.size[::-1]
    return upright, (full[::-1] if turned else full)


def _reduction(size: tuple[int, int], keep_pixels: int) -> int:
    """The largest JPEG decoding reduction (8, 4, 2 or 1) that keeps `keep_pixels` pixels."""
    pixels = size[0] * size[1]
    return next(f for f in (8, 4, 2, 1) if pixels / (f * f) >= keep_pixels or f == 1)


def _checked(data: bytes, max_bytes: int, max_pixels: int) -> Image.Image:
    """The photo opened (header only) after the checks that need no pixels."""
    if not data:
        raise ImageRejected("The file is empty. Please choose a photo to upload.")
    if len(data) > max_bytes:
        raise ImageRejected(
            f"The file is {len(data) / 1_048_576:.1f} MB; the limit is "
            f"{max_bytes / 1_048_576:.0f} MB. Please upload a smaller copy of the photo."
        )
    kind = sniff(data)
    img = _open(data, kind)
    _check_dimensions(img, max_pixels)
    _check_still(img)
    return img


def sniff(data: bytes) -> str:
    """The image format the bytes really are (a Pillow format name), whatever the file name."""
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "HEIF"
    raise ImageRejected(_unsupported_message(data))


def _unsupported_message(data: bytes) -> str:
    text = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        what = "a drawing (SVG)" if b"<svg" in data[:4096].lower() else "a web page or text file"
        return f"This file is {what}, not a photo. Please upload a {ACCEPTED} photo."
    if data[4:8] == b"ftyp":
        return f"This looks like a video or an unsupported photo format. Please upload {ACCEPTED}."
    if data.startswith(b"%PDF"):
        return f"This file is a PDF, not a photo. Please upload a {ACCEPTED} photo."
    return f"This file is not a photo we can read. Please upload a {ACCEPTED} photo."


def _open(data: bytes, kind: str) -> Image.Image:
    """Open lazily (header only) with the one decoder the sniffed type calls for."""
    if kind == "HEIF":
        _register_heif()
    try:
        with warnings.catch_warnings():
            # We enforce our own, lower pixel limit just below; Pillow's warning is noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=[kind])
    except Image.DecompressionBombError as exc:
        raise ImageRejected(_too_big_message()) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(_damaged_message()) from exc


def _register_heif() -> None:
    try:
        from pillow_heif import register_heif_opener
    except ImportError as exc:  # pragma: no cover - pillow-heif is in requirements/faces.txt
        raise ImageRejected(
            "HEIC photos (the iPhone default) cannot be read on this server. Please export "
            "the photo as JPEG and upload that."
        ) from exc
    register_heif_opener()


def _check_dimensions(img: Image.Image, max_pixels: int) -> None:
    width, height = img.size
    if width <= 0 or height <= 0:
        raise ImageRejected(_damaged_message())
    if width * height > max_pixels:
        raise ImageRejected(_too_big_message(width, height, max_pixels))


def _check_still(img: Image.Image) -> None:
    if getattr(img, "n_frames", 1) > 1 or getattr(img, "is_animated", False):
        raise ImageRejected(
            "Animated images cannot be checked for consent frame by frame. Please upload a "
            f"still photo ({ACCEPTED})."
        )


def _decode(img: Image.Image) -> None:
    try:
        img.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        # Pillow reports truncated JPEGs and broken PNG chunks as OSError/SyntaxError.
        raise ImageRejected(_damaged_message()) from exc


def _upright_rgb(img: Image.Image) -> Image.Image:
    try:
        upright = ImageOps.exif_transpose(img) or img
    except (OSError, SyntaxError, ValueError):
        upright = img  # a broken EXIF block is no reason to refuse the pixels
    if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return _with_icc(flat, upright)
    if upright.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        # 16-bit greyscale PNGs: Pillow's plain convert would clip everything above 255.
        upright = upright.convert("I").point(lambda v: v / 256).convert("L")
    rgb = upright if upright.mode == "RGB" else upright.convert("RGB")  # no needless copy
    return _with_icc(rgb, upright)


def _with_icc(rgb: Image.Image, source: Image.Image) -> Image.Image:
    # Keep the colour profile so publishing can convert to sRGB; strip.py never writes it out.
    profile = source.info.get("icc_profile")
    if profile:
        rgb.info["icc_profile"] = profile
    return rgb


def _damaged_message() -> str:
    return (
        "This photo is damaged or incomplete (perhaps the upload was cut short). Please try "
        "again with the original photo."
    )


def _too_big_message(width: int = 0, height: int = 0, max_pixels: int = MAX_PIXELS) -> str:
    size = f" ({width} × {height} pixels)" if width and height else ""
    return (
        f"This image is too large to process{size}; the limit is {max_pixels / 1e6:.0f} "
        "megapixels. Please upload a smaller copy."
    )
