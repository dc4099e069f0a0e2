"""Moderation: the school's rules, each comment's scores, the queue and reports. Originals of
hidden comments are kept in the evidence store (see originals.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gatehouse.moderation.engine import CATEGORIES, LABELS

CATEGORY_CHOICES = [(c, LABELS[c]) for c in CATEGORIES]


class RosterEntry(models.Model):
    """A pupil or member of staff the matcher should recognise when a comment names them."""

    class Kind(models.TextChoices):
        PUPIL = "pupil", "Pupil"
        STAFF = "staff", "Staff"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=10, blank=True, help_text="Mr, Mrs, Miss, Ms, Dr")
    role = models.CharField(max_length=100, blank=True, help_text="e.g. head teacher, "
                            "year 6 teacher, SENCO")
    year_group = models.CharField(max_length=30, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class PolicyRule(models.Model):
    """What happens to a comment scored at or above the threshold in one category."""

    class Action(models.TextChoices):
        PUBLISH = "publish", "Publish"
        HOLD = "hold", "Hold for review"
        ALERT = "alert", "Hold and alert the head teacher and DSL"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=50, choices=CATEGORY_CHOICES)
    action = models.CharField(max_length=10, choices=Action.choices)
    threshold = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "category"],
                                               name="one_rule_per_category")]

    def __str__(self) -> str:
        return f"{self.category}: {self.action} at {self.threshold}"


class WatchedPhrase(models.Model):
    class Action(models.TextChoices):
        BLOCK = "block", "Block (never published)"
        HOLD = "hold", "Hold for review"
        ALLOW = "allow", "Allow (ignored when scoring)"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    phrase = models.CharField(max_length=100)
    action = models.CharField(max_length=5, choices=Action.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        ordering = ["action", "phrase"]
        constraints = [models.UniqueConstraint(fields=["school", "phrase"],
                                               name="one_watched_phrase")]

    def __str__(self) -> str:
        return self.phrase


class CommentScore(models.Model):
    """What the engine said about one comment, and what the school's rules decided."""

    comment = models.OneToOneField("community.Comment", on_delete=models.CASCADE,
                                   related_name="score")
    scores = models.JSONField()
    triggers = models.JSONField(default=dict)
    roster_matches = models.JSONField(default=list)
    watched_hits = models.JSONField(default=list)
    flagged = models.JSONField(default=list)  # categories at or above the school's thresholds
    # Safeguarding concern score (a parent reporting harm to their child), 0..1.
    concern = models.FloatField(default=0.0)
    # Plain-words reasons for the moderator, per category (and "concern").
    reasons = models.JSONField(default=dict)
    decision = models.CharField(max_length=10)
    milliseconds = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.decision} {self.flagged}"


class QueueItem(models.Model):
    class Kind(models.TextChoices):
        BREACH = "breach", "Possible policy breach"
        # A parent reporting harm to their child: for the DSL, never a mark on the parent.
        CONCERN = "concern", "Safeguarding concern"

    class Source(models.TextChoices):
        AUTOMATIC = "auto", "Held automatically"
        REPORT = "report", "Reported by a member"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting"
        APPROVED = "approved", "Approved"
        HIDDEN = "hidden", "Hidden"
        ESCALATED = "escalated", "Escalated"
        HANDLED = "handled", "Concern taken up by the DSL"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    # What waits: a comment in the parents' group, or one on the school's Facebook Page or
    # Instagram (hidden there through the API until decided). Exactly one of the two.
    comment = models.OneToOneField("community.Comment", null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="queue_item")
    platform_comment = models.OneToOneField("publishing.PlatformComment", null=True,
                                            blank=True, on_delete=models.CASCADE,
                                            related_name="queue_item")
    source = models.CharField(max_length=6, choices=Source.choices)
    kind = models.CharField(max_length=7, choices=Kind.choices, default=Kind.BREACH)
    severity = models.PositiveSmallIntegerField(default=0)
    categories = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["school", "status", "-severity", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(comment__isnull=False)
                                   ^ models.Q(platform_comment__isnull=False),
                                   name="queue_item_one_comment"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} #{self.comment_id or self.platform_comment_id}"

    @property
    def target(self) -> models.Model:
        """The comment itself: community.Comment or publishing.PlatformComment."""
        return self.comment if self.comment_id else self.platform_comment

    @property
    def text(self) -> str:
        return self.comment.body if self.comment_id else self.platform_comment.text

    @property
    def author_name(self) -> str:
        if self.comment_id:
            return self.comment.author.full_name
        return self.platform_comment.author_name or "someone"

    @property
    def platform_label(self) -> str:
        """"Facebook Page" or "Instagram" for a comment on the school's accounts, else ""."""
        return "" if self.comment_id else self.platform_comment.get_platform_display()

    @property
    def category_labels(self) -> list[str]:
        return [LABELS.get(c, c) for c in self.categories]

    @property
    def reasons(self) -> list[str]:
        """The engine's plain-words reasons, if the comment was scored."""
        if self.platform_comment_id:
            return list(self.platform_comment.reasons.values())
        score = getattr(self.comment, "score", None)
        return list(score.reasons.values()) if score is not None else []


class CommentReport(models.Model):
    comment = models.ForeignKey("community.Comment", on_delete=models.CASCADE,
                                related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    category = models.CharField(max_length=50, choices=CATEGORY_CHOICES)
    reason = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"],
                                               name="one_report_per_person")]

    def __str__(self) -> str:
        return f"report of #{self.comment_id}"


class PlatformReport(models.Model):
    """A record that content elsewhere was reported to that platform's report-abuse."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting for the platform"
        REMOVED = "removed", "Removed by the platform"
        REFUSED = "refused", "Platform declined to act"
        OTHER = "other", "Other"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    platform = models.CharField(max_length=50)
    content_url = models.URLField(blank=True, max_length=500)
    reference = models.CharField(max_length=200, blank=True)
    reported_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    notes = models.TextField(blank=True, max_length=2000)
    comment = models.ForeignKey("community.Comment", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.platform} {self.reference}"
