"""Originals of hidden comments (design invariant 5). They live in the one evidence store, owned
by their comment: a parents' group comment ("community.comment:12") or a comment on the
school's Facebook Page or Instagram ("publishing.platformcomment:7"). This module only names
them for moderation's pages, cases' packs and governance."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model, Q, QuerySet

from gatehouse.community.models import Comment
from gatehouse.evidence.models import EvidenceItem, owner_key, owner_prefix
from gatehouse.evidence.store import do_keep_text
from gatehouse.publishing.models import PlatformComment
from gatehouse.schools.models import School

COMMENT_OWNER = owner_prefix(Comment)
PLATFORM_OWNER = owner_prefix(PlatformComment)


def do_keep_original(comment: Comment | PlatformComment, *, school: School,
                     actor: Any) -> EvidenceItem:
    """Keep the comment's text byte-for-byte with its SHA-256 and a "created" custody event.
    Call in the transaction that hides the comment and writes the audit row."""
    if isinstance(comment, PlatformComment):
        title = f"Hidden {comment.get_platform_display()} comment #{comment.pk}"
        text = comment.text
    else:
        title, text = f"Hidden comment #{comment.pk}", comment.body
    return do_keep_text(school, owner=owner_key(comment), title=title, text=text, actor=actor)


def hidden_originals(school: School) -> QuerySet[EvidenceItem]:
    """The school's hidden originals of parents' group comments, and no other evidence (cases',
    incidents', or Page and Instagram comments')."""
    return EvidenceItem.objects.filter(school=school, owner__startswith=COMMENT_OWNER)


def moderation_originals(school: School) -> QuerySet[EvidenceItem]:
    """What moderation's evidence page opens: the originals of hidden group comments and of
    hidden comments on the school's Page and Instagram."""
    return EvidenceItem.objects.filter(
        Q(owner__startswith=COMMENT_OWNER) | Q(owner__startswith=PLATFORM_OWNER), school=school)


def comment_id_of(item: EvidenceItem) -> int:
    return int(item.owner.removeprefix(COMMENT_OWNER))


def comment_of(item: EvidenceItem) -> Comment | PlatformComment | None:
    """The comment an original was kept from (None if it is no longer held)."""
    if item.owner.startswith(PLATFORM_OWNER):
        return PlatformComment.objects.filter(
            pk=int(item.owner.removeprefix(PLATFORM_OWNER))).first()
    return Comment.objects.select_related("author").filter(pk=comment_id_of(item)).first()


def originals_of(comment_ids: Iterable[int],
                 model: type[Model] = Comment) -> dict[int, EvidenceItem]:
    """The kept original of each comment (of `model`) that has one, by comment id."""
    prefix = owner_prefix(model)
    owners = [f"{prefix}{pk}" for pk in comment_ids]
    return {int(item.owner.removeprefix(prefix)): item
            for item in EvidenceItem.objects.filter(owner__in=owners)}
