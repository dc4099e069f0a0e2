"""Staff incident reports: online abuse of a member of staff, routed to the person who owns it.

The screenshots and files are kept in the one evidence store (`evidence`), owned by the report
("incidents.incident:<pk>"); this app never keeps a second copy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Incident(models.Model):
    class Route(models.TextChoices):
        HEAD_TEACHER = "head_teacher", "Head teacher"
        HEAD_OF_HR = "head_of_hr", "Head of HR"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        IN_HAND = "in_hand", "Being dealt with"
        CLOSED = "closed", "Closed"

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    # The member of staff the abuse is about: the reporter, or a colleague.
    victim = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    what_happened = models.TextField(max_length=5000)
    platform = models.CharField(max_length=50)
    url = models.URLField(max_length=500, blank=True)
    seen_at = models.DateTimeField()
    source = models.CharField(max_length=200, blank=True)
    # Decided when the report arrives, from the victim's "centrally employed" flag.
    route = models.CharField(max_length=12, choices=Route.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.TextField(max_length=3000, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    platform_report = models.ForeignKey("moderation.PlatformReport", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    legal_hold = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Incident {self.reference}"

    @property
    def reference(self) -> str:
        return f"INC-{self.school_id}-{self.pk:05d}"
