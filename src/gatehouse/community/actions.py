"""Workflows for the feed: staff posting, parents commenting, staff switching comments off."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from gatehouse.accounts.models import Membership, User
from gatehouse.accounts.permissions import POSTING_ROLES, check_can_comment
from gatehouse.audit.log import record
from gatehouse.community.models import Comment, Post
from gatehouse.schools.models import School


def check_can_post(user: User, school: School) -> None:
    if not user.roles_at(school.pk) & POSTING_ROLES:
        raise PermissionDenied("Only staff the administrator has authorised can post.")


def do_create_post(school: School, *, actor: User, data: dict[str, Any]) -> Post:
    check_can_post(actor, school)
    with transaction.atomic():
        post = Post.objects.create(
            school=school, author=actor, body=data["body"].strip(), link=data.get("link", ""),
            event_at=data.get("event_at"), comments_enabled=data.get("comments_enabled", True),
        )
        record("community.post.created", actor=actor, school=school, target=post,
               details={"comments_enabled": post.comments_enabled})
    return post


def do_set_comments_enabled(post: Post, *, actor: User, enabled: bool) -> None:
    check_can_post(actor, post.school)
    with transaction.atomic():
        post.comments_enabled = enabled
        post.save(update_fields=["comments_enabled"])
        state = "enabled" if enabled else "disabled"
        record(f"community.post.comments_{state}", actor=actor, school=post.school, target=post)


def check_add_comment(post: Post, membership: Membership | None) -> None:
    if not post.comments_enabled:
        raise PermissionDenied("Comments are turned off for this post.")
    check_can_comment(membership)


def do_add_comment(post: Post, *, author: User, membership: Membership | None,
                   body: str) -> Comment:
    """Save the comment held, then let the policy check release it: nobody else can see it
    until the check has run, and a failed check leaves it held rather than lost."""
    from gatehouse.moderation.screening import screen_comment

    check_add_comment(post, membership)
    with transaction.atomic():
        comment = Comment.objects.create(post=post, author=author, body=body,
                                         status=Comment.Status.HELD)
        screen_comment(comment)
        if membership is None:  # staff replies are staff actions, so they are audited
            record("community.comment.staff_reply", actor=author, school=post.school,
                   target=comment)
    return comment
