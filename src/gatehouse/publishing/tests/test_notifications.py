"""Parents hear about new posts: immediately, in a daily digest, or not at all; one-click
unsubscribe with a signed token; never twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gatehouse.accounts.models import Restriction
from gatehouse.community.models import Post as GroupPost
from gatehouse.publishing import actions
from gatehouse.publishing.models import NotificationPreference, NotificationSent
from gatehouse.publishing.notifications import (
    do_set_choice,
    send_digests,
    send_new_post,
    unsubscribe_token,
)

Choice = NotificationPreference.Choice

# Committed data: with a broker, the Celery worker reads the rows on its own connection.
pytestmark = pytest.mark.django_db(transaction=True)


def _publish_text(school: Any, admin: Any, capture: Any) -> GroupPost:
    actions.do_set_quick_text_posts(school, actor=admin, enabled=True)
    post = actions.do_create_post(school, actor=admin, body="Non-uniform day on Friday",
                                  link="", channels=["parents_group"], publish_at=None)
    with capture():
        actions.do_submit(post, actor=admin)
    return GroupPost.objects.get()


def test_a_new_post_emails_parents_who_want_it_once_with_one_click_unsubscribe(
    school: Any, admin: Any, make_parent: Any, smtp_server: Any,
    background: Any
) -> None:
    keen = make_parent(school, email="keen@example.org")
    quiet = make_parent(school, email="quiet@example.org")
    do_set_choice(quiet, Choice.OFF)
    removed = make_parent(school, email="removed@example.org")
    Restriction.objects.create(membership=removed, kind=Restriction.Kind.REMOVED,
                               reason="x", created_by=admin)
    post = _publish_text(school, admin, background)
    message = smtp_server.wait_for("keen@example.org")
    assert "Non-uniform day" in smtp_server.body_of(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://127.0.0.1:8000/s/oakfield/email-settings/unsubscribe/")
    assert send_new_post(post.pk) == 0  # a second run (a retry, another worker) sends none
    assert NotificationSent.objects.count() == 1
    assert [m["To"] for m in smtp_server.messages] == ["keen@example.org"]

    path = link.split("127.0.0.1:8000", 1)[1]
    assert Client().post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert NotificationPreference.objects.get(membership=keen).choice == Choice.OFF


def test_a_forged_or_foreign_unsubscribe_token_changes_nothing(
    school: Any, make_school: Any, make_parent: Any
) -> None:
    parent = make_parent(school)
    token = unsubscribe_token(parent)
    other = make_school()
    for slug, bad in ((school.slug, token[:-2] + "xx"), (other.slug, token)):
        url = reverse("unsubscribe", kwargs={"slug": slug, "token": bad})
        assert Client().post(url).status_code == 404
    assert not NotificationPreference.objects.exists()


def test_a_digest_goes_once_a_day_from_the_digest_hour(
    school: Any, admin: Any, make_parent: Any, smtp_server: Any, settings: Any,
    background: Any
) -> None:
    daily = make_parent(school, email="daily@example.org")
    do_set_choice(daily, Choice.DIGEST)
    _publish_text(school, admin, background)
    settings.DIGEST_HOUR = 0
    assert send_digests() == 1
    assert send_digests() == 0
    body = smtp_server.body_of(smtp_server.wait_for("daily@example.org"))
    assert "Non-uniform day" in body and "Stop these emails" in body
    settings.DIGEST_HOUR = 24  # never reached: nothing goes
    assert send_digests(timezone.now() + dt.timedelta(days=1)) == 0


def test_parents_choose_in_their_email_settings(
    school: Any, make_parent: Any, login_client: Any
) -> None:
    parent = make_parent(school)
    client = login_client(parent.user)
    url = reverse("notification_settings", kwargs={"slug": school.slug})
    assert client.post(url, {"choice": "weekly"}).status_code == 400
    client.post(url, {"choice": "digest"})
    assert NotificationPreference.objects.get(membership=parent).choice == Choice.DIGEST
