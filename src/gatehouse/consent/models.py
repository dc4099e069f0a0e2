"""The consent register (pupils, parental responsibility, per-channel photo consent, the
restricted list, staff image permission), photo checks, and the biometric consent ledger.

Uploaded originals and published images live under MEDIA_ROOT, which is outside the web root
and has no URL: they are served only through views that check who is asking.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Channel(models.TextChoices):
    PARENTS_GROUP = "parents_group", "Parents' group"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    WEBSITE = "website", "School website"
    PRESS = "press", "Press"


class ConsentStatus(models.TextChoices):
    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused"
    NOT_ASKED = "not_asked", "Not asked"


class PupilQuerySet(models.QuerySet["Pupil"]):
    def on_roll(self) -> PupilQuerySet:
        return self.filter(left_at__isnull=True)

    def of_parent(self, user: object) -> PupilQuerySet:
        """Pupils the user has parental responsibility for (matched by their account email)."""
        email = getattr(user, "email", "") or ""
        return self.filter(
            Q(responsibilities__user=user) | Q(responsibilities__email__iexact=email)
        ).distinct()


class Pupil(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="pupils")
    mis_id = models.CharField("MIS id", max_length=50)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    year_group = models.CharField(max_length=30)
    # The class (form, registration group) as the MIS names it, e.g. "4B" or "Oak"; optional
    # because not every export has it.
    class_name = models.CharField("class", max_length=30, blank=True)
    # The restricted list: never shown on any channel, whatever consent says. Set only by the
    # DSL or head teacher (see actions.check_can_restrict).
    restricted = models.BooleanField(default=False)
    restricted_changed_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["year_group", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "mis_id"], name="one_pupil_per_mis_id")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}"

    def consent_for(self, channel: str) -> str:
        """The consent status for one channel; no row means nobody has asked."""
        for consent in self.photo_consents.all():
            if consent.channel == channel:
                return consent.status
        return ConsentStatus.NOT_ASKED


class ParentalResponsibility(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="responsibilities")
    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    # Linked when a Gatehouse account with this email exists (at import or when it signs in).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "name", "email"], name="one_pr_per_contact")
        ]

    def __str__(self) -> str:
        return f"{self.name} for {self.pupil}"


class PhotoConsent(models.Model):
    """The current consent for one pupil and channel; every change is in the audit log."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="photo_consents")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=ConsentStatus.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    evidence_note = models.TextField(blank=True, max_length=1000)
    evidence_file = models.FileField(upload_to="consent/evidence/%Y/", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pupil", "channel"], name="one_consent_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.pupil}: {self.get_channel_display()} {self.get_status_display()}"


class StaffImagePermission(models.Model):
    """Whether a member of staff lets the school publish images of them. Set only by them."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="image_permissions")
    given = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="one_image_permission")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {'given' if self.given else 'not given'}"


# --- photo checks ---------------------------------------------------------------------------


class PhotoDraft(models.Model):
    """A post with photos, checked before it can go to any channel."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField(max_length=5000)
    channels = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    post = models.OneToOneField("community.Post", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="photo_draft")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.body[:60]

    def channel_labels(self) -> list[str]:
        return [Channel(c).label for c in self.channels]


class Photo(models.Model):
    draft = models.ForeignKey(PhotoDraft, on_delete=models.CASCADE, related_name="photos")
    # Stored under MEDIA_ROOT with a random name; never served except to staff by a view.
    original = models.FileField(upload_to="consent/originals/%Y/%m/")
    # An upright, metadata-free JPEG copy for the tagging page (browsers can't show HEIC).
    preview = models.FileField(upload_to="consent/previews/%Y/%m/")
    # The blurred, metadata-free JPEG that is published; made when the draft is published.
    published = models.FileField(upload_to="consent/published/%Y/%m/", blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    detector_version = models.CharField(max_length=200)
    alt_text = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Photo {self.pk} of draft {self.draft_id}"


class Face(models.Model):
    class Kind(models.TextChoices):
        UNTAGGED = "untagged", "Not tagged yet"
        PUPIL = "pupil", "Pupil"
        STAFF = "staff", "Member of staff"
        ADULT = "adult", "Another adult"
        BLUR = "blur", "Blurred"
        NOT_FACE = "not_face", "Not a face (dismissed)"

    class Source(models.TextChoices):
        DETECTED = "detected", "Found by face detection"
        MANUAL = "manual", "Added by hand"
        POSSIBLE = "possible", "Possible face (second, closer look)"

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="faces")
    x = models.PositiveIntegerField()
    y = models.PositiveIntegerField()
    w = models.PositiveIntegerField()
    h = models.PositiveIntegerField()
    score = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.DETECTED)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.UNTAGGED)
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="faces")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    tagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    tagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["x", "y", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="pupil", pupil__isnull=False, staff__isnull=True)
                           | Q(kind="staff", staff__isnull=False, pupil__isnull=True)
                           | (~Q(kind__in=["pupil", "staff"])
                              & Q(pupil__isnull=True, staff__isnull=True))),
                name="face_tag_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return f"Face {self.pk} in photo {self.photo_id}"

    @property
    def tag_value(self) -> str:
        """The value of this face's option in the tagging form."""
        if self.kind == self.Kind.PUPIL:
            return f"pupil:{self.pupil_id}"
        if self.kind == self.Kind.STAFF:
            return f"staff:{self.staff_id}"
        return "" if self.kind == self.Kind.UNTAGGED else self.kind

    @property
    def is_possible(self) -> bool:
        return self.source == self.Source.POSSIBLE

    def percent_box(self) -> dict[str, float]:
        """The box as percentages of the photo, for the overlay drawn over the image."""
        pw, ph = self.photo.width, self.photo.height
        return {"left": 100 * self.x / pw, "top": 100 * self.y / ph,
                "width": 100 * self.w / pw, "height": 100 * self.h / ph}


