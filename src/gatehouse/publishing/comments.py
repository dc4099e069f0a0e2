"""Comments on the school's Page and Instagram: scored with the school's rules (the same
check as the parents' group), hidden through the API when held, and queued in the one
moderation queue, where moderators decide them (moderation.actions calls back here)."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from gatehouse.audit.log import record
from gatehouse.moderation.models import QueueItem
from gatehouse.moderation.policy import CONCERN
from gatehouse.moderation.screening import FAILED_CHECK_SEVERITY, queue_concern, score_text
from gatehouse.publishing.connectors.base import PublishError
from gatehouse.publishing.connectors.registry import connector_for
from gatehouse.publishing.models import Connection, PlatformComment

logger = logging.getLogger(__name__)


def screen(comment_id: int) -> PlatformComment:
    """Score a received comment; a held one is hidden on the platform and queued (a safeguarding
    concern on the DSL's concerns page, like a group comment's)."""
    comment = PlatformComment.objects.select_related("school").get(pk=comment_id)
    if comment.status != PlatformComment.Status.UNCHECKED:
        return comment
    try:
        explained, decision = score_text(comment.school, comment.text)
    except Exception:
        logger.exception("Scoring platform comment %s failed; holding it", comment.pk)
        comment.severity, comment.decision = FAILED_CHECK_SEVERITY, "hold"
        comment.reasons = {"check": "The automatic check could not run; please review."}
        held = True
    else:
        comment.decision, comment.severity = decision.action, decision.severity
        comment.categories, comment.reasons = decision.flagged, explained["reasons"]
        held = decision.is_held
    comment.status = PlatformComment.Status.OPEN if held else PlatformComment.Status.VISIBLE
    if held:
        _set_hidden(comment, True)
    with transaction.atomic():
        comment.save()
        if held and comment.decision == CONCERN:  # harm to a child: the DSL's, not a breach
            queue_concern(comment.school, platform_comment=comment)
        elif held:
            QueueItem.objects.create(school=comment.school, platform_comment=comment,
                                     severity=comment.severity, categories=comment.categories,
                                     source=QueueItem.Source.AUTOMATIC)
    record("publishing.platform_comment.held" if held else
           "publishing.platform_comment.checked", school=comment.school, target=comment,
           details={"platform": comment.platform, "decision": comment.decision,
                    "categories": comment.categories,
                    "hidden_on_platform": comment.hidden_on_platform})
    return comment


def _set_hidden(comment: PlatformComment, hidden: bool) -> None:
    """Hide or unhide on the platform; a failure is shown on the queue card, not lost."""
    connection = Connection.objects.filter(school=comment.school,
                                           platform=comment.platform).first()
    try:
        if connection is None:
            raise PublishError("The account is no longer connected.", permanent=True)
        connector_for(connection).hide_comment(comment.comment_id, hidden=hidden)
    except PublishError as exc:
        comment.platform_error = exc.message[:500]
        return
    comment.hidden_on_platform, comment.platform_error = hidden, ""


def show_again(comment: PlatformComment) -> None:
    """A moderator approved it: unhide it on the platform. If the platform refuses, nothing
    changes here and the moderator is told why."""
    _set_hidden(comment, False)
    if comment.platform_error:
        comment.save(update_fields=["platform_error"])
        raise ValidationError(f"Not approved: {comment.platform_error}")
    comment.status = PlatformComment.Status.APPROVED
    comment.save(update_fields=["status", "hidden_on_platform", "platform_error"])


def keep_hidden(comment: PlatformComment) -> None:
    """A moderator hid (or escalated) it: it stays hidden on the platform, never deleted. If
    hiding had failed when it arrived, it is tried again; a failure shows on the card."""
    if not comment.hidden_on_platform:
        _set_hidden(comment, True)
    comment.status = PlatformComment.Status.HIDDEN
    comment.save(update_fields=["status", "hidden_on_platform", "platform_error"])
