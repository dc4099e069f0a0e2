"""The per-person access cache (accounts/access.py): roles, memberships, restrictions and
held comments come from one cache entry, and every change to them counts on the next request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from gatehouse.accounts import access
from gatehouse.accounts.actions import do_lift_restriction, do_restrict_member, do_revoke_role
from gatehouse.accounts.models import Restriction, Role, StaffRole, User
from gatehouse.community.models import Comment, Post


def _feed(client: Any, school: Any) -> Any:
    return client.get(reverse("feed", kwargs={"slug": school.slug}))


def _fresh(user: User) -> User:
    """The user as the next request sees them (a new object, no per-request memo)."""
    return User.objects.get(pk=user.pk)


def test_the_entry_is_served_from_the_cache(school: Any, make_user: Any) -> None:
    user = make_user(school=school, roles=(Role.MODERATOR,))
    assert _fresh(user).roles_at(school.pk) == {Role.MODERATOR}
    # Changed behind the cache's back (no signal): the cached entry still answers.
    StaffRole.objects.filter(user=user).update(role=Role.ADMINISTRATOR)
    assert _fresh(user).roles_at(school.pk) == {Role.MODERATOR}


def test_granted_and_revoked_roles_count_at_once(
    school: Any, make_user: Any, make_parent: Any, login_client: Any
) -> None:
    admin = make_user(school=school, roles=(Role.ADMINISTRATOR,))
    user = make_user(school=school, roles=(Role.MODERATOR,))
    assert _fresh(user).roles_at(school.pk) == {Role.MODERATOR}
    StaffRole.objects.create(user=user, school=school, role=Role.POSTER)
    assert _fresh(user).roles_at(school.pk) == {Role.MODERATOR, Role.POSTER}
    do_revoke_role(StaffRole.objects.get(user=user, role=Role.POSTER), actor=admin)
    assert _fresh(user).roles_at(school.pk) == {Role.MODERATOR}
    assert _fresh(user).is_staff_anywhere()
    StaffRole.objects.filter(user=user).delete()
    assert not _fresh(user).is_staff_anywhere()


def test_a_removed_membership_shuts_the_feed_at_once(
    school: Any, make_parent: Any, login_client: Any
) -> None:
    membership = make_parent(school)
    client = login_client(membership.user)
    assert _feed(client, school).status_code == 200
    membership.delete()
    assert _feed(client, school).status_code == 403


def test_restrictions_imposed_and_lifted_count_at_once(
    school: Any, make_parent: Any, make_user: Any, login_client: Any
) -> None:
    admin = make_user(school=school, roles=(Role.ADMINISTRATOR,))
    membership = make_parent(school)
    client = login_client(membership.user)
    assert "You can read the group" not in _feed(client, school).content.decode()
    read_only = do_restrict_member(membership, actor=admin, kind=Restriction.Kind.READ_ONLY,
                                   reason="Rule 2", ends_on=None)
    assert "You can read the group" in _feed(client, school).content.decode()
    removal = do_restrict_member(membership, actor=admin, kind=Restriction.Kind.REMOVED,
                                 reason="Rule 3", ends_on=None)
    assert _feed(client, school).status_code == 403
    do_lift_restriction(removal, actor=admin)
    assert "You can read the group" in _feed(client, school).content.decode()
    do_lift_restriction(read_only, actor=admin)
    page = _feed(client, school)
    assert page.status_code == 200 and "You can read the group" not in page.content.decode()


def test_whether_a_restriction_is_in_force_is_decided_at_each_read(
    school: Any, make_parent: Any, make_user: Any
) -> None:
    """Start and end times pass without any signal: the cached entry holds the restriction
    and the time is compared when it is read."""
    admin = make_user(school=school, roles=(Role.ADMINISTRATOR,))
    membership = make_parent(school)
    now = timezone.now()
    Restriction.objects.create(membership=membership, kind=Restriction.Kind.READ_ONLY,
                               reason="From tomorrow for a week", created_by=admin,
                               starts_at=now + dt.timedelta(days=1),
                               ends_at=now + dt.timedelta(days=8))
    cached = access.for_user(_fresh(membership.user)).memberships[school.pk]
    assert cached.active_restriction(now) is None
    in_force = cached.active_restriction(now + dt.timedelta(days=2))
    assert in_force is not None and in_force.reason == "From tomorrow for a week"
    assert cached.active_restriction(now + dt.timedelta(days=9)) is None


def test_held_comments_are_known_per_school_and_forgotten_when_decided(
    school: Any, make_school: Any, make_parent: Any, make_user: Any
) -> None:
    admin = make_user(school=school, roles=(Role.ADMINISTRATOR,))
    author = make_parent(school).user
    post = Post.objects.create(school=school, author=admin, body="Trip")
    assert access.for_user(_fresh(author)).held_at == frozenset()
    comment = Comment.objects.create(post=post, author=author, body="Held for now",
                                     status=Comment.Status.HELD)
    assert access.for_user(_fresh(author)).held_at == {school.pk}
    comment.status = Comment.Status.VISIBLE
    comment.save(update_fields=["status"])
    assert access.for_user(_fresh(author)).held_at == frozenset()
