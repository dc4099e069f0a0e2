"""Moderators' workflows: approve, hide (kept as evidence), escalate, reports and rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gatehouse.accounts.models import Role, StaffRole, User
from gatehouse.audit.log import record
from gatehouse.community.models import Comment
from gatehouse.evidence.models import EvidenceItem
from gatehouse.lib.mail import email_after_commit
from gatehouse.moderation.models import (
    CommentReport,
    PlatformReport,
    PolicyRule,
    QueueItem,
    RosterEntry,
    WatchedPhrase,
)
from gatehouse.moderation.originals import do_keep_original
from gatehouse.moderation.policy import SEVERITY
from gatehouse.schools.models import School

REPORT_SEVERITY_DISCOUNT = 10


def check_open(item: QueueItem) -> None:
    if item.status != QueueItem.Status.OPEN:
        raise ValidationError(f"This comment was already {item.get_status_display().lower()}.")


def _lock(item: QueueItem) -> QueueItem:
    return (QueueItem.objects.select_for_update(of=("self",))
            .select_related("comment", "platform_comment").get(pk=item.pk))


def _close(item: QueueItem, status: str, actor: User | None, note: str) -> None:
    item.status = status
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.note = note.strip() or item.note
    item.save()


def do_approve(item: QueueItem, *, actor: User) -> None:
    with transaction.atomic():
        item = _lock(item)
        check_open(item)
        if item.platform_comment_id:
            from gatehouse.publishing.comments import show_again

            show_again(item.platform_comment)  # unhidden through the API, or ValidationError
        else:
            item.comment.status = Comment.Status.VISIBLE
            item.comment.save(update_fields=["status"])
        _close(item, QueueItem.Status.APPROVED, actor, "")
        record("moderation.comment.approved", actor=actor, school=item.school,
               target=item.target, details={"categories": item.categories,
                                            "platform": item.platform_label})


def check_concern_note(note: str) -> str:
    note = note.strip()
    if not note:
        raise ValidationError("Say briefly what was done (for example: rang the parent, "
                              "logged on the safeguarding system).")
    return note


def do_handle_concern(item: QueueItem, *, actor: User, note: str) -> None:
    """The DSL records that a safeguarding concern was taken up. The comment stays
    unpublished (hidden, on the school's Page or Instagram) and nothing is added to the
    parent's moderation record."""
    note = check_concern_note(note)
    with transaction.atomic():
        item = _lock(item)
        check_open(item)
        if item.platform_comment_id:
            from gatehouse.publishing.comments import keep_hidden

            keep_hidden(item.platform_comment)
        _close(item, QueueItem.Status.HANDLED, actor, note)
        record("moderation.concern.handled", actor=actor, school=item.school,
               target=item.target, details={"note": note})


def hide_as_evidence(item: QueueItem, *, actor: User | None, status: str,
                     note: str) -> EvidenceItem:
    """Hide the comment and keep its original in the evidence store (hashed, with the first
    custody entry). A comment on the school's Page or Instagram stays hidden there (it is
    never deleted)."""
    comment = item.target
    if item.platform_comment_id:
        from gatehouse.publishing.comments import keep_hidden

        keep_hidden(item.platform_comment)
    else:
        comment.status = Comment.Status.HIDDEN
        comment.save(update_fields=["status"])
    evidence = do_keep_original(comment, school=item.school, actor=actor)
    _close(item, status, actor, note)
    record(f"moderation.comment.{status}", actor=actor, school=item.school, target=comment,
           details={"sha256": evidence.sha256, "categories": item.categories, "note": note})
    return evidence


def do_hide(item: QueueItem, *, actor: User, note: str = "") -> EvidenceItem:
    with transaction.atomic():
        item = _lock(item)
        check_open(item)
        return hide_as_evidence(item, actor=actor, status=QueueItem.Status.HIDDEN, note=note)


def do_escalate(item: QueueItem, *, actor: User, note: str = "") -> EvidenceItem:
    """Hide the comment and put it in front of the head teacher for the escalation ladder."""
    with transaction.atomic():
        item = _lock(item)
        check_open(item)
        evidence = hide_as_evidence(item, actor=actor, status=QueueItem.Status.ESCALATED,
                                    note=note)
        heads = StaffRole.objects.filter(school=item.school, role=Role.HEAD_TEACHER)
        email_after_commit(sorted(set(heads.values_list("user__email", flat=True))),
                           "moderation/email/escalated",
                           {"school": item.school, "item": item, "note": note,
                            "actor": actor})
    return evidence


def do_report_comment(comment: Comment, *, reporter: User, category: str,
                      reason: str) -> CommentReport:
    """A member reports a visible comment; it joins (or re-enters) the moderators' queue."""
    if comment.status != Comment.Status.VISIBLE:
        raise ValidationError("This comment is already being looked at.")
    school = comment.post.school
    try:
        with transaction.atomic():
            report = CommentReport.objects.create(comment=comment, reporter=reporter,
                                                  category=category, reason=reason.strip())
            _queue_report(comment, school, category)
            record("moderation.comment.reported", actor=reporter, school=school,
                   target=comment, details={"category": category})
    except IntegrityError as exc:
        raise ValidationError("You have already reported this comment. Thank you.") from exc
    return report


def _queue_report(comment: Comment, school: School, category: str) -> None:
    severity = max(SEVERITY[category] - REPORT_SEVERITY_DISCOUNT, 1)
    item, created = QueueItem.objects.get_or_create(
        comment=comment, defaults={"school": school, "source": QueueItem.Source.REPORT,
                                   "severity": severity, "categories": [category]})
    if not created:
        item.status = QueueItem.Status.OPEN
        item.source = QueueItem.Source.REPORT
        item.severity = max(item.severity, severity)
        item.categories = sorted(set(item.categories) | {category})
        item.save()


def do_record_platform_report(school: School, *, actor: User, data: dict[str, Any]
                              ) -> PlatformReport:
    with transaction.atomic():
        report = PlatformReport.objects.create(school=school, recorded_by=actor, **data)
        record("moderation.platform_report.recorded", actor=actor, school=school, target=report,
               details={"platform": report.platform, "reference": report.reference,
                        "outcome": report.outcome})
    return report


def do_update_platform_outcome(report: PlatformReport, *, actor: User, outcome: str) -> None:
    with transaction.atomic():
        report.outcome = outcome
        report.save(update_fields=["outcome"])
        record("moderation.platform_report.outcome", actor=actor, school=report.school,
               target=report, details={"outcome": outcome})


def do_save_rules(school: School, *, actor: User, rules: dict[str, tuple[str, float]]) -> None:
    with transaction.atomic():
        for category, (action, threshold) in rules.items():
            PolicyRule.objects.update_or_create(
                school=school, category=category,
                defaults={"action": action, "threshold": threshold})
        record("moderation.rules.changed", actor=actor, school=school,
               details={c: {"action": a, "threshold": t} for c, (a, t) in rules.items()})


def do_add_watched(school: School, *, actor: User, phrase: str, action: str) -> WatchedPhrase:
    phrase = " ".join(phrase.split())
    if WatchedPhrase.objects.filter(school=school, phrase__iexact=phrase).exists():
        raise ValidationError(f"“{phrase}” is already on the list.")
    with transaction.atomic():
        watched = WatchedPhrase.objects.create(school=school, phrase=phrase, action=action,
                                               added_by=actor)
        record("moderation.watched.added", actor=actor, school=school, target=watched,
               details={"phrase": phrase, "action": action})
    return watched


def do_remove_watched(watched: WatchedPhrase, *, actor: User) -> None:
    with transaction.atomic():
        record("moderation.watched.removed", actor=actor, school=watched.school,
               details={"phrase": watched.phrase, "action": watched.action})
        watched.delete()


def do_add_roster_entry(school: School, *, actor: User, data: dict[str, Any]) -> RosterEntry:
    with transaction.atomic():
        entry = RosterEntry.objects.create(school=school, **data)
        record("moderation.roster.added", actor=actor, school=school, target=entry)
    return entry


def do_remove_roster_entry(entry: RosterEntry, *, actor: User) -> None:
    with transaction.atomic():
        record("moderation.roster.removed", actor=actor, school=entry.school,
               details={"entry": entry.pk})
        entry.delete()


def recent_window(days: int = 30) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)
