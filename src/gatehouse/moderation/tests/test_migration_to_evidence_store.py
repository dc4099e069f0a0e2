"""The migrations that moved hidden originals from moderation's own tables into the evidence
store: every row and custody event copied with its hash, times, actors and order, and back."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from gatehouse.community.models import Comment, Post
from gatehouse.evidence.models import CustodyEvent, EvidenceItem, owner_key
from gatehouse.moderation.originals import hidden_originals

BEFORE = [("moderation", "0002_judgement")]
T0 = timezone.now().replace(microsecond=0) - dt.timedelta(days=400)


def _migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate to the targets; the apps (historical models) as they are there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_schema(transactional_db: None) -> Iterator[Any]:
    """The database as it was before the move; always left at the latest migration."""
    try:
        yield _migrate(BEFORE)
    finally:
        _migrate(_latest())


def _old_evidence(apps: Any, school: Any, comment: Comment, actor: Any, at: dt.datetime,
                  custody: list[tuple[Any, str, dt.datetime]], content: str = "") -> Any:
    Evidence = apps.get_model("moderation", "Evidence")
    OldCustody = apps.get_model("moderation", "CustodyEvent")
    content = content or comment.body
    row = Evidence.objects.create(school_id=school.pk, comment_id=comment.pk, content=content,
                                  sha256=hashlib.sha256(comment.body.encode()).hexdigest(),
                                  created_by_id=actor.pk if actor else None)
    Evidence.objects.filter(pk=row.pk).update(created_at=at)
    for who, action, when in custody:
        event = OldCustody.objects.create(evidence_id=row.pk, action=action,
                                          actor_id=who.pk if who else None)
        OldCustody.objects.filter(pk=event.pk).update(at=when)
    return row


def test_every_hidden_original_and_its_custody_move_into_the_store_and_back(
    old_schema: Any, school: Any, make_user: Any, make_parent: Any,
) -> None:
    moderator = make_user(school=school, roles=("moderator",), email="mod@s.example")
    head = make_user(school=school, roles=("head_teacher",), email="head@s.example")
    parent = make_parent(school).user
    post = Post.objects.create(school=school, author=moderator, body="Sports day")
    threat = Comment.objects.create(post=post, author=parent, body="Ça va? I'll batter him 👊\r\n",
                                    status=Comment.Status.HIDDEN)
    blocked = Comment.objects.create(post=post, author=parent, body="jellyfish",
                                     status=Comment.Status.HIDDEN)
    hour = dt.timedelta(hours=1)
    _old_evidence(old_schema, school, threat, moderator, T0, [
        (moderator, "created", T0), (head, "viewed", T0 + hour), (moderator, "viewed", T0 + hour)])
    # Altered after it was kept: the copied hash must still say so.
    _old_evidence(old_schema, school, blocked, None, T0 - hour, [(None, "created", T0 - hour)],
                  content="jellyfish (edited)")

    _migrate(_latest())

    items = list(hidden_originals(school))
    assert [i.owner for i in items] == [owner_key(blocked), owner_key(threat)]  # kept order
    kept = items[1]
    assert kept.text == threat.body and kept.read_original() == threat.body.encode("utf-8")
    assert kept.sha256 == hashlib.sha256(threat.body.encode()).hexdigest() and kept.is_intact()
    assert (kept.created_at, kept.created_by, kept.kind) == (T0, moderator, "text")
    assert kept.size == len(threat.body.encode("utf-8"))
    assert list(kept.custody.values_list("actor", "action", "at")) == [
        (moderator.pk, "created", T0), (head.pk, "viewed", T0 + hour),
        (moderator.pk, "viewed", T0 + hour)]
    assert not items[0].is_intact() and items[0].created_by is None
    assert CustodyEvent.objects.count() == 4

    apps = _migrate(BEFORE)  # and back again, with the rows as they were
    Evidence = apps.get_model("moderation", "Evidence")
    old = Evidence.objects.get(comment_id=threat.pk)
    assert (old.content, old.sha256, old.created_at) == (threat.body, kept.sha256, T0)
    assert list(apps.get_model("moderation", "CustodyEvent").objects.filter(evidence=old)
                .order_by("at", "pk").values_list("actor_id", "action")) == [
        (moderator.pk, "created"), (head.pk, "viewed"), (moderator.pk, "viewed")]
    assert Evidence.objects.count() == 2 and not EvidenceItem.objects.exists()
