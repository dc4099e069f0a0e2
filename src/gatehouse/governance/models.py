"""Governance: the custody register of the school's social accounts and leaver handovers,
policy documents and their reviews, term dates and governors' reports, retention, subject
access and erasure requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from gatehouse.schools.models import School


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(day.day, last))


class SchoolDomains(models.Model):
    """The school's own email domains: recovery addresses must be on one of them."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="+")
    domains = models.CharField(max_length=500, help_text="Separated by commas, e.g. "
                               "oakfield.sch.uk, riverside-trust.org.uk")

    def __str__(self) -> str:
        return self.domains

    @staticmethod
    def for_school(school: School) -> list[str]:
        found = SchoolDomains.objects.filter(school=school).first()
        if found is not None:
            return [d.strip().lower() for d in found.domains.split(",") if d.strip()]
        return default_domains(school)


def default_domains(school: School) -> list[str]:
    domains = []
    if "@" in school.staff_email:
        domains.append(school.staff_email.rsplit("@", 1)[1].lower())
    if school.website_url:
        host = school.website_url.split("//", 1)[-1].split("/", 1)[0].lower()
        domains.append(host.removeprefix("www."))
    return sorted(set(domains))


class SocialAccount(models.Model):
    class Platform(models.TextChoices):
        FACEBOOK = "facebook", "Facebook Page"
        INSTAGRAM = "instagram", "Instagram"
        X = "x", "X (Twitter)"
        YOUTUBE = "youtube", "YouTube"
        TIKTOK = "tiktok", "TikTok"
        LINKEDIN = "linkedin", "LinkedIn"
        WEBSITE = "website", "Website or blog"
        OTHER = "other", "Other"

    class TwoFactor(models.TextChoices):
        APP = "app", "Authenticator app"
        KEY = "key", "Security key"
        SMS = "sms", "Text message to a school phone"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    platform = models.CharField(max_length=10, choices=Platform.choices)
    handle = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    purpose = models.CharField(max_length=300)
    # A reference to the entry in the school's password manager, never a password.
    credentials_location = models.CharField(max_length=200)
    two_factor = models.CharField(max_length=4, choices=TwoFactor.choices)
    recovery_email = models.EmailField()
    recovery_phone = models.CharField(max_length=30, blank=True)
    review_every_months = models.PositiveSmallIntegerField(default=6)
    last_reviewed_on = models.DateField(null=True, blank=True)
    # The review due date a reminder was sent for: claimed with a conditional UPDATE.
    reminder_sent_for = models.DateField(null=True, blank=True)
    administrators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+",
                                            through="AccountAdministrator")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["platform", "handle"]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.handle}"

    @property
    def next_review_due(self) -> dt.date:
        start = self.last_reviewed_on or timezone.localdate(self.created_at)
        return add_months(start, self.review_every_months)

    def review_overdue(self, today: dt.date | None = None) -> bool:
        return self.next_review_due < (today or timezone.localdate())


class AccountAdministrator(models.Model):
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="admins")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "user"],
                                               name="one_admin_entry_per_account")]

    def __str__(self) -> str:
        return f"{self.user} on {self.account}"


class AccessReview(models.Model):
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="reviews")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_on = models.DateField()
    administrators = models.JSONField(default=list)  # the names confirmed, as they were
    notes = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"review of {self.account} on {self.reviewed_on}"


class Handover(models.Model):
    """A leaver's access to one account handed to a colleague, with every step confirmed."""

    account = models.ForeignKey(SocialAccount, on_delete=models.PROTECT, related_name="handovers")
    leaver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    new_administrator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                          related_name="+")
    credentials_rotated = models.BooleanField()
    two_factor_moved = models.BooleanField()
    connector_reissued = models.BooleanField()
    notes = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.leaver} → {self.new_administrator} on {self.account}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not (self.credentials_rotated and self.two_factor_moved and self.connector_reissued):
            raise ValueError("A handover is recorded only once every step is confirmed.")
        super().save(*args, **kwargs)


# --- the policy's own life: terms, policy documents and reviews ---------------------------


class Term(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60, help_text="e.g. Autumn Term 2026")
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="one_term_name")]

    def __str__(self) -> str:
        return self.name


class PolicyDocument(models.Model):
    class Kind(models.TextChoices):
        SOCIAL_MEDIA = "social_media", "Social Media Policy"
        GROUP_RULES = "group_rules", "Parents' group rules"
        HSA = "hsa", "Home-School Agreement"
        COMPLAINTS = "complaints", "Complaints policy"
        OTHER = "other", "Other policy"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    title = models.CharField(max_length=200)
    committee = models.CharField(max_length=150, help_text="The governors' committee "
                                 "responsible, e.g. Full Governing Body")

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def current(self) -> PolicyVersion | None:
        versions = getattr(self, "_prefetched_objects_cache", {}).get("versions")
        if versions is not None:
            return max(versions, key=lambda v: v.version, default=None)
        return self.versions.order_by("-version").first()


class PolicyVersion(models.Model):
    """One approved text of a policy. Never changed: a review makes a new version."""

    document = models.ForeignKey(PolicyDocument, on_delete=models.CASCADE,
                                 related_name="versions")
    version = models.PositiveIntegerField()
    body = models.TextField(max_length=100_000)
    approved_on = models.DateField()
    next_review_label = models.CharField(max_length=60, help_text="e.g. Spring Term 2027")
    next_review_due = models.DateField()
    reminder_sent_for = models.DateField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["document", "version"],
                                               name="one_policy_version")]

    def __str__(self) -> str:
        return f"{self.document} v{self.version}"


class PolicyReview(models.Model):
    document = models.ForeignKey(PolicyDocument, on_delete=models.CASCADE,
                                 related_name="reviews")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_on = models.DateField()
    what_changed = models.TextField(max_length=3000)
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"review of {self.document} on {self.reviewed_on}"


# --- retention, subject access and erasure ------------------------------------------------


class RetentionRule(models.Model):
    """A school's own period for one record type; without a row the default applies."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=30)
    months = models.PositiveIntegerField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "record_type"],
                                               name="one_retention_rule")]

    def __str__(self) -> str:
        return f"{self.record_type}: {self.months} months"


class RetentionRun(models.Model):
    """One run of the retention job for a school: what it removed, by record type."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"retention run {self.started_at:%Y-%m-%d %H:%M}"


class SubjectRequest(models.Model):
    """A subject access or erasure request, tracked against its statutory month."""

    class Kind(models.TextChoices):
        ACCESS = "access", "Subject access"
        ERASURE = "erasure", "Erasure"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Completed"
        REFUSED = "refused", "Refused (exception applies)"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    received_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    notes = models.TextField(max_length=3000, blank=True)
    # What erasure kept, and why (safeguarding, legal hold): shown to whoever completes it.
    exceptions = models.JSONField(default=list)
    export_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request for {self.person}"

    def overdue(self, today: dt.date | None = None) -> bool:
        return self.status == self.Status.OPEN and self.due_on < (today or timezone.localdate())
