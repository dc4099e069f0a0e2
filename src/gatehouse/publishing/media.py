"""Expiring, unguessable links to a photo's published copy, for Meta to fetch. They serve the
stripped, blurred copy only (never the original) and stop working after
PUBLISHING_MEDIA_LINK_SECONDS."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse

from gatehouse.consent.models import Photo

SALT = "gatehouse.publishing.media"


def media_url(photo: Photo) -> str:
    token = signing.dumps({"p": photo.pk, "n": secrets.token_urlsafe(12)}, salt=SALT,
                          compress=True)
    return settings.SITE_URL.rstrip("/") + reverse("publishing_media", kwargs={"token": token})


def media_link(request: HttpRequest, token: str) -> FileResponse:
    try:
        found = signing.loads(token, salt=SALT, max_age=settings.PUBLISHING_MEDIA_LINK_SECONDS)
        photo = Photo.objects.get(pk=int(found["p"]))
    except (signing.BadSignature, Photo.DoesNotExist, KeyError, TypeError, ValueError) as exc:
        raise Http404("This link has expired or is not valid.") from exc
    if not photo.published:
        raise Http404("This photo has not been published.")
    response = FileResponse(photo.published.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
