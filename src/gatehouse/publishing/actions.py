"""Workflows for posts: write, ask for agreement, agree or ask for changes, schedule,
reschedule, cancel; and the school's settings and connections. `check_*` look and refuse,
`do_*` change state and write the audit row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gatehouse.accounts.models import Role, StaffRole, User
from gatehouse.accounts.permissions import POSTING_ROLES
from gatehouse.audit.log import record
from gatehouse.consent import photos as photo_checks
from gatehouse.consent.models import Channel, PhotoDraft
from gatehouse.lib.mail import email_after_commit
from gatehouse.publishing.connectors.base import PublishError
from gatehouse.publishing.connectors.registry import CONNECTORS, connector_for
from gatehouse.publishing.connectors.secrets import encrypt_token
from gatehouse.publishing.models import Connection, Delivery, Post, PublishingSettings
from gatehouse.publishing.videos import check_video_publishable, video_of
from gatehouse.schools.models import School

AGREEING_ROLES = frozenset({Role.LEADERSHIP, Role.HEAD_TEACHER})
MAX_AHEAD = dt.timedelta(days=180)
SOCIAL = (Channel.FACEBOOK, Channel.INSTAGRAM)


def settings_for(school: School) -> PublishingSettings:
    found, _ = PublishingSettings.objects.get_or_create(school=school)
    return found


def check_can_post(user: User, school: School) -> None:
    if not user.roles_at(school.pk) & POSTING_ROLES:
        raise PermissionDenied("Only staff the administrator has authorised can post.")


def check_can_agree(user: User, post: Post) -> None:
    if not user.roles_at(post.school_id) & AGREEING_ROLES:
        raise PermissionDenied("Only leadership can agree posts.")
    if user.pk == post.author_id:
        raise ValidationError("You wrote this post, so another member of leadership must "
                              "agree it.")


NOT_GONE_OUT = [Delivery.State.PENDING, Delivery.State.CANCELLED, Delivery.State.BLOCKED,
                Delivery.State.FAILED]


def check_editable(post: Post) -> None:
    if post.deliveries.exclude(state__in=NOT_GONE_OUT).exists():
        raise ValidationError("This post has already gone out on at least one channel, so "
                              "it can't be changed. Write a new post instead.")


def check_publish_at(when: dt.datetime | None) -> None:
    if when is None:
        return
    now = timezone.now()
    if when < now - dt.timedelta(minutes=1):
        raise ValidationError("That time has already passed. Choose a time in the future, "
                              "or leave it empty to publish as soon as it is agreed.")
    if when > now + MAX_AHEAD:
        raise ValidationError("Posts can be scheduled up to six months ahead.")


def check_content(school: School, *, body: str, channels: list[str],
                  photos: PhotoDraft | None, has_video: bool = False) -> None:
    if not channels:
        raise ValidationError("Choose at least one place to publish this.")
    if Channel.INSTAGRAM in channels and not has_video and (
            photos is None or not photos.photos.exists()):
        raise ValidationError("Instagram posts need a photo or a video. Start from a photo "
                              "post or add a video, or untick Instagram.")
    if not body.strip():
        raise ValidationError("Write the text of the post.")
    if photos is not None and photos.school_id != school.pk:
        raise PermissionDenied("Those photos belong to another school.")


def do_quick_group_post(school: School, *, actor: User, data: dict[str, Any]) -> Post:
    """The parents' group's quick text post, through the one publishing path: it goes out at
    once when the school lets text-only group posts skip agreement, else to leadership."""
    post = do_create_post(school, actor=actor, body=data["body"], link=data.get("link", ""),
                          channels=[Channel.PARENTS_GROUP], publish_at=None,
                          event_at=data.get("event_at"),
                          comments_enabled=data.get("comments_enabled", True))
    return do_submit(post, actor=actor)


def needs_agreement(post: Post) -> bool:
    quick = settings_for(post.school).quick_text_posts
    text_only_group = (post.photos_id is None and video_of(post) is None
                       and post.channels == [Channel.PARENTS_GROUP])
    return not (quick and text_only_group)


def do_create_post(school: School, *, actor: User, body: str, link: str, channels: list[str],
                   publish_at: dt.datetime | None, photos: PhotoDraft | None = None,
                   event_at: dt.datetime | None = None, comments_enabled: bool = True,
                   has_video: bool = False) -> Post:
    """A new draft post; `has_video` when a checked video is added with it (same transaction)."""
    check_can_post(actor, school)
    check_content(school, body=body, channels=channels, photos=photos, has_video=has_video)
    check_publish_at(publish_at)
    with transaction.atomic():
        post = Post.objects.create(school=school, author=actor, body=body.strip(), link=link,
                                   channels=channels, publish_at=publish_at, photos=photos,
                                   event_at=event_at, comments_enabled=comments_enabled)
        _sync_photo_channels(post, actor)
        record("publishing.post.created", actor=actor, school=school, target=post,
               details={"channels": channels, "photos": photos.pk if photos else None,
                        "publish_at": publish_at})
    return post


def do_post_from_photos(draft: PhotoDraft, *, actor: User) -> Post:
    """The publishing post for a photo draft: the one that exists, or a new one."""
    existing = Post.objects.filter(photos=draft).first()
    if existing is not None:
        return existing
    # Press photos are sent by hand, not published by Gatehouse.
    channels = [c for c in draft.channels if c != Channel.PRESS]
    return do_create_post(draft.school, actor=actor, body=draft.body, link="",
                          channels=channels, publish_at=None, photos=draft)


def _sync_photo_channels(post: Post, actor: User) -> None:
    """The photo check shows verdicts for the channels the post goes to."""
    if post.photos is not None and post.photos.channels != post.channels \
            and post.photos.published_at is None:
        photo_checks.do_set_channels(post.photos, actor=actor, channels=post.channels)


def do_edit_post(post: Post, *, actor: User, body: str, link: str, channels: list[str],
                 publish_at: dt.datetime | None, event_at: dt.datetime | None = None,
                 comments_enabled: bool = True, has_video: bool = False) -> Post:
    """Change a post. If it had been agreed, the agreement no longer holds: it is unscheduled
    and goes back to leadership. `has_video` when a checked video is added with the change."""
    check_can_post(actor, post.school)
    check_content(post.school, body=body, channels=channels, photos=post.photos,
                  has_video=has_video or video_of(post) is not None)
    check_publish_at(publish_at)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        check_editable(post)
        was_agreed = post.state == Post.State.AGREED
        post.body, post.link, post.channels, post.publish_at = (body.strip(), link, channels,
                                                                publish_at)
        post.event_at, post.comments_enabled = event_at, comments_enabled
        post.deliveries.filter(state__in=NOT_GONE_OUT).delete()
        post.state, post.agreed_fingerprint = Post.State.DRAFT, ""
        post.save()
        _sync_photo_channels(post, actor)
        record("publishing.post.edited", actor=actor, school=post.school, target=post,
               details={"channels": channels, "agreement_voided": was_agreed})
    return post


def do_submit(post: Post, *, actor: User) -> Post:
    """Ask leadership to agree the post; a quick text post for the parents' group goes
    straight out when the school allows it."""
    check_can_post(actor, post.school)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if post.state not in (Post.State.DRAFT, Post.State.CHANGES):
            raise ValidationError("This post is already with leadership or agreed.")
        check_content(post.school, body=post.body, channels=post.channels, photos=post.photos,
                      has_video=video_of(post) is not None)
        check_video_publishable(post)
        check_publish_at(post.publish_at)
        if not needs_agreement(post):
            _schedule(post, agreed_by=None)
            record("publishing.post.scheduled_without_agreement", actor=actor,
                   school=post.school, target=post, details={"publish_at": post.publish_at})
            return post
        post.state = Post.State.SUBMITTED
        post.save(update_fields=["state", "updated_at"])
        record("publishing.post.submitted", actor=actor, school=post.school, target=post)
        email_after_commit(_leadership_emails(post), "publishing/email/agree_please",
                           {"post": post, "school": post.school})
    return post


def do_agree(post: Post, *, actor: User, fingerprint: str) -> Post:
    """Agree the post exactly as `actor` saw it (`fingerprint`). Two leaders pressing at once:
    the row lock makes the second see it is already agreed."""
    check_can_agree(actor, post)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if post.state == Post.State.AGREED:
            raise ValidationError(f"{post.agreed_by or 'Someone'} has already agreed this post.")
        if post.state != Post.State.SUBMITTED:
            raise ValidationError("This post is not waiting for agreement.")
        if fingerprint != post.fingerprint():
            raise ValidationError("The post or its photos changed after you opened this page. "
                                  "Please read it again before agreeing.")
        _schedule(post, agreed_by=actor)
        record("publishing.post.agreed", actor=actor, school=post.school, target=post,
               details={"fingerprint": post.agreed_fingerprint, "publish_at": post.publish_at})
        email_after_commit([post.author.email], "publishing/email/agreed",
                           {"post": post, "school": post.school, "by": actor})
    return post


def _schedule(post: Post, *, agreed_by: User | None) -> None:
    """Agreed: one delivery per channel, due at the chosen time (or now)."""
    due = max(post.publish_at or timezone.now(), timezone.now())
    post.state = Post.State.AGREED
    post.agreed_fingerprint = post.fingerprint()
    post.agreed_by, post.agreed_at = agreed_by, timezone.now()
    post.changes_comment = ""
    post.save()
    for channel in post.channels:
        Delivery.objects.update_or_create(post=post, channel=channel, defaults={
            "due_at": due, "state": Delivery.State.PENDING, "message": "", "remote_ref": {}})
    if post.publish_at is None or post.publish_at <= timezone.now():
        from gatehouse.publishing.tasks import deliver

        ids = list(post.deliveries.values_list("pk", flat=True))
        transaction.on_commit(lambda: [deliver.delay(pk) for pk in ids])


def do_request_changes(post: Post, *, actor: User, comment: str) -> Post:
    check_can_agree(actor, post)
    if not comment.strip():
        raise ValidationError("Say what needs changing, so the author knows.")
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if post.state != Post.State.SUBMITTED:
            raise ValidationError("This post is not waiting for agreement.")
        post.state, post.changes_comment, post.changes_by = (Post.State.CHANGES,
                                                             comment.strip(), actor)
        post.save(update_fields=["state", "changes_comment", "changes_by", "updated_at"])
        record("publishing.post.changes_requested", actor=actor, school=post.school,
               target=post, details={"comment": comment.strip()})
        email_after_commit([post.author.email], "publishing/email/changes",
                           {"post": post, "school": post.school, "by": actor})
    return post


def do_reschedule(post: Post, *, actor: User, publish_at: dt.datetime | None) -> int:
    """Move the channels still waiting to a new time (None: now). Content is unchanged, so
    the agreement still holds."""
    check_can_post(actor, post.school)
    check_publish_at(publish_at)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        due = publish_at or timezone.now()
        moved = post.deliveries.filter(state=Delivery.State.PENDING).update(due_at=due)
        if not moved:
            raise ValidationError("Nothing is waiting to be published for this post.")
        post.publish_at = publish_at
        post.save(update_fields=["publish_at", "updated_at"])
        record("publishing.post.rescheduled", actor=actor, school=post.school, target=post,
               details={"publish_at": publish_at, "deliveries": moved})
        if publish_at is None:
            from gatehouse.publishing.tasks import deliver

            ids = list(post.deliveries.filter(state=Delivery.State.PENDING)
                       .values_list("pk", flat=True))
            transaction.on_commit(lambda: [deliver.delay(pk) for pk in ids])
    return moved


def do_cancel(post: Post, *, actor: User) -> int:
    check_can_post(actor, post.school)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        cancelled = post.deliveries.filter(state=Delivery.State.PENDING).update(
            state=Delivery.State.CANCELLED, message="Cancelled before it was published.")
        if post.state == Post.State.CANCELLED or (
                not cancelled and post.state == Post.State.AGREED):
            raise ValidationError("Nothing is waiting to be published for this post.")
        if not post.deliveries.filter(state=Delivery.State.PUBLISHED).exists():
            post.state = Post.State.CANCELLED
            post.save(update_fields=["state", "updated_at"])
        record("publishing.post.cancelled", actor=actor, school=post.school, target=post,
               details={"deliveries": cancelled})
    return cancelled


def _leadership_emails(post: Post) -> list[str]:
    emails = StaffRole.objects.filter(school=post.school, role__in=AGREEING_ROLES).exclude(
        user=post.author).values_list("user__email", flat=True)
    return sorted(set(emails))


# --- the school's settings and connections ----------------------------------------------------


def check_can_manage(user: User, school: School) -> None:
    if Role.ADMINISTRATOR not in user.roles_at(school.pk):
        raise PermissionDenied("Only administrators can change this.")


def do_set_quick_text_posts(school: School, *, actor: User, enabled: bool) -> None:
    check_can_manage(actor, school)
    with transaction.atomic():
        found = settings_for(school)
        found.quick_text_posts, found.changed_by, found.changed_at = (enabled, actor,
                                                                      timezone.now())
        found.save()
        record("publishing.settings.changed", actor=actor, school=school, target=found,
               details={"quick_text_posts": enabled})


def do_connect(school: School, *, actor: User, platform: str, account_id: str,
               token: str, client: Any = None) -> Connection:
    """Save a Page or Instagram account after checking the token works. The token is
    encrypted before it is stored and is not written to the audit log."""
    check_can_manage(actor, school)
    if platform not in CONNECTORS:
        raise ValidationError("Choose Facebook Page or Instagram.")
    probe = Connection(school=school, platform=platform, account_id=account_id.strip(),
                       token_encrypted=encrypt_token(token.strip()), connected_by=actor)
    try:
        name = connector_for(probe, client=client).check()
    except PublishError as exc:
        raise ValidationError(exc.message) from exc
    with transaction.atomic():
        connection, _ = Connection.objects.update_or_create(
            school=school, platform=platform, defaults={
                "account_id": probe.account_id, "token_encrypted": probe.token_encrypted,
                "name": name[:200], "health": Connection.Health.OK, "health_message": "",
                "reconnect_emailed_at": None,
                "checked_at": timezone.now(), "connected_by": actor,
                "connected_at": timezone.now()})
        record("publishing.connection.saved", actor=actor, school=school, target=connection,
               details={"platform": platform, "account_id": probe.account_id, "name": name})
    return connection


def do_check_connection(connection: Connection, *, actor: User | None,
                        client: Any = None) -> Connection:
    """Ask the platform whether the token still works (the account's own node, like /me).
    Expired or revoked tokens mark the connection as needing reconnection; a platform that
    can't be reached says so (ValidationError) and changes nothing."""
    if actor is not None:
        check_can_manage(actor, connection.school)
    try:
        connection.name = connector_for(connection, client=client).check()[:200] or \
            connection.name
        connection.health, connection.health_message = Connection.Health.OK, ""
    except PublishError as exc:
        if not exc.token:
            raise ValidationError(exc.message) from exc
        note_connection_problem(connection, exc)
        return connection
    connection.checked_at = timezone.now()
    connection.reconnect_emailed_at = None  # working again: a new problem is told again
    connection.save(update_fields=["name", "health", "health_message", "checked_at",
                                   "reconnect_emailed_at"])
    return connection


def check_connections(now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic token check (Celery beat, or `run_publishing --loop`): every connection
    not checked for PUBLISHING_TOKEN_CHECK_SECONDS. How many ended up in each state."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=django_settings.PUBLISHING_TOKEN_CHECK_SECONDS)
    counts: dict[str, int] = {}
    for connection in Connection.objects.filter(
            Q(checked_at__isnull=True) | Q(checked_at__lt=stale)).select_related("school"):
        try:
            health = do_check_connection(connection, actor=None).health
        except ValidationError:
            # Not reached (a network or Meta problem): tried again at the next check.
            Connection.objects.filter(pk=connection.pk).update(checked_at=now)
            health = "unreachable"
        counts[health] = counts.get(health, 0) + 1
    return counts


def note_connection_problem(connection: Connection, exc: PublishError) -> None:
    """Show the console that the token needs replacing, and how; the school's administrators
    are emailed the first time (not at every check or failed delivery)."""
    if not exc.token:
        return
    now = timezone.now()
    connection.health = Connection.Health.EXPIRED if exc.expired else Connection.Health.REVOKED
    connection.health_message = exc.message[:300]
    connection.checked_at = now
    connection.save(update_fields=["health", "health_message", "checked_at"])
    # One email per problem, even with two workers noticing it at once.
    if Connection.objects.filter(pk=connection.pk, reconnect_emailed_at__isnull=True).update(
            reconnect_emailed_at=now):
        connection.reconnect_emailed_at = now
        admins = StaffRole.objects.filter(school=connection.school, role=Role.ADMINISTRATOR)
        email_after_commit(sorted(set(admins.values_list("user__email", flat=True))),
                           "publishing/email/reconnect",
                           {"school": connection.school, "connection": connection})
        record("publishing.connection.needs_reconnecting", school=connection.school,
               target=connection, details={"platform": connection.platform,
                                           "health": connection.health})
