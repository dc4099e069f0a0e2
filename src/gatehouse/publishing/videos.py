"""A post's video, checked like a photo: upload (limits and sniffing in publishing.video),
one face track per person, each tagged or blurred, the poster's confirmation that everyone in
it is accounted for, and the verdict per channel. The rules are the photo check's
(consent.photos): a track is tagged and judged exactly as a photo's face, and the confirmation
is versioned the same way."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from gatehouse.accounts.models import User
from gatehouse.audit.log import record
from gatehouse.consent import photos as photo_checks
from gatehouse.consent.imaging.faces import DETECTOR_VERSION
from gatehouse.consent.models import Channel, Pupil
from gatehouse.publishing.models import Post, Video, VideoConfirmation, VideoTrack
from gatehouse.publishing.video import (
    ProbedVideo,
    VideoRejected,
    find_faces,
    probe_video,
    render_video,
    thumbnail_at,
)

# Meta's limit for reels published through the API (3 seconds to 15 minutes).
REEL_MIN_SECONDS = 3


def video_of(post: Post) -> Video | None:
    try:
        return post.video
    except Video.DoesNotExist:
        return None


def _check_open(post: Post, actor: User) -> None:
    from gatehouse.publishing.actions import check_can_post, check_editable

    check_can_post(actor, post.school)
    check_editable(post)
    video = video_of(post)
    if video is not None and video.rendered_at is not None:
        raise ValidationError("This video has been published; it can't change.")


def check_upload(upload: IO[bytes], *, size: int | None) -> ProbedVideo:
    """The quick check while the poster waits (type, limits, a video stream that decodes);
    nothing is saved."""
    try:
        return probe_video(upload, size=size)
    except VideoRejected as exc:
        raise ValidationError(exc.message) from exc


def do_add_video(post: Post, *, actor: User, upload: IO[bytes], probed: ProbedVideo) -> Video:
    """Save a video that passed the quick check (check_upload), replacing any earlier one, and
    queue the face check for the worker (do_find_faces). A refused video saves nothing."""
    _check_open(post, actor)
    if post.photos_id:
        raise ValidationError("This post has photos. A post has photos or one video, not both: "
                              "write a new post for the video.")
    name = uuid.uuid4().hex  # never the uploaded name: it may contain a child's name
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        old = video_of(post)
        old_files = _files(old) if old else []
        if old is not None:
            old.delete()
        video = Video(post=post, width=probed.size[0], height=probed.size[1],
                      duration=probed.duration, sha256=probed.sha256,
                      detector_version=DETECTOR_VERSION, uploaded_by=actor)
        upload.seek(0)
        video.original.save(name, File(upload), save=False)
        try:  # if the row can't be written, don't leave the file behind
            video.save()
            record("publishing.video.uploaded", actor=actor, school=post.school, target=video,
                   details={"post": post.pk, "seconds": round(probed.duration, 1),
                            "sha256": probed.sha256, "replaced": old is not None})
        except Exception:
            video.original.delete(save=False)
            raise
        storage = video.original.storage
        transaction.on_commit(lambda: [storage.delete(n) for n in old_files])
        from gatehouse.publishing.tasks import find_video_faces

        transaction.on_commit(lambda: find_video_faces.delay(video.pk))
    return video


def do_find_faces(video_id: int) -> str:
    """The worker's part: find the faces and save them as tracks, or refuse the video (its
    file is deleted and the poster sees why). Returns the new status."""
    video = Video.objects.filter(pk=video_id, status=Video.Status.CHECKING).first()
    if video is None:  # replaced, removed or already done
        return "gone"
    try:
        with video.original.open("rb") as handle:
            found = find_faces(handle)
    except VideoRejected as exc:
        return _refuse(video, exc.message)
    saved: list[str] = []
    try:
        with transaction.atomic():
            if not Video.objects.select_for_update().filter(
                    pk=video.pk, status=Video.Status.CHECKING).exists():
                return "gone"
            for track in found.tracks:
                row = VideoTrack(video=video, boxes=[list(b) for b in track.boxes],
                                 x=track.best[0], y=track.best[1], w=track.best[2],
                                 h=track.best[3], score=track.score, first_seen=track.first,
                                 last_seen=track.last)
                row.thumbnail.save(f"{uuid.uuid4().hex}.jpg", ContentFile(track.thumbnail),
                                   save=False)
                saved.append(row.thumbnail.name)
                row.save()
            video.poster.save(f"{uuid.uuid4().hex}.jpg", ContentFile(found.poster),
                              save=False)
            saved.append(video.poster.name)
            video.status = Video.Status.READY
            video.save(update_fields=["poster", "status"])
            record("publishing.video.faces_found", school=video.post.school, target=video,
                   details={"tracks": len(found.tracks), "detector": DETECTOR_VERSION})
    except Exception:
        storage = video.original.storage
        for file_name in saved:
            storage.delete(file_name)
        raise
    return video.status


def _refuse(video: Video, why: str) -> str:
    with transaction.atomic():
        updated = Video.objects.filter(pk=video.pk, status=Video.Status.CHECKING).update(
            status=Video.Status.REFUSED, problem=why[:500], original="")
        if updated:
            record("publishing.video.refused", school=video.post.school, target=video,
                   details={"why": why})
            name, storage = video.original.name, video.original.storage
            transaction.on_commit(lambda: storage.delete(name))
    return Video.Status.REFUSED


def _files(video: Video) -> list[str]:
    names = [video.original.name, video.poster.name, video.published.name]
    names += [t.thumbnail.name for t in video.tracks.all()] if video.pk else []
    return [n for n in names if n]


def do_remove_video(post: Post, *, actor: User) -> None:
    _check_open(post, actor)
    with transaction.atomic():
        video = video_of(Post.objects.select_for_update().get(pk=post.pk))
        if video is None:
            raise ValidationError("This post has no video.")
        files = _files(video)
        video.delete()
        record("publishing.video.removed", actor=actor, school=post.school, target=post)
        storage = video.original.storage
        transaction.on_commit(lambda: [storage.delete(n) for n in files])


# --- tagging and the confirmation, with the photo check's rules -------------------------------


def video_version(video: Video, tracks: list[VideoTrack]) -> str:
    return photo_checks.photo_version(video, tracks)  # type: ignore[arg-type]


def current_confirmation(video: Video, tracks: list[VideoTrack]) -> VideoConfirmation | None:
    return photo_checks.current_confirmation(video, tracks)  # type: ignore[arg-type,return-value]


def _voided(video: Video, before: VideoConfirmation | None, actor: User, why: str) -> None:
    if before is not None:
        record("publishing.video.confirmation_voided", actor=actor, school=video.post.school,
               target=video, details={"confirmation": before.pk, "reason": why})


def _check_ready(video: Video, actor: User) -> None:
    _check_open(video.post, actor)
    if video.status != Video.Status.READY:
        raise ValidationError("The video's faces haven't been found yet (or it was refused). "
                              "Look again in a minute.")


def do_tag_tracks(video: Video, *, actor: User, tags: dict[int, str]) -> int:
    """Save who each face track is ("blur", "adult", "not_face", "pupil:12", "staff:3");
    returns how many changed. A change voids the confirmation."""
    _check_ready(video, actor)
    school = video.post.school
    parsed = {pk: photo_checks._parse_tag(value, school) for pk, value in tags.items()}
    changed = 0
    with transaction.atomic():
        tracks = list(video.tracks.select_for_update(of=("self",)).select_related("pupil"))
        before = current_confirmation(video, tracks)
        for track in [t for t in tracks if t.pk in parsed]:
            kind, pupil, staff = parsed[track.pk]
            if (track.kind, track.pupil_id, track.staff_id) == (
                    kind, pupil.pk if pupil else None, staff.pk if staff else None):
                continue
            if kind == VideoTrack.Kind.NOT_FACE:
                photo_checks.check_can_dismiss(track, [track])  # type: ignore[arg-type,list-item]
            track.kind, track.pupil, track.staff = kind, pupil, staff
            track.tagged_by, track.tagged_at = actor, timezone.now()
            track.save()
            changed += 1
            record("publishing.video.track_tagged", actor=actor, school=school, target=track,
                   details={"video": video.pk, "kind": kind, "pupil": getattr(pupil, "pk", None),
                            "staff": getattr(staff, "pk", None)})
        if changed:
            _voided(video, before, actor, "tags changed")
    return changed


def do_add_track(video: Video, *, actor: User, left: float, top: float, width: float,
                 height: float, start: float, end: float) -> VideoTrack:
    """A face the check missed, marked by hand: a box (in % of the frame) held from `start`
    to `end` seconds. It must then be tagged or blurred like any track."""
    _check_ready(video, actor)
    start, end = max(0.0, min(start, video.duration)), max(0.0, min(end, video.duration))
    x, y = round(video.width * left / 100), round(video.height * top / 100)
    w = max(1, min(round(video.width * width / 100), video.width - x))
    h = max(1, min(round(video.height * height / 100), video.height - y))
    with video.original.open("rb") as handle:
        try:
            thumbnail = thumbnail_at(handle, start, (x, y, w, h))
        except VideoRejected as exc:
            raise ValidationError(exc.message) from exc
    with transaction.atomic():
        tracks = list(video.tracks.select_for_update())
        before = current_confirmation(video, tracks)
        track = VideoTrack(video=video, boxes=[[start, x, y, w, h], [end, x, y, w, h]],
                           x=x, y=y, w=w, h=h, first_seen=start, last_seen=end)
        track.thumbnail.save(f"{uuid.uuid4().hex}.jpg", ContentFile(thumbnail), save=False)
        track.save()
        record("publishing.video.track_added", actor=actor, school=video.post.school,
               target=track, details={"video": video.pk, "box": [x, y, w, h],
                                      "seconds": [start, end]})
        _voided(video, before, actor, "face added")
    return track


def do_blur_untagged(video: Video, *, actor: User) -> int:
    _check_ready(video, actor)
    with transaction.atomic():
        tracks = list(video.tracks.select_for_update())
        before = current_confirmation(video, tracks)
        untagged = [t.pk for t in tracks if t.kind == VideoTrack.Kind.UNTAGGED]
        count = VideoTrack.objects.filter(pk__in=untagged).update(
            kind=VideoTrack.Kind.BLUR, tagged_by=actor, tagged_at=timezone.now())
        if count:
            record("publishing.video.untagged_blurred", actor=actor, school=video.post.school,
                   target=video, details={"tracks": untagged})
            _voided(video, before, actor, "tags changed")
    return count


def do_confirm_video(video: Video, *, actor: User, version: str,
                     no_people: bool) -> VideoConfirmation:
    """The poster's word that they watched the whole video (at `version`) and accounted for
    everyone: refused on the photo check's grounds (changed since, boxes left, none marked)."""
    with transaction.atomic():
        video = Video.objects.select_for_update().select_related("post__school").get(
            pk=video.pk)
        _check_ready(video, actor)
        tracks = list(video.tracks.all())
        try:
            photo_checks.check_confirm_photo(video, tracks, version=version,  # type: ignore[arg-type]
                                             no_people=no_people)
        except ValidationError as exc:  # the same rules, said of a video
            raise ValidationError([m.replace("photo", "video") for m in exc.messages]) from exc
        confirmation = VideoConfirmation.objects.create(
            video=video, version=version, no_people=no_people, confirmed_by=actor)
        record("publishing.video.confirmed", actor=actor, school=video.post.school,
               target=video, details={"version": version, "no_people": no_people,
                                      "tracks": len(tracks)})
    return confirmation


