"""The Page and Instagram comments waiting in the moderation queue, for its page."""

from __future__ import annotations

from typing import Any

from django import template

from gatehouse.publishing.models import PlatformComment

register = template.Library()


@register.inclusion_tag("publishing/_platform_queue.html")
def platform_queue(school: Any, can_decide: bool) -> dict[str, Any]:
    items = list(PlatformComment.objects.filter(school=school,
                                                status=PlatformComment.Status.OPEN)[:100])
    return {"school": school, "platform_items": items, "can_decide": can_decide}
