"""The parents' feed: posts written by authorised staff, and parents' comments on them.

There is deliberately no model for private messages and no parent-authored post.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

COMMENT_MAX_LENGTH = 2000


class Post(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField(max_length=5000)
    link = models.URLField(blank=True, max_length=500)
    event_at = models.DateTimeField(null=True, blank=True)
    comments_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "-created_at"])]

    def __str__(self) -> str:
        return self.body[:60]


class CommentQuerySet(models.QuerySet["Comment"]):
    def seen_by(self, user: object) -> CommentQuerySet:
        """Visible comments, plus the viewer's own held ones (shown as awaiting review)."""
        return self.filter(Q(status=Comment.Status.VISIBLE) | Q(author=user,
                                                               status=Comment.Status.HELD))


class Comment(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", "Visible"
        HELD = "held", "Awaiting review"
        HIDDEN = "hidden", "Hidden by a moderator"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["post", "status", "created_at"])]

    def __str__(self) -> str:
        return self.body[:60]
