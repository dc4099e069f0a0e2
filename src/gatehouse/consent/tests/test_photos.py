"""Photo checks: uploads, the verdict per channel, blurring, publishing without metadata."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gatehouse.accounts.models import Role
from gatehouse.community.models import Post
from gatehouse.consent.imaging.strip import has_metadata
from gatehouse.consent.models import (
    Channel,
    Delivery,
    Face,
    Photo,
    PhotoDraft,
    PostImage,
    StaffImagePermission,
)
from gatehouse.consent.photos import check_photos, do_publish_draft, do_tag_faces
from gatehouse.consent.tests.conftest import GROUP_PHOTO, jpeg_with_gps


def _png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0"))


def _animated_gif() -> bytes:
    frames = [Image.new("RGB", (40, 40), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


BAD_UPLOADS = {
    "truncated JPEG": (jpeg_with_gps()[:600], "damaged or incomplete"),
    "SVG": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
            "a drawing (SVG), not a photo"),
    "huge PNG": (_png_declaring(100_000, 100_000), "too large to process"),
    "animated GIF": (_animated_gif(), "Animated images cannot be checked"),
    "empty": (b"", "The file is empty"),
}


def _new_draft(client: Any, school: Any, data: bytes, name: str = "photo.jpg") -> Any:
    return client.post(reverse("staff:draft_new", kwargs={"slug": school.slug}), {
        "body": "Roman day!", "channels": ["parents_group"], "alt_text": "Pupils in the hall",
        "photo": SimpleUploadedFile(name, data, content_type="image/jpeg")})


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=list(BAD_UPLOADS))
def test_bad_uploads_get_a_clear_message_and_nothing_is_saved(
    school: Any, admin: Any, login_client: Any, _media_root: Path, case: str
) -> None:
    data, message = BAD_UPLOADS[case]
    response = _new_draft(login_client(admin), school, data, name="photo.jpg")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Roman day!" in response.content.decode()  # the text typed is kept
    assert not PhotoDraft.objects.exists() and not Photo.objects.exists()
    assert not _media_root.exists() or not any(p.is_file() for p in _media_root.rglob("*"))


@pytest.mark.skipif(not GROUP_PHOTO.exists(), reason="group photo not available")
def test_a_group_photo_is_stored_privately_and_its_faces_found(
    school: Any, admin: Any, login_client: Any, make_parent: Any, _media_root: Path
) -> None:
    client = login_client(admin)
    response = _new_draft(client, school, GROUP_PHOTO.read_bytes(), name="Ellie Lee.jpg")
    draft = PhotoDraft.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{draft.pk}/")
    photo = draft.photos.get()
    assert photo.faces.filter(source=Face.Source.DETECTED).count() == 3
    assert "Ellie" not in photo.original.name  # the uploaded name is never kept
    assert Path(photo.original.path).is_relative_to(_media_root)
    page = client.get(response["Location"]).content.decode()
    assert page.count('data-face="') == photo.faces.count()
    assert "is not tagged yet" in page
    preview = reverse("staff:photo_preview", kwargs={"slug": school.slug, "pk": photo.pk})
    assert client.get(preview)["Content-Type"] == "image/jpeg"
    parent = login_client(make_parent(school).user)
    assert parent.get(preview).status_code == 403
    original = reverse("staff:photo_original", kwargs={"slug": school.slug, "pk": photo.pk})
    assert parent.get(original).status_code == 403


@pytest.fixture
def checked(school: Any, admin: Any, make_draft: Any, make_photo: Any) -> Photo:
    draft = make_draft(school, admin, channels=[Channel.PARENTS_GROUP, Channel.FACEBOOK])
    return make_photo(draft, boxes=[(10, 10, 80, 80), (150, 40, 90, 90), (300, 60, 80, 80)])


def _faces(photo: Photo) -> list[Face]:
    return list(photo.faces.order_by("x"))


def _verdict(photo: Photo) -> dict[str, list[str]]:
    return {v.channel: v.problems for v in check_photos(photo.draft)}


def test_untagged_faces_block_every_channel(checked: Photo) -> None:
    verdict = _verdict(checked)
    assert all(len(problems) == 4 for problems in verdict.values())  # 3 faces, unconfirmed
    assert "Face 1 is not tagged yet." in verdict["parents_group"]
    assert "Nobody has confirmed yet" in verdict["parents_group"][0]


def test_tagged_pupils_with_consent_staff_with_permission_and_adults_clear(
    school: Any, admin: Any, checked: Photo, make_pupil: Any, confirm: Any
) -> None:
    StaffImagePermission.objects.create(school=school, user=admin, given=True)
    one, two, three = _faces(checked)
    do_tag_faces(checked, actor=admin, tags={one.pk: f"pupil:{make_pupil(school).pk}",
                                             two.pk: f"staff:{admin.pk}", three.pk: "adult"})
    confirm(checked.draft, admin)
    assert _verdict(checked) == {"parents_group": [], "facebook": []}


def test_a_restricted_pupil_blocks_until_blurred(school: Any, admin: Any, checked: Photo,
                                                 make_pupil: Any, confirm: Any) -> None:
    hidden = make_pupil(school, first="Hidden", restricted=True)
    one, two, three = _faces(checked)
    do_tag_faces(checked, actor=admin, tags={one.pk: f"pupil:{hidden.pk}", two.pk: "adult",
                                             three.pk: "adult"})
    assert "restricted list" in _verdict(checked)["parents_group"][1]
    do_tag_faces(checked, actor=admin, tags={one.pk: "blur"})
    confirm(checked.draft, admin)
    assert _verdict(checked) == {"parents_group": [], "facebook": []}


def test_missing_consent_blocks_only_that_channel(school: Any, admin: Any, checked: Photo,
                                                  make_pupil: Any, confirm: Any) -> None:
    pupil = make_pupil(school, consent={"parents_group": "given", "facebook": "refused"})
    tags = {f.pk: "adult" for f in _faces(checked)} | {_faces(checked)[0].pk: f"pupil:{pupil.pk}"}
    do_tag_faces(checked, actor=admin, tags=tags)
    confirm(checked.draft, admin)
    verdict = _verdict(checked)
    assert verdict["parents_group"] == []
    assert "no consent for Facebook (refused)" in verdict["facebook"][0]


def test_staff_without_permission_block(school: Any, admin: Any, checked: Photo,
                                        make_user: Any, confirm: Any) -> None:
    teacher = make_user(school=school, roles=(Role.STAFF,), name="Daniel Patel")
    tags = {f.pk: "adult" for f in _faces(checked)} | {_faces(checked)[0].pk: f"staff:{teacher.pk}"}
    do_tag_faces(checked, actor=admin, tags=tags)
    confirm(checked.draft, admin)
    assert "Daniel Patel has not given permission" in _verdict(checked)["parents_group"][0]


def test_tags_must_be_people_of_this_school(school: Any, admin: Any, checked: Photo,
                                            make_school: Any, make_pupil: Any) -> None:
    elsewhere = make_pupil(make_school())
    with pytest.raises(ValidationError):
        do_tag_faces(checked, actor=admin, tags={_faces(checked)[0].pk: f"pupil:{elsewhere.pk}"})


def test_publishing_is_refused_while_blocked(admin: Any, checked: Photo) -> None:
    with pytest.raises(ValidationError, match="photo check fails for Parents' group, Facebook"):
        do_publish_draft(checked.draft, actor=admin)
    assert not Post.objects.exists() and not Delivery.objects.exists()


def test_publishing_blurs_strips_metadata_and_queues_other_channels(
    school: Any, admin: Any, checked: Photo, make_pupil: Any, make_parent: Any,
    login_client: Any, confirm: Any
) -> None:
    assert has_metadata(checked.original.open("rb").read())  # the upload had GPS and owner
    one, two, three = _faces(checked)
    do_tag_faces(checked, actor=admin, tags={one.pk: "blur", two.pk: "adult",
                                             three.pk: f"pupil:{make_pupil(school).pk}"})
    confirm(checked.draft, admin)
    draft = do_publish_draft(checked.draft, actor=admin)
    post = Post.objects.get()
    assert draft.post == post and post.body == "Year 4's Roman day"
    assert {d.channel: d.status for d in draft.deliveries.all()} == {
        "parents_group": "published", "facebook": "queued"}
    image = PostImage.objects.get(post=post)
    published = image.photo.published.open("rb").read()
    assert not has_metadata(published)
    assert Image.open(io.BytesIO(published)).getexif() == {}
    feed = login_client(make_parent(school).user)
    page = feed.get(reverse("feed", kwargs={"slug": school.slug})).content.decode()
    assert 'alt="Children in the hall"' in page
    served = feed.get(reverse("post_image", kwargs={"slug": school.slug, "pk": image.pk}))
    assert b"".join(served.streaming_content) == published


def test_blurring_changes_the_pixels_of_a_detailed_face(
    school: Any, admin: Any, make_draft: Any, make_photo: Any, confirm: Any
) -> None:
    img = Image.new("L", (200, 200))
    img.putdata([255 * ((x // 4 + y // 4) % 2) for y in range(200) for x in range(200)])
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=95)
    photo = make_photo(make_draft(school, admin), boxes=[(50, 50, 60, 60)], data=out.getvalue())
    do_tag_faces(photo, actor=admin, tags={photo.faces.get().pk: "blur"})
    confirm(photo.draft, admin)
    do_publish_draft(photo.draft, actor=admin)
    photo.refresh_from_db()
    after = Image.open(photo.published.open("rb")).convert("L")
    low, high = after.crop((60, 60, 100, 100)).getextrema()
    assert high - low < 80  # the checkerboard is gone inside the face
    low, high = after.crop((0, 0, 30, 30)).getextrema()
    assert high - low > 200  # and untouched outside it


def test_a_missed_face_can_be_added_by_hand_and_then_blocks(
    school: Any, admin: Any, checked: Photo, login_client: Any, confirm: Any
) -> None:
    do_tag_faces(checked, actor=admin, tags={f.pk: "adult" for f in _faces(checked)})
    confirm(checked.draft, admin)
    url = reverse("staff:add_face", kwargs={"slug": school.slug, "pk": checked.pk})
    response = login_client(admin).post(url, {"left": "50", "top": "50", "width": "10",
                                              "height": "12"})
    assert response.status_code == 302
    added = checked.faces.get(source=Face.Source.MANUAL)
    assert (added.x, added.y, added.w, added.h) == (200, 150, 40, 36)
    # the new face blocks, and so does the void confirmation (the photo changed after it)
    assert len(_verdict(checked)["parents_group"]) == 2


def _crowd(columns: int = 26, rows: int = 24) -> bytes:
    """One face tiled 600 times: more faces than anyone can check one by one."""
    face = Image.open(GROUP_PHOTO).convert("RGB").crop((225, 190, 306, 290)).resize((64, 80))
    crowd = Image.new("RGB", (columns * 72, rows * 88), (128, 128, 128))
    for i in range(columns):
        for j in range(rows):
            crowd.paste(face, (i * 72 + 4, j * 88 + 4))
    out = io.BytesIO()
    crowd.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.mark.skipif(not GROUP_PHOTO.exists(), reason="group photo not available")
def test_a_photo_with_too_many_faces_is_refused(school: Any, admin: Any,
                                                login_client: Any) -> None:
    response = _new_draft(login_client(admin), school, _crowd())
    assert response.status_code == 400
    assert "more than 500 faces" in response.content.decode()
    assert not PhotoDraft.objects.exists()


@pytest.mark.skipif(not GROUP_PHOTO.exists(), reason="group photo not available")
def test_an_iphone_heic_photo_is_accepted_and_shown_as_jpeg(school: Any, admin: Any,
                                                            login_client: Any) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.open(GROUP_PHOTO).save(out, "HEIF")
    client = login_client(admin)
    assert _new_draft(client, school, out.getvalue(), name="IMG_0001.HEIC").status_code == 302
    photo = Photo.objects.get()
    assert photo.faces.filter(source=Face.Source.DETECTED).count() == 3
    preview = client.get(reverse("staff:photo_preview",
                                 kwargs={"slug": school.slug, "pk": photo.pk}))
    assert b"".join(preview.streaming_content).startswith(b"\xff\xd8")


def test_dropping_a_channel_without_consent_lets_the_rest_publish(
    school: Any, admin: Any, checked: Photo, make_pupil: Any, login_client: Any,
    confirm: Any, make_user: Any
) -> None:
    from gatehouse.publishing.actions import do_agree
    from gatehouse.publishing.delivery import run_due
    from gatehouse.publishing.models import Post as PublishingPost

    pupil = make_pupil(school, consent={"parents_group": "given", "facebook": "refused"})
    tags = {f.pk: "adult" for f in _faces(checked)} | {_faces(checked)[0].pk: f"pupil:{pupil.pk}"}
    do_tag_faces(checked, actor=admin, tags=tags)
    confirm(checked.draft, admin)
    client = login_client(admin)
    url = reverse("staff:set_channels", kwargs={"slug": school.slug, "pk": checked.draft_id})
    client.post(url, {"channels": ["parents_group"]})
    checked.draft.refresh_from_db()
    assert _verdict(checked) == {"parents_group": []}
    client.post(reverse("staff:publish_draft", kwargs={"slug": school.slug,
                                                       "pk": checked.draft_id}))
    post = PublishingPost.objects.get()  # photo posts publish through `publishing`
    assert post.channels == ["parents_group"] and post.state == post.State.SUBMITTED
    leader = make_user(school=school, roles=("leadership",))
    do_agree(post, actor=leader, fingerprint=post.fingerprint())
    assert run_due() == {"published": 1}
    assert [d.channel for d in Delivery.objects.all()] == ["parents_group"]
    assert client.post(url, {"channels": ["facebook"]}).status_code == 302
    checked.draft.refresh_from_db()
    assert checked.draft.channels == ["parents_group"]  # published drafts don't change
