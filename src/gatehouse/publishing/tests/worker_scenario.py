"""Run inside a separate process by test_worker_killed (it has its own SQLite database): set
up an agreed Instagram photo post that is due, and report on its delivery afterwards."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys

import django


def photo_draft_without_people(school: object, poster: object, channels: list[str],
                               *, size: int = 400) -> object:
    """A checked photo post whose one photo has no one in it (confirmed so)."""
    from django.core.files.base import ContentFile
    from PIL import Image

    from gatehouse.consent.imaging.strip import publishable_bytes
    from gatehouse.consent.models import Photo, PhotoDraft
    from gatehouse.consent.photos import do_confirm_photo, photo_version

    draft = PhotoDraft.objects.create(school=school, author=poster, body="The new playground",
                                      channels=channels)
    out = io.BytesIO()
    Image.new("RGB", (size, size), (60, 160, 90)).save(out, "JPEG")
    image = Image.open(io.BytesIO(out.getvalue()))
    photo = Photo(draft=draft, width=size, height=size, sha256="0" * 64,
                  detector_version="t", alt_text="The playground", uploaded_by=poster)
    photo.original.save("original", ContentFile(out.getvalue()), save=False)
    photo.preview.save("preview.jpg", ContentFile(publishable_bytes(image)), save=False)
    photo.save()
    do_confirm_photo(photo, actor=poster, version=photo_version(photo, []), no_people=True)
    return draft


def prepare(ig_id: str, token: str) -> None:
    from django.utils import timezone

    from gatehouse.accounts.models import StaffRole, User
    from gatehouse.consent.models import Channel
    from gatehouse.publishing import actions
    from gatehouse.publishing.connectors.secrets import encrypt_token
    from gatehouse.publishing.models import Connection, Delivery
    from gatehouse.schools.models import School

    school = School.objects.create(name="Oakfield", slug="oakfield", security_question="?",
                                   security_answer_hash="x")
    poster = User.objects.create_user("poster@example.org", None, full_name="Pat Poster")
    leader = User.objects.create_user("leader@example.org", None, full_name="Lee Leader")
    StaffRole.objects.create(user=poster, school=school, role="administrator")
    StaffRole.objects.create(user=leader, school=school, role="leadership")
    draft = photo_draft_without_people(school, poster, [Channel.INSTAGRAM])
    Connection.objects.create(school=school, platform=Channel.INSTAGRAM, account_id=ig_id,
                              token_encrypted=encrypt_token(token), connected_by=poster)
    post = actions.do_create_post(school, actor=poster, body=draft.body, link="",
                                  channels=[Channel.INSTAGRAM], photos=draft,
                                  publish_at=timezone.now() + dt.timedelta(hours=1))
    post = actions.do_submit(post, actor=poster)
    actions.do_agree(post, actor=leader, fingerprint=post.fingerprint())
    Delivery.objects.update(due_at=timezone.now() - dt.timedelta(seconds=1))


def report() -> None:
    from gatehouse.publishing.models import Delivery

    print(json.dumps(list(Delivery.objects.values("state", "remote_id", "remote_ref",
                                                  "attempts"))))


if __name__ == "__main__":
    django.setup()
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3])
    else:
        report()
