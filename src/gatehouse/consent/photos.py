"""Photo checks: upload, face detection, tagging, the verdict per channel, and publishing.

Face detection only counts faces; a person says who each one is. Nothing is published to a
channel while any face is untagged, any tagged pupil is restricted or lacks consent for that
channel, or any tagged member of staff has not given permission.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from gatehouse.accounts.models import StaffRole, User
from gatehouse.accounts.permissions import POSTING_ROLES
from gatehouse.audit.log import record
from gatehouse.community.actions import do_create_post
from gatehouse.consent.imaging.blur import blur_regions
from gatehouse.consent.imaging.faces import (
    DETECTOR_VERSION,
    MAX_FACES,
    DetectorUnavailable,
    FaceBox,
    detect_faces_capped,
)
from gatehouse.consent.imaging.safety import MAX_BYTES, ImageRejected, load_upload
from gatehouse.consent.imaging.strip import publishable_bytes
from gatehouse.consent.models import (
    Channel,
    ConsentStatus,
    Delivery,
    Face,
    Photo,
    PhotoDraft,
    PostImage,
    Pupil,
    StaffImagePermission,
)
from gatehouse.schools.models import School


@dataclass
class PreparedPhoto:
    data: bytes
    image: Image.Image
    faces: list[FaceBox]


def check_can_post_photos(user: User, school: School) -> None:
    if not user.roles_at(school.pk) & POSTING_ROLES:
        raise PermissionDenied("Only staff the administrator has authorised can post photos.")


def check_draft_open(draft: PhotoDraft) -> None:
    if draft.published_at is not None:
        raise ValidationError("This post is already published; its photos can't change.")


def prepare_upload(upload: UploadedFile) -> PreparedPhoto:
    """Read, sniff, decode and detect faces, all in memory: a refused photo saves nothing."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(f"The file is {upload.size / 1_048_576:.1f} MB; the limit is "
                              f"{MAX_BYTES / 1_048_576:.0f} MB. Please upload a smaller copy.")
    data = upload.read(MAX_BYTES + 1)
    try:
        image = load_upload(data)
        faces, too_many = detect_faces_capped(image)
    except ImageRejected as exc:
        raise ValidationError(exc.message) from exc
    except DetectorUnavailable as exc:
        raise ValidationError("Face detection is not installed on this server, so photos can't "
                              "be checked. Please ask your IT support.") from exc
    if too_many:
        raise ValidationError(f"This photo has more than {MAX_FACES} faces, too many to check "
                              "one by one. Please choose a photo of a smaller group.")
    return PreparedPhoto(data=data, image=image, faces=faces)


def do_create_draft(school: School, *, actor: User, body: str, channels: list[str],
                    prepared: PreparedPhoto, alt_text: str) -> PhotoDraft:
    check_can_post_photos(actor, school)
    with transaction.atomic():
        draft = PhotoDraft.objects.create(school=school, author=actor, body=body.strip(),
                                          channels=channels)
        record("consent.draft.created", actor=actor, school=school, target=draft,
               details={"channels": channels})
        do_add_photo(draft, actor=actor, prepared=prepared, alt_text=alt_text)
    return draft


def do_add_photo(draft: PhotoDraft, *, actor: User, prepared: PreparedPhoto,
                 alt_text: str) -> Photo:
    check_can_post_photos(actor, draft.school)
    check_draft_open(draft)
    name = uuid.uuid4().hex  # never the uploaded name: it may contain a child's name
    with transaction.atomic():
        photo = Photo(draft=draft, width=prepared.image.width, height=prepared.image.height,
                      sha256=hashlib.sha256(prepared.data).hexdigest(), uploaded_by=actor,
                      detector_version=DETECTOR_VERSION, alt_text=alt_text.strip())
        photo.original.save(name, ContentFile(prepared.data), save=False)
        photo.preview.save(f"{name}.jpg", ContentFile(publishable_bytes(prepared.image)),
                           save=False)
        try:  # if the rows can't be written, don't leave the files behind
            photo.save()
            Face.objects.bulk_create(
                Face(photo=photo, x=f.x, y=f.y, w=f.w, h=f.h, score=f.score)
                for f in prepared.faces)
            record("consent.photo.uploaded", actor=actor, school=draft.school, target=photo,
                   details={"draft": draft.pk, "faces": len(prepared.faces),
                            "sha256": photo.sha256, "detector": DETECTOR_VERSION})
        except Exception:
            photo.original.delete(save=False)
            photo.preview.delete(save=False)
            raise
    return photo


