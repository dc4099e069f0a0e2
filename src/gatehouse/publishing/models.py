"""Posts to the school's channels: the draft, leadership's agreement, the schedule, and one
delivery row per post and channel (the delivery log, and the exactly-once record for the
connectors). Photos stay in consent's photo check (`consent.PhotoDraft`), which a post wraps."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gatehouse.consent.models import Channel, Face


class PublishingSettings(models.Model):
    school = models.OneToOneField("schools.School", on_delete=models.CASCADE,
                                  related_name="publishing_settings")
    # "Basic text updates take seconds": text-only posts to the parents' group alone may skip
    # leadership's agreement when the school says so.
    quick_text_posts = models.BooleanField(
        "Text-only posts to the parents' group need no agreement", default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Publishing settings for {self.school}"


class Connection(models.Model):
    """A school's Facebook Page or Instagram account. The access token is encrypted at rest
    (see connectors.secrets) and is never shown again once saved."""

    class Platform(models.TextChoices):
        FACEBOOK = Channel.FACEBOOK.value, "Facebook Page"
        INSTAGRAM = Channel.INSTAGRAM.value, "Instagram"

    class Health(models.TextChoices):
        OK = "ok", "Connected"
        EXPIRED = "expired", "Token expired"
        REVOKED = "revoked", "Access removed"
        UNCHECKED = "unchecked", "Not checked yet"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    # The Page id (Facebook) or the Instagram professional account's user id.
    account_id = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True)
    token_encrypted = models.TextField()
    health = models.CharField(max_length=10, choices=Health.choices, default=Health.UNCHECKED)
    health_message = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    # Set when administrators were emailed that it needs reconnecting (once per problem).
    reconnect_emailed_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    connected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "platform"], name="one_connection_each")
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} for {self.school}"

    @property
    def needs_reconnecting(self) -> bool:
        return self.health in (self.Health.EXPIRED, self.Health.REVOKED)


class Post(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for agreement"
        CHANGES = "changes", "Changes asked for"
        AGREED = "agreed", "Agreed"  # deliveries exist: scheduled, going out or done
        CANCELLED = "cancelled", "Cancelled"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE,
                               related_name="publishing_posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField(max_length=5000)
    link = models.URLField(blank=True, max_length=500)
    event_at = models.DateTimeField(null=True, blank=True)
    comments_enabled = models.BooleanField(default=True)  # in the parents' group
    channels = models.JSONField(default=list)
    # The photos and their face check live in consent; a post with photos wraps one draft.
    photos = models.OneToOneField("consent.PhotoDraft", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="publishing_post")
    # None means "as soon as it is agreed".
    publish_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    # Agreement holds only for the content it saw: any change gives a new fingerprint.
    agreed_fingerprint = models.CharField(max_length=64, blank=True)
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField(null=True, blank=True)
    changes_comment = models.TextField(blank=True, max_length=2000)
    changes_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.body[:60]

    def channel_labels(self) -> list[str]:
        return [Channel(c).label for c in self.channels]

    def fingerprint(self) -> str:
        """Everything agreement covers: text, link, channels, each photo and the video as
        checked."""
        from gatehouse.consent.photos import faces_for_check, photo_version

        parts = [self.body, self.link, ",".join(sorted(self.channels)), str(self.event_at),
                 str(self.comments_enabled)]
        if self.photos_id:
            parts += [photo_version(p, f) for p, f in faces_for_check(self.photos)]
        from gatehouse.publishing.videos import tracks_for_check, video_of, video_version

        video = video_of(self)
        if video is not None:
            parts.append(f"video:{video.status}:"
                         + video_version(video, tracks_for_check(video)))
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    @property
    def is_agreed(self) -> bool:
        return bool(self.agreed_fingerprint) and self.agreed_fingerprint == self.fingerprint()


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def due(self, now: dt.datetime, lease_seconds: int) -> DeliveryQuerySet:
        """Waiting and due, or claimed by a worker that has not finished within the lease
        (it died: the delivery is taken again and reconciled, not repeated)."""
        stale = now - dt.timedelta(seconds=lease_seconds)
        return self.filter(Q(state=Delivery.State.PENDING, due_at__lte=now)
                           | Q(state=Delivery.State.CLAIMED, claimed_at__lt=stale))


class Delivery(models.Model):
    """One post going to one channel. For the social channels, what the platform has been
    asked to make (`remote_ref`, saved before the step that publishes) lets a retry finish the
    job instead of publishing twice."""

    class State(models.TextChoices):
        PENDING = "pending", "Scheduled"
        CLAIMED = "claimed", "Publishing now"
        PUBLISHED = "published", "Published"
        BLOCKED = "blocked", "Blocked by the consent check"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        REMOVED = "removed", "Taken down"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    due_at = models.DateTimeField(db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # What the platform made before publishing: an Instagram container id, or the Facebook
    # photo ids and the unpublished Page post id. Saved before the publishing step.
    remote_ref = models.JSONField(default=dict)
    remote_id = models.CharField(max_length=100, blank=True)
    remote_url = models.URLField(blank=True, max_length=500)
    community_post = models.ForeignKey("community.Post", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    message = models.CharField(max_length=500, blank=True)  # plain words for staff
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["post", "channel"], name="one_delivery_per_post")
        ]

    def __str__(self) -> str:
        return f"{self.post} → {self.get_channel_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.PENDING, self.State.CLAIMED)


class PlatformComment(models.Model):
    """A comment left on the school's Facebook Page or Instagram, received by webhook and
    scored with the school's rules. Held ones are hidden on the platform and wait in the one
    moderation queue (a `moderation.QueueItem` marked with their platform), where approving
    unhides them; `status` follows the moderator's decision."""

    class Status(models.TextChoices):
        VISIBLE = "visible", "Left visible (under the thresholds)"
        OPEN = "open", "Hidden, waiting for a moderator"
        APPROVED = "approved", "Approved (shown again)"
        HIDDEN = "hidden", "Kept hidden"
        UNCHECKED = "unchecked", "Received, not checked yet"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=20, choices=Connection.Platform.choices)
    comment_id = models.CharField(max_length=100)
    parent_id = models.CharField(max_length=100, blank=True)  # the post or media
    author_name = models.CharField(max_length=200, blank=True)
    text = models.TextField(max_length=10000)
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UNCHECKED)
    decision = models.CharField(max_length=10, blank=True)
    severity = models.PositiveSmallIntegerField(default=0)
    categories = models.JSONField(default=list)
    reasons = models.JSONField(default=dict)
    hidden_on_platform = models.BooleanField(default=False)
    platform_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-severity", "received_at"]
        constraints = [
            # A replayed webhook finds the comment already here and stores nothing.
            models.UniqueConstraint(fields=["platform", "comment_id"],
                                    name="one_row_per_platform_comment")
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} comment {self.comment_id}"


