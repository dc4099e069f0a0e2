"""Publishing, end to end: a class photo is checked, agreed by leadership and scheduled; at
its time it goes to the parents' group and the (fake) Facebook Page, while Instagram is
blocked because a parent withdrew consent after agreement. A threat left on the Page arrives
by signed webhook, is hidden through the API and waits in the moderation queue; a later
withdrawal deletes the Page post through the API."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible, sign_in, sign_out
from gatehouse.consent.imaging.strip import has_metadata
from gatehouse.lib.testing import SHARED_DATA, wait_for_background_tasks
from gatehouse.publishing.actions import check_connections
from gatehouse.publishing.connectors.secrets import decrypt_token
from gatehouse.publishing.delivery import run_due
from gatehouse.publishing.demo import DEMO_TOKEN
from gatehouse.publishing.fake_graph import FakeGraph
from gatehouse.publishing.models import Connection, Delivery, PlatformComment
from gatehouse.schools import demo

GROUP_PHOTO = SHARED_DATA / "faces" / "dlib_examples" / "faces" / "2008_001322.jpg"
SECRET = "e2e-app-secret"
THREAT = "You'll regret this, Mrs Patel. I know where you park."


@pytest.fixture
def graph(settings: Any, live_server: Any) -> Iterator[FakeGraph]:
    server = FakeGraph().start()
    server.state.fetch_media = True  # fetch each photo from Gatehouse, as Meta does
    settings.GRAPH_API_BASE = server.base_url
    settings.SITE_URL = live_server.url
    settings.INSTAGRAM_POLL_SECONDS = 0
    settings.META_APP_SECRET = SECRET
    server.state.app_secret = SECRET
    settings.META_APP_ID = server.state.app_id
    settings.FACEBOOK_DIALOG_BASE = f"http://127.0.0.1:{server.port}"
    yield server
    server.stop()


def _background_done() -> None:
    """With a broker, the worker carries out what the request queued: wait for it."""
    if settings.CELERY_BROKER_URL:
        from gatehouse.celery import app

        wait_for_background_tasks(app)


def _comment_on_the_page(url: Any, graph: FakeGraph, text: str) -> str:
    """A comment arrives from Meta by signed webhook; its id on the (fake) Page."""
    event = graph.page_comment_event(text)
    body = json.dumps(event).encode()
    answer = httpx.post(url("/hooks/meta/"), content=body, headers={
        "X-Hub-Signature-256": FakeGraph.sign(body, SECRET),
        "Content-Type": "application/json"})
    assert answer.status_code == 200
    _background_done()
    return str(event["entry"][0]["changes"][0]["value"]["comment_id"])


def _withdraw(page: Page, url: Any, channel: str) -> None:
    sign_in(page, url, "parent@oakfield.example")
    page.goto(url("/s/oakfield/my-children/"))
    child = page.get_by_role("region", name="Ellie Lee")
    child.get_by_role("group", name=channel).get_by_label("No").check()
    child.get_by_role("button", name="Save my choices for Ellie").click()
    expect(page.get_by_text("Saved. Your choices for Ellie apply from now on.")).to_be_visible()
    _background_done()
    sign_out(page)


@pytest.mark.skipif(not GROUP_PHOTO.exists(), reason="group photo not available")
def test_a_class_photo_is_agreed_scheduled_published_moderated_and_taken_down(
    page: Page, url: Any, demo_school: Any, graph: FakeGraph, tmp_path: Path
) -> None:
    # The poster checks a class photo for the group, the Page and Instagram.
    sign_in(page, url, "admin@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    page.goto(url("/s/oakfield/staff/photo-posts/new/"))
    page.get_by_label("Post text").fill("Year 4's Roman day in the hall")
    for channel in ("Facebook", "Instagram"):
        page.get_by_label(channel, exact=True).check()
    page.get_by_label("Photo (JPEG, PNG, WebP or HEIC)").set_input_files(str(GROUP_PHOTO))
    page.get_by_label("Describe the photo").fill("Children in Roman costume")
    page.get_by_role("button", name="Upload and check faces").first.click()
    page.get_by_role("button", name="Blur every untagged face (4)").click()
    page.get_by_label("Face 2", exact=True).select_option(label="Ellie Lee")
    page.get_by_role("button", name="Save tags").click()
    page.get_by_label("every person in it is tagged or blurred").check()
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Sent to leadership to agree.")).to_be_visible()

    # ... and schedules it for later today.
    page.get_by_role("link", name="Change the post").click()
    when = timezone.localtime() + dt.timedelta(minutes=30)
    page.get_by_label("When to publish (optional)").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Sent to leadership to agree.")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # Leadership agrees it.
    sign_in(page, url, "leadership@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    page.goto(url("/s/oakfield/staff/publishing/"))
    page.get_by_role("region", name="Waiting for your agreement").get_by_role(
        "link", name="Year 4's Roman day").click()
    assert_accessible(page)
    page.get_by_role("button", name="Agree").click()
    expect(page.get_by_text("Agreed.")).to_be_visible()
    expect(page.locator("tr[data-delivery]")).to_have_count(3)
    expect(page.locator("tr[data-delivery='instagram']")).to_contain_text("Scheduled")
    # The week that holds the post (half an hour from now may be next week, near midnight).
    page.goto(url(f"/s/oakfield/staff/publishing/calendar/?start={when.date().isoformat()}"))
    expect(page.get_by_text("Year 4's Roman day")).to_have_count(3)
    sign_out(page)

    # After agreement, Ellie's parent withdraws consent for Instagram.
    _withdraw(page, url, "Instagram")

    # At the time, the scheduler publishes (as `run_publishing --loop` or Celery beat would).
    assert run_due(timezone.now() + dt.timedelta(hours=1)) == {"published": 2, "blocked": 1}
    [photo_id] = [k for k, o in graph.state.objects.items() if o["kind"] == "page_photo"]
    sent = graph.state.media_bytes[photo_id]
    assert sent.startswith(b"\xff\xd8") and not has_metadata(sent)  # stripped: no EXIF
    assert not graph.state.calls("POST", "media_publish")

    sign_in(page, url, "admin@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    page.goto(url("/s/oakfield/staff/publishing/"))
    page.get_by_role("link", name="Year 4's Roman day").click()
    expect(page.locator("tr[data-delivery='parents_group']")).to_contain_text("Published")
    expect(page.locator("tr[data-delivery='facebook']")).to_contain_text("Published")
    expect(page.locator("tr[data-delivery='instagram']")).to_contain_text(
        "Ellie Lee has no consent for Instagram")

    # A parent's threat on the Page arrives by signed webhook and is hidden and queued.
    comment_id = _comment_on_the_page(url, graph, THREAT)
    assert graph.state.objects[comment_id]["is_hidden"] is True
    page.goto(url("/s/oakfield/staff/moderation/"))
    queued = page.locator("#queue article[data-platform='facebook']")
    expect(queued).to_contain_text("I know where you park")
    expect(queued).to_contain_text("hidden on Facebook Page")
    assert PlatformComment.objects.get().status == PlatformComment.Status.OPEN
    sign_out(page)

    # Consent for Facebook withdrawn: the Page post is deleted through the API.
    page_post = Delivery.objects.get(channel="facebook").remote_id
    assert page_post in graph.state.objects
    _withdraw(page, url, "Facebook")
    assert page_post not in graph.state.objects
    assert Delivery.objects.get(channel="facebook").state == Delivery.State.REMOVED


def test_a_held_page_comment_is_approved_in_the_one_queue_and_shown_again(
    page: Page, url: Any, demo_school: Any, graph: FakeGraph
) -> None:
    comment_id = _comment_on_the_page(url, graph, THREAT)
    assert graph.state.objects[comment_id]["is_hidden"] is True
    sign_in(page, url, "moderator@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    page.goto(url("/s/oakfield/staff/moderation/"))
    card = page.locator("#queue article[data-platform='facebook']")
    expect(card.locator(".badge", has_text="Facebook Page")).to_be_visible()
    expect(card).to_contain_text("I know where you park")
    expect(card).to_contain_text("Why:")
    expect(card).to_contain_text("restricting or opening a case does not apply")
    assert_accessible(page)
    card.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").filter(has_text="Approved")).to_be_visible()
    assert graph.state.objects[comment_id]["is_hidden"] is False
    assert PlatformComment.objects.get().status == PlatformComment.Status.APPROVED


def test_an_administrator_connects_the_page_and_instagram_with_facebook(
    page: Page, url: Any, demo_school: Any, graph: FakeGraph
) -> None:
    # The demo Page's token has expired: the periodic check shows it needs reconnecting.
    graph.expire(DEMO_TOKEN)
    assert check_connections() == {"expired": 2}
    sign_in(page, url, "admin@oakfield.example", totp_secret=demo.DEMO_TOTP_SECRET)
    page.goto(url("/s/oakfield/staff/"))
    expect(page.get_by_text("Facebook or Instagram needs connecting again")).to_be_visible()
    page.goto(url("/s/oakfield/staff/publishing/connections/"))
    expect(page.get_by_role("alert").first).to_contain_text("How to reconnect")
    assert_accessible(page)
    page.get_by_role("link", name="Connect with Facebook").click()
    # The fake dialog approves at once and sends the browser back with a code.
    expect(page.get_by_role("heading", name="Choose the school's Page")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(graph.state.page_name).check()
    page.get_by_role("button", name="Connect this Page").click()
    expect(page.get_by_text("Connected Facebook Page “Oakfield Primary School” and "
                            "Instagram “oakfieldprimary”")).to_be_visible()
    tokens = {decrypt_token(c.token_encrypted) for c in Connection.objects.all()}
    assert len(tokens) == 1 and tokens <= set(graph.page_tokens())
    assert tokens.pop() not in page.content()
    expect(page.get_by_role("alert")).to_have_count(0)