def do_set_channels(draft: PhotoDraft, *, actor: User, channels: list[str]) -> None:
    """Change where an unpublished draft goes (e.g. drop a channel a pupil lacks consent for)."""
    check_can_post_photos(actor, draft.school)
    check_draft_open(draft)
    with transaction.atomic():
        before, draft.channels = draft.channels, channels
        draft.save(update_fields=["channels"])
        record("consent.draft.channels_changed", actor=actor, school=draft.school,
               target=draft, details={"from": before, "to": channels})


# --- tagging ---------------------------------------------------------------------------------


def tag_choices(school: School) -> tuple[list[Pupil], list[User]]:
    """Pupils on roll and the school's staff, for the tagging form."""
    pupils = list(Pupil.objects.filter(school=school).on_roll())
    staff_ids = StaffRole.objects.filter(school=school).values("user_id")
    staff = list(User.objects.filter(pk__in=staff_ids).order_by("full_name"))
    return pupils, staff


def _parse_tag(value: str, school: School) -> tuple[str, Pupil | None, User | None]:
    """A form value ("", "blur", "adult", "pupil:12", "staff:3") as (kind, pupil, staff)."""
    if value in ("", Face.Kind.BLUR, Face.Kind.ADULT):
        return value or Face.Kind.UNTAGGED, None, None
    kind, _, raw_id = value.partition(":")
    if kind == Face.Kind.PUPIL and raw_id.isdigit():
        pupil = Pupil.objects.filter(school=school, pk=int(raw_id)).first()
        if pupil is not None:
            return Face.Kind.PUPIL, pupil, None
    if kind == Face.Kind.STAFF and raw_id.isdigit():
        user = User.objects.filter(pk=int(raw_id), staff_roles__school=school).first()
        if user is not None:
            return Face.Kind.STAFF, None, user
    raise ValidationError("That person is not in this school's register. Please choose again.")


def do_tag_faces(photo: Photo, *, actor: User, tags: dict[int, str]) -> int:
    """Save who each face is; returns how many changed. Each change is audited."""
    school = photo.draft.school
    check_can_post_photos(actor, school)
    check_draft_open(photo.draft)
    parsed = {face_id: _parse_tag(value, school) for face_id, value in tags.items()}
    changed = 0
    with transaction.atomic():
        for face in photo.faces.select_for_update().filter(pk__in=parsed):
            kind, pupil, staff = parsed[face.pk]
            if (face.kind, face.pupil_id, face.staff_id) == (
                    kind, pupil.pk if pupil else None, staff.pk if staff else None):
                continue
            face.kind, face.pupil, face.staff = kind, pupil, staff
            face.tagged_by, face.tagged_at = actor, timezone.now()
            face.save()
            changed += 1
            record("consent.face.tagged", actor=actor, school=school, target=face,
                   details={"photo": photo.pk, "kind": kind, "pupil": getattr(pupil, "pk", None),
                            "staff": getattr(staff, "pk", None)})
    return changed


def do_add_face(photo: Photo, *, actor: User, left: float, top: float, width: float,
                height: float) -> Face:
    """A face the detector missed, marked by hand (box given in % of the photo)."""
    check_can_post_photos(actor, photo.draft.school)
    check_draft_open(photo.draft)
    x, y = round(photo.width * left / 100), round(photo.height * top / 100)
    w = max(1, min(round(photo.width * width / 100), photo.width - x))
    h = max(1, min(round(photo.height * height / 100), photo.height - y))
    with transaction.atomic():
        face = Face.objects.create(photo=photo, x=x, y=y, w=w, h=h,
                                   source=Face.Source.MANUAL)
        record("consent.face.added", actor=actor, school=photo.draft.school, target=face,
               details={"photo": photo.pk, "box": [x, y, w, h]})
    return face


# --- the verdict -----------------------------------------------------------------------------


@dataclass
class ChannelVerdict:
    channel: str
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Channel(self.channel).label

    @property
    def ok(self) -> bool:
        return not self.problems