def suggested_group(video: Video) -> photo_checks.Suggestion:
    """The year group (and class) the video is most likely of, for the tagging form and the
    pupil search: its tagged pupils', else one the post's text names (as a photo's)."""
    return photo_checks.suggest_group(video.post.school, video.post.body,
                                      [Pupil.objects.filter(video_tracks__video=video)])


# --- the verdict, publishing ------------------------------------------------------------------


def tracks_for_check(video: Video) -> list[VideoTrack]:
    return list(video.tracks.select_related("pupil", "staff").prefetch_related(
        "pupil__photo_consents"))


def video_problems(video: Video, channel: str, permitted: set[int]) -> list[str]:
    """Why the video can't go to `channel` now (nothing if it can)."""
    if video.status == Video.Status.CHECKING:
        return ["Video: still being checked for faces. Look again in a minute."]
    if video.status == Video.Status.REFUSED:
        return [f"Video: refused. {video.problem} Upload another or remove it."]
    tracks = tracks_for_check(video)
    problems = []
    if channel == Channel.INSTAGRAM and video.duration < REEL_MIN_SECONDS:
        problems.append(f"Instagram takes reels of {REEL_MIN_SECONDS} seconds or more; this "
                        f"video is {video.duration:.1f} s. Remove Instagram or use a longer "
                        "video.")
    if current_confirmation(video, tracks) is None:
        problems.append("Nobody has confirmed yet that they watched the whole video and "
                        "everyone in it is tagged or blurred.")
    for number, track in enumerate(tracks, start=1):
        problems += photo_checks.face_problems(track, number, channel,  # type: ignore[arg-type]
                                               permitted)
    return [f"Video: {p}" for p in problems]


