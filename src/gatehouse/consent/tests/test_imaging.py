"""Tests for the image module behind photo consent checks: loading, detection, blur, stripping."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image, ImageChops, ImageDraw, ImageStat

from gatehouse.consent.imaging.blur import blur_regions
from gatehouse.consent.imaging.faces import (
    MAX_FACES,
    FaceBox,
    detect_faces,
    detect_faces_capped,
)
from gatehouse.consent.imaging.safety import ImageRejected, load_reduced, load_upload
from gatehouse.consent.imaging.strip import has_metadata, publishable_bytes
from gatehouse.lib.testing import SHARED_DATA

FACES_DATA = SHARED_DATA / "faces"
DLIB_FACES = FACES_DATA / "dlib_examples" / "faces"
needs_photos = pytest.mark.skipif(
    not (DLIB_FACES / "testing.xml").exists(), reason="shared/data/faces is not present"
)


# --- helpers ----------------------------------------------------------------------------------


def encode(img: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **params)
    return out.getvalue()


def gradient(size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A photo-like image with detail everywhere, so blurring visibly changes it."""
    img = Image.radial_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(img)
    for i in range(0, size[0], 8):
        draw.line([(i, 0), (size[0] - i, size[1])], fill=(i % 256, 90, 200 - i % 200), width=2)
    return img


# Face boxes (x, y, w, h) from dlib's examples/faces/testing.xml and training.xml.
LABELLED_FACES = {
    "2008_002506.jpg": [(329, 78, 109, 109), (224, 95, 91, 91), (125, 65, 90, 91)],
    "2008_001322.jpg": [(104, 162, 76, 76), (232, 218, 63, 63), (344, 155, 90, 90)],
    "2009_004587.jpg": [(154, 46, 75, 76), (266, 280, 63, 63)],
}


def labelled_faces(name: str) -> list[tuple[int, int, int, int]]:
    return LABELLED_FACES[name]


def covers(face: FaceBox, box: tuple[int, int, int, int]) -> bool:
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    return face.x <= cx <= face.x + face.w and face.y <= cy <= face.y + face.h


def read_photo(name: str) -> Image.Image:
    return load_upload((DLIB_FACES / name).read_bytes())


def rejection(data: bytes, **limits: int) -> str:
    with pytest.raises(ImageRejected) as caught:
        load_upload(data, **limits)
    assert caught.value.message == str(caught.value)
    return caught.value.message


# --- face detection ---------------------------------------------------------------------------


@needs_photos
@pytest.mark.parametrize("name", ["2008_002506.jpg", "2008_001322.jpg", "2009_004587.jpg"])
def test_it_finds_every_labelled_face_in_a_group_photo(name: str) -> None:
    faces = detect_faces(read_photo(name))
    for box in labelled_faces(name):
        assert any(covers(face, box) for face in faces), box
    assert len(faces) <= len(labelled_faces(name)) + 1


@needs_photos
def test_it_reports_boxes_in_the_original_photos_coordinates() -> None:
    # A 5000 px canvas is scaled down for detection; boxes must come back scaled up again.
    photo = read_photo("2008_002506.jpg")
    canvas = Image.new("RGB", (5000, 3000), (128, 128, 128))
    canvas.paste(photo, (3000, 2000))
    faces = detect_faces(canvas)
    for x, y, w, h in labelled_faces("2008_002506.jpg"):
        assert any(covers(face, (x + 3000, y + 2000, w, h)) for face in faces)
    assert all(face.x + face.w <= 5000 and face.y + face.h <= 3000 for face in faces)


def test_it_finds_no_faces_in_a_picture_without_people() -> None:
    assert detect_faces(gradient()) == []


@needs_photos
def test_it_says_when_a_photo_has_more_faces_than_it_returns() -> None:
    face = read_photo("2008_002506.jpg").crop((329, 78, 438, 187)).resize((72, 72))
    mosaic = Image.new("RGB", (25 * 96, 25 * 96), (200, 200, 200))
    for row in range(25):
        for col in range(25):
            mosaic.paste(face, (col * 96 + 12, row * 96 + 12))
    faces, capped = detect_faces_capped(mosaic)
    assert capped
    assert len(faces) == MAX_FACES
    assert faces == sorted(faces, key=lambda f: -f.score)


@needs_photos
def test_a_blurred_face_is_no_longer_detected() -> None:
    photo = read_photo("2008_002506.jpg")
    blurred = blur_regions(photo, [face.as_tuple() for face in detect_faces(photo)])
    assert detect_faces(blurred) == []


# --- loading uploads --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_it_loads_common_photo_formats_as_rgb(fmt: str) -> None:
    img = load_upload(encode(gradient(), fmt))
    assert img.mode == "RGB"
    assert img.size == (320, 240)


def test_it_loads_heic_from_iphones() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    img = load_upload(encode(gradient(), "HEIF"))
    assert img.mode == "RGB"
    assert img.size == (320, 240)


def test_it_flattens_transparency_onto_white() -> None:
    img = load_upload(encode(Image.new("RGBA", (10, 10), (0, 0, 0, 0)), "PNG"))
    assert img.mode == "RGB"
    assert img.getpixel((5, 5)) == (255, 255, 255)


def test_it_applies_the_exif_orientation() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise to display
    img = load_upload(encode(gradient((40, 20)), exif=exif))
    assert img.size == (20, 40)


