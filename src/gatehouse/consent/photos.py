"""Photo checks: upload, face detection, tagging, the verdict per channel, and publishing.

Face detection only counts faces; a person says who each one is. Nothing is published to a
channel while any face is untagged, any tagged pupil is restricted or lacks consent for that
channel, or any tagged member of staff has not given permission.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from PIL import Image

from gatehouse.accounts.models import StaffRole, User
from gatehouse.accounts.permissions import POSTING_ROLES
from gatehouse.audit.log import record
from gatehouse.community.actions import do_create_post
from gatehouse.community.models import Post
from gatehouse.consent.imaging.blur import blur_regions
from gatehouse.consent.imaging.faces import (
    DETECTOR_VERSION,
    MAX_FACES,
    POSSIBLE_MAX_PIXELS,
    DetectorUnavailable,
    FaceBox,
    check_faces,
)
from gatehouse.consent.imaging.safety import MAX_BYTES, ImageRejected, load_reduced, load_upload
from gatehouse.consent.imaging.strip import publishable_bytes
from gatehouse.consent.models import (
    Channel,
    ConsentStatus,
    Delivery,
    Face,
    Photo,
    PhotoConfirmation,
    PhotoDraft,
    PostImage,
    Pupil,
    StaffImagePermission,
)
from gatehouse.schools.models import School


@dataclass
class PreparedPhoto:
    data: bytes
    image: Image.Image  # possibly a reduced decode (for the preview); boxes are in `size`
    size: tuple[int, int]
    faces: list[FaceBox]
    possible: list[FaceBox] = field(default_factory=list)


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
        # A big JPEG is decoded at 1/2 or 1/4 size: the detectors and the preview need no more.
        image, size = load_reduced(data, keep_pixels=POSSIBLE_MAX_PIXELS)
        found = check_faces(image, size=size)
        faces, possible, too_many = found.faces, found.possible, found.capped
    except ImageRejected as exc:
        raise ValidationError(exc.message) from exc
    except DetectorUnavailable as exc:
        raise ValidationError("Face detection is not installed on this server, so photos can't "
                              "be checked. Please ask your IT support.") from exc
    if too_many:
        raise ValidationError(f"This photo has more than {MAX_FACES} faces, too many to check "
                              "one by one. Please choose a photo of a smaller group.")
    if len(faces) + len(possible) > MAX_FACES:
        raise ValidationError(f"This photo has more than {MAX_FACES} faces or possible faces, "
                              "too many to check one by one. Please choose a photo of a "
                              "smaller group.")
    return PreparedPhoto(data=data, image=image, size=size, faces=faces, possible=possible)


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
        photo = Photo(draft=draft, width=prepared.size[0], height=prepared.size[1],
                      sha256=hashlib.sha256(prepared.data).hexdigest(), uploaded_by=actor,
                      detector_version=DETECTOR_VERSION, alt_text=alt_text.strip())
        photo.original.save(name, ContentFile(prepared.data), save=False)
        photo.preview.save(f"{name}.jpg", ContentFile(publishable_bytes(prepared.image)),
                           save=False)
        try:  # if the rows can't be written, don't leave the files behind
            photo.save()
            _create_faces(photo, prepared)
            record("consent.photo.uploaded", actor=actor, school=draft.school, target=photo,
                   details={"draft": draft.pk, "faces": len(prepared.faces),
                            "possible_faces": len(prepared.possible),
                            "sha256": photo.sha256, "detector": DETECTOR_VERSION})
        except Exception:
            photo.original.delete(save=False)
            photo.preview.delete(save=False)
            raise
    return photo


def _create_faces(photo: Photo, prepared: PreparedPhoto) -> None:
    Face.objects.bulk_create(
        [Face(photo=photo, x=f.x, y=f.y, w=f.w, h=f.h, score=f.score) for f in prepared.faces]
        + [Face(photo=photo, x=f.x, y=f.y, w=f.w, h=f.h, score=f.score,
                source=Face.Source.POSSIBLE) for f in prepared.possible])


def do_replace_photo(photo: Photo, *, actor: User, prepared: PreparedPhoto) -> Photo:
    """Swap in a new file for a photo: its boxes and tags go, the check runs again, and any
    confirmation is void (it named the old version)."""
    check_can_post_photos(actor, photo.draft.school)
    check_draft_open(photo.draft)
    name = uuid.uuid4().hex
    old_files = (photo.original.name, photo.preview.name)
    with transaction.atomic():
        photo = Photo.objects.select_for_update().get(pk=photo.pk)
        before = current_confirmation(photo, list(photo.faces.all()))
        photo.faces.all().delete()
        photo.width, photo.height = prepared.size
        photo.sha256 = hashlib.sha256(prepared.data).hexdigest()
        photo.detector_version = DETECTOR_VERSION
        photo.original.save(name, ContentFile(prepared.data), save=False)
        photo.preview.save(f"{name}.jpg", ContentFile(publishable_bytes(prepared.image)),
                           save=False)
        photo.save()
        _create_faces(photo, prepared)
        record("consent.photo.replaced", actor=actor, school=photo.draft.school, target=photo,
               details={"faces": len(prepared.faces), "possible_faces": len(prepared.possible),
                        "sha256": photo.sha256, "detector": DETECTOR_VERSION})
        _record_if_voided(photo, before, actor, "photo replaced")
        storage = photo.original.storage
        transaction.on_commit(lambda: [storage.delete(n) for n in old_files if n])
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


def tag_choices(draft: PhotoDraft) -> tuple[list[Pupil], list[User]]:
    """For the tagging form: the suggested year group's pupils (the search finds the rest)
    and the school's staff."""
    school = draft.school
    year = suggested_group(draft).year
    pupils = list(Pupil.objects.filter(school=school, year_group=year).on_roll()) if year else []
    staff_ids = StaffRole.objects.filter(school=school).values("user_id")
    staff = list(User.objects.filter(pk__in=staff_ids).order_by("full_name"))
    return pupils, staff


