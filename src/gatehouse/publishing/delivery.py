"""Carrying out one delivery: claim it, check consent again for its channel at this moment,
then publish it through the parents' group, the website or a connector.

Claiming is a conditional UPDATE (`... WHERE state = 'pending' AND due_at <= now`), so two
schedulers (beat and the command, or two workers) never run the same delivery at once. A
worker that dies keeps its claim only for the lease; then the delivery is claimed again and
the connector reconciles with what the platform already holds."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from gatehouse.audit.log import record
from gatehouse.community.actions import do_create_post as create_group_post
from gatehouse.consent import photos as photo_checks
from gatehouse.consent.models import Channel
from gatehouse.lib.mail import email_after_commit
from gatehouse.publishing import videos
from gatehouse.publishing.connectors.base import Content, PublishError
from gatehouse.publishing.connectors.registry import connector_for
from gatehouse.publishing.media import media_url
from gatehouse.publishing.models import Connection, Delivery, Post, Video
from gatehouse.publishing.videos import video_of

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


def claim(delivery_id: int, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    lease = settings.PUBLISHING_CLAIM_LEASE_SECONDS
    return bool(Delivery.objects.filter(pk=delivery_id).due(now, lease).update(
        state=Delivery.State.CLAIMED, claimed_at=now, attempts=F("attempts") + 1))


def run_delivery(delivery_id: int, *, now: dt.datetime | None = None,
                 client: Any = None) -> str | None:
    """Claim and carry out one delivery; returns its new state, or None if another worker
    has it or it isn't due."""
    if not claim(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related("post__school", "post__author",
                                               "post__agreed_by", "post__photos").get(
        pk=delivery_id)
    try:
        _deliver(delivery, client=client)
    except PublishError as exc:
        _failed(delivery, exc)
    except Exception:
        logger.exception("Delivery %s failed unexpectedly", delivery_id)
        _failed(delivery, PublishError("Something went wrong on our side; trying again "
                                       "shortly.", permanent=False))
    delivery.refresh_from_db()
    return delivery.state


def run_due(now: dt.datetime | None = None, *, client: Any = None) -> dict[str, int]:
    """Every delivery that is due (or whose worker died), oldest first."""
    now = now or timezone.now()
    ids = list(Delivery.objects.due(now, settings.PUBLISHING_CLAIM_LEASE_SECONDS)
               .order_by("due_at", "pk").values_list("pk", flat=True)[:200])
    counts: dict[str, int] = {}
    for pk in ids:
        state = run_delivery(pk, now=now, client=client)
        if state is not None:
            counts[state] = counts.get(state, 0) + 1
    return counts


def _deliver(delivery: Delivery, *, client: Any) -> None:
    post = delivery.post
    if post.agreed_fingerprint != post.fingerprint():
        _block(delivery, "The post or its photos changed after leadership agreed it, so it "
                         "needs agreeing again.")
        return
    problems = _consent_problems(post, delivery.channel)
    if problems:
        _block(delivery, " ".join(problems))
        return
    if delivery.channel == Channel.PARENTS_GROUP:
        _deliver_to_group(delivery)
    elif delivery.channel in (Channel.FACEBOOK, Channel.INSTAGRAM):
        _deliver_to_platform(delivery, client=client)
    else:  # the website reads its feed from published website deliveries
        with transaction.atomic():
            _frozen_photos(post)
            _published(delivery)


def _consent_problems(post: Post, channel: str) -> list[str]:
    """The consent check for this channel over the photos and the video, asked now (not when
    the post was agreed)."""
    if post.photos is None and video_of(post) is None:
        return []
    return videos.check_post_media(post, [channel])[0].problems


def _frozen_photos(post: Post) -> None:
    """Render the published copies (once) and freeze the photo check. Inside a transaction."""
    video = video_of(post)
    if video is not None:
        videos.render_published(video)
    if post.photos is None:
        return
    draft = post.photos
    photo_checks.lock_tagged_pupils(draft)
    photo_checks.render_photos(draft)
    photo_checks.mark_published(draft, actor=post.author, post=None)


def _deliver_to_group(delivery: Delivery) -> None:
    post = delivery.post
    with transaction.atomic():
        video = video_of(post)
        if post.photos is not None or video is not None:
            # Tagged pupils are locked, then asked again: a withdrawal waits for this, or wins.
            if post.photos is not None:
                photo_checks.lock_tagged_pupils(post.photos)
            if video is not None:
                videos.lock_tagged_pupils(video)
            problems = _consent_problems(post, delivery.channel)
            if problems:
                _block(delivery, " ".join(problems))
                return
        group_post = create_group_post(post.school, actor=post.author, data={
            "body": post.body, "link": post.link, "event_at": post.event_at,
            "comments_enabled": post.comments_enabled})
        if post.photos is not None:
            _frozen_photos(post)
            photo_checks.attach_to_group_post(post.photos, group_post)
            photo_checks.mark_published(post.photos, actor=post.author, post=group_post)
        if video is not None:
            _frozen_photos(post)
            Video.objects.filter(pk=video.pk).update(group_post=group_post)
        delivery.community_post = group_post
        _published(delivery)
        from gatehouse.publishing.tasks import notify_new_post

        transaction.on_commit(lambda: notify_new_post.delay(group_post.pk))


def _deliver_to_platform(delivery: Delivery, *, client: Any) -> None:
    post = delivery.post
    connection = Connection.objects.filter(school=post.school, platform=delivery.channel).first()
    if connection is None:
        raise PublishError(f"No {delivery.get_channel_display()} account is connected. An "
                           "administrator can connect one under Publishing → Connections.",
                           permanent=True)
    with transaction.atomic():
        _frozen_photos(post)
        if post.photos is not None:  # so a withdrawal from now on finds this channel
            photo_checks.record_delivery(post.photos, delivery.channel, published=False)
    photos = list(post.photos.photos.all()) if post.photos else []
    video = video_of(post)
    content = Content(text=post.body, link=post.link,
                      image_urls=[media_url(photo) for photo in photos],
                      video_url=media_url(video) if video is not None else "")

    def save_ref(ref: dict[str, Any]) -> None:
        # Saved and committed at once, before the connector's next step.
        Delivery.objects.filter(pk=delivery.pk).update(remote_ref=ref)
        delivery.remote_ref = ref

    try:
        done = connector_for(connection, client=client).publish(
            content, dict(delivery.remote_ref), save_ref)
    except PublishError as exc:
        from gatehouse.publishing.actions import note_connection_problem

        if exc.token:
            note_connection_problem(connection, exc)
        raise
    with transaction.atomic():
        delivery.remote_id, delivery.remote_url = done.remote_id, done.url
        _published(delivery)


def _published(delivery: Delivery) -> None:
    post = delivery.post
    delivery.state, delivery.published_at = Delivery.State.PUBLISHED, timezone.now()
    delivery.message = ""
    delivery.save()
    if post.photos is not None:
        photo_checks.record_delivery(post.photos, delivery.channel, published=True)
        if delivery.channel != Channel.PARENTS_GROUP:
            from gatehouse.publishing.takedown import take_down_open_tasks

            take_down_open_tasks(post.photos_id, delivery.channel)
    record("publishing.delivery.published", school=post.school, target=delivery,
           details={"post": post.pk, "channel": delivery.channel,
                    "remote_id": delivery.remote_id, "attempts": delivery.attempts})


def _block(delivery: Delivery, why: str) -> None:
    """Consent (or a change after agreement) stops this channel; poster and approver are
    told why. Other channels go on."""
    post = delivery.post
    with transaction.atomic():
        delivery.state, delivery.message = Delivery.State.BLOCKED, why[:500]
        delivery.save(update_fields=["state", "message", "updated_at"])
        record("publishing.delivery.blocked", school=post.school, target=delivery,
               details={"post": post.pk, "channel": delivery.channel, "why": why})
        _tell_people(delivery, "publishing/email/blocked")


def _failed(delivery: Delivery, exc: PublishError) -> None:
    """A permanent fault fails the delivery and tells the poster; a temporary one waits and
    tries again, a little later each time (or when the platform's quota allows)."""
    post = delivery.post
    retry = not exc.permanent and delivery.attempts < MAX_ATTEMPTS
    with transaction.atomic():
        if retry:
            wait = exc.wait_until or timezone.now() + dt.timedelta(
                seconds=30 * 2 ** (delivery.attempts - 1))
            Delivery.objects.filter(pk=delivery.pk).update(
                state=Delivery.State.PENDING, due_at=wait, claimed_at=None,
                message=f"{exc.message} Next try: "
                        f"{timezone.localtime(wait):%-d %b %Y at %H:%M}."[:500])
        else:
            Delivery.objects.filter(pk=delivery.pk).update(
                state=Delivery.State.FAILED, message=exc.message[:500])
            _tell_people(delivery, "publishing/email/failed", why=exc.message)
        record("publishing.delivery.retrying" if retry else "publishing.delivery.failed",
               school=post.school, target=delivery,
               details={"post": post.pk, "channel": delivery.channel, "why": exc.message,
                        "attempts": delivery.attempts})


def _tell_people(delivery: Delivery, template: str, **extra: Any) -> None:
    post = delivery.post
    to = [post.author.email] + ([post.agreed_by.email] if post.agreed_by else [])
    email_after_commit(sorted(set(to)), template, {"post": post, "delivery": delivery,
                                                   "school": post.school, **extra})
