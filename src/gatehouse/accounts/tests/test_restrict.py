from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from gatehouse.accounts.models import Restriction
from gatehouse.audit.models import AuditEntry
from gatehouse.community.models import Comment, Post


def _restrict(client: Any, school: Any, membership: Any, **data: Any) -> Any:
    url = reverse("staff:restrict_member", kwargs={"slug": school.slug, "pk": membership.pk})
    return client.post(url, data)


def test_a_read_only_parent_sees_why_and_cannot_comment(
    school: Any, make_user: Any, make_parent: Any, login_client: Any
) -> None:
    admin = make_user(school=school, roles=("administrator",))
    parent = make_parent(school)
    until = timezone.localdate() + dt.timedelta(days=14)
    response = _restrict(login_client(admin), school, parent, kind=Restriction.Kind.READ_ONLY,
                         reason="Named a teacher in a comment.", ends_on=until.isoformat())
    assert response.status_code == 302
    post = Post.objects.create(school=school, author=admin, body="Sports day news")
    client = login_client(parent.user)
    feed = client.get(reverse("feed", kwargs={"slug": school.slug})).content.decode()
    assert "Named a teacher in a comment." in feed
    assert until.strftime("%-d %B %Y") in feed
    assert 'name="body"' not in feed
    url = reverse("add_comment", kwargs={"slug": school.slug, "post_id": post.pk})
    refused = client.post(url, {"body": "hello"}, follow=True).content.decode()
    assert "You cannot comment at the moment: Named a teacher in a comment." in refused
    htmx = client.post(url, {"body": "hello"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 400 and "You cannot comment" in htmx.content.decode()
    assert not Comment.objects.exists()
    assert AuditEntry.objects.filter(action="accounts.member.restricted").exists()


def test_a_removed_parent_cannot_read_the_feed(
    school: Any, make_user: Any, make_parent: Any, login_client: Any
) -> None:
    admin = make_user(school=school, roles=("administrator",))
    parent = make_parent(school)
    _restrict(login_client(admin), school, parent, kind=Restriction.Kind.REMOVED,
              reason="Threatening language.")
    response = login_client(parent.user).get(reverse("feed", kwargs={"slug": school.slug}))
    assert response.status_code == 403
    assert "removed you from its parents' group" in response.content.decode()
    assert "no end date" in response.content.decode()


def test_a_restriction_ends_on_its_date_and_can_be_lifted(
    school: Any, make_user: Any, make_parent: Any, login_client: Any
) -> None:
    admin = make_user(school=school, roles=("administrator",))
    parent = make_parent(school)
    restriction = Restriction.objects.create(
        membership=parent, kind=Restriction.Kind.READ_ONLY, reason="x", created_by=admin,
        ends_at=timezone.now() + dt.timedelta(days=1))
    assert parent.active_restriction() == restriction
    assert parent.active_restriction(timezone.now() + dt.timedelta(days=2)) is None
    url = reverse("staff:lift_restriction", kwargs={"slug": school.slug, "pk": restriction.pk})
    login_client(admin).post(url)
    assert parent.active_restriction() is None


def test_bad_restriction_input_is_refused_with_nothing_saved(
    school: Any, make_user: Any, make_parent: Any, login_client: Any
) -> None:
    admin = make_user(school=school, roles=("administrator",))
    parent = make_parent(school)
    client = login_client(admin)
    past = _restrict(client, school, parent, kind=Restriction.Kind.READ_ONLY, reason="x",
                     ends_on="2020-01-01")
    assert past.status_code == 400 and "after today" in past.content.decode()
    bad = _restrict(client, school, parent, kind=Restriction.Kind.READ_ONLY, reason="x",
                    ends_on="31/02/2030")
    assert bad.status_code == 400 and "real date" in bad.content.decode()
    no_reason = _restrict(client, school, parent, kind=Restriction.Kind.READ_ONLY, reason="")
    assert no_reason.status_code == 400
    assert not Restriction.objects.exists()
