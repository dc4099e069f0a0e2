"""Videos on posts: upload limits and bad files, face tracks, the per-channel check over the
tracks, the published copy (proved with Debian's ffprobe: no metadata, faces blurred), and the
Facebook video and Instagram reel requests to the fake Graph server."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

import av
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gatehouse.consent.imaging.faces import FaceBox, detect_faces
from gatehouse.consent.models import Channel
from gatehouse.consent.photos import Suggestion
from gatehouse.consent.withdrawal import do_reach_past
from gatehouse.publishing import actions, videos
from gatehouse.publishing.delivery import run_due
from gatehouse.publishing.fake_graph import meta_error
from gatehouse.publishing.models import Post, Video, VideoTrack
from gatehouse.publishing.tests.videos import (
    FACE_PHOTO,
    FFPROBE,
    LOCATION,
    TITLE,
    ffprobe,
    make_sound_only,
    make_video,
)
from gatehouse.publishing.video import box_at, check_video, group_tracks, render_video

pytestmark = pytest.mark.skipif(not FACE_PHOTO.exists(), reason="face photos not available")
needs_ffprobe = pytest.mark.skipif(not Path(FFPROBE).exists(),
                                   reason="ffprobe (apt package ffmpeg) not installed")


def _upload(path: Path, name: str = "clip.mov") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, path.read_bytes(), content_type="video/quicktime")


def _rejected(upload: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        videos.check_upload(upload, size=upload.size)
    return " ".join(caught.value.messages)


def _post(school: Any, admin: Any, channels: list[str] | None = None,
          body: str = "Sports day") -> Post:
    return actions.do_create_post(school, actor=admin, body=body, link="",
                                  channels=channels or [Channel.PARENTS_GROUP], publish_at=None,
                                  has_video=True)


def _with_video(school: Any, admin: Any, tmp_path: Path, **kwargs: Any) -> Video:
    post = _post(school, admin, kwargs.pop("channels", None), kwargs.pop("body", "Sports day"))
    upload = _upload(make_video(tmp_path / "in.mov", **kwargs))
    video = videos.do_add_video(post, actor=admin, upload=upload,
                                probed=videos.check_upload(upload, size=upload.size))
    videos.do_find_faces(video.pk)  # the worker's part (it may have run already)
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    return video


# --- limits and bad files ---------------------------------------------------------------------


def test_bad_videos_are_refused_with_plain_reasons(tmp_path: Path, settings: Any) -> None:
    good = make_video(tmp_path / "good.mov", seconds=2, audio=False)
    jpeg = SimpleUploadedFile("holiday.mp4", FACE_PHOTO.read_bytes())
    assert "isn't an MP4 or MOV" in _rejected(jpeg)
    data = good.read_bytes()
    broken = SimpleUploadedFile("broken.mov", data[:64] + b"\x00" * 4000)
    assert "can't be read" in _rejected(broken)
    assert "no video in it" in _rejected(_upload(make_sound_only(tmp_path / "a.mp4")))
    settings.VIDEO_MAX_SECONDS = 1
    assert "0:02 long; the limit is 0:01" in _rejected(_upload(good))
    settings.VIDEO_MAX_BYTES = 1000
    assert "the limit is 0 MB" in _rejected(_upload(good))


def test_a_refused_video_leaves_no_post_and_no_files(
    login_client: Any, school: Any, admin: Any, _media_root: Path
) -> None:
    client = login_client(admin)
    response = client.post(reverse("staff:publishing_new", kwargs={"slug": school.slug}), {
        "body": "Sports day", "channels": [Channel.PARENTS_GROUP],
        "video": SimpleUploadedFile("clip.mov", b"\x00\x00\x00\x18ftypqt  " + b"\x01" * 500)})
    assert response.status_code == 400
    assert "can't be read" in html.unescape(response.content.decode())
    assert not Post.objects.exists() and not Video.objects.exists()
    assert not [p for p in _media_root.rglob("*") if p.is_file()]


def test_a_video_the_worker_refuses_is_deleted_and_the_poster_told_why(
    school: Any, admin: Any, tmp_path: Path, settings: Any,
    django_capture_on_commit_callbacks: Any
) -> None:
    post = _post(school, admin)
    upload = _upload(make_video(tmp_path / "in.mov", seconds=3, audio=False))
    video = videos.do_add_video(post, actor=admin, upload=upload,
                                probed=videos.check_upload(upload, size=upload.size))
    post = video.post
    assert "still being checked" in " ".join(videos.check_post_media(post)[0].problems)
    with pytest.raises(ValidationError, match="haven't been found yet"):
        videos.do_confirm_video(video, actor=admin, version=_version(video), no_people=True)
    original = Path(video.original.path)
    settings.VIDEO_MAX_SECONDS = 1  # as if its header had said less than it holds
    with django_capture_on_commit_callbacks(execute=True):
        assert videos.do_find_faces(video.pk) == Video.Status.REFUSED
    video.refresh_from_db()
    assert not video.original and not original.exists() and not video.tracks.exists()
    [verdict] = videos.check_post_media(post)
    assert verdict.problems == ["Video: refused. The video is longer than 0:01. Please trim "
                                "it and upload it again. Upload another or remove it."]
    assert videos.do_find_faces(video.pk) == "gone"  # a second run does nothing


# --- tracks -----------------------------------------------------------------------------------


def _box(x: int, y: int, size: int = 40) -> FaceBox:
    return FaceBox(x, y, size, size, 0.9)


def test_faces_are_grouped_into_tracks_across_neighbouring_samples() -> None:
    every = 0.5
    samples = [
        (0.0, [_box(10, 10), _box(200, 10)]),
        (0.5, [_box(18, 12), _box(205, 14)]),           # both move a little
        (1.0, [_box(40, 14), _box(210, 15)]),           # the first moves fast: centre near
        (1.5, [_box(211, 16)]),                         # the first leaves for a moment
        (2.0, [_box(60, 15), _box(212, 16)]),           # ... and is back within MAX_GAP
        (4.0, [_box(62, 15)]),                          # too long gone: a new track
        (4.5, [_box(63, 15), _box(120, 120, 20)]),      # someone new appears
    ]
    tracks = group_tracks(samples, every)
    assert [[b[0] for b in t.boxes] for t in tracks] == [
        [0.0, 0.5, 1.0, 2.0], [0.0, 0.5, 1.0, 1.5, 2.0], [4.0, 4.5], [4.5]]
    assert tracks[0].boxes[-1][1:3] == (60, 15) and tracks[1].boxes[-1][1:3] == (212, 16)
    assert tracks[3].best == (120, 120, 20, 20)


def test_blur_boxes_are_interpolated_and_padded_in_space_and_time() -> None:
    boxes = [(1.0, 100, 100, 40, 40), (2.0, 200, 100, 40, 40)]
    x, y, w, h = box_at(boxes, 1.5, 0.5)
    assert (x, y) == (150 - 6, 100 - 6) and (w, h) == (52, 52)
    assert box_at(boxes, 0.5, 0.5) is not None and box_at(boxes, 2.7, 0.5) is not None
    assert box_at(boxes, 0.2, 0.5) is None and box_at(boxes, 3.0, 0.5) is None


def test_a_video_of_one_face_gives_one_track_with_a_thumbnail(
    school: Any, admin: Any, tmp_path: Path
) -> None:
    video = _with_video(school, admin, tmp_path, seconds=2)
    [track] = video.tracks.all()
    assert track.first_seen == 0 and track.last_seen >= 1.5 and len(track.boxes) >= 4
    assert track.thumbnail.read().startswith(b"\xff\xd8")
    assert (video.width, video.height) == (320, 240) and 1.9 < video.duration < 2.2
    assert video.original.name.rsplit("/", 1)[-1] != "in.mov"  # never the uploaded name
    [instagram] = videos.check_post_media(video.post, [Channel.INSTAGRAM])
    assert any("Instagram takes reels of 3 seconds or more; this video is 2.0 s" in p
               for p in instagram.problems)


# --- the check per channel --------------------------------------------------------------------


def test_every_track_must_be_tagged_or_blurred_and_confirmed_before_a_channel_allows_it(
    school: Any, admin: Any, tmp_path: Path, make_pupil: Any
) -> None:
    video = _with_video(school, admin, tmp_path, channels=[Channel.PARENTS_GROUP,
                                                           Channel.FACEBOOK])
    post = video.post
    [track] = video.tracks.all()
    [group, facebook] = videos.check_post_media(post)
    assert "Video: Face 1 is not tagged yet." in group.problems
    [instagram] = videos.check_post_media(post, [Channel.INSTAGRAM])
    assert not any("reels of 3 seconds" in p for p in instagram.problems)
    with pytest.raises(ValidationError, match="Not sent: the video check fails for"):
        actions.do_submit(post, actor=admin)
    assert any("watched the whole video" in p for p in group.problems)
    with pytest.raises(ValidationError, match="Deal with every box first"):
        videos.do_confirm_video(video, actor=admin, version=_version(video), no_people=False)

    restricted = make_pupil(school, first="Sam", restricted=True)
    videos.do_tag_tracks(video, actor=admin, tags={track.pk: f"pupil:{restricted.pk}"})
    videos.do_confirm_video(video, actor=admin, version=_version(video), no_people=False)
    assert all(any("restricted list" in p for p in v.problems)
               for v in videos.check_post_media(post))
    with pytest.raises(ValidationError, match="can't be dismissed"):
        videos.do_tag_tracks(video, actor=admin, tags={track.pk: "not_face"})

    group_only = make_pupil(school, first="Ellie", consent={Channel.PARENTS_GROUP: "given"})
    videos.do_tag_tracks(video, actor=admin, tags={track.pk: f"pupil:{group_only.pk}"})
    assert any("watched" in p for p in videos.check_post_media(post)[0].problems)  # voided
    videos.do_confirm_video(video, actor=admin, version=_version(video), no_people=False)
    [group, facebook] = videos.check_post_media(post)
    assert group.ok and any("Ellie Lee has no consent for Facebook" in p
                            for p in facebook.problems)

    videos.do_blur_untagged(video, actor=admin)  # nothing untagged: no change
    videos.do_tag_tracks(video, actor=admin, tags={track.pk: VideoTrack.Kind.BLUR})
    videos.do_confirm_video(video, actor=admin, version=_version(video), no_people=False)
    assert all(v.ok for v in videos.check_post_media(post))


def test_a_face_the_check_missed_is_added_by_hand_and_must_be_dealt_with(
    school: Any, admin: Any, tmp_path: Path
) -> None:
    video = _with_video(school, admin, tmp_path, face=False)
    assert not video.tracks.exists()
    videos.do_confirm_video(video, actor=admin, version=_version(video), no_people=True)
    assert all(v.ok for v in videos.check_post_media(video.post))

    track = videos.do_add_track(video, actor=admin, left=10, top=20, width=25, height=30,
                                start=0.5, end=2.5)
    assert (track.x, track.y, track.w, track.h) == (32, 48, 80, 72)
    assert track.thumbnail.read().startswith(b"\xff\xd8")
    problems = videos.check_post_media(video.post)[0].problems
    assert "Video: Face 1 is not tagged yet." in problems
    assert any("watched the whole video" in p for p in problems)  # the confirmation is void
    assert box_at([tuple(b) for b in track.boxes], 1.5, 0.5) == (20, 37, 104, 94)

    videos.do_tag_tracks(video, actor=admin, tags={track.pk: VideoTrack.Kind.BLUR})
    videos.do_confirm_video(video, actor=admin, version=_version(video), no_people=False)
    assert all(v.ok for v in videos.check_post_media(video.post))


# --- tagging a track: the pupil search (the photo check's) ----------------------------------


def _video_with_a_face_added_by_hand(school: Any, admin: Any, tmp_path: Path,
                                     body: str) -> tuple[Video, VideoTrack]:
    video = _with_video(school, admin, tmp_path, face=False, seconds=1, audio=False, body=body)
    track = videos.do_add_track(video, actor=admin, left=10, top=10, width=30, height=40,
                                start=0, end=1)
    return video, track


def test_a_tracks_pupil_search_finds_by_name_year_and_class_with_the_posts_year_first(
    school: Any, admin: Any, tmp_path: Path, make_pupil: Any, make_school: Any,
    make_user: Any, make_parent: Any, login_client: Any
) -> None:
    six = make_pupil(school, first="Amira", last="Khan", year="Year 6", class_name="6K")
    four = make_pupil(school, first="Amir", last="Shah", year="Year 4", class_name="4B")
    hidden = make_pupil(school, first="Amir", last="Cole", year="Year 2", restricted=True)
    elsewhere = make_school()
    make_pupil(elsewhere, first="Amira", last="Khan", year="Year 4")
    video, track = _video_with_a_face_added_by_hand(school, admin, tmp_path,
                                                    "Year 4's relay at sports day")
    url = reverse("staff:publishing_video_pupils", kwargs={"slug": school.slug,
                                                            "pk": video.post.pk})
    client = login_client(admin)

    def found(q: str) -> list[dict[str, Any]]:
        return client.get(url, {"q": q}).json()["results"]

    assert [r["name"] for r in found("amir")] == ["Amir Shah", "Amir Cole", "Amira Khan"]
    assert found("amir")[0] == {"value": f"pupil:{four.pk}", "name": "Amir Shah",
                                "year": "Year 4", "class": "4B", "restricted": False}
    assert [r["value"] for r in found("year 6 khan")] == [f"pupil:{six.pk}"]
    assert [r["value"] for r in found("4b")] == [f"pupil:{four.pk}"]
    assert [r["restricted"] for r in found("cole")] == [True]  # shown, marked

    # Once a Year 6 pupil is tagged in the video, Year 6 comes first.
    videos.do_tag_tracks(video, actor=admin, tags={track.pk: f"pupil:{six.pk}"})
    assert videos.suggested_group(video) == Suggestion("Year 6", "6K")
    assert [r["name"] for r in found("amir")] == ["Amira Khan", "Amir Cole", "Amir Shah"]

    # A restricted pupil picked from the search is tagged and blocks every channel.
    response = client.post(reverse("staff:publishing_video_tags", kwargs={
        "slug": school.slug, "pk": video.post.pk}), {f"track-{track.pk}": f"pupil:{hidden.pk}"})
    assert response.status_code == 302
    assert all(any("restricted list" in p for p in v.problems)
               for v in videos.check_post_media(video.post))

    # Only this school's posting staff, and only this school's videos.
    outsider = make_user(school=elsewhere, roles=("administrator",))
    assert login_client(outsider).get(url, {"q": "amir"}).status_code in (403, 404)
    foreign = reverse("staff:publishing_video_pupils", kwargs={"slug": elsewhere.slug,
                                                                "pk": video.post.pk})
    assert login_client(outsider).get(foreign, {"q": "amir"}).status_code == 404
    assert login_client(make_parent(school).user).get(url, {"q": "amir"}).status_code == 403
    leader = make_user(school=school, roles=("leadership",))
    assert login_client(leader).get(url, {"q": "amir"}).status_code == 403


def test_the_video_check_offers_the_search_over_a_select_of_every_pupil_on_roll(
    school: Any, admin: Any, tmp_path: Path, make_pupil: Any, login_client: Any
) -> None:
    """The select still lists everyone (it works without script), the post's year first; the
    search box (shown by photo-check.js, no inline script) asks the video's search URL."""
    two = make_pupil(school, first="Ben", year="Year 2")
    four = make_pupil(school, first="Ava", year="Year 4", class_name="4B")
    video, track = _video_with_a_face_added_by_hand(school, admin, tmp_path,
                                                    "Year 4 at the Roman museum")
    page = login_client(admin).get(reverse("staff:publishing_video", kwargs={
        "slug": school.slug, "pk": video.post.pk})).content.decode()
    select = page[page.index(f'<select id="track-{track.pk}"'):]
    select = select[:select.index("</select>")]
    assert "data-pupil-select" in select
    assert select.index('<optgroup label="Year 4">') < select.index(f"pupil:{four.pk}") < (
        select.index('<optgroup label="Other pupils">')) < select.index(f"pupil:{two.pk}")
    search = reverse("staff:publishing_video_pupils", kwargs={"slug": school.slug,
                                                               "pk": video.post.pk})
    assert f'data-search-url="{search}" data-for="track-{track.pk}" hidden' in page
    assert 'role="combobox"' in page and "consent/photo-check" in page
    assert "<script>" not in page and " style=" not in page


