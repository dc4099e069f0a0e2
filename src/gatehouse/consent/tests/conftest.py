"""Builders for the consent tests: pupils with consents, and photos with faces."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from gatehouse.accounts.models import Role, User
from gatehouse.consent.imaging.strip import publishable_bytes
from gatehouse.consent.models import (
    Channel,
    Face,
    ParentalResponsibility,
    Photo,
    PhotoConsent,
    PhotoDraft,
    Pupil,
)
from gatehouse.lib.testing import SHARED_DATA
from gatehouse.schools.models import School

FACES_DIR = SHARED_DATA / "faces"
GROUP_PHOTO = FACES_DIR / "dlib_examples" / "faces" / "2008_001322.jpg"  # three faces
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def admin(school: School, make_user: Callable[..., User]) -> User:
    return make_user(school=school, roles=(Role.ADMINISTRATOR,), name="Alex Morgan")


@pytest.fixture
def make_pupil(db: None) -> Callable[..., Pupil]:
    def build(school: School, *, first: str = "", last: str = "Lee", year: str = "Year 4",
              consent: str | dict[str, str] = "given", restricted: bool = False,
              parent_email: str = "", parent: User | None = None,
              class_name: str = "") -> Pupil:
        n = next(_seq)
        pupil = Pupil.objects.create(school=school, mis_id=f"M{n:05d}",
                                     first_name=first or f"Child{n}", last_name=last,
                                     year_group=year, class_name=class_name,
                                     restricted=restricted)
        statuses = consent if isinstance(consent, dict) else dict.fromkeys(Channel.values,
                                                                            consent)
        for channel, status in statuses.items():
            PhotoConsent.objects.create(pupil=pupil, channel=channel, status=status)
        if parent_email or parent:
            ParentalResponsibility.objects.create(
                pupil=pupil, name="A Parent", email=parent_email or parent.email, user=parent)
        return pupil

    return build


def jpeg_with_gps(size: tuple[int, int] = (400, 300)) -> bytes:
    """A JPEG carrying EXIF with a GPS block and a camera owner, like a phone photo."""
    img = Image.new("RGB", size, (200, 120, 60))
    exif = Image.Exif()
    exif[0x013B] = "Owner Name"  # Artist
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def make_photo(db: None) -> Callable[..., Photo]:
    """A draft's photo with faces at given boxes, without running the detector."""

    def build(draft: PhotoDraft, *, boxes: list[tuple[int, int, int, int]],
              data: bytes | None = None) -> Photo:
        data = data or jpeg_with_gps()
        img = Image.open(io.BytesIO(data))
        photo = Photo(draft=draft, width=img.width, height=img.height, sha256="0" * 64,
                      detector_version="test", alt_text="Children in the hall",
                      uploaded_by=draft.author)
        photo.original.save("original", ContentFile(data), save=False)
        photo.preview.save("preview.jpg", ContentFile(publishable_bytes(img)), save=False)
        photo.save()
        for x, y, w, h in boxes:
            Face.objects.create(photo=photo, x=x, y=y, w=w, h=h, score=0.99)
        return photo

    return build


@pytest.fixture
def make_draft(db: None) -> Callable[..., PhotoDraft]:
    def build(school: School, author: User, *, channels: list[str] | None = None,
              body: str = "Year 4's Roman day") -> PhotoDraft:
        return PhotoDraft.objects.create(school=school, author=author, body=body,
                                         channels=channels or [Channel.PARENTS_GROUP])

    return build


@pytest.fixture
def confirm(db: None) -> Callable[..., None]:
    """Confirm every photo of a draft as it is now, as its poster would after looking."""
    from gatehouse.consent.photos import do_confirm_photo, photo_version

    def build(draft: PhotoDraft, actor: User) -> None:
        for photo in draft.photos.all():
            faces = list(photo.faces.all())
            people = [f for f in faces if f.kind != Face.Kind.NOT_FACE]
            do_confirm_photo(photo, actor=actor, version=photo_version(photo, faces),
                             no_people=not people)

    return build
