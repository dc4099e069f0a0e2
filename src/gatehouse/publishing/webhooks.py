"""Meta's webhooks: the subscription handshake and signed deliveries of new comments on the
school's Page and Instagram account.

A delivery is accepted only with a valid `X-Hub-Signature-256` (HMAC-SHA256 of the raw body
with the app secret, compared in constant time); anything else is refused and nothing is
stored. A replayed delivery finds its comments already stored and adds nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gatehouse.publishing.models import Connection, PlatformComment

logger = logging.getLogger(__name__)
MAX_BODY = 256 * 1024
CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{1,200}$")


def signature_ok(body: bytes, header: str) -> bool:
    secret = settings.META_APP_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


@csrf_exempt  # Meta can't send a CSRF token; the HMAC signature stands in for it
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _handshake(request)
    body = request.body
    if len(body) > MAX_BODY:
        return HttpResponse("Too large", status=413, content_type="text/plain")
    if not signature_ok(body, request.headers.get("X-Hub-Signature-256", "")):
        return HttpResponse("Bad signature", status=403, content_type="text/plain")
    try:
        payload = json.loads(body)
        comments = list(_comments(payload))
    except (ValueError, TypeError, AttributeError, KeyError):
        return HttpResponse("Not a webhook delivery", status=400, content_type="text/plain")
    stored = [pk for pk in (_store(c) for c in comments) if pk is not None]
    if stored:
        from gatehouse.publishing.tasks import screen_platform_comment

        transaction.on_commit(lambda: [screen_platform_comment.delay(pk) for pk in stored])
    return HttpResponse("OK", content_type="text/plain")


def _handshake(request: HttpRequest) -> HttpResponse:
    token = settings.META_VERIFY_TOKEN
    given = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    if (request.GET.get("hub.mode") == "subscribe" and token
            and hmac.compare_digest(given.encode(), token.encode())
            and CHALLENGE.match(challenge)):
        return HttpResponse(challenge, content_type="text/plain")
    return HttpResponse("Refused", status=403, content_type="text/plain")


def _comments(payload: dict[str, Any]) -> Any:
    """(platform, account id, comment id, parent id, author, text) for each new comment."""
    kind = payload["object"]
    for entry in payload.get("entry", []):
        account = str(entry["id"])
        for change in entry.get("changes", []):
            value = change.get("value") or {}
            if kind == "page" and change.get("field") == "feed" \
                    and value.get("item") == "comment" and value.get("verb") == "add":
                author = value.get("from") or {}
                if str(author.get("id")) == account:
                    continue  # the school's own reply
                yield ("facebook", account, str(value["comment_id"]),
                       str(value.get("post_id", "")), str(author.get("name", "")),
                       str(value.get("message", "")))
            elif kind == "instagram" and change.get("field") == "comments":
                author = value.get("from") or {}
                yield ("instagram", account, str(value["id"]),
                       str((value.get("media") or {}).get("id", "")),
                       str(author.get("username", "")), str(value.get("text", "")))


def _store(comment: tuple[str, ...]) -> int | None:
    platform, account, comment_id, parent, author, text = comment
    connection = Connection.objects.filter(platform=platform, account_id=account).first()
    if connection is None or not text.strip():
        return None
    try:
        with transaction.atomic():
            found = PlatformComment.objects.create(
                school_id=connection.school_id, platform=platform, comment_id=comment_id[:100],
                parent_id=parent[:100], author_name=author[:200], text=text[:10000])
    except IntegrityError:
        return None  # already received (Meta retries, or a replay)
    return found.pk