def _version(video: Video) -> str:
    return videos.video_version(video, list(video.tracks.all()))


# --- the published copy -----------------------------------------------------------------------


BRANDS = {"major_brand", "minor_version", "compatible_brands"}
# What ffprobe reports from any MP4's structure (default handler names, no language).
STRUCTURAL = {"language": "und", "handler_name": {"VideoHandler", "SoundHandler"},
              "vendor_id": "[0][0][0][0]"}


@needs_ffprobe
def test_the_published_copy_is_re_encoded_with_no_metadata_and_blurred_faces(
    tmp_path: Path, settings: Any
) -> None:
    source = make_video(tmp_path / "phone.mov", seconds=2)
    before = ffprobe(source)
    assert before["format"]["tags"]["location"] == LOCATION  # the test video has it to lose
    assert "creation_time" in before["format"]["tags"]
    with source.open("rb") as handle:
        checked = check_video(handle)
    [track] = checked.tracks
    out = tmp_path / "published.mp4"
    with source.open("rb") as handle:
        render_video(handle, out, [track.boxes])

    probed = ffprobe(out)
    assert set(probed["format"].get("tags", {})) <= BRANDS
    assert "mp4" in probed["format"]["format_name"]
    assert [s["codec_name"] for s in probed["streams"]] == ["h264", "aac"]
    for stream in probed["streams"]:
        for key, value in stream.get("tags", {}).items():
            allowed = STRUCTURAL.get(key)
            assert allowed is not None, f"stream tag {key}={value} left in"
            assert value in allowed if isinstance(allowed, set) else value == allowed
    data = out.read_bytes()
    for leftover in (b"\xa9xyz", LOCATION.encode(), TITLE.encode(), b"Lavf", b"iPhone",
                     b"ISO6709", b"2026-05-01"):
        assert leftover not in data
    assert data.index(b"moov") < data.index(b"mdat")  # faststart: the index comes first
    assert 1.9 < float(probed["format"]["duration"]) < 2.2

    # The face is blurred on every frame: the detector finds nothing in the published copy,
    # while it finds the face in the same frames of the original.
    assert _faces_per_frame(source) and all(_faces_per_frame(source))
    assert not any(_faces_per_frame(out))


