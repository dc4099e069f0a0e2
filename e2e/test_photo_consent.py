"""Staff check a class photo face by face; a parent's later withdrawal hides the post."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible, sign_in, sign_out
from gatehouse.accounts.models import User
from gatehouse.consent.imaging.strip import has_metadata
from gatehouse.consent.models import PostImage
from gatehouse.lib.testing import SHARED_DATA, wait_for_background_tasks
from gatehouse.publishing.actions import do_agree
from gatehouse.publishing.models import Post as PublishingPost
from gatehouse.schools import demo

GROUP_PHOTO = SHARED_DATA / "faces" / "dlib_examples" / "faces" / "2008_001322.jpg"


def _with_gps(tmp_path: Path) -> Path:
    """The class photo as a phone would send it: with location and owner in its EXIF."""
    exif = Image.Exif()
    exif[0x013B] = "Owner Name"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    path = tmp_path / "class-photo.jpg"
    Image.open(GROUP_PHOTO).save(path, "JPEG", exif=exif, quality=95)
    assert has_metadata(path.read_bytes())
    return path


def _verdict(page: Page) -> Any:
    return page.locator("#verdict li[data-channel='parents_group']")


@pytest.mark.skipif(not GROUP_PHOTO.exists(), reason="group photo not available")
def test_a_class_photo_is_checked_blurred_published_and_withdrawn(
    page: Page, url: Any, demo_school: Any, tmp_path: Path
) -> None:
    sign_in(page, url, "admin@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    page.goto(url("/s/oakfield/staff/"))
    nav = page.get_by_role("navigation", name="Staff console")
    nav.get_by_text("Parents' group").click()
    nav.get_by_role("link", name="Photo posts").click()
    page.get_by_role("link", name="New photo post").click()
    page.get_by_label("Post text").fill("Year 4's Roman day in the hall")
    page.get_by_label("Photo (JPEG, PNG, WebP or HEIC)").set_input_files(str(_with_gps(tmp_path)))
    page.get_by_label("Describe the photo").fill("Three children in Roman costume")
    page.get_by_role("button", name="Upload and check faces").first.click()

    # Three faces found and one possible face, none tagged: publishing is blocked.
    expect(page.get_by_role("heading", name="Photo 1: 4 boxes to check")).to_be_visible()
    expect(_verdict(page)).to_contain_text("Blocked")
    expect(_verdict(page)).to_contain_text("Face 1 is not tagged yet.")
    expect(_verdict(page)).to_contain_text("Face 3 is a possible face")
    assert_accessible(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Not published: the photo check fails")).to_be_visible()

    # The possible face (a patch of background) is dismissed in one click.
    page.locator(".face-row").nth(2).get_by_role("button", name="Not a face").click()
    expect(page.get_by_label("Face 3 possible", exact=True)).to_have_value("not_face")

    # Oliver (Year 2) isn't among the suggested Year 4 pupils: the search finds him, by
    # surname and class.
    search = page.get_by_role("combobox", name="Find a pupil for face 1")
    search.fill("grant 2A")
    found = page.get_by_role("option", name="Oliver Grant (Year 2, class 2A) (restricted list)")
    expect(found).to_be_visible()
    search.press("ArrowDown")
    search.press("Enter")
    expect(page.get_by_label("Face 1", exact=True)).to_have_value(re.compile(r"^pupil:\d+$"))
    page.get_by_label("Face 2", exact=True).select_option(label="Ellie Lee")
    page.get_by_label("Face 4", exact=True).select_option(label="Sam Rowe")
    page.get_by_role("button", name="Save tags").click()
    expect(_verdict(page)).to_contain_text("Oliver Grant is on the restricted list")
    expect(page.locator(".face-box", has_text="Oliver Grant")).to_have_count(1)

    # Blurring that face clears the faces; the poster must still confirm they looked.
    page.get_by_label("Face 1", exact=True).select_option(label="Blur this face")
    page.get_by_role("button", name="Save tags").click()
    expect(_verdict(page)).to_contain_text("Nobody has confirmed yet")
    page.get_by_label("every person in it is tagged or blurred").check()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Alex Morgan confirmed")).to_be_visible()
    expect(_verdict(page)).to_contain_text("Clear")
    assert_accessible(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Sent to leadership to agree. Parents' group.")).to_be_visible()
    # Leadership agrees it (the agreement pages have their own browser test): it goes at once.
    post = PublishingPost.objects.get()
    do_agree(post, actor=User.objects.get(email="leadership@oakfield.example"),
             fingerprint=post.fingerprint())
    if settings.CELERY_BROKER_URL:  # the worker publishes it
        from gatehouse.celery import app

        wait_for_background_tasks(app)

    # The published image has no EXIF (nor any other metadata).
    image = PostImage.objects.get()
    served = page.request.get(url(f"/s/oakfield/images/{image.pk}/"))
    assert served.ok and served.headers["content-type"] == "image/jpeg"
    assert not has_metadata(served.body())
    assert Image.open(io.BytesIO(served.body())).getexif() == {}
    sign_out(page)

    # Ellie's parent sees the post, then withdraws consent for the parents' group.
    sign_in(page, url, "parent@oakfield.example")
    post = page.locator("article", has_text="Year 4's Roman day in the hall")
    expect(post.get_by_role("img", name="Three children in Roman costume")).to_be_visible()
    page.goto(url("/s/oakfield/my-children/"))
    child = page.get_by_role("region", name="Ellie Lee")
    assert_accessible(page)
    child.get_by_role("group", name="Parents' group").get_by_label("No").check()
    child.get_by_role("button", name="Save my choices for Ellie").click()
    expect(page.get_by_text("Saved. Your choices for Ellie apply from now on.")).to_be_visible()
    page.goto(url("/s/oakfield/"))
    expect(page.locator("article", has_text="Year 4's Roman day in the hall")).to_have_count(0)
    assert page.request.get(url(f"/s/oakfield/images/{image.pk}/")).status == 404


def test_the_register_and_parents_page_are_accessible(
    page: Page, url: Any, demo_school: Any
) -> None:
    sign_in(page, url, "dsl@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    page.goto(url("/s/oakfield/staff/pupils/"))
    expect(page.get_by_role("link", name="Oliver Grant")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Ellie Lee").click()
    page.get_by_label("Reason (kept in the audit log)").fill("Placement order received")
    page.get_by_role("button", name="Add to the restricted list").click()
    expect(page.get_by_text("Ellie Lee is now on the restricted list.")).to_be_visible()
    assert_accessible(page)
