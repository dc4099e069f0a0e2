"""A person accounts for everyone in each photo: confirmations tied to a version, possible
faces, dismissals, blurring every untagged face, replacing a photo, and finding pupils."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gatehouse.audit.models import AuditEntry
from gatehouse.consent.models import Face, Photo, PhotoConfirmation
from gatehouse.consent.photos import (
    Suggestion,
    check_photos,
    current_confirmation,
    do_blur_untagged,
    do_confirm_photo,
    do_publish_draft,
    do_tag_faces,
    photo_version,
    prepare_upload,
    search_pupils,
    suggested_group,
)
from gatehouse.consent.tests.conftest import GROUP_PHOTO


def _version(photo: Photo) -> str:
    return photo_version(photo, list(photo.faces.all()))


def _problems(photo: Photo) -> list[str]:
    return check_photos(photo.draft)[0].problems


@pytest.fixture
def photo(school: Any, admin: Any, make_draft: Any, make_photo: Any) -> Photo:
    return make_photo(make_draft(school, admin), boxes=[(10, 10, 80, 80), (150, 40, 90, 90)])


def _tag_all(photo: Photo, admin: Any, value: str = "adult") -> None:
    do_tag_faces(photo, actor=admin, tags={f.pk: value for f in photo.faces.all()})


def test_a_tagged_photo_is_blocked_until_its_poster_confirms_and_the_confirmation_is_audited(
    admin: Any, photo: Photo
) -> None:
    _tag_all(photo, admin)
    assert any("Nobody has confirmed" in p for p in _problems(photo))
    with pytest.raises(ValidationError):
        do_publish_draft(photo.draft, actor=admin)
    version = _version(photo)
    do_confirm_photo(photo, actor=admin, version=version, no_people=False)
    assert _problems(photo) == []
    entry = AuditEntry.objects.get(action="consent.photo.confirmed")
    assert entry.actor == admin and entry.object_id == str(photo.pk)
    assert entry.details["version"] == version and entry.details["no_people"] is False
    assert do_publish_draft(photo.draft, actor=admin).published_at is not None


def test_a_change_after_confirmation_voids_it(admin: Any, photo: Photo) -> None:
    _tag_all(photo, admin)
    do_confirm_photo(photo, actor=admin, version=_version(photo), no_people=False)
    first = photo.faces.order_by("x").first()
    do_tag_faces(photo, actor=admin, tags={first.pk: "blur"})
    assert current_confirmation(photo, list(photo.faces.all())) is None
    assert any("Nobody has confirmed" in p for p in _problems(photo))
    voided = AuditEntry.objects.get(action="consent.photo.confirmation_voided")
    assert voided.details["reason"] == "tags changed"


def test_a_stale_version_is_refused(admin: Any, photo: Photo) -> None:
    _tag_all(photo, admin)
    stale = _version(photo)
    do_tag_faces(photo, actor=admin, tags={photo.faces.first().pk: "blur"})
    with pytest.raises(ValidationError, match="changed after you opened this page"):
        do_confirm_photo(photo, actor=admin, version=stale, no_people=False)
    assert not PhotoConfirmation.objects.exists()


def test_a_photo_with_untagged_boxes_cannot_be_confirmed(admin: Any, photo: Photo) -> None:
    with pytest.raises(ValidationError, match="Deal with every box first: tag, blur or dismiss "
                                              "face 1, 2"):
        do_confirm_photo(photo, actor=admin, version=_version(photo), no_people=False)


def test_a_photo_with_no_face_needs_no_people_confirmed(
    school: Any, admin: Any, make_draft: Any, make_photo: Any, login_client: Any
) -> None:
    empty = make_photo(make_draft(school, admin), boxes=[])
    assert any("Nobody has confirmed" in p for p in _problems(empty))
    with pytest.raises(ValidationError, match="No face is marked"):
        do_confirm_photo(empty, actor=admin, version=_version(empty), no_people=False)
    client = login_client(admin)
    url = reverse("staff:confirm_photo", kwargs={"slug": school.slug, "pk": empty.pk})
    client.post(url, {"version": _version(empty), "no_people": "on"})  # box not ticked
    assert not PhotoConfirmation.objects.exists()
    client.post(url, {"version": _version(empty), "no_people": "on", "looked": "on"})
    assert PhotoConfirmation.objects.get().no_people is True
    page = client.get(reverse("staff:draft", kwargs={"slug": school.slug,
                                                    "pk": empty.draft_id})).content.decode()
    assert "Alex Morgan confirmed" in page and "there is no one in it" in page


def test_no_people_cannot_be_claimed_for_a_photo_with_faces(admin: Any, photo: Photo) -> None:
    _tag_all(photo, admin)
    with pytest.raises(ValidationError, match="has tagged faces"):
        do_confirm_photo(photo, actor=admin, version=_version(photo), no_people=True)


def test_confirming_another_schools_photo_is_refused(
    admin: Any, make_school: Any, make_user: Any, make_draft: Any, make_photo: Any,
    login_client: Any, school: Any
) -> None:
    from gatehouse.accounts.models import Role

    other = make_school()
    poster = make_user(school=other, roles=(Role.ADMINISTRATOR,))
    theirs = make_photo(make_draft(other, poster), boxes=[])
    url = reverse("staff:confirm_photo", kwargs={"slug": school.slug, "pk": theirs.pk})
    response = login_client(admin).post(url, {"version": _version(theirs), "no_people": "on",
                                              "looked": "on"})
    assert response.status_code == 404
    assert not PhotoConfirmation.objects.exists()


def test_possible_faces_must_be_dealt_with_and_dismissals_are_audited(
    admin: Any, photo: Photo, school: Any, login_client: Any
) -> None:
    Face.objects.create(photo=photo, x=300, y=200, w=20, h=20, score=0.25,
                        source=Face.Source.POSSIBLE)
    _tag_all(photo, admin)
    photo.faces.filter(source=Face.Source.POSSIBLE).update(kind=Face.Kind.UNTAGGED)
    assert any("possible face" in p for p in _problems(photo))
    possible = photo.faces.get(source=Face.Source.POSSIBLE)
    url = reverse("staff:tag_faces", kwargs={"slug": school.slug, "pk": photo.pk})
    login_client(admin).post(url, {"quick": f"not_face:{possible.pk}"})  # one click
    possible.refresh_from_db()
    assert possible.kind == Face.Kind.NOT_FACE and possible.tagged_by == admin
    entry = AuditEntry.objects.get(action="consent.face.dismissed")
    assert entry.details["source"] == "possible"
    assert not any("possible face" in p for p in _problems(photo))


def test_a_box_a_restricted_pupils_tag_covers_cannot_be_dismissed(
    admin: Any, photo: Photo, school: Any, make_pupil: Any, login_client: Any
) -> None:
    hidden = make_pupil(school, first="Hidden", restricted=True)
    tagged = photo.faces.order_by("x").first()
    do_tag_faces(photo, actor=admin, tags={tagged.pk: f"pupil:{hidden.pk}"})
    twin = Face.objects.create(photo=photo, x=15, y=12, w=75, h=78,
                               source=Face.Source.POSSIBLE)
    for face in (tagged, twin):
        with pytest.raises(ValidationError, match="Hidden Lee, who is tagged there and is on "
                                                  "the restricted list. Blur it instead"):
            do_tag_faces(photo, actor=admin, tags={face.pk: "not_face"})
    url = reverse("staff:tag_faces", kwargs={"slug": school.slug, "pk": photo.pk})
    response = login_client(admin).post(url, {"quick": f"not_face:{twin.pk}"}, follow=True)
    assert "restricted list. Blur it instead" in response.content.decode()
    twin.refresh_from_db()
    assert twin.kind == Face.Kind.UNTAGGED


def test_blur_every_untagged_face_is_one_action(admin: Any, photo: Photo, school: Any,
                                                  make_pupil: Any) -> None:
    pupil = make_pupil(school)
    first, second = photo.faces.order_by("x")
    do_tag_faces(photo, actor=admin, tags={first.pk: f"pupil:{pupil.pk}"})
    Face.objects.create(photo=photo, x=300, y=200, w=20, h=20, source=Face.Source.POSSIBLE)
    assert do_blur_untagged(photo, actor=admin) == 2
    assert list(photo.faces.order_by("x").values_list("kind", flat=True)) == [
        "pupil", "blur", "blur"]
    assert AuditEntry.objects.filter(action="consent.photo.untagged_blurred").count() == 1


def _jpeg(size: tuple[int, int] = (400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (90, 140, 200)).save(out, "JPEG")
    return out.getvalue()


def _png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def test_replacing_a_photo_voids_its_confirmation_and_checks_again(
    admin: Any, photo: Photo, school: Any, login_client: Any
) -> None:
    _tag_all(photo, admin)
    do_confirm_photo(photo, actor=admin, version=_version(photo), no_people=False)
    url = reverse("staff:replace_photo", kwargs={"slug": school.slug, "pk": photo.pk})
    login_client(admin).post(url, {"photo": SimpleUploadedFile("new.jpg", _jpeg((500, 400)))})
    photo.refresh_from_db()
    assert (photo.width, photo.height) == (500, 400)
    assert not photo.faces.filter(kind=Face.Kind.ADULT).exists()  # the old tags went with it
    assert current_confirmation(photo, list(photo.faces.all())) is None
    assert AuditEntry.objects.get(action="consent.photo.confirmation_voided").details[
        "reason"] == "photo replaced"


@pytest.mark.skipif(not GROUP_PHOTO.exists(), reason="group photo not available")
def test_a_replacement_is_checked_again_and_blocks_publishing_until_confirmed(
    admin: Any, photo: Photo, school: Any, login_client: Any
) -> None:
    """Confirmed and ready, then swapped for a photo of three children: the detector runs on
    the new file, its faces need tags, and the old confirmation no longer counts."""
    _tag_all(photo, admin)
    do_confirm_photo(photo, actor=admin, version=_version(photo), no_people=False)
    assert _problems(photo) == []
    url = reverse("staff:replace_photo", kwargs={"slug": school.slug, "pk": photo.pk})
    login_client(admin).post(url, {"photo": SimpleUploadedFile(
        "class.jpg", GROUP_PHOTO.read_bytes())})
    photo.refresh_from_db()
    assert photo.faces.filter(source=Face.Source.DETECTED).count() >= 3
    assert not photo.faces.exclude(kind=Face.Kind.UNTAGGED).exists()
    problems = _problems(photo)
    assert any("Nobody has confirmed" in p for p in problems)
    assert any("not tagged yet" in p for p in problems)
    with pytest.raises(ValidationError):
        do_publish_draft(photo.draft, actor=admin)


def test_a_stale_confirmation_posted_from_an_old_page_is_refused_with_a_reason(
    admin: Any, photo: Photo, school: Any, login_client: Any
) -> None:
    _tag_all(photo, admin)
    stale = _version(photo)  # the page the poster opened
    do_tag_faces(photo, actor=admin, tags={photo.faces.first().pk: "blur"})  # another tab
    url = reverse("staff:confirm_photo", kwargs={"slug": school.slug, "pk": photo.pk})
    response = login_client(admin).post(url, {"version": stale, "looked": "on"}, follow=True)
    assert "changed after you opened this page" in response.content.decode()
    assert not PhotoConfirmation.objects.exists()


def test_a_huge_panorama_as_a_replacement_is_refused_and_nothing_changes(
    admin: Any, photo: Photo, school: Any, login_client: Any
) -> None:
    _tag_all(photo, admin)
    do_confirm_photo(photo, actor=admin, version=_version(photo), no_people=False)
    before = _version(photo)
    url = reverse("staff:replace_photo", kwargs={"slug": school.slug, "pk": photo.pk})
    response = login_client(admin).post(url, {"photo": SimpleUploadedFile(
        "pano.png", _png_declaring(100_000, 4_000))}, follow=True)
    assert "too large to process" in response.content.decode()
    photo.refresh_from_db()
    assert _version(photo) == before
    assert current_confirmation(photo, list(photo.faces.all())) is not None


def test_the_pupil_search_finds_by_name_year_and_class_and_suggests_the_posts_year_first(
    school: Any, admin: Any, make_pupil: Any, make_school: Any, make_draft: Any,
    make_photo: Any, login_client: Any, make_parent: Any
) -> None:
    six = make_pupil(school, first="Amira", last="Khan", year="Year 6", class_name="6K")
    four = make_pupil(school, first="Amir", last="Shah", year="Year 4", class_name="4B")
    make_pupil(school, first="Zoe", last="Brown", year="Year 4", class_name="4A")
    make_pupil(make_school(), first="Amira", last="Khan", year="Year 4")  # another school
    assert search_pupils(school, "amir", prefer=Suggestion("Year 4")) == [four, six]
    assert search_pupils(school, "amir", prefer=Suggestion("Year 6")) == [six, four]
    assert search_pupils(school, "year 6 khan") == [six]
    assert search_pupils(school, "4b") == [four]
    draft = make_draft(school, admin, body="Year 4 at the Roman museum")
    make_photo(draft, boxes=[])
    url = reverse("staff:pupil_search", kwargs={"slug": school.slug, "pk": draft.pk})
    data = login_client(admin).get(url, {"q": "amir"}).json()["results"]
    assert [r["name"] for r in data] == ["Amir Shah", "Amira Khan"]
    assert data[0] == {"value": f"pupil:{four.pk}", "name": "Amir Shah", "year": "Year 4",
                       "class": "4B", "restricted": False}
    assert login_client(make_parent(school).user).get(url, {"q": "amir"}).status_code == 403


def test_a_photo_of_year_4_suggests_year_4_and_its_class_first(
    school: Any, admin: Any, make_pupil: Any, make_draft: Any, make_photo: Any,
    login_client: Any
) -> None:
    """One post, two photos: a Year 2 child is tagged in the first, a Year 4 child in the
    second. Searching from each photo lists that photo's year group (its class first)."""
    in_two = make_pupil(school, first="Ben", last="Ash", year="Year 2", class_name="2C")
    in_four = make_pupil(school, first="Ava", last="Cole", year="Year 4", class_name="4B")
    same_class = make_pupil(school, first="Sam", last="Ward", year="Year 4", class_name="4B")
    other_class = make_pupil(school, first="Sara", last="Ames", year="Year 4", class_name="4A")
    younger = make_pupil(school, first="Sami", last="Abel", year="Year 2", class_name="2C")
    draft = make_draft(school, admin, body="Sports day")
    first = make_photo(draft, boxes=[(10, 10, 40, 40), (60, 10, 40, 40)])
    second = make_photo(draft, boxes=[(10, 10, 40, 40), (60, 10, 40, 40)])
    do_tag_faces(first, actor=admin, tags={first.faces.first().pk: f"pupil:{in_two.pk}"})
    do_tag_faces(second, actor=admin, tags={second.faces.first().pk: f"pupil:{in_four.pk}"})
    assert suggested_group(draft, second) == Suggestion("Year 4", "4B")
    assert suggested_group(draft, first) == Suggestion("Year 2", "2C")
    url = reverse("staff:pupil_search", kwargs={"slug": school.slug, "pk": draft.pk})
    client = login_client(admin)

    def names(photo: object) -> list[str]:
        return [r["name"] for r in client.get(url, {"q": "sa", "photo": photo}).json()[
            "results"]]

    assert names(second.pk) == [same_class.name, other_class.name, younger.name]
    assert names(first.pk) == [younger.name, other_class.name, same_class.name]
    for junk in ("x", "9" * 30, "-1"):  # not one of this post's photos: the post's suggestion
        assert client.get(url, {"q": "sa", "photo": junk}).status_code == 200
    page = client.get(reverse("staff:draft", kwargs={"slug": school.slug, "pk": draft.pk}))
    face = second.faces.first()
    assert (f'data-search-url="{url}?photo={second.pk}" data-for="face-{face.pk}" hidden'
            in page.content.decode())


