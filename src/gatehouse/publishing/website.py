"""The school website channel: a public news page per school and its feeds (RSS, Atom and
JSON Feed) of posts published to the website, with their blurred, metadata-free images, for
the school's own website to show. A post taken down after a withdrawal drops out at once."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from gatehouse.consent.models import Channel, Photo
from gatehouse.publishing.models import Delivery, Post
from gatehouse.publishing.videos import video_of
from gatehouse.schools.models import School

LATEST = 30


def website_posts(school: School) -> list[Post]:
    live = Delivery.objects.filter(channel=Channel.WEBSITE, state=Delivery.State.PUBLISHED)
    posts = (Post.objects.filter(school=school, deliveries__in=live).distinct()
             .select_related("photos", "video")
             .prefetch_related(Prefetch("deliveries", queryset=live, to_attr="website"),
                               "photos__photos"))
    found = list(posts)
    for post in found:
        post.published_at = post.website[0].published_at
        post.images = list(post.photos.photos.all()) if post.photos else []
        video = video_of(post)
        post.website_video = video if video and video.published and not video.hidden_at else None
    return sorted(found, key=lambda p: p.published_at, reverse=True)[:LATEST]


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _item_url(school: School, post: Post) -> str:
    return _absolute(reverse("news", kwargs={"slug": school.slug})) + f"#post-{post.pk}"


def _image_url(school: School, photo: Photo) -> str:
    return _absolute(reverse("news_image", kwargs={"slug": school.slug, "pk": photo.pk}))


def _video_url(school: School, post: Post) -> str:
    return _absolute(reverse("news_video", kwargs={"slug": school.slug, "pk": post.pk}))


def news(request: HttpRequest, slug: str) -> HttpResponse:
    school = get_object_or_404(School, slug=slug)
    return render(request, "publishing/news.html", {"school": school,
                                                    "posts": website_posts(school)})


def news_image(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A published website image: only the blurred, metadata-free copy, and only while its
    post is on the website."""
    photo = get_object_or_404(Photo, pk=pk, draft__school__slug=slug)
    live = Delivery.objects.filter(post__photos_id=photo.draft_id, channel=Channel.WEBSITE,
                                   state=Delivery.State.PUBLISHED).exists()
    if not live or not photo.published:
        raise Http404("No such image.")
    response = FileResponse(photo.published.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=300"
    return response


def news_video(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A post's published website video: only the re-encoded copy (blurred faces, no
    metadata), and only while the post is live on the website and not withdrawn."""
    post = get_object_or_404(Post, pk=pk, school__slug=slug)
    video = video_of(post)
    live = post.deliveries.filter(channel=Channel.WEBSITE,
                                  state=Delivery.State.PUBLISHED).exists()
    if not live or video is None or not video.published or video.hidden_at:
        raise Http404("No such video.")
    response = FileResponse(video.published.open("rb"), content_type="video/mp4")
    response["Cache-Control"] = "public, no-cache"  # a withdrawal takes effect at once
    return response


class NewsRss(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request: HttpRequest, slug: str) -> School:
        return get_object_or_404(School, slug=slug)

    def title(self, school: School) -> str:
        return f"{school.name}: news"

    def link(self, school: School) -> str:
        return reverse("news", kwargs={"slug": school.slug})

    def description(self, school: School) -> str:
        return f"News from {school.name}"

    def items(self, school: School) -> list[Post]:
        self._school = school
        return website_posts(school)

    def item_title(self, post: Post) -> str:
        return post.body.splitlines()[0][:100]

    def item_description(self, post: Post) -> str:
        return post.body

    def item_link(self, post: Post) -> str:
        return _item_url(self._school, post)

    def item_pubdate(self, post: Post) -> Any:
        return post.published_at

    def item_enclosures(self, post: Post) -> list[Any]:
        from django.utils.feedgenerator import Enclosure

        if post.website_video:  # RSS takes one enclosure: the video, else the first photo
            return [Enclosure(_video_url(self._school, post),
                              str(post.website_video.published.size), "video/mp4")]
        return [Enclosure(_image_url(self._school, p), str(p.published.size), "image/jpeg")
                for p in post.images[:1] if p.published]


class NewsAtom(NewsRss):
    feed_type = Atom1Feed
    subtitle = NewsRss.description


def news_json(request: HttpRequest, slug: str) -> JsonResponse:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    school = get_object_or_404(School, slug=slug)
    items = [{"id": str(post.pk), "url": _item_url(school, post),
              "content_text": post.body, "date_published": post.published_at.isoformat(),
              **({"external_url": post.link} if post.link else {}),
              **({"image": _image_url(school, post.images[0])} if post.images else {}),
              "attachments": [{"url": _image_url(school, p), "mime_type": "image/jpeg"}
                              for p in post.images]
              + ([{"url": _video_url(school, post), "mime_type": "video/mp4"}]
                 if post.website_video else [])}
             for post in website_posts(school)]
    return JsonResponse({
        "version": "https://jsonfeed.org/version/1.1", "title": f"{school.name}: news",
        "home_page_url": _absolute(reverse("news", kwargs={"slug": school.slug})),
        "feed_url": _absolute(reverse("news_json", kwargs={"slug": school.slug})),
        "items": items}, content_type="application/feed+json")
