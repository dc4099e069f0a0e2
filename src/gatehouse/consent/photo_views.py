"""Staff pages for photo posts: upload, the face overlay and tagging, the verdict, publishing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gatehouse.accounts.models import Role
from gatehouse.accounts.permissions import staff_view
from gatehouse.consent import biometrics, photos
from gatehouse.consent.forms import (
    AddFaceForm,
    ChannelsForm,
    ConfirmPhotoForm,
    NewDraftForm,
    PhotoForm,
    ReplacePhotoForm,
)
from gatehouse.consent.models import Photo, PhotoDraft
from gatehouse.schools.models import School

POSTING = (Role.ADMINISTRATOR, Role.POSTER)


@staff_view(*POSTING)
def drafts(request: HttpRequest, school: School) -> HttpResponse:
    found = PhotoDraft.objects.filter(school=school).select_related("author")[:100]
    return render(request, "consent/drafts.html", {"school": school, "drafts": found})


@staff_view(*POSTING)
def draft_new(request: HttpRequest, school: School) -> HttpResponse:
    form = NewDraftForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            prepared = photos.prepare_upload(form.cleaned_data["photo"])
            draft = photos.do_create_draft(
                school, actor=request.user, body=form.cleaned_data["body"],
                channels=form.cleaned_data["channels"], prepared=prepared,
                alt_text=form.cleaned_data["alt_text"])
        except ValidationError as exc:
            form.add_error("photo", exc)
        else:
            return redirect("staff:draft", slug=school.slug, pk=draft.pk)
    return render(request, "consent/draft_new.html", {"school": school, "form": form},
                  status=400 if form.errors else 200)


def _draft(school: School, pk: int) -> PhotoDraft:
    return get_object_or_404(PhotoDraft, pk=pk, school=school)


def _photo(school: School, pk: int) -> Photo:
    return get_object_or_404(Photo.objects.select_related("draft"), pk=pk,
                             draft__school=school)


@staff_view(*POSTING)
def draft_detail(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    return _render_draft(request, school, _draft(school, pk))


def _render_draft(request: HttpRequest, school: School, draft: PhotoDraft, *,
                  photo_form: PhotoForm | None = None, add_face_form: AddFaceForm | None = None,
                  add_face_photo: int | None = None, status: int = 200) -> HttpResponse:
    permitted = photos.permitted_staff(school)
    shown = []
    for photo, faces in photos.faces_for_check(draft):
        rows = [(number, face, photos.face_blocks(face, number, draft.channels, permitted))
                for number, face in enumerate(faces, start=1)]
        shown.append({
            "photo": photo, "rows": rows,
            "add_face_form": add_face_form if add_face_photo == photo.pk else AddFaceForm(),
            "version": photos.photo_version(photo, faces),
            "confirmation": photos.current_confirmation(photo, faces),
            "earlier": next(iter(photo.confirmations.all()), None),
            "untagged": sum(f.kind == f.Kind.UNTAGGED for f in faces),
            "people": sum(f.kind != f.Kind.NOT_FACE for f in faces),
            "label_size": max(14, round(max(photo.width, photo.height) / 70)),
        })
    pupils, staff = photos.tag_choices(draft)
    verdicts = photos.check_photos(draft)
    return render(request, "consent/draft.html", {
        "school": school, "draft": draft, "photos": shown, "verdicts": verdicts,
        "all_clear": bool(shown) and all(v.ok for v in verdicts),
        "pupils": pupils, "suggested_ids": {p.pk for p in pupils},
        "suggested_year": photos.suggested_group(draft).year,
        "staff": staff, "permitted": permitted,
        "photo_form": photo_form or PhotoForm(),
        "channels_form": ChannelsForm(initial={"channels": draft.channels}),
        "recognition": biometrics.settings_for(school).recognition_enabled,
        "recognition_model": biometrics.RECOGNITION_MODEL,
    }, status=status)


@staff_view(*POSTING)
@require_POST
def add_photo(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    draft = _draft(school, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            prepared = photos.prepare_upload(form.cleaned_data["photo"])
            photos.do_add_photo(draft, actor=request.user, prepared=prepared,
                                alt_text=form.cleaned_data["alt_text"])
        except ValidationError as exc:
            form.add_error("photo", exc)
    if form.errors:
        return _render_draft(request, school, draft, photo_form=form, status=400)
    messages.success(request, "Photo added. Tag every face below.")
    return redirect("staff:draft", slug=school.slug, pk=draft.pk)


@staff_view(*POSTING)
@require_POST
def tag_faces(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    photo = _photo(school, pk)
    tags = {int(key.removeprefix("face-")): value for key, value in request.POST.items()
            if key.startswith("face-") and key.removeprefix("face-").isdigit()}
    # "Blur" and "Not a face" buttons on each row: one click, other rows' choices kept.
    quick_kind, _, quick_face = request.POST.get("quick", "").partition(":")
    if quick_kind in ("blur", "not_face") and quick_face.isdigit():
        tags[int(quick_face)] = quick_kind
    try:
        changed = photos.do_tag_faces(photo, actor=request.user, tags=tags)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Tags saved ({changed} changed).")
    return _to_photo(school, photo)


@staff_view(*POSTING)
@require_POST
def add_face(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    photo = _photo(school, pk)
    form = AddFaceForm(request.POST)
    if form.is_valid():
        try:
            photos.do_add_face(photo, actor=request.user,
                               **{k: float(v) for k, v in form.cleaned_data.items()})
        except ValidationError as exc:
            form.add_error(None, exc)
    if form.errors:
        return _render_draft(request, school, photo.draft, add_face_form=form,
                             add_face_photo=photo.pk, status=400)
    messages.success(request, "Face added. Tag it below.")
    return _to_photo(school, photo)


@staff_view(*POSTING)
@require_POST
def blur_untagged(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    photo = _photo(school, pk)
    try:
        count = photos.do_blur_untagged(photo, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{count} untagged face{'s' if count != 1 else ''} blurred.")
    return _to_photo(school, photo)


@staff_view(*POSTING)
@require_POST
def confirm_photo(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    photo = _photo(school, pk)
    form = ConfirmPhotoForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return _to_photo(school, photo)
    try:
        photos.do_confirm_photo(photo, actor=request.user, version=form.cleaned_data["version"],
                                no_people=form.cleaned_data["no_people"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Confirmed: you have accounted for everyone in this photo.")
    return _to_photo(school, photo)


@staff_view(*POSTING)
@require_POST
def replace_photo(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    photo = _photo(school, pk)
    form = ReplacePhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            prepared = photos.prepare_upload(form.cleaned_data["photo"])
            photos.do_replace_photo(photo, actor=request.user, prepared=prepared)
        except ValidationError as exc:
            form.add_error("photo", exc)
    if form.errors:
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
    else:
        messages.success(request, "Photo replaced. Its faces were found again: tag every face "
                                  "and confirm again.")
    return _to_photo(school, photo)


@staff_view(*POSTING)
def pupil_search(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """Pupils matching what the poster typed, for the tagging combobox (JSON); the group the
    photo (`?photo=`, one of this post's) is most likely of comes first."""
    draft = _draft(school, pk)
    raw_photo = request.GET.get("photo", "")
    photo = (draft.photos.filter(pk=int(raw_photo)).first()
             if raw_photo.isdigit() and len(raw_photo) < 10 else None)
    return pupils_found(request, school, photos.suggested_group(draft, photo))


def pupils_found(request: HttpRequest, school: School, prefer: photos.Suggestion) -> JsonResponse:
    """The search's answer (`?q=`), for a photo's faces or a video's tracks: the first pupils
    on roll who match, `prefer`'s group first, restricted ones marked (tagging them blocks)."""
    found = photos.search_pupils(school, request.GET.get("q", "")[:100], prefer=prefer)
    return JsonResponse({"results": [
        {"value": f"pupil:{p.pk}", "name": p.name, "year": p.year_group,
         "class": p.class_name, "restricted": p.restricted} for p in found]})


@staff_view(*POSTING)
@require_POST
def set_channels(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    draft = _draft(school, pk)
    form = ChannelsForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["channels"]))
    else:
        try:
            photos.do_set_channels(draft, actor=request.user,
                                   channels=form.cleaned_data["channels"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Channels saved.")
    return redirect("staff:draft", slug=school.slug, pk=draft.pk)


@staff_view(*POSTING)
@require_POST
def publish_draft(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """Photos publish through `publishing`, like every post: once every channel is clear,
    the post goes to leadership to agree and is scheduled there (consent is asked again
    for each channel at the moment it is published)."""
    from gatehouse.publishing import actions as publishing

    draft = _draft(school, pk)
    try:
        photos.check_publishable(draft)
        post = publishing.do_post_from_photos(draft, actor=request.user)
        if post.state in (post.State.DRAFT, post.State.CHANGES):
            post = publishing.do_submit(post, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("staff:draft", slug=school.slug, pk=draft.pk)
    messages.success(request, "Sent to leadership to agree. "
                              + ", ".join(draft.channel_labels()) + ".")
    return redirect("staff:publishing_post", slug=school.slug, pk=post.pk)


def _to_photo(school: School, photo: Photo) -> HttpResponse:
    url = reverse("staff:draft", kwargs={"slug": school.slug, "pk": photo.draft_id})
    return redirect(f"{url}#photo-{photo.pk}")


def _jpeg(data_or_file: object, name: str) -> HttpResponse:
    response = (FileResponse(data_or_file, content_type="image/jpeg") if not isinstance(
        data_or_file, bytes) else HttpResponse(data_or_file, content_type="image/jpeg"))
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@staff_view(*POSTING)
def photo_preview(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """The upright working copy the faces are drawn over (staff only, never public)."""
    photo = _photo(school, pk)
    return _jpeg(photo.preview.open("rb"), f"photo-{photo.pk}.jpg")


@staff_view(*POSTING)
def photo_as_published(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """Exactly what would be published now: blurred faces, no metadata."""
    photo = _photo(school, pk)
    if photo.published:
        return _jpeg(photo.published.open("rb"), f"published-{photo.pk}.jpg")
    return _jpeg(photos.render_published(photo), f"published-{photo.pk}.jpg")


@staff_view(*POSTING)
def photo_original(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """The original as uploaded, as a download: it may hold metadata, so only staff get it."""
    photo = _photo(school, pk)
    response = FileResponse(photo.original.open("rb"), as_attachment=True,
                            filename=f"original-{photo.pk}",
                            content_type="application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    return response

