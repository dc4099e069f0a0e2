"""Withdrawal reaches the past: when a pupil's consent is withdrawn or they join the restricted
list, every published item showing them is found, hidden from the parents' group at once, and
given a takedown task for each other channel it went to. Videos (publishing.Video) are
reached the same way by publishing.videos.reach_published_videos."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from gatehouse.accounts.models import User
from gatehouse.audit.log import record
from gatehouse.community import feedcache
from gatehouse.consent.models import (
    Channel,
    Face,
    PhotoDraft,
    PostImage,
    Pupil,
    TakedownTask,
)
from gatehouse.schools.models import School


@dataclass
class ReachResult:
    drafts: list[PhotoDraft] = field(default_factory=list)
    hidden_posts: list[int] = field(default_factory=list)
    takedowns: list[TakedownTask] = field(default_factory=list)


def published_items_showing(pupil: Pupil | None = None, *, staff: User | None = None,
                            school: School | None = None) -> list[PhotoDraft]:
    """Published drafts with a photo where this pupil (or member of staff, at this school) is
    tagged. Blurred faces don't count: a blurred face shows nobody."""
    faces = Face.objects.filter(photo__draft__published_at__isnull=False)
    if pupil is not None:
        faces = faces.filter(pupil=pupil, kind=Face.Kind.PUPIL)
    else:
        faces = faces.filter(staff=staff, kind=Face.Kind.STAFF, photo__draft__school=school)
    draft_ids = faces.values("photo__draft_id")
    return list(PhotoDraft.objects.filter(pk__in=draft_ids).prefetch_related("deliveries"))


def do_reach_past(pupil: Pupil, *, channels: list[str], actor: User | None,
                  reason: str) -> ReachResult:
    from gatehouse.publishing.videos import reach_published_videos

    with transaction.atomic():
        result = _reach(published_items_showing(pupil), channels, reason, {"pupil": pupil})
        reach_published_videos(channels=channels, reason=reason, pupil=pupil)
        if result.drafts:
            record("consent.pupil.withdrawn", actor=actor, school=pupil.school, target=pupil,
                   details=_details(channels, reason, result))
    return result


def do_reach_past_for_staff(school: School, staff: User, *, reason: str) -> ReachResult:
    """A member of staff withdrew permission for their image: the same reach, all channels."""
    from gatehouse.publishing.videos import reach_published_videos

    channels = list(Channel.values)
    with transaction.atomic():
        drafts = published_items_showing(staff=staff, school=school)
        result = _reach(drafts, channels, reason, {"staff": staff})
        reach_published_videos(channels=channels, reason=reason, staff=staff, school=school)
        if result.drafts:
            record("consent.staff_image.reached", actor=staff, school=school, target=staff,
                   details=_details(channels, reason, result))
    return result


def _reach(drafts: list[PhotoDraft], channels: list[str], reason: str,
           subject: dict[str, object]) -> ReachResult:
    result = ReachResult()
    for draft in drafts:
        delivered = {d.channel for d in draft.deliveries.all()}
        reached = [c for c in channels if c in delivered]
        if not reached:
            continue
        result.drafts.append(draft)
        for channel in reached:
            _reach_one(draft, subject, channel, reason, result)
    return result


def _details(channels: list[str], reason: str, result: ReachResult) -> dict[str, object]:
    return {"channels": channels, "reason": reason, "drafts": [d.pk for d in result.drafts],
            "hidden_posts": result.hidden_posts, "takedowns": [t.pk for t in result.takedowns]}


def _reach_one(draft: PhotoDraft, subject: dict[str, object], channel: str, reason: str,
               result: ReachResult) -> None:
    if channel == Channel.PARENTS_GROUP:
        if draft.post_id is not None:
            PostImage.objects.filter(post_id=draft.post_id, hidden_at__isnull=True).update(
                hidden_at=timezone.now(), hidden_reason=reason[:300])
            feedcache.bump(draft.school_id)  # .update() sends no signal
            result.hidden_posts.append(draft.post_id)
        return
    task, _ = TakedownTask.objects.get_or_create(
        school=draft.school, draft=draft, channel=channel, done_at__isnull=True,
        **subject, defaults={"reason": reason[:300]})
    result.takedowns.append(task)


def do_complete_takedown(task: TakedownTask, *, actor: User) -> None:
    with transaction.atomic():
        task.done_at, task.done_by = timezone.now(), actor
        task.save(update_fields=["done_at", "done_by"])
        record("consent.takedown.done", actor=actor, school=task.school, target=task,
               details={"channel": task.channel, "draft": task.draft_id})

