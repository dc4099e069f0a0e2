"""A video, end to end: the poster uploads a clip with a pupil's face in it and tags it with
the pupil search from the keyboard; it can't be sent until the face track is blurred (the
pupil has no consent) and the poster confirms everyone is accounted for; leadership agrees;
it goes to the parents' group (played from the stripped copy), the fake Facebook Page as a
video and the fake Instagram as a reel, and what the fake received is the re-encoded file
with no metadata (checked with ffprobe)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible, sign_in, sign_out
from e2e.test_publishing import _background_done, graph  # noqa: F401  (the fake Graph server)
from gatehouse.publishing.delivery import run_due
from gatehouse.publishing.fake_graph import FakeGraph
from gatehouse.publishing.models import Delivery, Video
from gatehouse.publishing.tests.videos import FACE_PHOTO, FFPROBE, LOCATION, ffprobe, make_video
from gatehouse.schools import demo


def _probe(data: bytes, tmp_path: Path, name: str) -> dict[str, Any]:
    path = tmp_path / name
    path.write_bytes(data)
    return ffprobe(path)


@pytest.mark.skipif(not FACE_PHOTO.exists() or not Path(FFPROBE).exists(),
                    reason="face photos or ffprobe not available")
def test_a_video_is_checked_agreed_and_published_without_its_metadata(
    page: Page, url: Any, demo_school: Any, graph: FakeGraph, tmp_path: Path  # noqa: F811
) -> None:
    clip = make_video(tmp_path / "IMG_0042.MOV")

    # The poster writes the post with the video for the group, the Page and Instagram.
    sign_in(page, url, "admin@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    page.goto(url("/s/oakfield/staff/publishing/new/"))
    page.get_by_label("Post", exact=True).fill("Sports day relay")
    for channel in ("Facebook", "Instagram"):
        page.get_by_label(channel, exact=True).check()
    page.get_by_label("Video (MP4 or MOV, optional)").set_input_files(str(clip))
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Not sent: the video check fails for")).to_be_visible()
    _background_done()  # with a broker, the worker looks for the faces

    # Its one face must be dealt with. The poster finds the pupil with the search box, from
    # the keyboard only: Noah has no consent, so the video is blocked until it is blurred.
    page.get_by_role("link", name="Video check").click()
    expect(page.locator("#verdict")).to_contain_text("Face 1 is not tagged yet")
    face = page.get_by_label("Face 1", exact=True)
    face.focus()
    page.keyboard.press("Tab")
    search = page.get_by_role("combobox", name="Find a pupil for face 1")
    expect(search).to_be_focused()
    page.keyboard.type("ahmed")
    expect(page.get_by_role("option", name="Noah Ahmed (Year 4, class 4B)")).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(face).to_be_focused()
    expect(face).to_have_value(re.compile(r"^pupil:\d+$"))
    page.get_by_role("button", name="Save tags").click()
    expect(page.get_by_text("Tags saved (1 changed).")).to_be_visible()
    expect(page.locator("#verdict")).to_contain_text("Noah Ahmed")
    assert Video.objects.get().tracks.get().pupil.name == "Noah Ahmed"
    face.select_option("Blur this face")
    page.get_by_role("button", name="Save tags").click()
    expect(page.get_by_text("Tags saved (1 changed).")).to_be_visible()
    page.get_by_label("every person in it is tagged or blurred").check()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Confirmed: you have accounted for everyone")).to_be_visible()
    expect(page.locator("#verdict .badge.bad")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Back to the post").click()
    page.get_by_role("button", name="Send to leadership").click()
    expect(page.get_by_text("Sent to leadership to agree.")).to_be_visible()
    sign_out(page)

    # Leadership agrees it.
    sign_in(page, url, "leadership@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    page.goto(url("/s/oakfield/staff/publishing/"))
    page.get_by_role("region", name="Waiting for your agreement").get_by_role(
        "link", name="Sports day relay").click()
    page.get_by_role("button", name="Agree").click()
    expect(page.get_by_text("Agreed.")).to_be_visible()
    sign_out(page)

    # Agreed with no time set, it goes out at once everywhere, from the re-encoded copy.
    _background_done()
    run_due(timezone.now())
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.PUBLISHED}
    state = graph.state
    [page_video] = [k for k, o in state.objects.items() if o["kind"] == "page_video"]
    [reel] = [c["params"] for c in state.calls("POST", f"{state.ig_id}/media")]
    assert reel["media_type"] == "REELS"
    reel_container = next(k for k, o in state.objects.items() if o["kind"] == "container")
    for name, sent in (("page.mp4", state.media_bytes[page_video]),
                       ("reel.mp4", state.media_bytes[reel_container])):
        probed = _probe(sent, tmp_path, name)
        assert set(probed["format"].get("tags", {})) <= {"major_brand", "minor_version",
                                                         "compatible_brands"}
        assert all("creation_time" not in s.get("tags", {}) for s in probed["streams"])
        assert LOCATION.encode() not in sent and b"\xa9xyz" not in sent
    video = Video.objects.get()
    assert state.media_bytes[page_video] == video.published.read()

    # A parent sees it in the group, played from the stripped copy.
    sign_in(page, url, "parent@oakfield.example")
    page.goto(url("/s/oakfield/"))
    player = page.locator("video.post-image")
    expect(player).to_have_count(1)
    answer = page.request.get(url(player.get_attribute("src")))
    assert answer.status == 200 and answer.headers["content-type"] == "video/mp4"
    assert answer.body() == state.media_bytes[page_video]