def check_post_media(post: Post, channels: list[str] | None = None
                     ) -> list[photo_checks.ChannelVerdict]:
    """The consent verdict for each channel (the post's, or those named) over its photos and
    its video, asked now."""
    channels = post.channels if channels is None else channels
    if post.photos is not None:
        verdicts = photo_checks.check_photos(post.photos, channels)
    else:
        verdicts = [photo_checks.ChannelVerdict(c) for c in channels]
    video = video_of(post)
    if video is not None:
        permitted = photo_checks.permitted_staff(post.school)
        for verdict in verdicts:
            verdict.problems += video_problems(video, verdict.channel, permitted)
    return verdicts


def check_video_publishable(post: Post) -> None:
    """A post with a video goes to leadership only once every channel's check is clear (as
    a photo post does, consent.photos.check_publishable)."""
    if video_of(post) is None:
        return
    blocked = [v for v in check_post_media(post) if not v.ok]
    if blocked:
        raise ValidationError(
            "Not sent: the video check fails for " + ", ".join(v.label for v in blocked)
            + ". Open the video check, tag or blur every face and confirm, or remove the "
            "channel.")


def lock_tagged_pupils(video: Video) -> None:
    """As consent.photos.lock_tagged_pupils, for the pupils tagged in the video."""
    list(Pupil.objects.select_for_update().filter(video_tracks__video=video))