def _faces_per_frame(path: Path) -> list[int]:
    with av.open(str(path)) as container:
        return [len(detect_faces(frame.to_image()))
                for n, frame in enumerate(container.decode(video=0)) if n % 4 == 0]


# --- delivery ---------------------------------------------------------------------------------


def _agreed_video_post(school: Any, admin: Any, leader: Any, tmp_path: Path,
                       channels: list[str], tag: str = VideoTrack.Kind.BLUR) -> Post:
    video = _with_video(school, admin, tmp_path, channels=channels, audio=False)
    [track] = video.tracks.all()
    videos.do_tag_tracks(video, actor=admin, tags={track.pk: tag})
    videos.do_confirm_video(video, actor=admin, version=_version(video), no_people=False)
    post = Post.objects.get(pk=video.post_id)
    post.publish_at = timezone.now() + dt.timedelta(hours=1)
    post.save()
    post = actions.do_submit(post, actor=admin)
    return actions.do_agree(post, actor=leader, fingerprint=post.fingerprint())


def test_a_video_goes_to_the_page_as_a_video_and_to_instagram_as_a_reel(
    school: Any, admin: Any, leader: Any, tmp_path: Path, connected: Any, fake_graph: Any
) -> None:
    post = _agreed_video_post(school, admin, leader, tmp_path,
                              [Channel.FACEBOOK, Channel.INSTAGRAM])
    assert run_due(timezone.now() + dt.timedelta(hours=2)) == {"published": 2}
    state = fake_graph.state
    [upload] = state.calls("POST", f"{state.page_id}/videos")
    assert upload["params"]["published"] == "false"
    assert "/media-link/" in upload["params"]["file_url"]
    assert upload["params"]["description"] == "Sports day"
    [page_video] = [o for o in state.objects.values() if o["kind"] == "page_video"]
    assert page_video["published"] is True
    facebook = post.deliveries.get(channel=Channel.FACEBOOK)
    assert facebook.remote_url == (f"https://www.facebook.com/{state.page_id}/videos/"
                                   f"{facebook.remote_id}/")
    [reel] = state.calls("POST", f"{state.ig_id}/media")
    assert reel["params"]["media_type"] == "REELS" and reel["params"]["share_to_feed"] == "true"
    assert "/media-link/" in reel["params"]["video_url"]
    assert len(state.calls("POST", "media_publish")) == 1
    video = Video.objects.get(post=post)
    assert video.published and video.rendered_at is not None

    # The link Meta fetches serves the published copy, as MP4, and nothing else.
    link = reel["params"]["video_url"].split("testserver", 1)[-1]
    response = Client().get(link)
    assert response["Content-Type"] == "video/mp4"
    served = b"".join(response.streaming_content)
    assert served == video.published.read() and served != video.original.read()