def test_a_class_named_in_the_post_is_suggested(
    school: Any, admin: Any, make_pupil: Any, make_draft: Any
) -> None:
    make_pupil(school, year="Year 3", class_name="Oak")
    make_pupil(school, year="Year 5", class_name="Willow")
    assert suggested_group(make_draft(school, admin, body="Willow class at the farm")) == (
        Suggestion("Year 5", "Willow"))
    assert suggested_group(make_draft(school, admin, body="Oakley Park trip")) == Suggestion()
    assert suggested_group(make_draft(school, admin, body="Year 3 trip")) == Suggestion("Year 3")


@pytest.mark.skipif(not GROUP_PHOTO.exists(), reason="group photo not available")
def test_small_faces_in_a_12_megapixel_photo_get_a_box_in_the_photos_own_pixels() -> None:
    """A 4000 x 3000 JPEG (decoded at half size for speed) with faces of 24-64 px: each gets
    a regular or possible box, placed in the full photo's pixels; the smallest only from the
    second look, which sees the photo at about 1.6 x the regular pass's scale."""
    face = Image.open(GROUP_PHOTO).convert("RGB").crop((225, 190, 306, 290))
    scene = Image.new("RGB", (4000, 3000), (120, 130, 120))
    lefts = {size: 300 + i * 400 for i, size in enumerate((24, 32, 48, 64))}
    for size, left in lefts.items():
        scene.paste(face.resize((size, round(size * 1.23))), (left, 1500))
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=92)
    prepared = prepare_upload(SimpleUploadedFile("big.jpg", out.getvalue()))
    assert prepared.size == (4000, 3000) and prepared.image.size == (2000, 1500)

    def found(boxes: list[Any], size: int) -> bool:
        return any(abs(b.x + b.w / 2 - lefts[size] - size / 2) < size / 2
                   and abs(b.y + b.h / 2 - 1500 - size * 0.6) < size / 2 for b in boxes)

    assert all(found(prepared.faces + prepared.possible, size) for size in lefts)
    assert not found(prepared.faces, 24) and found(prepared.possible, 24)
