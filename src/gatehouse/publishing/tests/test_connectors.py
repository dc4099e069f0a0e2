"""The Facebook and Instagram connectors against the fake Graph server: request shapes,
container states, quota, errors in plain words, retries only where retrying is right, and
exactly-once reconciliation."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gatehouse.audit.models import AuditEntry
from gatehouse.consent.models import Channel
from gatehouse.consent.models import Delivery as ConsentDelivery
from gatehouse.publishing import actions
from gatehouse.publishing.connectors.secrets import decrypt_token, encrypt_token
from gatehouse.publishing.delivery import run_due
from gatehouse.publishing.fake_graph import meta_error
from gatehouse.publishing.models import Connection, Delivery

LATER = dt.timedelta(hours=3)
TOKEN = "demo-page-token"


def _due(post: Any, channel: str) -> Delivery:
    return post.deliveries.get(channel=channel)


def _run(at: dt.timedelta = LATER) -> dict[str, int]:
    return run_due(timezone.now() + at)


def test_a_page_photo_post_is_made_unpublished_then_switched_live(
    agreed_post: Any, connected: Any, fake_graph: Any
) -> None:
    post = agreed_post(channels=[Channel.FACEBOOK], publish_at=timezone.now() + LATER / 2)
    assert _run() == {"published": 1}
    state = fake_graph.state
    photo_call = state.calls("POST", "/photos")[0]
    assert photo_call["params"]["published"] == "false"
    assert "/media-link/" in photo_call["params"]["url"]
    feed_call = state.calls("POST", "/feed")[0]["params"]
    assert feed_call["published"] == "false" and feed_call["message"] == post.body
    [photo_id] = [k for k, o in state.objects.items() if o["kind"] == "page_photo"]
    assert json.loads(feed_call["attached_media[0]"]) == {"media_fbid": photo_id}
    [live] = state.page_posts()
    delivery = _due(post, Channel.FACEBOOK)
    assert delivery.remote_id.startswith(state.page_id + "_")
    assert delivery.remote_url.startswith("https://www.facebook.com/")
    assert all(r["auth"] == f"Bearer {TOKEN}" for r in state.requests)
    assert all(TOKEN not in json.dumps(r["params"]) for r in state.requests)
    assert ConsentDelivery.objects.get(channel=Channel.FACEBOOK).status == "published"
    assert live["is_published"]


def test_an_instagram_image_goes_through_container_status_and_publish(
    agreed_post: Any, connected: Any, fake_graph: Any
) -> None:
    fake_graph.state.polls_before_finished = 2
    post = agreed_post(channels=[Channel.INSTAGRAM], publish_at=timezone.now() + LATER / 2)
    assert _run() == {"published": 1}
    state = fake_graph.state
    container = state.calls("POST", f"{state.ig_id}/media")[0]["params"]
    assert container["caption"] == post.body and "/media-link/" in container["image_url"]
    assert len([r for r in state.calls("GET", "") if r["params"].get("fields", "")
                .startswith("status_code")]) == 3  # IN_PROGRESS twice, then FINISHED
    assert len(state.calls("GET", "content_publishing_limit")) == 1
    assert len(state.calls("POST", "media_publish")) == 1
    delivery = _due(post, Channel.INSTAGRAM)
    assert delivery.remote_ref["container"] and delivery.remote_id
    assert delivery.remote_url.startswith("https://www.instagram.com/p/")


def test_the_media_link_serves_only_the_stripped_copy_and_expires(
    agreed_post: Any, connected: Any, fake_graph: Any, settings: Any
) -> None:
    agreed_post(channels=[Channel.INSTAGRAM], publish_at=timezone.now() + LATER / 2)
    _run()
    link = fake_graph.state.calls("POST", "/media")[0]["params"]["image_url"]
    path = link.split("127.0.0.1:8000", 1)[1]
    served = Client().get(path)
    data = b"".join(served.streaming_content)
    assert served.status_code == 200 and data.startswith(b"\xff\xd8")
    image = Image.open(io.BytesIO(data))
    assert image.getexif() == {} and "exif" not in image.info
    assert Client().get(path[:-3] + "xx/").status_code == 404  # tampered
    settings.PUBLISHING_MEDIA_LINK_SECONDS = -1
    assert Client().get(path).status_code == 404  # expired


def test_instagram_quota_is_read_each_time_and_the_post_waits(
    agreed_post: Any, connected: Any, fake_graph: Any
) -> None:
    fake_graph.state.quota_total = 1  # whatever Meta says today, and it is used up
    fake_graph.state.objects["17900000000000000"] = {
        "kind": "ig_media", "caption": "Earlier post", "permalink": "https://example.org/"}
    post = agreed_post(channels=[Channel.INSTAGRAM], publish_at=timezone.now() + LATER / 2)
    assert _run() == {"pending": 1}
    delivery = _due(post, Channel.INSTAGRAM)
    assert "limit of 1 posts in 24 hours" in delivery.message
    assert "Next try" in delivery.message and delivery.due_at > timezone.now()
    assert not fake_graph.state.calls("POST", "media_publish")
    fake_graph.state.quota_total = 25
    assert run_due(delivery.due_at + dt.timedelta(seconds=1)) == {"published": 1}
    assert len(fake_graph.state.calls("POST", f"{fake_graph.state.ig_id}/media")) == 1


def test_a_container_that_errors_fails_with_a_plain_message(
    agreed_post: Any, connected: Any, fake_graph: Any
) -> None:
    fake_graph.state.container_error = True
    post = agreed_post(channels=[Channel.INSTAGRAM], publish_at=timezone.now() + LATER / 2)
    assert _run() == {"failed": 1}
    assert "Instagram could not process the photo" in _due(post, Channel.INSTAGRAM).message


def test_rate_limits_and_outages_are_retried_with_backoff(
    agreed_post: Any, connected: Any, fake_graph: Any
) -> None:
    fake_graph.fail_next("POST", "/feed", 400, meta_error("(#4) Application request limit "
                                                         "reached", 4))
    fake_graph.fail_next("POST", "/feed", 500, meta_error("An unexpected error has "
                                                         "occurred.", 2, transient=True))
    post = agreed_post(channels=[Channel.FACEBOOK], publish_at=timezone.now() + LATER / 2)
    assert _run() == {"pending": 1}
    first = _due(post, Channel.FACEBOOK)
    assert "limiting how fast" in first.message
    assert run_due(first.due_at + dt.timedelta(seconds=1)) == {"pending": 1}
    second = _due(post, Channel.FACEBOOK)
    assert "temporary problem" in second.message
    assert second.due_at - first.due_at > first.due_at - timezone.now() - LATER  # backs off
    assert run_due(second.due_at + dt.timedelta(seconds=1)) == {"published": 1}
    assert len(fake_graph.state.calls("POST", "/photos")) == 1  # the photo was not re-sent
    assert len(fake_graph.state.page_posts()) == 1


def test_the_network_failing_mid_upload_is_retried_without_a_second_post(
    agreed_post: Any, connected: Any, fake_graph: Any, settings: Any
) -> None:
    post = agreed_post(channels=[Channel.FACEBOOK], publish_at=timezone.now() + LATER / 2)
    good = fake_graph.base_url
    settings.GRAPH_API_BASE = "http://127.0.0.1:9/v21.0"  # nothing listens: refused
    assert _run() == {"pending": 1}
    assert "Could not reach Facebook" in _due(post, Channel.FACEBOOK).message
    settings.GRAPH_API_BASE = good
    assert run_due(timezone.now() + dt.timedelta(days=1)) == {"published": 1}


def test_an_expired_token_fails_at_once_and_shows_how_to_reconnect(
    agreed_post: Any, connected: Any, fake_graph: Any, admin: Any, login_client: Any,
    school: Any
) -> None:
    fake_graph.state.tokens[TOKEN] = "expired"
    post = agreed_post(channels=[Channel.FACEBOOK], publish_at=timezone.now() + LATER / 2)
    assert _run() == {"failed": 1}
    assert "the token has expired" in _due(post, Channel.FACEBOOK).message
    connection = connected[Channel.FACEBOOK]
    connection.refresh_from_db()
    assert connection.health == Connection.Health.EXPIRED
    page = login_client(admin).get(reverse("staff:publishing_connections",
                                           kwargs={"slug": school.slug})).content.decode()
    assert "Token expired" in page and "How to reconnect" in page


def test_invalid_content_is_not_retried(agreed_post: Any, connected: Any,
                                        fake_graph: Any) -> None:
    fake_graph.fail_next("POST", "/feed", 400, meta_error("(#100) Invalid link", 100))
    post = agreed_post(channels=[Channel.FACEBOOK], publish_at=timezone.now() + LATER / 2)
    assert _run() == {"failed": 1}
    assert _due(post, Channel.FACEBOOK).message == "Facebook refused the post: (#100) " \
                                                   "Invalid link."


def test_a_retry_after_instagram_published_finds_the_media_instead_of_publishing_again(
    agreed_post: Any, connected: Any, fake_graph: Any
) -> None:
    post = agreed_post(channels=[Channel.INSTAGRAM], publish_at=timezone.now() + LATER / 2)
    assert _run() == {"published": 1}
    delivery = _due(post, Channel.INSTAGRAM)
    media_id = delivery.remote_id
    # As if the worker died after media_publish and before saving: claimed, no result.
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.CLAIMED, remote_id="", claimed_at=timezone.now())
    assert run_due(timezone.now() + dt.timedelta(hours=1)) == {"published": 1}
    assert _due(post, Channel.INSTAGRAM).remote_id == media_id
    assert len(fake_graph.state.calls("POST", "media_publish")) == 1
    assert len(fake_graph.state.published_media()) == 1


def test_a_retry_after_the_page_post_was_made_publishes_that_one(
    agreed_post: Any, connected: Any, fake_graph: Any
) -> None:
    post = agreed_post(channels=[Channel.FACEBOOK], publish_at=timezone.now() + LATER / 2)
    fake_graph.fail_next("POST", "_", 500, meta_error("Service temporarily unavailable", 2,
                                                     transient=True))
    assert _run() == {"pending": 1}  # the unpublished post exists; switching it live failed
    assert _due(post, Channel.FACEBOOK).remote_ref["post"]
    assert run_due(timezone.now() + dt.timedelta(days=1)) == {"published": 1}
    assert len(fake_graph.state.calls("POST", "/feed")) == 1
    assert len(fake_graph.state.page_posts()) == 1


def test_connecting_checks_the_token_and_keeps_it_encrypted_and_unshown(
    school: Any, admin: Any, fake_graph: Any, login_client: Any
) -> None:
    client = login_client(admin)
    url = reverse("staff:publishing_connections", kwargs={"slug": school.slug})
    bad = client.post(url, {"platform": "facebook", "account_id": fake_graph.state.page_id,
                            "token": "not-a-real-token"})
    assert bad.status_code == 400 and "no longer valid" in bad.content.decode()
    assert not Connection.objects.exists()
    done = client.post(url, {"platform": "facebook", "account_id": fake_graph.state.page_id,
                             "token": TOKEN})
    assert done.status_code == 302
    connection = Connection.objects.get()
    assert connection.name == fake_graph.state.page_name
    assert TOKEN not in connection.token_encrypted
    assert decrypt_token(connection.token_encrypted) == TOKEN
    assert TOKEN not in client.get(url).content.decode()
    assert TOKEN not in json.dumps(list(AuditEntry.objects.values("details")))
    check = reverse("staff:publishing_connection_check",
                    kwargs={"slug": school.slug, "pk": connection.pk})
    fake_graph.state.tokens[TOKEN] = "revoked"
    client.post(check)
    connection.refresh_from_db()
    assert connection.health == Connection.Health.REVOKED
    assert "app was removed" in connection.health_message


def test_a_token_encrypted_under_another_key_reads_as_empty(settings: Any) -> None:
    stored = encrypt_token("secret-token")
    settings.PUBLISHING_TOKEN_KEY = "a-different-key"
    assert decrypt_token(stored) == ""


def test_no_connected_account_fails_with_what_to_do(agreed_post: Any, fake_graph: Any) -> None:
    post = agreed_post(channels=[Channel.FACEBOOK], publish_at=timezone.now() + LATER / 2)
    assert _run() == {"failed": 1}
    assert "Publishing → Connections" in _due(post, Channel.FACEBOOK).message


def test_two_photos_make_an_instagram_carousel(
    agreed_post: Any, connected: Any, fake_graph: Any, photo_draft: Any, make_photo: Any,
    confirm: Any, admin: Any
) -> None:
    from gatehouse.consent.photos import do_blur_untagged

    second = make_photo(photo_draft, boxes=[(10, 10, 50, 50)])
    do_blur_untagged(second, actor=admin)
    confirm(photo_draft, admin)
    post = agreed_post(channels=[Channel.INSTAGRAM], publish_at=timezone.now() + LATER / 2)
    assert actions.needs_agreement(post)
    assert _run() == {"published": 1}
    made = [c["params"] for c in fake_graph.state.calls("POST", f"{fake_graph.state.ig_id}"
                                                                 "/media")]
    assert [m.get("is_carousel_item") for m in made[:2]] == ["true", "true"]
    assert made[2]["media_type"] == "CAROUSEL" and len(made[2]["children"].split(",")) == 2
