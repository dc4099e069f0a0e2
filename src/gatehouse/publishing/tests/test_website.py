"""The website channel: a public news page and RSS, Atom and JSON feeds with stripped
images; a withdrawal takes the post off at once."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gatehouse.consent.models import Channel, Pupil, TakedownTask
from gatehouse.consent.withdrawal import do_reach_past
from gatehouse.publishing.delivery import run_due

# Committed data: with a broker, the Celery worker reads the rows on its own connection.
pytestmark = pytest.mark.django_db(transaction=True)


def _on_the_website(agreed_post: Any) -> Any:
    post = agreed_post(channels=[Channel.WEBSITE], publish_at=timezone.now()
                       + dt.timedelta(hours=1))
    assert run_due(timezone.now() + dt.timedelta(hours=2)) == {"published": 1}
    return post


def test_the_news_page_and_feeds_show_website_posts_with_stripped_images(
    school: Any, agreed_post: Any, fake_graph: Any
) -> None:
    post = _on_the_website(agreed_post)
    client = Client()  # nobody signed in: the school's website reads these
    page = client.get(reverse("news", kwargs={"slug": school.slug})).content.decode()
    assert "Year 4&#x27;s Roman day" in page or "Year 4's Roman day" in page
    photo = post.photos.photos.get()
    served = client.get(reverse("news_image", kwargs={"slug": school.slug, "pk": photo.pk}))
    data = b"".join(served.streaming_content)
    assert Image.open(io.BytesIO(data)).getexif() == {}
    rss = ElementTree.fromstring(client.get(  # noqa: S314  (our own feed)
        reverse("news_rss", kwargs={"slug": school.slug}))
                                 .content)
    assert rss.find("channel/item/description").text == post.body
    assert "/news/images/" in rss.find("channel/item/enclosure").get("url")
    atom = client.get(reverse("news_atom", kwargs={"slug": school.slug}))
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert b"Roman day" in atom.content
    feed = json.loads(client.get(reverse("news_json", kwargs={"slug": school.slug})).content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["items"][0]["content_text"] == post.body
    assert feed["items"][0]["image"].endswith(f"/news/images/{photo.pk}/")


def test_posts_not_for_the_website_and_other_schools_are_not_shown(
    school: Any, agreed_post: Any, make_school: Any, fake_graph: Any
) -> None:
    post = agreed_post(channels=[Channel.PARENTS_GROUP], publish_at=timezone.now()
                       + dt.timedelta(hours=1))
    run_due(timezone.now() + dt.timedelta(hours=2))
    client = Client()
    assert b"Roman day" not in client.get(reverse("news", kwargs={"slug": school.slug})).content
    photo = post.photos.photos.get()
    assert client.get(reverse("news_image", kwargs={"slug": school.slug, "pk": photo.pk})
                      ).status_code == 404
    other = make_school()
    assert client.get(reverse("news_image", kwargs={"slug": other.slug, "pk": photo.pk})
                      ).status_code == 404


def test_a_withdrawal_takes_the_post_off_the_website_at_once(
    school: Any, agreed_post: Any, admin: Any, fake_graph: Any,
    background: Any
) -> None:
    post = _on_the_website(agreed_post)
    photo = post.photos.photos.get()
    with background():
        do_reach_past(Pupil.objects.get(first_name="Ellie"), channels=[Channel.WEBSITE],
                      actor=admin, reason="Consent withdrawn")
    assert TakedownTask.objects.get().done_at is not None
    client = Client()
    assert b"Roman day" not in client.get(reverse("news_json", kwargs={"slug": school.slug})
                                          ).content
    assert client.get(reverse("news_image", kwargs={"slug": school.slug, "pk": photo.pk})
                      ).status_code == 404
