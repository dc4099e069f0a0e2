"""One evidence store: originals kept byte-for-byte with SHA-256, and their chain of custody.

Items belong to an owner named by a string ("cases.case:12", later "incidents.report:3"), so any
app can keep evidence here without this app knowing about it. Items are never edited or deleted.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast, Concat


def owner_key(obj: models.Model) -> str:
    """The owner string for a model instance, e.g. "cases.case:12"."""
    return owner_prefix(type(obj)) + str(obj.pk)


def owner_prefix(model: type[models.Model]) -> str:
    """What every owner key of the model starts with, e.g. "cases.case:"."""
    return f"{model._meta.label_lower}:"


def owner_key_sql(model: type[models.Model], field: str = "pk") -> Concat:
    """The owner key as an SQL expression, for the row of `model` that `field` points to, so a
    query can match evidence to its owners (e.g. `owner__in=qs.annotate(key=...)`)."""
    return Concat(Value(owner_prefix(model)), Cast(field, output_field=models.CharField()))


class EvidenceItem(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        SCREENSHOT = "screenshot", "Screenshot"
        DOCUMENT = "document", "Document"

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    owner = models.CharField(max_length=100, db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    # Text evidence is kept here; files are kept under MEDIA_ROOT (outside the web root).
    text = models.TextField(blank=True)
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    media_type = models.CharField(max_length=50, default="text/plain")
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    # Where it was seen, for evidence from outside Gatehouse.
    platform = models.CharField(max_length=50, blank=True)
    url = models.URLField(max_length=500, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.sha256[:12]})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("Evidence is never changed once it is kept.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError("Evidence is never deleted.")

    @property
    def is_file(self) -> bool:
        return bool(self.file)

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
                "image/gif": "gif", "image/heif": "heic", "application/pdf": "pdf",
                "text/plain": "txt"}.get(self.media_type, "bin")

    def read_original(self) -> bytes:
        if not self.file:
            return self.text.encode("utf-8")
        with self.file.open("rb") as handle:
            return handle.read()

    def is_intact(self) -> bool:
        return hashlib.sha256(self.read_original()).hexdigest() == self.sha256


class CustodyEvent(models.Model):
    """Who created, viewed, downloaded or exported an item, and when. Append-only."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        VIEWED = "viewed", "Viewed"
        DOWNLOADED = "downloaded", "Downloaded"
        EXPORTED = "exported", "Exported in an evidence pack"

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="custody")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                              related_name="+")
    action = models.CharField(max_length=12, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("Custody events are never changed.")
        super().save(*args, **kwargs)


class PackExport(models.Model):
    """An exported evidence pack: the hash of its manifest, so a pack can be traced back."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    owner = models.CharField(max_length=100, db_index=True)
    manifest_sha256 = models.CharField(max_length=64, unique=True)
    files = models.PositiveIntegerField()
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"pack {self.manifest_sha256[:12]}"
