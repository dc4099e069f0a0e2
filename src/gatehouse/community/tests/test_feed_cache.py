"""The per-school feed cache: every change parents could see shows at once, nothing one
person may see leaks to another through the cache, and a dead Redis only makes it slower.

(A post hidden when photo consent is withdrawn: consent/tests/test_withdrawal.py loads the
feed before and after, so it covers that path's invalidation too.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gatehouse.accounts.models import Restriction
from gatehouse.community import feedcache
from gatehouse.community.models import Comment, Post
from gatehouse.lib.testing import free_port


@pytest.fixture
def reader(school: Any, make_parent: Any, login_client: Any) -> Any:
    """A parent whose first look fills the cache."""
    return login_client(make_parent(school).user)


def _feed(client: Any, school: Any, page: str = "") -> str:
    url = reverse("feed", kwargs={"slug": school.slug}) + (f"?page={page}" if page else "")
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _cached_versions(school: Any) -> Any:
    from django.core.cache import cache

    return cache.get(f"feed:v:{school.pk}")


def test_the_second_look_is_served_from_the_cache(
    school: Any, post: Post, reader: Any, make_parent: Any
) -> None:
    Comment.objects.create(post=post, author=make_parent(school).user, body="See you there")
    _feed(reader, school)
    assert _cached_versions(school) is not None
    # Change the row behind the cache's back (no signal): the cached page still shows the old
    # text, which proves the page came from the cache and not the database.
    Comment.objects.filter(post=post).update(body="Changed without a signal")
    assert "See you there" in _feed(reader, school)


def test_a_hidden_comment_disappears_at_once(
    school: Any, post: Post, reader: Any, make_parent: Any
) -> None:
    comment = Comment.objects.create(post=post, author=make_parent(school).user,
                                     body="Rude words here")
    assert "Rude words here" in _feed(reader, school)
    comment.status = Comment.Status.HIDDEN
    comment.save(update_fields=["status"])
    assert "Rude words here" not in _feed(reader, school)


def test_a_released_comment_appears_and_a_held_one_is_only_its_authors(
    school: Any, post: Post, reader: Any, make_parent: Any, login_client: Any
) -> None:
    author = make_parent(school).user
    author_client = login_client(author)
    comment = Comment.objects.create(post=post, author=author, body="Awaiting a moderator",
                                     status=Comment.Status.HELD)
    # The author looks first, so the shared page is cached while their held comment exists.
    own = _feed(author_client, school)
    assert "Awaiting a moderator" in own and "Awaiting review" in own
    assert "Awaiting a moderator" not in _feed(reader, school)
    comment.status = Comment.Status.VISIBLE
    comment.save(update_fields=["status"])
    assert "Awaiting a moderator" in _feed(reader, school)
    assert "Awaiting review" not in _feed(author_client, school)


def test_own_held_comments_merge_with_the_latest_visible_ones_in_order(
    school: Any, post: Post, make_parent: Any, login_client: Any
) -> None:
    author = make_parent(school).user
    other = make_parent(school).user
    for n in range(6):
        Comment.objects.create(post=post, author=other, body=f"Visible number {n}")
    Comment.objects.create(post=post, author=author, body="My newest, held",
                           status=Comment.Status.HELD)
    page = _feed(login_client(author), school)
    # Five shown: the held one is the newest, so the oldest visible ones drop off.
    assert "My newest, held" in page and "Visible number 5" in page
    assert "Visible number 1" not in page and "Visible number 0" not in page
    assert page.index("Visible number 5") < page.index("My newest, held")


def test_new_edited_switched_off_and_deleted_posts_show_at_once(
    school: Any, post: Post, reader: Any, admin: Any
) -> None:
    assert "Sports day" in _feed(reader, school)
    Post.objects.create(school=school, author=admin, body="Trip letters due Monday")
    assert "Trip letters due Monday" in _feed(reader, school)
    post.body = "Sports day moved to Thursday"
    post.save()
    assert "Sports day moved to Thursday" in _feed(reader, school)
    before = _feed(reader, school)
    post.comments_enabled = False
    post.save()
    assert _feed(reader, school) != before
    post.delete()
    assert "Sports day" not in _feed(reader, school)


def test_a_restriction_shows_even_when_the_page_is_cached(
    school: Any, post: Post, reader: Any, make_parent: Any, login_client: Any, admin: Any
) -> None:
    _feed(reader, school)
    membership = make_parent(school)
    Restriction.objects.create(membership=membership, kind=Restriction.Kind.READ_ONLY,
                               reason="Repeated breaches of rule 2", created_by=admin)
    page = _feed(login_client(membership.user), school)
    assert "You can read the group but not comment" in page
    assert "Repeated breaches of rule 2" in page
    assert "You can read the group but not comment" not in _feed(reader, school)


def test_other_schools_and_other_pages_are_kept_apart(
    school: Any, make_school: Any, make_parent: Any, login_client: Any, admin: Any
) -> None:
    other = make_school()
    Post.objects.create(school=other, author=admin, body="Elsewhere only")
    for n in range(12):
        Post.objects.create(school=school, author=admin, body=f"Oakfield item {n}")
    client = login_client(make_parent(school).user)
    first, second = _feed(client, school), _feed(client, school, "2")
    assert "Oakfield item 11" in first and "Oakfield item 11" not in second
    assert "Oakfield item 0" in second and "Elsewhere only" not in first + second
    assert "Page 2 of 2" in second and "Page 2 of 2" in _feed(client, school, "99")
    assert "Oakfield item 11" in _feed(client, school, "junk")


def test_queries_per_page_stay_constant_cold_and_warm(
    school: Any, make_parent: Any, login_client: Any, admin: Any
) -> None:
    parent = make_parent(school).user
    client = login_client(parent)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _feed(client, school)
        return len(queries)

    one = Post.objects.create(school=school, author=admin, body="One")
    Comment.objects.create(post=one, author=parent, body="held", status="held")
    cold_one, warm_one = count(), count()
    for n in range(9):
        post = Post.objects.create(school=school, author=admin, body=f"Post {n}")
        Comment.objects.create(post=post, author=parent, body="held", status="held")
        Comment.objects.create(post=post, author=admin, body="shown")
    cold_ten, warm_ten = count(), count()
    assert cold_one == cold_ten and warm_one == warm_ten
    assert warm_ten < cold_ten


def test_a_cached_page_asks_the_database_only_who_is_signed_in_and_the_school(
    school: Any, post: Post, reader: Any, make_parent: Any
) -> None:
    """Roles, membership, restrictions, whether the parent has comments awaiting review, the
    group rules and contact details all come from the cache once it is warm."""
    Comment.objects.create(post=post, author=make_parent(school).user, body="Hello")
    _feed(reader, school)
    with CaptureQueriesContext(connection) as queries:
        assert "Hello" in _feed(reader, school)
    tables = {q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in queries}
    # Without Redis (the SQLite suite) sessions are read from the database; with it, cached.
    assert tables - {"django_session"} == {"accounts_user", "schools_school"}


@pytest.fixture
def dead_redis(settings: Any) -> None:
    """The cache pointed at a port where nothing listens (Redis stopped)."""
    settings.CACHES = {"default": {
        "BACKEND": "gatehouse.lib.redis_cache.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}


def test_with_redis_down_the_feed_and_commenting_still_work(
    dead_redis: None, school: Any, post: Post, make_parent: Any, login_client: Any
) -> None:
    from django.core.cache import cache

    with pytest.raises(Exception):  # noqa: B017 - the cache really is unreachable
        cache.get("anything")
    client = login_client(make_parent(school).user)
    assert "Sports day is on Friday!" in _feed(client, school)
    url = reverse("add_comment", kwargs={"slug": school.slug, "post_id": post.pk})
    response = client.post(url, {"body": "Still works without Redis"})
    assert response.status_code == 302
    assert Comment.objects.filter(body="Still works without Redis").exists()
    assert "Still works without Redis" in _feed(client, school)
    feedcache.bump(school.pk)  # a bump with the cache away is not an error either


def test_cached_pages_hold_no_password_hashes(
    school: Any, post: Post, reader: Any, make_parent: Any
) -> None:
    import pickle

    from django.core.cache import cache

    Comment.objects.create(post=post, author=make_parent(school).user, body="Hello")
    _feed(reader, school)
    version = _cached_versions(school)
    stored = pickle.dumps(cache.get(f"feed:p:{school.pk}:{version}:1"))
    assert b"Hello" in stored and b"argon2" not in stored and b"pbkdf2" not in stored


def test_shared_html_carries_nothing_of_the_viewer(
    school: Any, post: Post, reader: Any, make_parent: Any, login_client: Any
) -> None:
    """Post bodies and comment lists are cached as HTML; a parent whose own comment is on
    the post gets the list rendered for them (no "Report" on their own comment)."""
    author = make_parent(school, name="Robin Author")
    Comment.objects.create(post=post, author=author.user, body="Lovely assembly")
    first = _feed(reader, school)
    assert "Report<span class=\"visually-hidden\"> comment by Robin Author" in first
    # The comment list is now cached; change the row behind the cache's back to prove it.
    Comment.objects.filter(post=post).update(body="Changed without a signal")
    assert "Lovely assembly" in _feed(reader, school)
    own = _feed(login_client(author.user), school)
    assert "Lovely assembly" in own
    assert "comment by Robin Author" not in own  # no Report link on one's own comment


def test_a_change_made_while_redis_is_away_counts_once_it_is_back(
    dead_redis: None, settings: Any, school: Any, post: Post, reader: Any
) -> None:
    """Redis keeps its data over a restart: a version bump it missed is sent again, so pages
    cached before the outage are not served after it."""
    from django.core.cache import cache

    feedcache.bump(school.pk)  # Redis is away: kept to send again
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.set(f"feed:v:{school.pk}", "from-before-the-outage", None)
    assert feedcache.feed_version(school.pk) != "from-before-the-outage"


def test_another_parents_held_comment_never_reaches_a_cached_card(
    school: Any, post: Post, make_parent: Any, login_client: Any
) -> None:
    author, reader = make_parent(school).user, make_parent(school).user
    author_client, reader_client = login_client(author), login_client(reader)
    _feed(reader_client, school)  # the reader's look caches the whole card
    Comment.objects.create(post=post, author=author, body="Only mine to see",
                           status=Comment.Status.HELD)
    assert "Only mine to see" in _feed(author_client, school)
    assert "Only mine to see" not in _feed(reader_client, school)


def test_cached_cards_carry_the_viewers_own_csrf_token(
    school: Any, post: Any, make_parent: Any, login_client: Any
) -> None:
    from gatehouse.community.views import _csrf_mark

    first, second = login_client(make_parent(school).user), login_client(make_parent(school).user)
    for client in (first, second, first):
        page = _feed(client, school)
        assert _csrf_mark() not in page
        assert 'name="csrfmiddlewaretoken"' in page
    # The token in the cached card works: the comment form posts.
    url = reverse("add_comment", kwargs={"slug": school.slug, "post_id": post.pk})
    first.handler.enforce_csrf_checks = True
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert first.post(url, {"body": "Thank you", "csrfmiddlewaretoken": token}).status_code == 302
    assert Comment.objects.filter(body="Thank you").exists()


def test_the_schools_details_and_rules_show_at_once(
    school: Any, make_parent: Any, login_client: Any
) -> None:
    from gatehouse.schools.models import SchoolDocument

    client = login_client(make_parent(school).user)
    _feed(client, school)
    school.phone = "01632 960 999"
    school.save()
    assert "01632 960 999" in _feed(client, school)
    SchoolDocument.objects.create(school=school, kind=SchoolDocument.Kind.GROUP_RULES,
                                  version=99, title="Group rules, autumn",
                                  body="Be kind, always.")
    page = _feed(client, school)
    assert "Group rules, autumn" in page and "Version 99" in page