def test_a_big_jpeg_is_decoded_reduced_upright_and_reports_its_full_size() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise to display
    data = encode(gradient((2400, 1600)), exif=exif)
    img, size = load_reduced(data, keep_pixels=900_000)
    assert (img.size, size) == ((800, 1200), (1600, 2400))  # half size, upright, full size
    assert load_reduced(data, keep_pixels=3_000_000)[0].size == (1600, 2400)  # too few left
    png = io.BytesIO()
    gradient((2400, 1600)).save(png, "PNG")
    assert load_reduced(png.getvalue(), keep_pixels=900_000)[0].size == (2400, 1600)


def test_it_accepts_a_50_megapixel_photo_and_checks_it() -> None:
    img = Image.new("RGB", (8660, 5774), (90, 120, 160))
    img.paste(gradient((800, 600)), (4000, 3000))
    loaded = load_upload(encode(img, quality=70))
    assert loaded.size == (8660, 5774)
    faces, capped = detect_faces_capped(loaded)
    assert faces == []
    assert not capped


def test_it_refuses_a_truncated_jpeg() -> None:
    data = encode(gradient())
    assert "damaged or incomplete" in rejection(data[: len(data) // 2])


def test_it_refuses_corrupt_bytes_behind_a_jpeg_signature() -> None:
    assert "damaged or incomplete" in rejection(b"\xff\xd8\xff\xe0" + b"\x00garbage" * 50)


def test_it_refuses_svg() -> None:
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'
    assert "SVG" in rejection(svg)


def test_it_refuses_html_whatever_the_file_is_called() -> None:
    # The name "photo.jpg" never reaches us: the type comes from the bytes alone.
    assert "web page" in rejection(b"<!DOCTYPE html><html><body>hello</body></html>")


def test_it_refuses_a_decompression_bomb_before_decoding() -> None:
    small = encode(Image.new("L", (1, 1)), "PNG")
    header = struct.pack(">II5B", 100_000, 100_000, 8, 0, 0, 0, 0)
    ihdr = b"IHDR" + header
    bomb = small[:8] + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
    bomb += small[8 + 25 :]
    assert "too large" in rejection(bomb)


def test_it_refuses_images_above_the_pixel_limit() -> None:
    assert "too large" in rejection(encode(gradient()), max_pixels=10_000)


def test_it_refuses_files_over_the_byte_limit() -> None:
    assert "the limit is" in rejection(encode(gradient()), max_bytes=1_000)


def test_it_refuses_animated_gifs() -> None:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "green", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert "Animated" in rejection(data)


def test_it_accepts_a_still_gif() -> None:
    assert load_upload(encode(Image.new("P", (16, 16), 3), "GIF")).mode == "RGB"


def test_it_refuses_other_files_clearly() -> None:
    assert "PDF" in rejection(b"%PDF-1.7\n1 0 obj")
    assert "not a photo" in rejection(b"\x00\x01\x02\x03" * 10)
    assert "empty" in rejection(b"")


# --- metadata ---------------------------------------------------------------------------------


def photo_with_metadata() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.Base.Artist] = "A. Parent"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 40.0)
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    return encode(gradient(), exif=exif, comment=b"St Mary's, Year 3", xmp=xmp)


def test_the_test_photo_really_carries_gps() -> None:
    data = photo_with_metadata()
    assert has_metadata(data)
    with Image.open(io.BytesIO(data)) as img:
        assert img.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert img.info.get("comment")


def test_published_bytes_carry_no_metadata() -> None:
    published = publishable_bytes(load_upload(photo_with_metadata()))
    assert not has_metadata(published)
    assert b"PhoneCo" not in published
    assert b"xmpmeta" not in published
    with Image.open(io.BytesIO(published)) as img:
        assert img.format == "JPEG"
        assert not img.getexif()
        assert set(img.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}


def test_published_bytes_drop_colour_profiles_and_png_text() -> None:
    from PIL import ImageCms, PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Location", "51.5, -0.12")
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(gradient(), "PNG", pnginfo=text, icc_profile=srgb)
    assert has_metadata(data)
    assert not has_metadata(publishable_bytes(load_upload(data)))


def test_published_photos_are_shrunk_to_the_maximum_side() -> None:
    with Image.open(io.BytesIO(publishable_bytes(gradient((3000, 1000)), max_side=600))) as img:
        assert img.size == (600, 200)


# --- blurring ---------------------------------------------------------------------------------


def test_blur_changes_the_face_and_leaves_the_rest() -> None:
    img = gradient()
    box = (120, 80, 60, 60)
    out = blur_regions(img, [box])
    # The box widened by 25% on each side is (105, 65) to (195, 155).
    diff = ImageChops.difference(img, out)
    assert diff.getbbox() is not None
    left, top, right, bottom = diff.getbbox()  # type: ignore[misc]
    assert left >= 105 and top >= 65 and right <= 195 and bottom <= 155
    inside = ImageStat.Stat(diff.crop((120, 80, 180, 140))).mean
    assert sum(inside) / 3 > 10
    assert img.getpixel((5, 5)) == out.getpixel((5, 5))


def test_blur_leaves_the_original_untouched_and_ignores_empty_boxes() -> None:
    img = gradient()
    before = img.tobytes()
    out = blur_regions(img, [(10, 10, 0, 0), (-50, -50, 10, 10)])
    assert img.tobytes() == before
    assert out.tobytes() == before
