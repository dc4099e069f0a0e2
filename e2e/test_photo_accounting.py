"""Nothing is published until a person has accounted for everyone in each photo: a photo with
no face found, a class photo with a child the detector missed, and a change after confirming."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible, sign_in
from gatehouse.consent.models import Face, PhotoConfirmation
from gatehouse.lib.testing import SHARED_DATA
from gatehouse.schools import demo

GROUP_PHOTO = SHARED_DATA / "faces" / "dlib_examples" / "faces" / "2008_001322.jpg"


def _verdict(page: Page) -> Any:
    return page.locator("#verdict li[data-channel='parents_group']")


def _upload(page: Page, url: Any, body: str, path: Path) -> None:
    page.goto(url("/s/oakfield/staff/photo-posts/new/"))
    page.get_by_label("Post text").fill(body)
    page.get_by_label("Photo (JPEG, PNG, WebP or HEIC)").set_input_files(str(path))
    page.get_by_label("Describe the photo").fill("Pupils at sports day")
    page.get_by_role("button", name="Upload and check faces").first.click()


def test_a_photo_with_no_face_found_waits_for_its_poster_to_confirm_no_one_is_in_it(
    page: Page, url: Any, demo_school: Any, tmp_path: Path
) -> None:
    path = tmp_path / "field.jpg"
    field = Image.new("RGB", (640, 480), (90, 160, 70))
    ImageDraw.Draw(field).rectangle((0, 0, 640, 200), fill=(150, 190, 240))
    field.save(path, "JPEG")
    sign_in(page, url, "admin@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    _upload(page, url, "The new playing field", path)

    expect(page.get_by_role("heading", name="Photo 1: 0 boxes to check")).to_be_visible()
    expect(_verdict(page)).to_contain_text("Nobody has confirmed yet")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Not published: the photo check fails")).to_be_visible()

    page.get_by_label("there are no people in it").check()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Alex Morgan confirmed")).to_contain_text("there is no one in it")
    expect(_verdict(page)).to_contain_text("Clear")
    assert PhotoConfirmation.objects.get().no_people
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Sent to leadership to agree. Parents' group.")).to_be_visible()


def _class_photo_with_a_missed_child(tmp_path: Path) -> Path:
    """The class photo with a fourth child, seen from behind, drawn in on the right: neither
    the detector nor the possible-face look finds a face there, but a person sees a child."""
    img = Image.new("RGB", (700, 375), (70, 90, 120))
    img.paste(Image.open(GROUP_PHOTO).convert("RGB"), (0, 0))
    draw = ImageDraw.Draw(img)
    draw.rectangle((560, 220, 640, 375), fill=(30, 60, 160))  # school jumper
    draw.ellipse((565, 120, 635, 215), fill=(224, 180, 150))
    draw.chord((560, 110, 640, 200), 180, 360, fill=(90, 55, 30))  # hair
    draw.rectangle((560, 150, 640, 175), fill=(90, 55, 30))
    path = tmp_path / "class-with-missed-child.jpg"
    img.save(path, "JPEG", quality=95)
    return path


@pytest.mark.skipif(not GROUP_PHOTO.exists(), reason="group photo not available")
def test_a_missed_child_blocks_until_added_and_a_change_voids_the_confirmation(
    page: Page, url: Any, demo_school: Any, tmp_path: Path
) -> None:
    sign_in(page, url, "admin@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    _upload(page, url, "Year 4 sports day", _class_photo_with_a_missed_child(tmp_path))
    expect(page.get_by_role("heading", name="Photo 1: 4 boxes to check")).to_be_visible()

    # Zoom in to look at the whole photo closely (the missed child is on the right).
    page.get_by_role("button", name="Zoom in").click()
    expect(page.locator("[data-zoom-level]")).to_have_text("150%")
    page.get_by_role("button", name="Whole photo").click()
    expect(page.locator("[data-zoom-level]")).to_have_text("100%")

    # A crowd-shot shortcut deals with every box at once, but nobody has confirmed yet.
    page.get_by_role("button", name="Blur every untagged face (4)").click()
    expect(page.get_by_text("4 untagged faces blurred.")).to_be_visible()
    expect(_verdict(page)).to_contain_text("Nobody has confirmed yet")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Not published: the photo check fails")).to_be_visible()

    # The poster sees the child the detector missed and adds that face by hand.
    page.get_by_text("Add a face the detector missed").click()
    page.get_by_label("From the left (%)").fill("80")
    page.get_by_label("From the top (%)").fill("29")
    page.get_by_label("Width (%)").fill("11.5")
    page.get_by_label("Height (%)").fill("27")
    page.get_by_role("button", name="Add face").click()
    expect(_verdict(page)).to_contain_text("Face 5 is not tagged yet.")
    page.locator(".face-row").nth(4).get_by_role("button", name="Show").click()
    expect(page.locator("[data-zoom-level]")).not_to_have_text("100%")
    page.get_by_label("Face 5", exact=True).select_option(label="Ellie Lee")
    page.get_by_role("button", name="Save tags").click()
    page.get_by_label("every person in it is tagged or blurred").check()
    page.get_by_role("button", name="Confirm").click()
    expect(_verdict(page)).to_contain_text("Clear")
    assert Face.objects.filter(source=Face.Source.MANUAL, pupil__first_name="Ellie").exists()
    assert_accessible(page)

    # A change after confirming voids it: the poster must look again.
    page.get_by_label("Face 5", exact=True).select_option(label="Sam Rowe")
    page.get_by_role("button", name="Save tags").click()
    expect(page.get_by_text("no longer holds")).to_be_visible()
    expect(_verdict(page)).to_contain_text("Nobody has confirmed yet")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Not published: the photo check fails")).to_be_visible()
    page.get_by_label("every person in it is tagged or blurred").check()
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Sent to leadership to agree. Parents' group.")).to_be_visible()
