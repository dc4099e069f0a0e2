"""Staff pages for a post's video (the face tracks, tagging, the confirmation) and the parents'
group's <video>, which plays the published copy only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gatehouse.accounts.models import StaffRole, User
from gatehouse.accounts.permissions import (
    access_membership,
    access_school,
    check_not_removed,
    staff_view,
)
from gatehouse.consent import photos as photo_checks
from gatehouse.consent.models import Pupil
from gatehouse.consent.photo_views import pupils_found
from gatehouse.consent.photos import Suggestion
from gatehouse.publishing import videos
from gatehouse.publishing.forms import AddTrackForm, ConfirmVideoForm, VideoForm
from gatehouse.publishing.models import Post, Video, VideoTrack
from gatehouse.publishing.views import POSTING, READING
from gatehouse.schools.models import School


def _video(school: School, pk: int) -> Video:
    return get_object_or_404(Video.objects.select_related("post__school"), post__pk=pk,
                             post__school=school)


def _to_video(school: School, pk: int) -> HttpResponse:
    return redirect("staff:publishing_video", slug=school.slug, pk=pk)


def _say(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@staff_view(*READING)
def video_check(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk, school=school)
    video = videos.video_of(post)
    can_post = bool(request.user.roles_at(school.pk) & set(POSTING))
    seconds = settings.VIDEO_MAX_SECONDS
    context = {"school": school, "post": post, "video": video, "upload_form": VideoForm(),
               "add_track_form": AddTrackForm(),
               "can_post": can_post, "open": video is None or video.rendered_at is None,
               "max_mb": settings.VIDEO_MAX_BYTES // 1_048_576,
               "max_length": f"{seconds // 60}:{seconds % 60:02d}",
               "samples_per_second": settings.VIDEO_SAMPLES_PER_SECOND}
    if video is not None:
        tracks = videos.tracks_for_check(video)
        permitted = photo_checks.permitted_staff(school)
        confirmation = videos.current_confirmation(video, tracks)
        staff_ids = StaffRole.objects.filter(school=school).values("user_id")
        context.update({
            "rows": [(n, t, photo_checks.face_blocks(t, n, post.channels, permitted))  # type: ignore[arg-type]
                     for n, t in enumerate(tracks, start=1)],
            "untagged": sum(1 for t in tracks if t.kind == VideoTrack.Kind.UNTAGGED),
            "verdicts": videos.check_post_media(post),
            "confirmation": confirmation,
            "earlier": None if confirmation else video.confirmations.first(),
            "version": videos.video_version(video, tracks),
            "people": any(t.kind != VideoTrack.Kind.NOT_FACE for t in tracks),
            **_pupil_choices(school, videos.suggested_group(video)),
            "staff": User.objects.filter(pk__in=staff_ids).order_by("full_name"),
            "permitted": permitted,
        })
    return render(request, "publishing/video.html", context)


def _pupil_choices(school: School, suggestion: Suggestion) -> dict[str, object]:
    """Every pupil on roll for the tagging select (it works without script), the suggested
    year group first; the search box over it finds anyone by name, year or class."""
    on_roll = list(Pupil.objects.filter(school=school).on_roll().order_by(
        "year_group", "class_name", "last_name", "first_name"))
    return {"suggested_year": suggestion.year,
            "suggested": [p for p in on_roll if p.year_group == suggestion.year],
            "pupils": [p for p in on_roll if p.year_group != suggestion.year],
            "on_roll_ids": {p.pk for p in on_roll}}


@staff_view(*POSTING)
def video_pupil_search(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """The tagging search for a video's tracks (JSON), as the photo check's: the group the
    video is most likely of comes first."""
    return pupils_found(request, school, videos.suggested_group(_video(school, pk)))


@staff_view(*POSTING)
@require_POST
def video_upload(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk, school=school)
    form = VideoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a video file to upload.")
        return _to_video(school, pk)
    upload = form.cleaned_data["video"]
    try:
        probed = videos.check_upload(upload, size=upload.size)
        video = videos.do_add_video(post, actor=request.user, upload=upload, probed=probed)
    except ValidationError as exc:
        _say(request, exc)
    else:
        count = video.tracks.count()
        messages.success(request, f"Video probed: {count} face{'s' if count != 1 else ''} "
                         "found. Tag or blur each one, then confirm.")
    return _to_video(school, pk)


@staff_view(*POSTING)
@require_POST
def video_remove(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk, school=school)
    try:
        videos.do_remove_video(post, actor=request.user)
    except ValidationError as exc:
        _say(request, exc)
        return _to_video(school, pk)
    messages.success(request, "Video removed.")
    return redirect("staff:publishing_post", slug=school.slug, pk=pk)


@staff_view(*POSTING)
@require_POST
def video_tags(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    video = _video(school, pk)
    tags = {int(key.removeprefix("track-")): value for key, value in request.POST.items()
            if key.startswith("track-") and key.removeprefix("track-").isdigit()}
    try:
        changed = videos.do_tag_tracks(video, actor=request.user, tags=tags)
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, f"Tags saved ({changed} changed).")
    return _to_video(school, pk)


@staff_view(*POSTING)
@require_POST
def video_add_track(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    video = _video(school, pk)
    form = AddTrackForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return _to_video(school, pk)
    try:
        videos.do_add_track(video, actor=request.user,
                            **{k: float(v) for k, v in form.cleaned_data.items()})
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, "Face added. Tag or blur it, then confirm again.")
    return _to_video(school, pk)


@staff_view(*POSTING)
@require_POST
def video_blur_untagged(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    video = _video(school, pk)
    try:
        count = videos.do_blur_untagged(video, actor=request.user)
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, f"{count} face{'s' if count != 1 else ''} will be blurred.")
    return _to_video(school, pk)


@staff_view(*POSTING)
@require_POST
def video_confirm(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    video = _video(school, pk)
    form = ConfirmVideoForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return _to_video(school, pk)
    try:
        videos.do_confirm_video(video, actor=request.user, version=form.cleaned_data["version"],
                                no_people=form.cleaned_data["no_people"])
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, "Confirmed: you have accounted for everyone in this video.")
    return _to_video(school, pk)


def _file(handle: object, content_type: str) -> FileResponse:
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@staff_view(*READING)
def video_original(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """The video as uploaded, to watch while checking it (staff only: it may hold metadata)."""
    video = _video(school, pk)
    if not video.original:
        raise Http404("The video was refused and deleted.")
    return _file(video.original.open("rb"), "video/mp4")


@staff_view(*READING)
def video_published(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    video = _video(school, pk)
    if not video.published:
        raise Http404("Not published yet.")
    return _file(video.published.open("rb"), "video/mp4")


@staff_view(*READING)
def video_track_thumbnail(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    track = get_object_or_404(VideoTrack, pk=pk, video__post__school=school)
    return _file(track.thumbnail.open("rb"), "image/jpeg")


@login_required
def group_video(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A published video in the parents' group, for people who can see the feed: the
    re-encoded copy with blurred faces and no metadata, never the original."""
    school = access_school(slug)
    check_not_removed(access_membership(request.user, school))
    video = get_object_or_404(Video, group_post__pk=pk, group_post__school=school,
                              hidden_at__isnull=True)
    if not video.published:
        raise Http404
    return _file(video.published.open("rb"), "video/mp4")
