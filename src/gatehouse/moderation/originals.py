"""Originals of hidden comments (design invariant 5). They live in the one evidence store, owned
by their comment ("community.comment:12"); this module only names them for moderation's pages,
cases' packs and governance."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from gatehouse.community.models import Comment
from gatehouse.evidence.models import EvidenceItem, owner_key, owner_prefix
from gatehouse.evidence.store import do_keep_text
from gatehouse.schools.models import School

COMMENT_OWNER = owner_prefix(Comment)


def do_keep_original(comment: Comment, *, school: School, actor: Any) -> EvidenceItem:
    """Keep the comment's text byte-for-byte with its SHA-256 and a "created" custody event.
    Call in the transaction that hides the comment and writes the audit row."""
    return do_keep_text(school, owner=owner_key(comment), title=f"Hidden comment #{comment.pk}",
                        text=comment.body, actor=actor)


def hidden_originals(school: School) -> QuerySet[EvidenceItem]:
    """The school's hidden originals, and no other evidence (cases', incidents')."""
    return EvidenceItem.objects.filter(school=school, owner__startswith=COMMENT_OWNER)


def comment_id_of(item: EvidenceItem) -> int:
    return int(item.owner.removeprefix(COMMENT_OWNER))


def originals_of(comment_ids: Iterable[int]) -> dict[int, EvidenceItem]:
    """The kept original of each comment that has one, by comment id."""
    owners = [f"{COMMENT_OWNER}{pk}" for pk in comment_ids]
    return {comment_id_of(item): item for item in EvidenceItem.objects.filter(owner__in=owners)}
