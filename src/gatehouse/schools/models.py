"""Schools, the trusts that run them, and the versioned documents parents agree to."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password, make_password
from django.db import models


class Trust(models.Model):
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    security_question = models.CharField(max_length=300)
    # Stored hashed and compared case- and space-insensitively: the answer is a shared secret.
    security_answer_hash = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    staff_email = models.EmailField(blank=True)
    complaints_policy_url = models.URLField(blank=True)
    website_url = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def _clean_answer(answer: str) -> str:
        return " ".join(answer.lower().split())

    def set_security_answer(self, answer: str) -> None:
        self.security_answer_hash = make_password(self._clean_answer(answer))

    def check_security_answer(self, answer: str) -> bool:
        return check_password(self._clean_answer(answer), self.security_answer_hash)

    def current_document(self, kind: str) -> SchoolDocument | None:
        return self.documents.filter(kind=kind).order_by("-version").first()


class SchoolDocument(models.Model):
    """A versioned text parents accept: the group rules or the Home-School Agreement."""

    class Kind(models.TextChoices):
        GROUP_RULES = "rules", "Group rules"
        HOME_SCHOOL_AGREEMENT = "hsa", "Home-School Agreement"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "kind", "version"], name="one_doc_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"
