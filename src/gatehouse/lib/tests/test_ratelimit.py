"""Joining, commenting and reporting are limited per account and per address, with a plain
message, the typed text kept, and nothing saved past the limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gatehouse.accounts.models import JoinRequest
from gatehouse.accounts.tests.test_join import _form
from gatehouse.community.models import Comment, Post
from gatehouse.moderation.models import QueueItem

HTMX = {"HX-Request": "true"}


@pytest.fixture
def small_limits(settings: Any) -> None:
    settings.RATE_LIMITS = {"join": {"address": "2/3600"},
                            "comment": {"account": "3/60", "address": "5/60"},
                            "report": {"account": "2/3600"}}


@pytest.fixture
def post(school: Any, make_user: Any) -> Post:
    admin = make_user(school=school, roles=("administrator",))
    return Post.objects.create(school=school, author=admin, body="Sports day is on Friday")


def _comment(client: Client, post: Post, body: str) -> Any:
    url = reverse("add_comment", kwargs={"slug": post.school.slug, "post_id": post.pk})
    return client.post(url, {"body": body}, headers=HTMX)


def test_a_parent_commenting_too_fast_is_asked_to_wait_and_keeps_the_text(
    small_limits: None, school: Any, post: Post, make_parent: Any, login_client: Any
) -> None:
    client = login_client(make_parent(school).user)
    for n in range(3):
        assert _comment(client, post, f"Comment number {n}").status_code == 200
    refused = _comment(client, post, "One more thought about the sports day")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Please wait" in page and "One more thought about the sports day" in page
    assert Comment.objects.filter(post=post).count() == 3


def test_the_address_limit_counts_every_account_behind_it(
    small_limits: None, school: Any, post: Post, make_parent: Any, login_client: Any
) -> None:
    parents = [login_client(make_parent(school).user) for _ in range(3)]
    statuses = [_comment(parents[n % 3], post, f"Hello {n}").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    assert Comment.objects.filter(post=post).count() == 5


def test_join_requests_from_one_address_are_limited(small_limits: None, school: Any) -> None:
    url = reverse("join", kwargs={"slug": school.slug})
    for n in range(2):
        assert Client().post(url, _form(school, email=f"p{n}@example.net")).status_code == 302
    refused = Client().post(url, _form(school, email="third@example.net",
                                        full_name="Alex Third"))
    assert refused.status_code == 429
    assert "Please wait" in refused.content.decode()
    assert 'value="Alex Third"' in refused.content.decode()  # what was typed is kept
    assert JoinRequest.objects.filter(school=school).count() == 2


def test_reports_are_limited_per_account(
    small_limits: None, school: Any, post: Post, make_parent: Any, login_client: Any
) -> None:
    author = make_parent(school).user
    comments = [Comment.objects.create(post=post, author=author, body=f"Fine {n}",
                                       status=Comment.Status.VISIBLE) for n in range(3)]
    reporter = login_client(make_parent(school).user)
    report = {"category": "complaint_about_school_or_staff"}
    statuses = [reporter.post(reverse("report_comment", kwargs={
        "slug": school.slug, "comment_id": c.pk}), report).status_code for c in comments]
    assert statuses == [302, 302, 429]
    assert QueueItem.objects.filter(comment__in=comments).count() == 2
