"""Expiring, unguessable links to a photo's or a video's published copy, for Meta to fetch.
They serve the stripped, blurred copy only (never the original) and stop working after
PUBLISHING_MEDIA_LINK_SECONDS."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse

from gatehouse.consent.models import Photo
from gatehouse.publishing.models import Video

SALT = "gatehouse.publishing.media"


def media_url(item: Photo | Video) -> str:
    key = "v" if isinstance(item, Video) else "p"
    token = signing.dumps({key: item.pk, "n": secrets.token_urlsafe(12)}, salt=SALT,
                          compress=True)
    return settings.SITE_URL.rstrip("/") + reverse("publishing_media", kwargs={"token": token})


def media_link(request: HttpRequest, token: str) -> FileResponse:
    try:
        found = signing.loads(token, salt=SALT, max_age=settings.PUBLISHING_MEDIA_LINK_SECONDS)
        if "v" in found:
            item: Photo | Video = Video.objects.get(pk=int(found["v"]))
        else:
            item = Photo.objects.get(pk=int(found["p"]))
    except (signing.BadSignature, Photo.DoesNotExist, Video.DoesNotExist, KeyError, TypeError,
            ValueError) as exc:
        raise Http404("This link has expired or is not valid.") from exc
    if not item.published:
        raise Http404("This has not been published.")
    kind = "video/mp4" if isinstance(item, Video) else "image/jpeg"
    response = FileResponse(item.published.open("rb"), content_type=kind)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