def render_published(video: Video) -> Video:
    """Make the published copy once (blurred tracks, re-encoded, no metadata)."""
    video = Video.objects.select_for_update().get(pk=video.pk)
    if video.published:
        return video
    blurred = [[tuple(b) for b in t.boxes]
               for t in video.tracks.filter(kind=VideoTrack.Kind.BLUR)]
    with video.original.open("rb") as source, tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "published.mp4"
        render_video(source, target, blurred)  # type: ignore[arg-type]
        with target.open("rb") as handle:
            video.published.save(f"{uuid.uuid4().hex}.mp4", File(handle), save=False)
    video.rendered_at = timezone.now()
    video.save(update_fields=["published", "rendered_at"])
    return video


# --- withdrawal reaches published videos ------------------------------------------------------


def reach_published_videos(*, channels: list[str], reason: str, pupil: Pupil | None = None,
                           staff: User | None = None, school: object = None) -> list[Video]:
    """Consent withdrawn (or a pupil restricted, or staff permission withdrawn): each published
    video where they are tagged (blurred tracks show nobody) is hidden from the parents' group
    and taken off the website at once, and deleted from the Page and Instagram through the API
    by the worker (a failure is left on the delivery, for a person). Called by
    consent.withdrawal."""
    from gatehouse.community import feedcache
    from gatehouse.publishing.models import Delivery
    from gatehouse.publishing.tasks import take_down_video

    tracks = VideoTrack.objects.filter(video__rendered_at__isnull=False)
    if pupil is not None:
        tracks = tracks.filter(kind=VideoTrack.Kind.PUPIL, pupil=pupil)
    else:
        tracks = tracks.filter(kind=VideoTrack.Kind.STAFF, staff=staff,
                               video__post__school=school)
    found = list(Video.objects.filter(pk__in=tracks.values("video_id"))
                 .select_related("post__school"))
    for video in found:
        if Channel.PARENTS_GROUP in channels and video.hidden_at is None:
            Video.objects.filter(pk=video.pk).update(hidden_at=timezone.now(),
                                                     hidden_reason=reason[:300])
            feedcache.bump(video.post.school_id)
        if Channel.WEBSITE in channels:  # Gatehouse serves the website's news: gone at once
            Delivery.objects.filter(post=video.post, channel=Channel.WEBSITE,
                                    state=Delivery.State.PUBLISHED).update(
                state=Delivery.State.REMOVED, message=f"Taken off the website: {reason}"[:300])
        social = list(Delivery.objects.filter(
            post=video.post, state=Delivery.State.PUBLISHED,
            channel__in=[c for c in channels if c in (Channel.FACEBOOK, Channel.INSTAGRAM)])
            .values_list("pk", flat=True))
        transaction.on_commit(lambda ids=social: [take_down_video.delay(pk, reason[:300])
                                                  for pk in ids])
        record("publishing.video.withdrawal_reached", school=video.post.school, target=video,
               details={"channels": channels, "reason": reason, "deliveries": social})
    return found


def take_down_delivery(delivery_id: int, reason: str) -> bool:
    """Delete one published video from its platform; True when it is gone."""
    from gatehouse.publishing.connectors.base import PublishError
    from gatehouse.publishing.connectors.registry import connector_for
    from gatehouse.publishing.models import Connection, Delivery

    delivery = Delivery.objects.select_related("post__school").get(pk=delivery_id)
    if delivery.state != Delivery.State.PUBLISHED:
        return delivery.state == Delivery.State.REMOVED
    connection = Connection.objects.filter(school=delivery.post.school,
                                           platform=delivery.channel).first()
    try:
        if connection is None:
            raise PublishError("the account is no longer connected", permanent=True)
        connector_for(connection).delete(delivery.remote_id)
    except PublishError as exc:
        if "does not exist" not in exc.message:  # already gone counts as done
            Delivery.objects.filter(pk=delivery.pk).update(message=(
                f"Take this down by hand ({reason}): Gatehouse could not delete it: "
                f"{exc.message}")[:500])
            record("publishing.takedown.failed", school=delivery.post.school, target=delivery,
                   details={"channel": delivery.channel, "why": exc.message})
            return False
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.REMOVED,
        message=f"Deleted from {delivery.get_channel_display()}: {reason}"[:500])
    record("publishing.takedown.deleted", school=delivery.post.school, target=delivery,
           details={"channel": delivery.channel, "remote_id": delivery.remote_id})
    return True