def test_a_retry_after_the_page_upload_does_not_upload_the_video_twice(
    school: Any, admin: Any, leader: Any, tmp_path: Path, connected: Any, fake_graph: Any
) -> None:
    post = _agreed_video_post(school, admin, leader, tmp_path, [Channel.FACEBOOK])
    # The upload goes through; switching the video live (POST /{video-id}) fails once.
    fake_graph.fail_next("POST", "90000000", 500, meta_error(
        "An unexpected error has occurred.", 2, transient=True))
    assert run_due(timezone.now() + dt.timedelta(hours=2)) == {"pending": 1}
    assert run_due(timezone.now() + dt.timedelta(hours=3)) == {"published": 1}
    state = fake_graph.state
    assert len(state.calls("POST", f"{state.page_id}/videos")) == 1
    assert post.deliveries.get().remote_ref["video"] == post.deliveries.get().remote_id


def test_the_group_shows_the_published_copy_to_members_only(
    school: Any, admin: Any, leader: Any, tmp_path: Path, make_user: Any, make_parent: Any
) -> None:
    post = _agreed_video_post(school, admin, leader, tmp_path, [Channel.PARENTS_GROUP])
    assert run_due(timezone.now() + dt.timedelta(hours=2)) == {"published": 1}
    video = Video.objects.get(post=post)
    group_post = post.deliveries.get().community_post
    assert video.group_post == group_post
    url = reverse("group_video", kwargs={"slug": school.slug, "pk": group_post.pk})
    outsider = Client()
    assert outsider.get(url).status_code == 302  # to sign in
    outsider.force_login(make_user(name="Someone Else", email="else@example.com"))
    assert outsider.get(url).status_code == 403
    member = Client()
    member.force_login(make_parent(school, name="A Parent", email="p@example.com").user)
    response = member.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    assert b"".join(response.streaming_content) == video.published.read()
    feed = member.get(reverse("feed", kwargs={"slug": school.slug})).content.decode()
    assert f'<video src="{url}"' in feed


