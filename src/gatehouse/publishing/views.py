"""Staff pages for publishing: posts, agreement, schedule, calendar and connections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gatehouse.accounts.models import Role
from gatehouse.accounts.permissions import staff_view
from gatehouse.consent.models import PhotoDraft
from gatehouse.publishing import actions, videos
from gatehouse.publishing.connectors.facebook import oauth
from gatehouse.publishing.forms import (
    AgreeForm,
    CalendarForm,
    ChangesForm,
    ConnectForm,
    PickPageForm,
    PostForm,
    QuickPostsForm,
    RescheduleForm,
)
from gatehouse.publishing.models import Connection, Delivery, Post
from gatehouse.schools.models import School

POSTING = (Role.ADMINISTRATOR, Role.POSTER)
AGREEING = (Role.LEADERSHIP, Role.HEAD_TEACHER)
READING = (*POSTING, *AGREEING)


def _post(school: School, pk: int) -> Post:
    return get_object_or_404(Post.objects.select_related("author", "agreed_by", "photos"),
                             pk=pk, school=school)


def _to_post(post: Post) -> HttpResponse:
    return redirect("staff:publishing_post", slug=post.school.slug, pk=post.pk)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@staff_view(*READING)
def posts(request: HttpRequest, school: School) -> HttpResponse:
    found = (Post.objects.filter(school=school).select_related("author", "agreed_by")
             .prefetch_related("deliveries")[:100])
    waiting = [p for p in found if p.state == Post.State.SUBMITTED
               and p.author_id != request.user.pk]
    roles = request.user.roles_at(school.pk)
    return render(request, "publishing/posts.html", {
        "school": school, "posts": found, "waiting": waiting,
        "can_post": bool(roles & set(POSTING)), "can_agree": bool(roles & set(AGREEING))})


@staff_view(*POSTING)
def post_new(request: HttpRequest, school: School) -> HttpResponse:
    form = PostForm(request.POST or None, request.FILES or None,
                    initial={"channels": ["parents_group"], "comments_enabled": True})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("video")
        try:
            probed = videos.check_upload(upload, size=upload.size) if upload else None
            with transaction.atomic():  # a refused video leaves no post behind
                post = actions.do_create_post(school, actor=request.user,
                                              has_video=probed is not None, **data)
                if probed is not None:
                    videos.do_add_video(post, actor=request.user, upload=upload,
                                        probed=probed)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _after_save(request, post)
    return render(request, "publishing/post_form.html", {"school": school, "form": form},
                  status=400 if form.errors else 200)


def _after_save(request: HttpRequest, post: Post) -> HttpResponse:
    """"Save" keeps a draft; "Send" also sends it on (to leadership, or out if it needs no
    agreement), so a quick post is one click."""
    if request.POST.get("send"):
        try:
            post = actions.do_submit(post, actor=request.user)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return _to_post(post)
        messages.success(request, _sent_message(post))
    else:
        messages.success(request, "Draft saved.")
    return _to_post(post)


def _sent_message(post: Post) -> str:
    if post.state == Post.State.SUBMITTED:
        return "Sent to leadership to agree."
    when = post.publish_at
    return (f"Scheduled for {timezone.localtime(when):%-d %b %Y at %H:%M}." if when
            else "Publishing now.")


@staff_view(*POSTING)
def post_edit(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    post = _post(school, pk)
    form = PostForm(request.POST or None, request.FILES or None, initial={
        "body": post.body, "link": post.link, "channels": post.channels,
        "publish_at": timezone.localtime(post.publish_at) if post.publish_at else None,
        "event_at": timezone.localtime(post.event_at) if post.event_at else None,
        "comments_enabled": post.comments_enabled})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("video")
        try:
            probed = videos.check_upload(upload, size=upload.size) if upload else None
            with transaction.atomic():
                post = actions.do_edit_post(post, actor=request.user,
                                            has_video=probed is not None, **data)
                if probed is not None:
                    videos.do_add_video(post, actor=request.user, upload=upload,
                                        probed=probed)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _after_save(request, post)
    return render(request, "publishing/post_form.html",
                  {"school": school, "form": form, "post": post},
                  status=400 if form.errors else 200)


@staff_view(*POSTING)
@require_POST
def post_from_photos(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    draft = get_object_or_404(PhotoDraft, pk=pk, school=school)
    try:
        post = actions.do_post_from_photos(draft, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("staff:draft", slug=school.slug, pk=draft.pk)
    return _to_post(post)


@staff_view(*READING)
def post_detail(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    post = _post(school, pk)
    video = videos.video_of(post)
    verdicts = (videos.check_post_media(post) if post.photos or video is not None else [])
    roles = request.user.roles_at(school.pk)
    fingerprint = post.fingerprint()
    return render(request, "publishing/post.html", {
        "school": school, "post": post, "verdicts": verdicts, "video": video,
        "deliveries": post.deliveries.all(),
        "photos": list(post.photos.photos.all()) if post.photos else [],
        "agree_form": AgreeForm(initial={"fingerprint": fingerprint}),
        "changes_form": ChangesForm(), "reschedule_form": RescheduleForm(),
        "changed_since_agreement": post.state == Post.State.AGREED
        and post.agreed_fingerprint != fingerprint,
        "can_post": bool(roles & set(POSTING)),
        "can_agree": bool(roles & set(AGREEING)) and post.author_id != request.user.pk,
        "needs_agreement": actions.needs_agreement(post),
        "open": post.deliveries.filter(state=Delivery.State.PENDING).exists(),
    })


def _post_action(request: HttpRequest, school: School, pk: int,
                 run: Callable[[Post], Any], done: str) -> HttpResponse:
    post = _post(school, pk)
    try:
        run(post)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, done)
    return _to_post(post)


@staff_view(*POSTING)
@require_POST
def post_submit(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    post = _post(school, pk)
    try:
        post = actions.do_submit(post, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _sent_message(post))
    return _to_post(post)


@staff_view(*AGREEING)
@require_POST
def post_agree(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    form = AgreeForm(request.POST)
    fingerprint = form.cleaned_data["fingerprint"] if form.is_valid() else ""
    return _post_action(request, school, pk, lambda post: actions.do_agree(
        post, actor=request.user, fingerprint=fingerprint), "Agreed. It will be published "
        "at its time, after a last consent check on each channel.")


@staff_view(*AGREEING)
@require_POST
def post_changes(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    form = ChangesForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _post_action(request, school, pk, lambda post: actions.do_request_changes(
        post, actor=request.user, comment=comment), "The author has been asked for changes.")


@staff_view(*POSTING)
@require_POST
def post_reschedule(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return _to_post(_post(school, pk))
    when = form.cleaned_data["publish_at"]
    return _post_action(request, school, pk, lambda post: actions.do_reschedule(
        post, actor=request.user, publish_at=when),
        f"Moved to {timezone.localtime(when):%-d %b %Y at %H:%M}." if when
        else "Publishing now.")


@staff_view(*POSTING)
@require_POST
def post_cancel(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    return _post_action(request, school, pk, lambda post: actions.do_cancel(
        post, actor=request.user), "Cancelled: nothing more will be published.")


@staff_view(*READING)
def calendar(request: HttpRequest, school: School) -> HttpResponse:
    form = CalendarForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "week"
    start = data.get("start") or timezone.localdate()
    if view == "week":
        start -= dt.timedelta(days=start.weekday())
        end = start + dt.timedelta(days=7)
    else:
        start = start.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    window = (dt.datetime.combine(start, dt.time(), tz), dt.datetime.combine(end, dt.time(), tz))
    found = (Delivery.objects.filter(post__school=school)
             .exclude(state=Delivery.State.CANCELLED).select_related("post"))
    found = found.filter(published_at__range=window) | found.filter(
        published_at__isnull=True, due_at__range=window)
    if data.get("channel"):
        found = found.filter(channel=data["channel"])
    days: dict[dt.date, list[Delivery]] = {}
    for delivery in found.order_by("due_at"):
        when = delivery.published_at or delivery.due_at
        days.setdefault(timezone.localdate(when), []).append(delivery)
    step = dt.timedelta(days=7) if view == "week" else dt.timedelta(days=31)
    return render(request, "publishing/calendar.html", {
        "school": school, "form": form, "view": view, "start": start,
        "end": end - dt.timedelta(days=1), "days": sorted(days.items()),
        "previous": (start - step).replace(day=1) if view == "month" else start - step,
        "next": end, "channel": data.get("channel", "")})


@staff_view(Role.ADMINISTRATOR)
def connections(request: HttpRequest, school: School) -> HttpResponse:
    form = ConnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_connect(school, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Connected. The token is saved encrypted and won't be "
                                      "shown again.")
            return redirect("staff:publishing_connections", slug=school.slug)
    return render(request, "publishing/connections.html", {
        "school": school, "form": form,
        "connections": Connection.objects.filter(school=school).order_by("platform"),
        "quick_form": QuickPostsForm(initial={
            "quick_text_posts": actions.settings_for(school).quick_text_posts}),
    }, status=400 if form.errors else 200)


@staff_view(Role.ADMINISTRATOR)
@require_POST
def connection_check(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    connection = get_object_or_404(Connection, pk=pk, school=school)
    try:
        connection = actions.do_check_connection(connection, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        if connection.health == Connection.Health.OK:
            messages.success(request, f"{connection.get_platform_display()} works.")
        else:
            messages.error(request, connection.health_message)
    return redirect("staff:publishing_connections", slug=school.slug)


@staff_view(Role.ADMINISTRATOR)
@require_POST
def quick_posts(request: HttpRequest, school: School) -> HttpResponse:
    form = QuickPostsForm(request.POST)
    enabled = form.is_valid() and form.cleaned_data["quick_text_posts"]
    actions.do_set_quick_text_posts(school, actor=request.user, enabled=enabled)
    messages.success(request, "Saved.")
    return redirect("staff:publishing_connections", slug=school.slug)


def _callback_uri(request: HttpRequest) -> str:
    """The one address Meta sends every school back to (listed in the Meta app)."""
    return request.build_absolute_uri(reverse("publishing_oauth_callback"))


def _to_connections(school: School) -> HttpResponse:
    return redirect("staff:publishing_connections", slug=school.slug)


@staff_view(Role.ADMINISTRATOR)
@require_GET
def oauth_start(request: HttpRequest, school: School) -> HttpResponse:
    """"Connect with Facebook": off to Meta's dialog, with a signed single-use state. A link
    rather than a form: CSP's form-action would stop a form's redirect to another site, and
    starting an attempt changes nothing but this session."""
    try:
        dialog = oauth.start(request.session, school_id=school.pk, user_id=request.user.pk,
                             redirect_uri=_callback_uri(request))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return _to_connections(school)
    return redirect(dialog)


@login_required
@require_GET
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """Where Meta's dialog sends the administrator back, with a code or an error."""
    try:
        school_id = oauth.check_state(request.session, request.GET.get("state", ""),
                                      user_id=request.user.pk)
    except ValidationError as exc:
        return render(request, "publishing/oauth_problem.html", {"message": _errors(exc)},
                      status=400)
    school = get_object_or_404(School, pk=school_id)
    actions.check_can_manage(request.user, school)
    code = request.GET.get("code", "")
    if request.GET.get("error") or not code:
        messages.error(request, oauth.denied_message(request.GET.get("error", ""),
                                                     request.GET.get("error_reason", "")[:100]))
        return _to_connections(school)
    try:
        oauth.exchange(request.session, code[:1000], school_id=school.pk,
                       redirect_uri=_callback_uri(request))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return _to_connections(school)
    return redirect("staff:publishing_oauth_pages", slug=school.slug)


