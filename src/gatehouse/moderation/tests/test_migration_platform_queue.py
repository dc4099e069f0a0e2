"""The migration that puts Page and Instagram comments in the one queue: those already waiting
join it (safeguarding concerns as the DSL's concerns), and going back takes them out again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gatehouse.community.models import Comment, Post
from gatehouse.moderation.models import QueueItem
from gatehouse.moderation.tests.test_migration_to_evidence_store import _latest, _migrate

BEFORE = [("moderation", "0004_remove_evidence_and_custody_tables"),
          ("publishing", "0001_initial")]


@pytest.fixture
def old_schema(transactional_db: None) -> Iterator[Any]:
    """The database as it was before; always left at the latest migration."""
    try:
        yield _migrate(BEFORE)
    finally:
        _migrate(_latest())


def test_waiting_platform_comments_join_the_queue_and_leave_it_going_back(
    old_schema: Any, school: Any, make_user: Any, make_parent: Any,
) -> None:
    PlatformComment = old_schema.get_model("publishing", "PlatformComment")
    for comment_id, status, decision in (("threat", "open", "hold"), ("child", "open", "concern"),
                                         ("decided", "hidden", "hold")):
        PlatformComment.objects.create(school_id=school.pk, platform="facebook",
                                       comment_id=comment_id, text=comment_id, status=status,
                                       decision=decision, severity=70, categories=["threat"])
    post = Post.objects.create(school=school, author=make_user(school=school), body="Trip")
    held = Comment.objects.create(post=post, author=make_parent(school).user, body="held",
                                  status=Comment.Status.HELD)
    old_schema.get_model("moderation", "QueueItem").objects.create(
        school_id=school.pk, comment_id=held.pk, source="auto", severity=60)

    _migrate(_latest())

    queued = QueueItem.objects.filter(platform_comment__isnull=False)
    assert sorted(queued.values_list("platform_comment__comment_id", "kind", "severity",
                                     "categories", "status")) == [
        ("child", "concern", 80, [], "open"), ("threat", "breach", 70, ["threat"], "open")]

    apps = _migrate(BEFORE)  # and back: only the group comment's item is left
    assert list(apps.get_model("moderation", "QueueItem").objects.values_list(
        "comment_id", flat=True)) == [held.pk]
    assert apps.get_model("publishing", "PlatformComment").objects.count() == 3
