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