@staff_view(Role.ADMINISTRATOR)
def oauth_pages(request: HttpRequest, school: School) -> HttpResponse:
    """The administrator picks the school's Page; its Instagram account comes with it."""
    pages = oauth.pages_to_pick(request.session, school.pk)
    if not pages:
        messages.error(request, "There is no sign-in with Facebook waiting. Click “Connect "
                                "with Facebook” to start one.")
        return _to_connections(school)
    form = PickPageForm(request.POST or None, pages=pages)
    if request.method == "POST" and form.is_valid():
        try:
            connected = _connect_picked(request, school, form.cleaned_data["page"])
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, f"Connected {' and '.join(connected)}. The access token "
                                      "is saved encrypted and won't be shown again.")
        return _to_connections(school)
    return render(request, "publishing/oauth_pages.html", {"school": school, "form": form},
                  status=400 if form.errors else 200)


def _connect_picked(request: HttpRequest, school: School, page_id: str) -> list[str]:
    token, page_id, instagram = oauth.picked(request.session, school.pk, page_id)
    made = [actions.do_connect(school, actor=request.user, platform=Connection.Platform.FACEBOOK,
                               account_id=page_id, token=token)]
    if instagram:
        made.append(actions.do_connect(school, actor=request.user,
                                       platform=Connection.Platform.INSTAGRAM,
                                       account_id=instagram, token=token))
    return [f"{c.get_platform_display()} “{c.name}”" for c in made]