class PhotoConfirmation(models.Model):
    """A person's word that they looked at the whole photo and everyone in it is tagged or
    blurred (or that no one is in it). It holds only for the photo version it names: any change
    to the photo or its boxes or tags gives a new version, and the confirmation is void."""

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="confirmations")
    version = models.CharField(max_length=64)
    no_people = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at", "-pk"]

    def __str__(self) -> str:
        return f"Photo {self.photo_id} confirmed at version {self.version[:12]}"


class Delivery(models.Model):
    """A published draft going to one channel. Connectors for the social channels come later;
    until then their rows wait as "queued"."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued for the channel"
        PUBLISHED = "published", "Published"

    draft = models.ForeignKey(PhotoDraft, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["draft", "channel"], name="one_delivery_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.draft} → {self.get_channel_display()}"


class PostImage(models.Model):
    """A checked photo shown on a parents' group post. Hidden at once if consent is withdrawn;
    the feed leaves out any post with a hidden image (see consent.feed)."""

    post = models.ForeignKey("community.Post", on_delete=models.CASCADE, related_name="images")
    photo = models.OneToOneField(Photo, on_delete=models.PROTECT, related_name="post_image")
    alt_text = models.CharField(max_length=300)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Image {self.pk} on post {self.post_id}"


class TakedownTask(models.Model):
    """An item already published elsewhere that must come down because consent changed."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    draft = models.ForeignKey(PhotoDraft, on_delete=models.PROTECT, related_name="takedowns")
    # Whose consent or permission changed: a pupil, or a member of staff.
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="takedowns")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["done_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "pupil", "channel"],
                                    condition=Q(done_at__isnull=True),
                                    name="one_open_takedown"),
            models.UniqueConstraint(fields=["draft", "staff", "channel"],
                                    condition=Q(done_at__isnull=True),
                                    name="one_open_staff_takedown"),
            models.CheckConstraint(condition=Q(pupil__isnull=True) ^ Q(staff__isnull=True),
                                   name="takedown_for_pupil_or_staff"),
        ]

    def __str__(self) -> str:
        return f"Take down {self.draft} from {self.get_channel_display()}"

    @property
    def person(self) -> str:
        return self.pupil.name if self.pupil else str(self.staff)


# --- biometrics (Protection of Freedoms Act 2012 ss.26-28) ----------------------------------


class SchoolBiometricsSettings(models.Model):
    school = models.OneToOneField("schools.School", on_delete=models.CASCADE,
                                  related_name="biometrics_settings")
    recognition_enabled = models.BooleanField(default=False)
    dpia_reference = models.CharField("DPIA reference", max_length=200, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Belt and braces for the action's check: recognition never runs without a DPIA.
            models.CheckConstraint(condition=Q(recognition_enabled=False) | ~Q(dpia_reference=""),
                                   name="recognition_needs_dpia"),
        ]

    def __str__(self) -> str:
        return f"Biometrics at {self.school}"


class BiometricEntry(models.Model):
    """One event in a pupil's biometric consent ledger. Rows are only ever added."""

    class Kind(models.TextChoices):
        PARENT_CONSENT = "parent_consent", "Written consent from a parent"
        PARENT_WITHDRAWAL = "parent_withdrawal", "A parent withdrew consent"
        PARENT_OBJECTION = "parent_objection", "A parent objected"
        CHILD_OBJECTION = "child_objection", "The child objected"
        CHILD_OBJECTION_LIFTED = "child_objection_lifted", "The child no longer objects"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="biometric_entries")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # The person with parental responsibility, for the parent kinds.
    responsibility = models.ForeignKey(ParentalResponsibility, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.pupil}: {self.get_kind_display()}"


class ReferenceTemplate(models.Model):
    """A face template for suggesting tags. Only for pupils whose ledger allows it; deleted at
    once on objection, withdrawal or leaving."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="templates")
    vector = models.BinaryField()
    model_version = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Template for {self.pupil}"
