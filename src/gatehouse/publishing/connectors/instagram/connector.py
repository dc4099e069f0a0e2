"""Instagram posts through the two-step container flow: make a container from an image_url
(or one per photo and a carousel over them, or a REELS container from a video_url), wait for
its status_code to be FINISHED, read the publishing quota, then media_publish.

Exactly once: the container id is saved before media_publish. A retry asks the container
for its status: PUBLISHED means the earlier worker's publish went through, so the media is
found rather than published again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from gatehouse.consent.models import Channel
from gatehouse.publishing.connectors.base import (
    Connector,
    Content,
    Published,
    PublishError,
    SaveRef,
)


class Instagram(Connector):
    platform = Channel.INSTAGRAM.value
    label = "Instagram"

    def check(self) -> str:
        return str(self.graph.get(self.account_id, fields="id,username").get("username", ""))

    def publish(self, content: Content, ref: dict[str, Any], save_ref: SaveRef) -> Published:
        if not content.image_urls and not content.video_url:
            raise PublishError("Instagram posts need at least one photo or a video. Remove "
                               "Instagram from this post or add a photo.", permanent=True)
        caption = f"{content.text}\n\n{content.link}".strip() if content.link else content.text
        if not ref.get("container"):
            if content.video_url:  # a reel, shown in the feed too
                made = self.graph.post(f"{self.account_id}/media", media_type="REELS",
                                       video_url=content.video_url, caption=caption,
                                       share_to_feed="true")
                container = str(made["id"])
            else:
                container = self._make_container(content.image_urls, caption, ref, save_ref)
            ref = {**ref, "container": container}
            save_ref(ref)
        status = self._wait_until_ready(ref["container"])
        if status == "PUBLISHED":  # an earlier worker published it and died before saving
            return self._find_published(caption)
        if status == "EXPIRED":  # containers last 24 hours; make a fresh one next time
            save_ref({})
            raise PublishError("Instagram's upload expired before publishing; starting it "
                               "again.", permanent=False)
        self._check_quota()
        made = self.graph.post(f"{self.account_id}/media_publish", creation_id=ref["container"])
        return self._published(str(made["id"]))

    def _make_container(self, urls: list[str], caption: str, ref: dict[str, Any],
                        save_ref: SaveRef) -> str:
        if len(urls) == 1:
            made = self.graph.post(f"{self.account_id}/media", image_url=urls[0],
                                   caption=caption)
            return str(made["id"])
        children = list(ref.get("children", []))
        for url in urls[len(children):]:
            made = self.graph.post(f"{self.account_id}/media", image_url=url,
                                   is_carousel_item="true")
            children.append(str(made["id"]))
            save_ref({**ref, "children": children})
        for child in children:
            self._wait_until_ready(child)
        made = self.graph.post(f"{self.account_id}/media", media_type="CAROUSEL",
                               children=",".join(children), caption=caption)
        return str(made["id"])

    def _wait_until_ready(self, container: str) -> str:
        for _ in range(settings.INSTAGRAM_POLL_TIMES):
            status = str(self.graph.get(container, fields="status_code,status")
                         .get("status_code", ""))
            if status in ("FINISHED", "PUBLISHED", "EXPIRED"):
                return status
            if status == "ERROR":
                raise PublishError("Instagram could not process the photo or video (it may "
                                   "be the wrong shape or size: photos 4:5 to 1.91:1, reels "
                                   "3 seconds to 15 minutes). Please choose another.",
                                   permanent=True)
            self.sleep(settings.INSTAGRAM_POLL_SECONDS)
        raise PublishError("Instagram is still processing the upload; trying again shortly.",
                           permanent=False)

    def _check_quota(self) -> None:
        """Read the quota every time: Meta has changed the number over the years."""
        data = self.graph.get(f"{self.account_id}/content_publishing_limit",
                              fields="config,quota_usage").get("data") or [{}]
        usage = int(data[0].get("quota_usage", 0))
        config = data[0].get("config") or {}
        total = int(config.get("quota_total", 0))
        if total and usage >= total:
            window = int(config.get("quota_duration", 86400))
            raise PublishError(
                f"Instagram's limit of {total} posts in {window // 3600} hours is used up; "
                "the post will go when it allows.", permanent=False,
                wait_until=timezone.now() + dt.timedelta(seconds=min(window, 3600)))

    def _find_published(self, caption: str) -> Published:
        listed = self.graph.get(f"{self.account_id}/media", fields="id,caption,permalink",
                                limit="25").get("data", [])
        for media in listed:
            if media.get("caption") == caption:
                return Published(remote_id=str(media["id"]), url=str(media.get("permalink", "")))
        raise PublishError("Instagram says this post was published, but it can't be found "
                           "on the account. Please check Instagram.", permanent=True)

    def _published(self, media_id: str) -> Published:
        found = self.graph.get(media_id, fields="id,permalink")
        return Published(remote_id=media_id, url=str(found.get("permalink", "")))

    def delete(self, remote_id: str) -> None:
        self.graph.delete(remote_id)

    def hide_comment(self, comment_id: str, *, hidden: bool) -> None:
        self.graph.post(comment_id, hide="true" if hidden else "false")
