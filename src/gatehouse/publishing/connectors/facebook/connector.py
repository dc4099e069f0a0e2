"""Facebook Page posts: text, link, one photo or several, or a video.

Exactly once: photos are uploaded unpublished, then the Page post is made unpublished
(`published=false`) and only then switched live (`is_published=true`). Every id is saved
before the next step, so a retry after a crash carries on from the last saved step; at
worst it leaves an unpublished copy nobody sees, never a second visible post."""

from __future__ import annotations

import json
from typing import Any

from gatehouse.consent.models import Channel
from gatehouse.publishing.connectors.base import Connector, Content, Published, SaveRef


class FacebookPage(Connector):
    platform = Channel.FACEBOOK.value
    label = "Facebook"

    def check(self) -> str:
        return str(self.graph.get(self.account_id, fields="id,name").get("name", ""))

    def publish(self, content: Content, ref: dict[str, Any], save_ref: SaveRef) -> Published:
        if content.video_url:
            return self._publish_video(content, ref, save_ref)
        photos = list(ref.get("photos", []))
        for url in content.image_urls[len(photos):]:
            made = self.graph.post(f"{self.account_id}/photos", url=url, published="false")
            photos.append(made["id"])
            save_ref({**ref, "photos": photos})
            ref = {**ref, "photos": photos}
        if not ref.get("post"):
            made = self.graph.post(f"{self.account_id}/feed", **self._post_fields(content,
                                                                                  photos))
            ref = {**ref, "post": made["id"]}
            save_ref(ref)
        self.graph.post(ref["post"], is_published="true")
        found = self.graph.get(ref["post"], fields="id,permalink_url")
        return Published(remote_id=ref["post"], url=str(found.get("permalink_url", "")))

    def _publish_video(self, content: Content, ref: dict[str, Any],
                       save_ref: SaveRef) -> Published:
        """A Page video post: uploaded from the link unpublished, its id saved, then made
        live, as the photo posts are."""
        if not ref.get("video"):
            text = f"{content.text}\n\n{content.link}" if content.link else content.text
            made = self.graph.post(f"{self.account_id}/videos", file_url=content.video_url,
                                   description=text, published="false")
            ref = {**ref, "video": made["id"]}
            save_ref(ref)
        self.graph.post(ref["video"], published="true")
        link = str(self.graph.get(ref["video"], fields="id,permalink_url")
                   .get("permalink_url", ""))
        if link.startswith("/"):  # Meta gives a video's permalink relative to the site
            link = f"https://www.facebook.com{link}"
        return Published(remote_id=ref["video"], url=link)

    def _post_fields(self, content: Content, photos: list[str]) -> dict[str, str]:
        fields = {"message": content.text, "published": "false"}
        if content.link and not photos:
            fields["link"] = content.link
        elif content.link:
            fields["message"] = f"{content.text}\n\n{content.link}"
        for n, photo_id in enumerate(photos):
            fields[f"attached_media[{n}]"] = json.dumps({"media_fbid": photo_id})
        return fields

    def delete(self, remote_id: str) -> None:
        self.graph.delete(remote_id)

    def hide_comment(self, comment_id: str, *, hidden: bool) -> None:
        self.graph.post(comment_id, is_hidden="true" if hidden else "false")