def face_problems(face: Face, number: int, channel: str, permitted: set[int]) -> list[str]:
    """Why this face blocks publishing on `channel` (nothing if it doesn't)."""
    if face.kind == Face.Kind.UNTAGGED:
        return [f"Face {number} is not tagged yet."]
    if face.kind == Face.Kind.PUPIL and face.pupil is not None:
        pupil = face.pupil
        if pupil.restricted:
            return [f"Face {number}: {pupil.name} is on the restricted list and can never be "
                    "shown. Blur this face or choose another photo."]
        status = pupil.consent_for(channel)
        if status != ConsentStatus.GIVEN:
            why = "refused" if status == ConsentStatus.REFUSED else "not asked"
            return [f"Face {number}: {pupil.name} has no consent for {Channel(channel).label} "
                    f"({why}). Blur this face or remove the channel."]
    if face.kind == Face.Kind.STAFF and face.staff_id not in permitted:
        return [f"Face {number}: {face.staff} has not given permission for images of them "
                "to be used."]
    return []


def faces_for_check(draft: PhotoDraft) -> list[tuple[Photo, list[Face]]]:
    photos = draft.photos.prefetch_related("faces__pupil__photo_consents", "faces__staff")
    return [(photo, list(photo.faces.all())) for photo in photos]


def permitted_staff(school: School) -> set[int]:
    return set(StaffImagePermission.objects.filter(school=school, given=True).values_list(
        "user_id", flat=True))


def check_photos(draft: PhotoDraft) -> list[ChannelVerdict]:
    """The verdict for each channel the draft goes to."""
    permitted = permitted_staff(draft.school)
    photos = faces_for_check(draft)
    verdicts = []
    for channel in draft.channels:
        verdict = ChannelVerdict(channel)
        for index, (_, faces) in enumerate(photos, start=1):
            prefix = f"Photo {index}, " if len(photos) > 1 else ""
            for number, face in enumerate(faces, start=1):
                verdict.problems += [prefix + p
                                     for p in face_problems(face, number, channel, permitted)]
        verdicts.append(verdict)
    return verdicts


def face_blocks(face: Face, number: int, channels: list[str], permitted: set[int]) -> bool:
    return any(face_problems(face, number, c, permitted) for c in channels)


# --- publishing ------------------------------------------------------------------------------


def render_published(photo: Photo) -> bytes:
    """The photo as it will be published: blurred faces, upright, no metadata, re-encoded."""
    with photo.original.open("rb") as handle:
        image = load_upload(handle.read())
    boxes = [(f.x, f.y, f.w, f.h) for f in photo.faces.all() if f.kind == Face.Kind.BLUR]
    return publishable_bytes(blur_regions(image, boxes))


def check_publishable(draft: PhotoDraft) -> None:
    check_draft_open(draft)
    if not draft.photos.exists():
        raise ValidationError("Add at least one photo first.")
    blocked = [v for v in check_photos(draft) if not v.ok]
    if blocked:
        raise ValidationError(
            "Not published: the photo check fails for " + ", ".join(v.label for v in blocked)
            + ". Tag every face, blur faces that can't be shown, or remove the channel.")


def do_publish_draft(draft: PhotoDraft, *, actor: User) -> PhotoDraft:
    """Publish to the parents' group now and queue the other channels, only if every
    channel's check passes. Tagged pupils are locked so a withdrawal can't slip between the
    check and the publishing (it waits, then reaches the published post)."""
    check_can_post_photos(actor, draft.school)
    with transaction.atomic():
        draft = PhotoDraft.objects.select_for_update().get(pk=draft.pk)
        list(Pupil.objects.select_for_update().filter(faces__photo__draft=draft))
        check_publishable(draft)
        photos = list(draft.photos.prefetch_related("faces"))
        for photo in photos:
            photo.published.save(f"{uuid.uuid4().hex}.jpg",
                                 ContentFile(render_published(photo)), save=True)
        if Channel.PARENTS_GROUP in draft.channels:
            draft.post = do_create_post(draft.school, actor=actor,
                                        data={"body": draft.body, "comments_enabled": True})
            PostImage.objects.bulk_create(
                PostImage(post=draft.post, photo=p, alt_text=p.alt_text) for p in photos)
        Delivery.objects.bulk_create(
            Delivery(draft=draft, channel=channel,
                     status=Delivery.Status.PUBLISHED if channel == Channel.PARENTS_GROUP
                     else Delivery.Status.QUEUED)
            for channel in draft.channels)
        draft.published_at, draft.published_by = timezone.now(), actor
        draft.save(update_fields=["published_at", "published_by", "post"])
        record("consent.draft.published", actor=actor, school=draft.school, target=draft,
               details={"channels": draft.channels, "post": draft.post_id,
                        "photos": [p.pk for p in photos]})
    return draft
