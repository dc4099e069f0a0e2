from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gatehouse.community.models import Comment, Post


def _feed(client: Any, school: Any) -> str:
    return client.get(reverse("feed", kwargs={"slug": school.slug})).content.decode()


def _comment(client: Any, school: Any, post: Post, body: str, **kw: Any) -> Any:
    url = reverse("add_comment", kwargs={"slug": school.slug, "post_id": post.pk})
    return client.post(url, {"body": body}, **kw)


def test_the_rules_are_pinned_above_every_post(
    school: Any, post: Post, make_parent: Any, login_client: Any
) -> None:
    page = _feed(login_client(make_parent(school).user), school)
    assert page.index("The group rules text.") < page.index("Sports day is on Friday!")
    assert "Contact the school" in page and school.staff_email in page
    assert "complaints policy" in page


def test_a_parent_comments_and_the_text_is_escaped(
    school: Any, post: Post, make_parent: Any, login_client: Any
) -> None:
    client = login_client(make_parent(school).user)
    _comment(client, school, post, "<script>alert('x')</script> see you there")
    page = _feed(client, school)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; see you there" in page


def test_htmx_comment_returns_the_updated_thread(
    school: Any, post: Post, make_parent: Any, login_client: Any
) -> None:
    client = login_client(make_parent(school).user)
    response = _comment(client, school, post, "Lovely!", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Lovely!" in response.content.decode()
    assert f'id="comments-{post.pk}"' in response.content.decode()


@pytest.mark.parametrize(("body", "message"), [
    ("", "Please write something"),
    ("   \n ", "Please write something"),
    ("x" * 2001, "at most 2000 characters"),
    ("bell\x07", "control characters"),
])
def test_bad_comments_are_refused_and_kept_in_the_box(
    school: Any, post: Post, make_parent: Any, login_client: Any, body: str, message: str
) -> None:
    client = login_client(make_parent(school).user)
    response = _comment(client, school, post, body, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert message in response.content.decode()
    if body.strip():
        assert body[:50] in response.content.decode()  # what they typed is not lost
    assert not Comment.objects.exists()


def test_held_comments_are_seen_only_by_their_author(
    school: Any, post: Post, make_parent: Any, login_client: Any
) -> None:
    author, other = make_parent(school), make_parent(school)
    Comment.objects.create(post=post, author=author.user, body="Held words",
                           status=Comment.Status.HELD)
    Comment.objects.create(post=post, author=author.user, body="Hidden words",
                           status=Comment.Status.HIDDEN)
    own = _feed(login_client(author.user), school)
    assert "Held words" in own and "Awaiting review" in own and "Hidden words" not in own
    theirs = _feed(login_client(other.user), school)
    assert "Held words" not in theirs and "Hidden words" not in theirs


def test_parents_have_no_way_to_post(
    school: Any, make_parent: Any, login_client: Any
) -> None:
    client = login_client(make_parent(school).user)
    assert "Write a post" not in _feed(client, school)
    url = reverse("staff:post_new", kwargs={"slug": school.slug})
    assert client.post(url, {"body": "My own post"}).status_code == 403
    assert not Post.objects.exists()


# Committed data: the post is published after commit (by the worker, when there is a broker).
@pytest.mark.django_db(transaction=True)
def test_staff_post_with_link_and_event(school: Any, admin: Any, login_client: Any) -> None:
    from django.conf import settings

    from gatehouse.lib.testing import wait_for_background_tasks
    from gatehouse.publishing.actions import do_set_quick_text_posts

    do_set_quick_text_posts(school, actor=admin, enabled=True)  # no agreement for text posts
    client = login_client(admin)
    url = reverse("staff:post_new", kwargs={"slug": school.slug})
    response = client.post(url, {"body": "Harvest festival", "link": "https://oak.example/h",
                                 "event_at": "2026-12-03T14:30", "comments_enabled": "on"})
    assert response.status_code == 302
    if settings.CELERY_BROKER_URL:
        from gatehouse.celery import app

        wait_for_background_tasks(app)
    post = Post.objects.get()
    assert post.event_at is not None and post.event_at.hour == 14
    assert "Harvest festival" in _feed(client, school)


@pytest.mark.parametrize(("data", "message"), [
    ({"body": ""}, "This field is required"),
    ({"body": "x", "link": "javascript:alert(1)"}, "valid URL"),
    ({"body": "x", "event_at": "32/13/2026 99:99"}, "real date and time"),
    ({"body": "x" * 5001}, "at most 5000"),
])
def test_bad_posts_are_refused_with_nothing_saved(
    school: Any, admin: Any, login_client: Any, data: dict[str, str], message: str
) -> None:
    url = reverse("staff:post_new", kwargs={"slug": school.slug})
    response = login_client(admin).post(url, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Post.objects.exists()


def test_staff_can_turn_comments_off(
    school: Any, admin: Any, post: Post, make_parent: Any, login_client: Any
) -> None:
    url = reverse("staff:toggle_comments", kwargs={"slug": school.slug, "pk": post.pk})
    login_client(admin).post(url, {"enabled": "0"})
    parent = login_client(make_parent(school).user)
    assert "Comments are turned off" in _feed(parent, school)
    _comment(parent, school, post, "still here?")
    assert not Comment.objects.exists()


def test_a_parent_cannot_comment_in_another_schools_group(
    school: Any, make_school: Any, post: Post, make_parent: Any, login_client: Any
) -> None:
    outsider = make_parent(make_school())
    assert _comment(login_client(outsider.user), school, post, "hi").status_code == 403
    assert login_client(outsider.user).get(
        reverse("feed", kwargs={"slug": school.slug})).status_code == 403


def _count_feed_queries(client: Any, school: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("feed", kwargs={"slug": school.slug})).status_code == 200
    return len(ctx.captured_queries)


def test_feed_queries_do_not_grow_with_posts_or_comments(
    school: Any, admin: Any, make_parent: Any, login_client: Any
) -> None:
    parents = [make_parent(school) for _ in range(3)]
    client = login_client(parents[0].user)
    Post.objects.create(school=school, author=admin, body="one")
    few = _count_feed_queries(client, school)
    for n in range(25):
        post = Post.objects.create(school=school, author=admin, body=f"post {n}")
        for parent in parents:
            Comment.objects.create(post=post, author=parent.user, body="hello")
    assert _count_feed_queries(client, school) == few


def test_the_feed_shows_the_latest_comments_and_loads_the_rest(
    school: Any, post: Post, make_parent: Any, login_client: Any
) -> None:
    parent, other = make_parent(school), make_parent(school)
    for n in range(8):
        Comment.objects.create(post=post, author=parent.user, body=f"comment number {n}")
    Comment.objects.create(post=post, author=other.user, body="someone else's held",
                           status=Comment.Status.HELD)
    client = login_client(parent.user)
    page = _feed(client, school)
    assert "comment number 7" in page and "comment number 3" in page
    assert "comment number 2" not in page
    assert "Show all 8 comments" in page
    url = reverse("all_comments", kwargs={"slug": school.slug, "post_id": post.pk})
    everything = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert all(f"comment number {n}" in everything for n in range(8))
    assert "someone else&#x27;s held" not in everything
    assert "Show all" not in everything
    assert "comment number 0" in client.get(url).content.decode()  # without JavaScript too