# Committed data: with a broker, the Celery worker reads the rows on its own connection.
@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_hides_the_video_from_the_group_and_deletes_it_from_the_page(
    school: Any, admin: Any, leader: Any, tmp_path: Path, connected: Any, fake_graph: Any,
    make_pupil: Any, make_parent: Any, background: Any
) -> None:
    ellie = make_pupil(school, first="Ellie")
    post = _agreed_video_post(school, admin, leader, tmp_path,
                              [Channel.PARENTS_GROUP, Channel.FACEBOOK], tag=f"pupil:{ellie.pk}")
    assert run_due(timezone.now() + dt.timedelta(hours=2)) == {"published": 2}
    facebook = post.deliveries.get(channel=Channel.FACEBOOK)
    assert facebook.remote_id in fake_graph.state.objects
    group_post = post.deliveries.get(channel=Channel.PARENTS_GROUP).community_post
    url = reverse("group_video", kwargs={"slug": school.slug, "pk": group_post.pk})
    member = Client()
    member.force_login(make_parent(school).user)
    assert member.get(url).status_code == 200

    with background():
        do_reach_past(ellie, channels=[Channel.PARENTS_GROUP, Channel.FACEBOOK], actor=None,
                      reason="Consent withdrawn")
    assert member.get(url).status_code == 404
    feed = member.get(reverse("feed", kwargs={"slug": school.slug})).content.decode()
    assert "<video" not in feed and "Sports day" not in feed
    facebook.refresh_from_db()
    assert facebook.state == "removed" and "Consent withdrawn" in facebook.message
    assert facebook.remote_id not in fake_graph.state.objects