def _parse_tag(value: str, school: School) -> tuple[str, Pupil | None, User | None]:
    """A form value ("", "blur", "adult", "pupil:12", "staff:3") as (kind, pupil, staff)."""
    if value in ("", Face.Kind.BLUR, Face.Kind.ADULT, Face.Kind.NOT_FACE):
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


def check_can_dismiss(face: Face, faces: list[Face]) -> None:
    """A box can't be called "not a face" where a restricted pupil has been tagged: if the
    tag is right, the safe answer is to blur it."""
    for other in faces:
        pupil = other.pupil if other.kind == Face.Kind.PUPIL else None
        if pupil is None or not pupil.restricted:
            continue
        if other.pk == face.pk or _box_overlap(face, other) >= 0.3:
            raise ValidationError(
                f"This box can't be dismissed: it covers {pupil.name}, who is tagged there and "
                "is on the restricted list. Blur it instead.")


def _box_overlap(a: Face, b: Face) -> float:
    iw = max(0, min(a.x + a.w, b.x + b.w) - max(a.x, b.x))
    ih = max(0, min(a.y + a.h, b.y + b.h) - max(a.y, b.y))
    inter = iw * ih
    return inter / (a.w * a.h + b.w * b.h - inter)


def do_tag_faces(photo: Photo, *, actor: User, tags: dict[int, str]) -> int:
    """Save who each face is; returns how many changed. Each change is audited, and a change
    voids the photo's confirmation."""
    school = photo.draft.school
    check_can_post_photos(actor, school)
    check_draft_open(photo.draft)
    parsed = {face_id: _parse_tag(value, school) for face_id, value in tags.items()}
    changed = 0
    with transaction.atomic():
        faces = list(photo.faces.select_for_update(of=("self",)).select_related("pupil"))
        before = current_confirmation(photo, faces)
        for face in [f for f in faces if f.pk in parsed]:
            kind, pupil, staff = parsed[face.pk]
            if (face.kind, face.pupil_id, face.staff_id) == (
                    kind, pupil.pk if pupil else None, staff.pk if staff else None):
                continue
            if kind == Face.Kind.NOT_FACE:
                check_can_dismiss(face, faces)
            face.kind, face.pupil, face.staff = kind, pupil, staff
            face.tagged_by, face.tagged_at = actor, timezone.now()
            face.save()
            changed += 1
            dismissed = kind == Face.Kind.NOT_FACE
            action = "consent.face.dismissed" if dismissed else "consent.face.tagged"
            record(action, actor=actor, school=school, target=face,
                   details={"photo": photo.pk, "kind": kind, "pupil": getattr(pupil, "pk", None),
                            "staff": getattr(staff, "pk", None), "source": face.source})
        if changed:
            _record_if_voided(photo, before, actor, "tags changed")
    return changed


