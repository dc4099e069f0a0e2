"""Withdrawal reaches the past: hidden from the parents' group at once, takedowns elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gatehouse.accounts.models import Role
from gatehouse.audit.models import AuditEntry
from gatehouse.community.models import Post
from gatehouse.consent.actions import do_record_consent, do_set_restricted
from gatehouse.consent.models import Channel, PhotoDraft, PostImage, TakedownTask
from gatehouse.consent.photos import do_publish_draft, do_tag_faces


@pytest.fixture
def published(school: Any, admin: Any, make_draft: Any, make_photo: Any,
              make_pupil: Any, confirm: Any) -> tuple[PhotoDraft, Any, Any]:
    """A post on the parents' group and Facebook showing Ellie, with Ben's face blurred."""
    draft = make_draft(school, admin, channels=[Channel.PARENTS_GROUP, Channel.FACEBOOK])
    photo = make_photo(draft, boxes=[(10, 10, 80, 80), (150, 40, 90, 90)])
    ellie, ben = make_pupil(school, first="Ellie"), make_pupil(school, first="Ben")
    one, two = photo.faces.order_by("x")
    do_tag_faces(photo, actor=admin, tags={one.pk: f"pupil:{ellie.pk}", two.pk: "blur"})
    confirm(draft, admin)
    return do_publish_draft(draft, actor=admin), ellie, ben


def _feed(client: Any, school: Any) -> str:
    return client.get(reverse("feed", kwargs={"slug": school.slug})).content.decode()


def test_withdrawing_parents_group_consent_hides_the_post_at_once(
    school: Any, admin: Any, published: Any, make_parent: Any, login_client: Any
) -> None:
    draft, ellie, _ = published
    client = login_client(make_parent(school).user)
    assert "Roman day" in _feed(client, school)
    result = do_record_consent(ellie, actor=admin, channel="parents_group", status="refused")
    assert result is not None and result.hidden_posts == [draft.post_id]
    assert "Roman day" not in _feed(client, school)
    image = PostImage.objects.get()
    assert image.hidden_at is not None
    url = reverse("post_image", kwargs={"slug": school.slug, "pk": image.pk})
    assert client.get(url).status_code == 404
    comment_url = reverse("add_comment", kwargs={"slug": school.slug, "post_id": draft.post_id})
    assert client.post(comment_url, {"body": "Lovely photo"}).status_code == 404
    assert not TakedownTask.objects.exists()  # Facebook consent still stands
    assert AuditEntry.objects.filter(action="consent.pupil.withdrawn").exists()


def test_withdrawing_facebook_consent_creates_a_takedown_task(
    school: Any, admin: Any, published: Any, login_client: Any
) -> None:
    draft, ellie, _ = published
    do_record_consent(ellie, actor=admin, channel="facebook", status="refused")
    task = TakedownTask.objects.get()
    assert (task.draft, task.pupil, task.channel) == (draft, ellie, "facebook")
    assert PostImage.objects.get().hidden_at is None
    page = login_client(admin).get(reverse("staff:takedowns", kwargs={"slug": school.slug}))
    assert "Consent for Facebook withdrawn" in page.content.decode()
    login_client(admin).post(reverse("staff:complete_takedown",
                                     kwargs={"slug": school.slug, "pk": task.pk}))
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == admin


def test_the_restricted_list_reaches_every_channel(school: Any, published: Any,
                                                   make_user: Any) -> None:
    _, ellie, _ = published
    dsl = make_user(school=school, roles=(Role.DSL,))
    result = do_set_restricted(ellie, actor=dsl, restricted=True, reason="Adopted")
    assert result is not None and len(result.hidden_posts) == 1
    assert [t.channel for t in TakedownTask.objects.all()] == ["facebook"]


def test_a_blurred_pupil_is_not_in_the_published_item(school: Any, admin: Any,
                                                      published: Any) -> None:
    _, _, ben = published
    result = do_record_consent(ben, actor=admin, channel="parents_group", status="refused")
    assert result is not None and result.drafts == []
    assert PostImage.objects.get().hidden_at is None


def test_a_parent_withdrawing_from_their_account_hides_the_post(
    school: Any, admin: Any, published: Any, make_parent: Any, login_client: Any
) -> None:
    _, ellie, _ = published
    parent = make_parent(school, email="jordan@example.net").user
    ellie.responsibilities.create(name="Jordan", email="jordan@example.net")
    data = {"pupil": ellie.pk} | {f"pupil{ellie.pk}-ch_{c}": "given" for c in Channel.values}
    data[f"pupil{ellie.pk}-ch_parents_group"] = "refused"
    login_client(parent).post(reverse("my_children", kwargs={"slug": school.slug}), data)
    assert PostImage.objects.get().hidden_at is not None


def test_the_feed_query_count_does_not_grow_with_photo_posts(
    school: Any, admin: Any, make_draft: Any, make_photo: Any, make_parent: Any,
    login_client: Any, confirm: Any
) -> None:
    client = login_client(make_parent(school).user)

    def publish_one() -> None:
        draft = make_draft(school, admin)
        photo = make_photo(draft, boxes=[(10, 10, 50, 50)])
        do_tag_faces(photo, actor=admin, tags={photo.faces.get().pk: "adult"})
        confirm(draft, admin)
        do_publish_draft(draft, actor=admin)

    publish_one()
    _feed(client, school)  # the parent's roles and membership are cached from here on
    publish_one()
    with CaptureQueriesContext(connection) as one:
        _feed(client, school)
    for _ in range(3):
        publish_one()
    with CaptureQueriesContext(connection) as five:
        page = _feed(client, school)
    assert page.count("<img") == 5 and Post.objects.count() == 5
    assert len(five) == len(one)


def test_staff_withdrawing_image_permission_reaches_what_is_published(
    school: Any, admin: Any, make_draft: Any, make_photo: Any, make_user: Any,
    make_parent: Any, login_client: Any, confirm: Any,
) -> None:
    from gatehouse.consent.actions import do_set_own_image_permission

    teacher = make_user(school=school, roles=(Role.STAFF,), name="Dan Patel")
    do_set_own_image_permission(school, actor=teacher, given=True)
    draft = make_draft(school, admin, channels=[Channel.PARENTS_GROUP, Channel.FACEBOOK])
    photo = make_photo(draft, boxes=[(10, 10, 80, 80)])
    do_tag_faces(photo, actor=admin, tags={photo.faces.get().pk: f"staff:{teacher.pk}"})
    confirm(draft, admin)
    do_publish_draft(draft, actor=admin)
    parent = login_client(make_parent(school).user)
    assert "Roman day" in _feed(parent, school)

    url = reverse("staff:image_permission", kwargs={"slug": school.slug})
    assert login_client(teacher).post(url, {"given": "no"}).status_code == 302

    assert "Roman day" not in _feed(parent, school)
    task = TakedownTask.objects.get()
    assert (task.staff, task.pupil, task.channel) == (teacher, None, "facebook")
    page = login_client(admin).get(reverse("staff:takedowns", kwargs={"slug": school.slug}))
    assert "Dan Patel" in page.content.decode()
    assert AuditEntry.objects.filter(action="consent.staff_image.reached").exists()
