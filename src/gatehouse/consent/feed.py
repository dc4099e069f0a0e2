"""What the parents' feed may show: posts whose images are all still allowed, with those
images prefetched in one query (the feed's query count stays constant in the posts shown)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from gatehouse.community.models import Post
from gatehouse.consent.models import PostImage


def feed_posts(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Leave out posts with a hidden image or video (consent withdrawn or pupil restricted), and
    prefetch the images as `post.shown_images` (and a published video, publishing.Video)."""
    shown = PostImage.objects.filter(hidden_at__isnull=True)
    return (posts.exclude(images__hidden_at__isnull=False)
            .exclude(video__hidden_at__isnull=False).select_related("video")
            .prefetch_related(Prefetch("images", queryset=shown, to_attr="shown_images")))