def do_blur_untagged(photo: Photo, *, actor: User) -> int:
    """Blur every face and possible face nobody has tagged yet (crowd shots): one action."""
    school = photo.draft.school
    check_can_post_photos(actor, school)
    check_draft_open(photo.draft)
    with transaction.atomic():
        faces = list(photo.faces.select_for_update())
        before = current_confirmation(photo, faces)
        untagged = [f.pk for f in faces if f.kind == Face.Kind.UNTAGGED]
        count = Face.objects.filter(pk__in=untagged).update(
            kind=Face.Kind.BLUR, tagged_by=actor, tagged_at=timezone.now())
        if count:
            record("consent.photo.untagged_blurred", actor=actor, school=school, target=photo,
                   details={"faces": untagged})
            _record_if_voided(photo, before, actor, "tags changed")
    return count


def do_add_face(photo: Photo, *, actor: User, left: float, top: float, width: float,
                height: float) -> Face:
    """A face the detector missed, marked by hand (box given in % of the photo)."""
    check_can_post_photos(actor, photo.draft.school)
    check_draft_open(photo.draft)
    x, y = round(photo.width * left / 100), round(photo.height * top / 100)
    w = max(1, min(round(photo.width * width / 100), photo.width - x))
    h = max(1, min(round(photo.height * height / 100), photo.height - y))
    with transaction.atomic():
        before = current_confirmation(photo, list(photo.faces.select_for_update()))
        face = Face.objects.create(photo=photo, x=x, y=y, w=w, h=h,
                                   source=Face.Source.MANUAL)
        record("consent.face.added", actor=actor, school=photo.draft.school, target=face,
               details={"photo": photo.pk, "box": [x, y, w, h]})
        _record_if_voided(photo, before, actor, "face added")
    return face


# --- a person accounts for everyone in the photo ----------------------------------------------


def photo_version(photo: Photo, faces: list[Face]) -> str:
    """A fingerprint of the photo's bytes and every box and tag on it."""
    parts = [photo.sha256, str(photo.width), str(photo.height)] + sorted(
        f"{f.pk}:{f.x},{f.y},{f.w},{f.h}:{f.kind}:{f.pupil_id}:{f.staff_id}" for f in faces)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def current_confirmation(photo: Photo, faces: list[Face]) -> PhotoConfirmation | None:
    """The confirmation that still holds for the photo as it is now, if any."""
    version = photo_version(photo, faces)
    return next((c for c in photo.confirmations.all() if c.version == version), None)


def _record_if_voided(photo: Photo, before: PhotoConfirmation | None, actor: User,
                      why: str) -> None:
    if before is not None:
        record("consent.photo.confirmation_voided", actor=actor, school=photo.draft.school,
               target=photo, details={"confirmation": before.pk, "reason": why})


def check_confirm_photo(photo: Photo, faces: list[Face], *, version: str,
                        no_people: bool) -> None:
    if version != photo_version(photo, faces):
        raise ValidationError("The photo or its tags changed after you opened this page. "
                              "Please look at it again and confirm again.")
    untagged = [n for n, f in enumerate(faces, start=1) if f.kind == Face.Kind.UNTAGGED]
    if untagged:
        raise ValidationError("Deal with every box first: tag, blur or dismiss face "
                              + ", ".join(map(str, untagged)) + ".")
    people = [f for f in faces if f.kind != Face.Kind.NOT_FACE]
    if no_people and people:
        raise ValidationError("This photo has tagged faces, so it can't be confirmed as "
                              "having no people in it.")
    if not no_people and not people:
        raise ValidationError("No face is marked in this photo. If there are people in it, "
                              "add their faces; if there are none, confirm that instead.")


