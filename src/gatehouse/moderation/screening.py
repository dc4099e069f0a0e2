"""Check a new comment against the school's policy before anyone else can see it.

The comment is saved as held first and only released once the check says so: if scoring
fails for any reason the comment waits for a moderator rather than being lost or shown.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from django.db import transaction

from gatehouse.accounts.models import Role, StaffRole
from gatehouse.audit.log import record
from gatehouse.community.models import Comment
from gatehouse.lib.mail import email_after_commit
from gatehouse.moderation.engine import Engine
from gatehouse.moderation.models import CommentScore, QueueItem, WatchedPhrase
from gatehouse.moderation.policy import (
    BLOCK,
    CONCERN,
    CONCERN_SEVERITY,
    Decision,
    Rules,
    decide,
    rules_for,
)
from gatehouse.moderation.school_roster import roster_for
from gatehouse.schools.models import School

logger = logging.getLogger(__name__)
FAILED_CHECK_SEVERITY = 50
ALERT_ROLES = (Role.HEAD_TEACHER, Role.DSL)


def without_allowed(text: str, rules: Rules) -> str:
    """Remove the school's allowed phrases ("killed it") so they do not count when scoring."""
    for phrase, action in rules.watched:
        if action == WatchedPhrase.Action.ALLOW and phrase.strip():
            text = re.sub(rf"(?<!\w){re.escape(phrase.strip())}(?!\w)", " ", text,
                          flags=re.IGNORECASE)
    return text


def score_text(school: School, text: str, rules: Rules | None = None) -> tuple[dict, Decision]:
    """Score text for a school: the engine's explanation as JSON, and the rules' decision."""
    rules = rules or rules_for(school)
    watched = [(p, a) for p, a in rules.watched if a != WatchedPhrase.Action.ALLOW]
    result = Engine.load().score(without_allowed(text, rules), roster=roster_for(school),
                                 watched=watched)
    explained = result.to_json()
    return explained, decide(result.scores, result.watched_hits, rules, result.concern)


def screen_comment(comment: Comment) -> Decision | None:
    """Score a held comment and release, hold or block it. Call inside the comment's
    transaction; returns None if the check could not run (the comment stays held)."""
    school = comment.post.school
    start = time.perf_counter()
    try:
        # A savepoint: a database error in the check leaves the comment's transaction usable
        # for holding it.
        with transaction.atomic():
            explained, decision = score_text(school, comment.body)
    except Exception:
        logger.exception("Scoring comment %s failed; holding it for a moderator", comment.pk)
        _queue(comment, school, severity=FAILED_CHECK_SEVERITY, categories=[],
               note="The automatic check could not run; please review.")
        return None
    CommentScore.objects.create(
        comment=comment, scores=explained["scores"], triggers=explained["triggers"],
        roster_matches=explained["roster_matches"], watched_hits=explained["watched_hits"],
        flagged=decision.flagged, decision=decision.action, concern=explained["concern"],
        reasons=explained["reasons"],
        milliseconds=(time.perf_counter() - start) * 1000,
    )
    _apply(comment, school, decision)
    return decision


def _apply(comment: Comment, school: School, decision: Decision) -> None:
    if not decision.is_held:
        comment.status = Comment.Status.VISIBLE
        comment.save(update_fields=["status"])
        return
    if decision.action == CONCERN:
        _raise_concern(comment, school)
        return
    item = _queue(comment, school, severity=decision.severity, categories=decision.flagged)
    record("moderation.comment.held", school=school, target=comment,
           details={"decision": decision.action, "categories": decision.flagged})
    if decision.action == BLOCK:
        from gatehouse.moderation.actions import hide_as_evidence

        hide_as_evidence(item, actor=None, status=QueueItem.Status.HIDDEN,
                         note="Blocked automatically: contains a phrase the school blocks.")
    if decision.alert:
        _alert_leaders(comment, school, decision)
    if "complaint_about_school_or_staff" in decision.flagged:
        email_after_commit([comment.author.email], "moderation/email/complaint_reply",
                           {"school": school, "comment": comment})


def _queue(comment: Comment, school: School, *, severity: int, categories: list[str],
           note: str = "") -> QueueItem:
    return QueueItem.objects.create(school=school, comment=comment, severity=severity,
                                    categories=categories, source=QueueItem.Source.AUTOMATIC,
                                    note=note)


def _raise_concern(comment: Comment, school: School) -> None:
    """A parent reporting harm to their child: kept unpublished for the DSL, who is told,
    and the parent gets a kind reply at once. Nothing here touches the parent's record."""
    queue_concern(school, comment=comment)
    email_after_commit([comment.author.email], "moderation/email/concern_reply",
                       {"school": school, "comment": comment,
                        "dsl_names": _dsl_names(school)})


def queue_concern(school: School, **comment: Any) -> QueueItem:
    """Put a safeguarding concern on the DSL's concerns page (apart from breaches) and tell
    the DSL, or the head teacher if there is none, so nobody is missed. `comment` is the
    parents' group comment (comment=) or the Page or Instagram comment (platform_comment=)."""
    item = QueueItem.objects.create(school=school, severity=CONCERN_SEVERITY, categories=[],
                                    source=QueueItem.Source.AUTOMATIC,
                                    kind=QueueItem.Kind.CONCERN, **comment)
    dsls = _emails(school, Role.DSL) or _emails(school, Role.HEAD_TEACHER)
    record("moderation.concern.raised", school=school, target=item.target,
           details={"to": dsls, "platform": item.platform_label})
    if dsls:
        email_after_commit(dsls, "moderation/email/concern_dsl",
                           {"school": school, "item": item})
    return item


def _emails(school: School, role: str) -> list[str]:
    return sorted(set(StaffRole.objects.filter(school=school, role=role)
                      .values_list("user__email", flat=True)))


def _dsl_names(school: School) -> list[str]:
    return sorted({role.user.full_name for role in StaffRole.objects.filter(
        school=school, role=Role.DSL).select_related("user")})


def _alert_leaders(comment: Comment, school: School, decision: Decision) -> None:
    emails = set(StaffRole.objects.filter(school=school, role__in=ALERT_ROLES)
                 .values_list("user__email", flat=True))
    email_after_commit(sorted(emails), "moderation/email/alert",
                       {"school": school, "comment": comment, "decision": decision})
    record("moderation.alert.sent", school=school, target=comment,
           details={"to": sorted(emails), "categories": decision.flagged})