class NotificationPreference(models.Model):
    """How a parent hears about new posts in the parents' group."""

    class Choice(models.TextChoices):
        IMMEDIATE = "immediate", "An email for each new post"
        DIGEST = "digest", "One email a day with the day's posts"
        OFF = "off", "No emails"

    membership = models.OneToOneField("accounts.Membership", on_delete=models.CASCADE,
                                      related_name="notification_preference")
    choice = models.CharField(max_length=10, choices=Choice.choices, default=Choice.IMMEDIATE)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.membership}: {self.choice}"


class NotificationSent(models.Model):
    """Claimed before an email is sent, so none goes twice: one row per parent and post (an
    immediate email) or per parent and day (a digest)."""

    membership = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE,
                                   related_name="+")
    post = models.ForeignKey("community.Post", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    digest_date = models.DateField(null=True, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "post"], name="one_email_per_post"),
            models.UniqueConstraint(fields=["membership", "digest_date"],
                                    name="one_digest_per_day"),
            models.CheckConstraint(condition=Q(post__isnull=True) ^ Q(digest_date__isnull=True),
                                   name="notification_post_or_digest"),
        ]

    def __str__(self) -> str:
        return f"Email to {self.membership} ({self.post_id or self.digest_date})"


class Video(models.Model):
    """A post's video: the original as uploaded (staff only), the faces found in it grouped
    into tracks (by the worker: `status`), and the published copy (re-encoded, blurred
    tracks, no metadata), made once when it first goes out. `sha256`, `width` and `height`
    make its version with the tracks, as a photo's do (consent.photos.photo_version)."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Looking for faces"
        READY = "ready", "Faces found"
        REFUSED = "refused", "Refused"

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="video")
    original = models.FileField(upload_to="publishing/videos/originals/%Y/%m/", blank=True)
    poster = models.FileField(upload_to="publishing/videos/posters/%Y/%m/", blank=True)
    # The quick checks run while the poster waits; finding the faces runs in the worker.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    problem = models.CharField(max_length=500, blank=True)  # why it was refused
    published = models.FileField(upload_to="publishing/videos/published/%Y/%m/", blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    duration = models.FloatField()
    sha256 = models.CharField(max_length=64)
    detector_version = models.CharField(max_length=300)
    # The parents' group post it was shown on (the group's <video> reads this).
    group_post = models.OneToOneField("community.Post", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="video")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    # Withdrawal reached it (consent withdrawn, restricted): gone from the group at once.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Video of post {self.post_id}"


class VideoTrack(models.Model):
    """One person's face through the video, tagged like a photo's face (consent.Face): its
    fields have the same names and meanings so the photo check's rules apply unchanged."""

    Kind = Face.Kind

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="tracks")
    # Sample times (s) and boxes in the video's displayed pixels: [[t, x, y, w, h], ...].
    boxes = models.JSONField(default=list)
    # The best look at the face (shown as the thumbnail).
    x = models.PositiveIntegerField()
    y = models.PositiveIntegerField()
    w = models.PositiveIntegerField()
    h = models.PositiveIntegerField()
    score = models.FloatField(null=True, blank=True)
    first_seen = models.FloatField()
    last_seen = models.FloatField()
    thumbnail = models.FileField(upload_to="publishing/videos/faces/%Y/%m/")
    kind = models.CharField(max_length=10, choices=Face.Kind.choices, default=Face.Kind.UNTAGGED)
    pupil = models.ForeignKey("consent.Pupil", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="video_tracks")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    tagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    tagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["first_seen", "x", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="pupil", pupil__isnull=False, staff__isnull=True)
                           | Q(kind="staff", staff__isnull=False, pupil__isnull=True)
                           | (~Q(kind__in=["pupil", "staff"])
                              & Q(pupil__isnull=True, staff__isnull=True))),
                name="video_track_tag_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return f"Face track {self.pk} in video {self.video_id}"

    tag_value = Face.tag_value
    is_possible = False


class VideoConfirmation(models.Model):
    """The poster's word that they watched the whole video and everyone in it is tagged or
    blurred (or that no one is in it), for the version it names: as consent.PhotoConfirmation,
    and checked by the same rules (consent.photos.check_confirm_photo)."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="confirmations")
    version = models.CharField(max_length=64)
    no_people = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at", "-pk"]

    def __str__(self) -> str:
        return f"Video {self.video_id} confirmed at version {self.version[:12]}"