def do_confirm_photo(photo: Photo, *, actor: User, version: str,
                     no_people: bool) -> PhotoConfirmation:
    """Record that `actor` looked at the whole photo (at `version`) and accounted for everyone."""
    check_can_post_photos(actor, photo.draft.school)
    check_draft_open(photo.draft)
    with transaction.atomic():
        photo = (Photo.objects.select_for_update(of=("self",)).select_related("draft")
                 .get(pk=photo.pk))
        faces = list(photo.faces.all())
        check_confirm_photo(photo, faces, version=version, no_people=no_people)
        confirmation = PhotoConfirmation.objects.create(
            photo=photo, version=version, no_people=no_people, confirmed_by=actor)
        record("consent.photo.confirmed", actor=actor, school=photo.draft.school, target=photo,
               details={"version": version, "no_people": no_people,
                        "faces": len([f for f in faces if f.kind != Face.Kind.NOT_FACE]),
                        "dismissed": len([f for f in faces if f.kind == Face.Kind.NOT_FACE])})
    return confirmation


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
    if face.kind == Face.Kind.UNTAGGED and face.is_possible:
        return [f"Face {number} is a possible face: tag it, blur it or dismiss it as not a "
                "face."]
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
    photos = draft.photos.prefetch_related("faces__pupil__photo_consents", "faces__staff",
                                           "confirmations__confirmed_by")
    return [(photo, list(photo.faces.all())) for photo in photos]


def photo_problems(photo: Photo, faces: list[Face]) -> list[str]:
    if current_confirmation(photo, faces) is None:
        return ["Nobody has confirmed yet that they looked at the whole photo and everyone "
                "in it is tagged or blurred."]
    return []


def permitted_staff(school: School) -> set[int]:
    return set(StaffImagePermission.objects.filter(school=school, given=True).values_list(
        "user_id", flat=True))


def check_photos(draft: PhotoDraft, channels: list[str] | None = None) -> list[ChannelVerdict]:
    """The verdict for each channel the draft goes to (or for the channels named: publishing
    asks again for each channel at the moment it delivers)."""
    permitted = permitted_staff(draft.school)
    photos = faces_for_check(draft)
    verdicts = []
    for channel in draft.channels if channels is None else channels:
        verdict = ChannelVerdict(channel)
        for index, (photo, faces) in enumerate(photos, start=1):
            prefix = f"Photo {index}, " if len(photos) > 1 else ""
            verdict.problems += [prefix + p for p in photo_problems(photo, faces)]
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
    channel's check passes. (The staff pages publish through `publishing`, which checks each
    channel at its own time with the same pieces; this all-at-once form stays for scripts.)"""
    check_can_post_photos(actor, draft.school)
    with transaction.atomic():
        draft = PhotoDraft.objects.select_for_update().get(pk=draft.pk)
        lock_tagged_pupils(draft)
        check_publishable(draft)
        photos = render_photos(draft)
        post = None
        if Channel.PARENTS_GROUP in draft.channels:
            post = do_create_post(draft.school, actor=actor,
                                  data={"body": draft.body, "comments_enabled": True})
            attach_to_group_post(draft, post)
        for channel in draft.channels:
            record_delivery(draft, channel, published=channel == Channel.PARENTS_GROUP)
        mark_published(draft, actor=actor, post=post)
        record("consent.draft.published", actor=actor, school=draft.school, target=draft,
               details={"channels": draft.channels, "post": draft.post_id,
                        "photos": [p.pk for p in photos]})
    return draft


def lock_tagged_pupils(draft: PhotoDraft) -> None:
    """Lock the pupils tagged in the draft, so a withdrawal can't slip between the check and
    the publishing (it waits, then reaches the published post). Call inside a transaction."""
    list(Pupil.objects.select_for_update().filter(faces__photo__draft=draft))


def render_photos(draft: PhotoDraft) -> list[Photo]:
    """Make each photo's published copy (blurred, upright, no metadata) once."""
    photos = list(draft.photos.select_for_update().prefetch_related("faces"))
    for photo in photos:
        if not photo.published:
            photo.published.save(f"{uuid.uuid4().hex}.jpg",
                                 ContentFile(render_published(photo)), save=True)
    return photos


