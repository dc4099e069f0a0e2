"""Meta's webhooks: the handshake, signatures over the raw body, and comments on the Page and
Instagram scored, hidden through the API and decided in the moderation queue."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gatehouse.evidence.models import EvidenceItem, owner_key
from gatehouse.moderation.models import QueueItem
from gatehouse.publishing.fake_graph import FakeGraph
from gatehouse.publishing.models import PlatformComment

SECRET = "test-app-secret"
THREAT = "You'll regret this, Mrs Patel. I know where you park."

# Committed data: with a broker, the Celery worker reads the rows on its own connection.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _meta_settings(settings: Any) -> None:
    settings.META_APP_SECRET = SECRET
    settings.META_VERIFY_TOKEN = "verify-me"


def _send(client: Client, payload: dict[str, Any] | bytes, *, secret: str = SECRET,
          signature: str | None = None) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {}
    if signature is None:
        signature = FakeGraph.sign(body, secret)
    if signature:
        headers["X-Hub-Signature-256"] = signature
    return client.generic("POST", reverse("meta_webhook"), body,
                          content_type="application/json", headers=headers)


def test_the_subscription_handshake_answers_only_the_right_token() -> None:
    url = reverse("meta_webhook")
    ok = Client().get(url, {"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                            "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.content == b"1158201444"
    for bad in ({"hub.verify_token": "wrong"}, {"hub.mode": "unsubscribe"},
                {"hub.challenge": "<script>alert(1)</script>"}):
        params = {"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                  "hub.challenge": "42"} | bad
        assert Client().get(url, params).status_code == 403


def test_no_verify_token_set_refuses_every_handshake(settings: Any) -> None:
    settings.META_VERIFY_TOKEN = ""
    assert Client().get(reverse("meta_webhook"), {
        "hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}).status_code == 403


def test_a_missing_wrong_or_stale_signature_stores_nothing(
    connected: Any, fake_graph: FakeGraph
) -> None:
    event = fake_graph.page_comment_event(THREAT)
    body = json.dumps(event).encode()
    client = Client()
    assert _send(client, event, signature="").status_code == 403
    assert _send(client, event, secret="another-secret").status_code == 403
    assert _send(client, body.replace(b"park", b"live"),
                 signature=FakeGraph.sign(body, SECRET)).status_code == 403  # body altered
    assert _send(client, event, signature="sha1=" + "0" * 40).status_code == 403
    assert not PlatformComment.objects.exists()
    assert not fake_graph.state.requests


def test_a_threat_on_the_page_is_hidden_through_the_api_and_queued(
    school: Any, admin: Any, connected: Any, fake_graph: FakeGraph, login_client: Any,
    make_user: Any, background: Any
) -> None:
    event = fake_graph.page_comment_event(THREAT)
    comment_id = event["entry"][0]["changes"][0]["value"]["comment_id"]
    with background():
        assert _send(Client(), event).status_code == 200
    found = PlatformComment.objects.get()
    assert found.status == PlatformComment.Status.OPEN and found.hidden_on_platform
    assert fake_graph.state.objects[comment_id]["is_hidden"] is True
    assert fake_graph.state.calls("POST", comment_id)[0]["params"] == {"is_hidden": "true"}

    item = QueueItem.objects.get()
    assert item.platform_comment == found and item.comment is None
    moderator = make_user(school=school, roles=("moderator",))
    client = login_client(moderator)
    queue = client.get(reverse("staff:moderation_queue", kwargs={"slug": school.slug}))
    page = queue.content.decode()
    assert "I know where you park" in page and 'data-platform="facebook"' in page
    assert "Facebook Page" in page and "not a member of the parents" in page
    client.post(reverse("staff:moderation_decide", kwargs={
        "slug": school.slug, "pk": item.pk, "decision": "approve"}))
    found.refresh_from_db()
    item.refresh_from_db()
    assert item.status == QueueItem.Status.APPROVED and item.decided_by == moderator
    assert found.status == PlatformComment.Status.APPROVED and not found.hidden_on_platform
    assert fake_graph.state.objects[comment_id]["is_hidden"] is False


def test_replaying_a_delivery_stores_nothing_more(
    connected: Any, fake_graph: FakeGraph, background: Any
) -> None:
    event = fake_graph.page_comment_event(THREAT)
    with background():
        _send(Client(), event)
    calls = len(fake_graph.state.requests)
    with background():
        assert _send(Client(), event).status_code == 200
    assert PlatformComment.objects.count() == 1
    assert len(fake_graph.state.requests) == calls


def test_a_kind_comment_is_left_alone(connected: Any, fake_graph: FakeGraph,
                                      background: Any) -> None:
    event = fake_graph.page_comment_event("Lovely photos, thank you to all the staff!")
    with background():
        _send(Client(), event)
    assert PlatformComment.objects.get().status == PlatformComment.Status.VISIBLE
    assert not fake_graph.state.requests


def test_an_instagram_comment_is_hidden_with_hide_and_kept_as_evidence_when_hidden(
    school: Any, connected: Any, fake_graph: FakeGraph, make_user: Any, login_client: Any,
    background: Any
) -> None:
    event = fake_graph.instagram_comment_event(THREAT)
    comment_id = event["entry"][0]["changes"][0]["value"]["id"]
    with background():
        _send(Client(), event)
    assert fake_graph.state.objects[comment_id]["hidden"] is True
    found = PlatformComment.objects.get()
    client = login_client(make_user(school=school, roles=("moderator",)))
    url = reverse("staff:moderation_decide", kwargs={
        "slug": school.slug, "pk": found.queue_item.pk, "decision": "hide"})
    client.post(url)
    found.refresh_from_db()
    assert found.status == PlatformComment.Status.HIDDEN and found.hidden_on_platform
    assert fake_graph.state.objects[comment_id]["hidden"] is True  # kept, never deleted
    evidence = EvidenceItem.objects.get()
    assert evidence.owner == owner_key(found) and evidence.text == THREAT
    assert evidence.is_intact()
    again = client.post(url, follow=True)
    assert "already hidden" in again.content.decode()


def test_junk_bodies_with_a_valid_signature_are_refused(connected: Any) -> None:
    for body in (b"not json", b"[]", json.dumps({"object": "page", "entry": [{}]}).encode()):
        assert _send(Client(), body).status_code == 400
    assert not PlatformComment.objects.exists()