def test_the_website_feeds_enclose_the_published_video_until_consent_is_withdrawn(
    school: Any, admin: Any, leader: Any, tmp_path: Path, make_pupil: Any
) -> None:
    ellie = make_pupil(school, first="Ellie")
    post = _agreed_video_post(school, admin, leader, tmp_path, [Channel.WEBSITE],
                              tag=f"pupil:{ellie.pk}")
    assert run_due(timezone.now() + dt.timedelta(hours=2)) == {"published": 1}
    url = reverse("news_video", kwargs={"slug": school.slug, "pk": post.pk})
    public = Client()
    response = public.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    assert b"".join(response.streaming_content) == Video.objects.get().published.read()
    rss = public.get(reverse("news_rss", kwargs={"slug": school.slug})).content.decode()
    assert 'type="video/mp4"' in rss and url in rss
    feed = public.get(reverse("news_json", kwargs={"slug": school.slug})).json()
    assert feed["items"][0]["attachments"][0]["mime_type"] == "video/mp4"
    assert "<video" in public.get(reverse("news", kwargs={"slug": school.slug})).content.decode()

    do_reach_past(ellie, channels=[Channel.WEBSITE], actor=None, reason="Consent withdrawn")
    assert public.get(url).status_code == 404
    assert post.deliveries.get().state == "removed"