def attach_to_group_post(draft: PhotoDraft, post: Post) -> None:
    PostImage.objects.bulk_create(
        PostImage(post=post, photo=p, alt_text=p.alt_text) for p in draft.photos.all())


def record_delivery(draft: PhotoDraft, channel: str, *, published: bool) -> None:
    """What withdrawal looks at to find where a photo went."""
    status = Delivery.Status.PUBLISHED if published else Delivery.Status.QUEUED
    Delivery.objects.update_or_create(draft=draft, channel=channel,
                                      defaults={"status": status})


def mark_published(draft: PhotoDraft, *, actor: User, post: Post | None) -> None:
    """The draft's photos and tags are frozen from now on (check_draft_open)."""
    fields = ["post"] if post is not None else []
    if post is not None:
        draft.post = post
    if draft.published_at is None:
        draft.published_at, draft.published_by = timezone.now(), actor
        fields += ["published_at", "published_by"]
    if fields:
        draft.save(update_fields=fields)


# --- finding pupils to tag -------------------------------------------------------------------

_YEAR_IN_TEXT = re.compile(r"\b(year\s*\d{1,2}|reception|nursery)\b", re.IGNORECASE)
MAX_SEARCH_RESULTS = 20


@dataclass(frozen=True)
class Suggestion:
    """The year group (and class, when known) a photo is most likely of."""

    year: str = ""
    class_name: str = ""


def suggested_group(draft: PhotoDraft, photo: Photo | None = None) -> Suggestion:
    """What the photo is most likely of: the commonest year group and class among pupils
    already tagged in this photo, else in the whole post, else a year group or class the
    post's text names ("Year 4's trip", "Class 4B")."""
    return suggest_group(draft.school, draft.body, ([Pupil.objects.filter(
        faces__photo=photo)] if photo else []) + [Pupil.objects.filter(faces__photo__draft=draft)])


def suggest_group(school: School, text: str, tagged: list[QuerySet[Pupil]]) -> Suggestion:
    """The commonest year group and class among the first of `tagged` (pupils already tagged,
    closest first) that has anyone, else a year group or class that `text` names. Photos and
    videos both ask this."""
    for pupils in tagged:
        groups = Counter(pupils.values_list("year_group", "class_name"))
        if groups:
            year = Counter(y for y, _ in groups.elements()).most_common(1)[0][0]
            classes = Counter(c for y, c in groups.elements() if y == year and c)
            return Suggestion(year, classes.most_common(1)[0][0] if classes else "")
    return _group_named_in(school, text)


def _group_named_in(school: School, text: str) -> Suggestion:
    on_roll = Pupil.objects.filter(school=school).on_roll()
    words = {w.lower() for w in re.findall(r"\w+", text)}
    for year, class_name in on_roll.exclude(class_name="").values_list(
            "year_group", "class_name").distinct():
        if class_name.lower() in words:  # whole words only: class "Oak" not in "Oakley"
            return Suggestion(year, class_name)
    named = _YEAR_IN_TEXT.search(text)
    if not named:
        return Suggestion()
    wanted = re.sub(r"\s+", "", named.group(1)).lower()
    known = on_roll.values_list("year_group", flat=True).distinct()
    return Suggestion(next((y for y in known if re.sub(r"\s+", "", y).lower() == wanted), ""))


def search_pupils(school: School, query: str, *,
                  prefer: Suggestion = Suggestion()) -> list[Pupil]:  # noqa: B008 (frozen)
    """Pupils on roll whose name, year group or class holds every word typed: the suggested
    class first, then the rest of the suggested year group, then everyone else."""
    found = Pupil.objects.filter(school=school).on_roll()
    for word in query.split()[:5]:
        found = found.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word)
                             | Q(preferred_name__icontains=word)
                             | Q(year_group__icontains=word) | Q(class_name__icontains=word))
    rank = Case(When(year_group=prefer.year, class_name=prefer.class_name, then=Value(0)),
                When(year_group=prefer.year, then=Value(1)),
                default=Value(2), output_field=IntegerField())
    found = found.annotate(preferred=rank if prefer.year else Value(2))
    return list(found.order_by("preferred", "year_group", "class_name", "last_name",
                               "first_name")[:MAX_SEARCH_RESULTS])
