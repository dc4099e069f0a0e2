"""Re-encode photos for publishing with no metadata at all, and check files for metadata.

Published media must carry no location or identity: no EXIF (GPS, camera serial, owner name),
XMP, IPTC, maker notes, comments or embedded colour profiles. Instead of deleting known tags we
copy the bare pixels into a fresh image and encode that, so unknown metadata cannot survive.
"""

from __future__ import annotations

import io
import struct

from PIL import Image, ImageCms

JPEG_QUALITY = 88

# JPEG markers that carry no metadata: frames, tables, restart markers and APP0 (JFIF header).
_JPEG_SAFE_MARKERS = {0xC0, 0xC1, 0xC2, 0xC4, 0xDB, 0xDD, 0xE0} | set(range(0xD0, 0xD8))
# PNG chunks that only describe pixels.
_PNG_SAFE_CHUNKS = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"sRGB", b"pHYs"}
_PIL_METADATA_KEYS = ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "photoshop")


def publishable_bytes(img: Image.Image, *, max_side: int = 2048) -> bytes:
    """JPEG bytes of `img`, at most `max_side` pixels on its longest side, with no metadata."""
    rgb = _srgb(img)
    if max(rgb.size) > max_side:
        rgb = rgb.copy()
        rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    bare = Image.frombytes("RGB", rgb.size, rgb.tobytes())  # pixels only: no info dict at all
    out = io.BytesIO()
    bare.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, exif=b"", icc_profile=None)
    return out.getvalue()


def _srgb(img: Image.Image) -> Image.Image:
    """RGB pixels in sRGB, so dropping the colour profile does not shift the colours."""
    profile = img.info.get("icc_profile")
    rgb = img if img.mode == "RGB" else img.convert("RGB")
    if not profile:
        return rgb
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(rgb, source, ImageCms.createProfile("sRGB"))
    except (ImageCms.PyCMSError, OSError, ValueError):
        return rgb  # an unreadable profile: publish the pixels as they are
    return converted or rgb


def has_metadata(data: bytes) -> bool:
    """Whether an encoded image carries anything beyond its pixels (EXIF, XMP, ICC, text...)."""
    if data.startswith(b"\xff\xd8"):
        return _jpeg_has_metadata(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png_has_metadata(data)
    with Image.open(io.BytesIO(data)) as img:
        return any(img.info.get(key) for key in _PIL_METADATA_KEYS) or bool(img.getexif())


def _jpeg_has_metadata(data: bytes) -> bool:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return True  # not a marker where one must be: treat as suspicious
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:  # start of scan: only entropy-coded pixels follow
            return False
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker not in _JPEG_SAFE_MARKERS:
            return True  # APP1 (EXIF/XMP), APP2 (ICC), APP13 (IPTC), COM, maker segments...
        if marker == 0xE0 and not data[pos + 4 : pos + 9].startswith(b"JFIF\x00"):
            return True  # APP0 used for something other than the JFIF header (e.g. JFXX thumbnail)
        pos += 2 + length
    return False


def _png_has_metadata(data: bytes) -> bool:
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind not in _PNG_SAFE_CHUNKS:
            return True  # tEXt, iTXt, zTXt, eXIf, iCCP, tIME...
        if kind == b"IEND":
            return False
        pos += 12 + length
    return False
