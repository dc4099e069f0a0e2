"""Comments on the school's Page and Instagram: scored with the school's rules (the same
check as the parents' group), hidden through the API when held, and decided by moderators."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gatehouse.accounts.models import Role, User
from gatehouse.audit.log import record
from gatehouse.evidence.models import owner_key
from gatehouse.evidence.store import do_keep_text
from gatehouse.moderation.screening import FAILED_CHECK_SEVERITY, score_text
from gatehouse.publishing.connectors.base import PublishError
from gatehouse.publishing.connectors.registry import connector_for
from gatehouse.publishing.models import Connection, PlatformComment

logger = logging.getLogger(__name__)
DECIDERS = frozenset({Role.MODERATOR, Role.ADMINISTRATOR})


def screen(comment_id: int) -> PlatformComment:
    """Score a received comment; a held one is hidden on the platform and queued."""
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
    comment.save()
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


def check_can_decide(user: User, comment: PlatformComment) -> None:
    if not user.roles_at(comment.school_id) & DECIDERS:
        raise PermissionDenied("Only moderators and administrators decide comments.")
    if comment.status != PlatformComment.Status.OPEN:
        raise ValidationError(f"This comment was already decided "
                              f"({comment.get_status_display().lower()}).")


def do_decide(comment: PlatformComment, *, actor: User, approve: bool) -> PlatformComment:
    """Approve (shown again on the platform) or keep hidden (its text kept as evidence)."""
    with transaction.atomic():
        comment = PlatformComment.objects.select_for_update().get(pk=comment.pk)
        check_can_decide(actor, comment)
        if approve:
            _set_hidden(comment, False)
            if comment.platform_error:
                raise ValidationError(f"Not approved: {comment.platform_error}")
        else:
            do_keep_text(comment.school, owner=owner_key(comment), actor=actor,
                         title=f"{comment.get_platform_display()} comment by "
                               f"{comment.author_name or 'unknown'}", text=comment.text)
        comment.status = (PlatformComment.Status.APPROVED if approve
                          else PlatformComment.Status.HIDDEN)
        comment.decided_by, comment.decided_at = actor, timezone.now()
        comment.save()
        record(f"publishing.platform_comment.{'approved' if approve else 'hidden'}",
               actor=actor, school=comment.school, target=comment,
               details={"platform": comment.platform})
    return comment
