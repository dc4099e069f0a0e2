"""Escalation cases: one per person, the policy's ladder as recorded steps, and letters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

# The categories for which the policy says the school may contact the police.
POLICE_CATEGORIES = frozenset({"threat_of_violence", "racist_or_identity_hate",
                               "obscene_or_grossly_offensive",
                               "insult_harassment_or_cyberbullying"})


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.filter(status=Case.Status.OPEN)


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    # A parent in the group, or someone associated with the school who is not a member.
    member = models.ForeignKey("accounts.Membership", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    subject_name = models.CharField(max_length=150)
    subject_email = models.EmailField(blank=True)
    subject_address = models.TextField(blank=True, max_length=500)
    relationship = models.CharField(max_length=150, blank=True,
                                    help_text="e.g. parent of a Year 4 pupil, former parent")
    summary = models.TextField(max_length=2000, blank=True)
    began_on = models.DateField(help_text="When the behaviour began; no step can be earlier.")
    touches_pupil = models.BooleanField(default=False)
    categories = models.JSONField(default=list)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every change; a change made against an older version is refused.
    version = models.PositiveIntegerField(default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status="open"),
                                    name="one_open_case_per_member"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}: {self.subject_name}"

    @property
    def reference(self) -> str:
        return f"GH-{self.school_id}-{self.pk:05d}"

    @property
    def police_suggested(self) -> bool:
        return bool(POLICE_CATEGORIES & set(self.categories))


class CaseComment(models.Model):
    """A comment in the parents' group that is part of the case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="comments")
    comment = models.ForeignKey("community.Comment", on_delete=models.PROTECT, related_name="+")
    queue_item = models.ForeignKey("moderation.QueueItem", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["comment__created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "comment"],
                                               name="one_link_per_comment")]

    def __str__(self) -> str:
        return f"comment {self.comment_id} in case {self.case_id}"


class Step(models.Model):
    """One rung of the policy's ladder, as it happened."""

    class Kind(models.TextChoices):
        HIDDEN_REPORTED = "hidden_reported", "Hidden and reported to the platform"
        MEETING = "meeting", "Meeting with the head teacher"
        WARNING = "warning", "Written warning asking for removal"
        LEGAL = "legal", "Legal advice or action"
        POLICE = "police", "Police"
        RESTRICTION = "restriction", "Forum access blocked or restricted"
        PROVIDER = "provider", "Removal request to the host or provider"

    class Outcome(models.TextChoices):
        PENDING = "", "Not recorded yet"
        ATTENDED = "attended", "Attended"
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"
        REMOVED = "removed", "Removed"
        NOT_REMOVED = "not_removed", "Not removed"
        CHECKED = "checked", "Checked, still under review"
        REFUSED = "refused", "Refused"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    occurred_on = models.DateField()
    notes = models.TextField(blank=True, max_length=5000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Meeting
    meeting_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    hsa_clauses = models.TextField(blank=True, max_length=3000)
    agreed_actions = models.TextField(blank=True, max_length=3000)
    # Warning: removal deadline and the scheduler's claims (set once, by a conditional UPDATE)
    deadline = models.DateField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    expiry_sent_at = models.DateTimeField(null=True, blank=True)
    # Legal (adviser, reference), police (force, reference, officer), provider (platform, url)
    adviser = models.CharField(max_length=200, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    police_force = models.CharField(max_length=100, blank=True)
    officer = models.CharField(max_length=150, blank=True)
    platform = models.CharField(max_length=50, blank=True)
    content_url = models.URLField(max_length=500, blank=True)
    provider_email = models.EmailField(blank=True)
    # Links to records kept elsewhere
    restriction = models.ForeignKey("accounts.Restriction", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    platform_report = models.ForeignKey("moderation.PlatformReport", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    # The outcome, recorded later
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    outcome_notes = models.TextField(blank=True, max_length=3000)

    class Meta:
        ordering = ["occurred_on", "recorded_at", "pk"]
        indexes = [models.Index(fields=["kind", "deadline"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"

    @property
    def notes_are_confidential(self) -> bool:
        """Legal notes are for the head teacher only."""
        return self.kind == self.Kind.LEGAL

    @property
    def letter_kind(self) -> str:
        return {self.Kind.MEETING: "meeting", self.Kind.WARNING: "warning",
                self.Kind.PROVIDER: "provider"}.get(self.kind, "")

    def deadline_passed(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(self.deadline and self.deadline < today and not self.outcome)


class Letterhead(models.Model):
    school = models.OneToOneField("schools.School", on_delete=models.CASCADE, related_name="+")
    display_name = models.CharField(max_length=200)
    address = models.TextField(max_length=500, blank=True)
    # The crest or logo, checked like a photo upload and kept as uploaded.
    crest = models.FileField(upload_to="cases/crests/", blank=True)
    crest_type = models.CharField(max_length=20, blank=True)
    signature_name = models.CharField(max_length=150, blank=True)
    signature_role = models.CharField(max_length=150, default="Head teacher")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name


class LetterTemplate(models.Model):
    """A school's wording for one kind of letter. Each save is a new version; the newest is used."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "Invitation to a meeting"
        WARNING = "warning", "Written warning"
        PROVIDER = "provider", "Removal request to a provider"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    version = models.PositiveIntegerField()
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=20000)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                 related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["school", "kind", "version"],
                                               name="one_template_version")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class Letter(models.Model):
    """A letter as sent: frozen, its PDF kept in the evidence store with its SHA-256."""

    class Delivery(models.TextChoices):
        EMAIL = "email", "Emailed as a PDF attachment"
        PRINT = "print", "Printed and sent by post or by hand"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="letters")
    step = models.OneToOneField(Step, on_delete=models.PROTECT, related_name="letter")
    kind = models.CharField(max_length=10, choices=LetterTemplate.Kind.choices)
    template = models.ForeignKey(LetterTemplate, null=True, on_delete=models.PROTECT,
                                 related_name="+")
    recipient_name = models.CharField(max_length=200)
    recipient_email = models.EmailField(blank=True)
    subject = models.CharField(max_length=200)
    delivery = models.CharField(max_length=5, choices=Delivery.choices)
    pdf = models.ForeignKey("evidence.EvidenceItem", on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("A sent letter is frozen and is never edited.")
        super().save(*args, **kwargs)
