"""Draft → agreement → schedule → delivery, with consent asked again at the moment of
publishing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gatehouse.audit.models import AuditEntry
from gatehouse.community.models import Post as GroupPost
from gatehouse.consent.models import Channel, ConsentStatus, PhotoConsent, PostImage, Pupil
from gatehouse.publishing import actions
from gatehouse.publishing.delivery import claim, run_delivery, run_due
from gatehouse.publishing.models import Delivery, Post

SOON = dt.timedelta(hours=2)


def _text_post(school: Any, admin: Any, **kw: Any) -> Post:
    data = {"body": "Non-uniform day on Friday", "link": "", "publish_at": None,
            "channels": [Channel.PARENTS_GROUP]} | kw
    return actions.do_create_post(school, actor=admin, **data)


@pytest.mark.django_db(transaction=True)
def test_a_quick_text_post_goes_out_at_once_when_the_school_allows_it(
    school: Any, admin: Any, background: Any
) -> None:
    actions.do_set_quick_text_posts(school, actor=admin, enabled=True)
    post = _text_post(school, admin)
    with background():
        post = actions.do_submit(post, actor=admin)
    assert post.state == Post.State.AGREED and post.agreed_by is None
    delivery = post.deliveries.get()
    assert delivery.state == Delivery.State.PUBLISHED
    assert GroupPost.objects.get(pk=delivery.community_post_id).body == post.body


def test_without_the_setting_a_text_post_waits_for_leadership(school: Any, admin: Any) -> None:
    post = actions.do_submit(_text_post(school, admin), actor=admin)
    assert post.state == Post.State.SUBMITTED and not post.deliveries.exists()


def test_the_groups_quick_post_goes_through_publishing(
    school: Any, admin: Any, login_client: Any
) -> None:
    client = login_client(admin)
    url = reverse("staff:post_new", kwargs={"slug": school.slug})
    response = client.post(url, {"body": "Harvest festival", "comments_enabled": ""})
    post = Post.objects.get()
    assert response.status_code == 302 and post.state == Post.State.SUBMITTED
    assert not post.comments_enabled and not GroupPost.objects.exists()


def test_a_photo_post_always_needs_agreement(school: Any, admin: Any,
                                             photo_draft: Any) -> None:
    actions.do_set_quick_text_posts(school, actor=admin, enabled=True)
    post = actions.do_post_from_photos(photo_draft, actor=admin)
    assert actions.do_submit(post, actor=admin).state == Post.State.SUBMITTED


def test_the_author_cannot_agree_their_own_post(school: Any, make_user: Any) -> None:
    both = make_user(school=school, roles=("poster", "leadership"))
    post = actions.do_submit(_text_post(school, both), actor=both)
    with pytest.raises(ValidationError, match="another member of leadership"):
        actions.do_agree(post, actor=both, fingerprint=post.fingerprint())


def test_a_second_approver_is_told_it_is_already_agreed(
    school: Any, admin: Any, leader: Any, make_user: Any
) -> None:
    other = make_user(school=school, roles=("head_teacher",))
    post = actions.do_submit(_text_post(school, admin, publish_at=timezone.now() + SOON),
                             actor=admin)
    seen = post.fingerprint()
    actions.do_agree(post, actor=leader, fingerprint=seen)
    with pytest.raises(ValidationError, match="already agreed"):
        actions.do_agree(post, actor=other, fingerprint=seen)
    assert Delivery.objects.count() == 1


def test_agreeing_a_post_that_changed_since_it_was_read_is_refused(
    school: Any, admin: Any, leader: Any
) -> None:
    post = actions.do_submit(_text_post(school, admin), actor=admin)
    seen = post.fingerprint()
    post = actions.do_edit_post(post, actor=admin, body="Non-uniform day is MONDAY", link="",
                                channels=post.channels, publish_at=None)
    actions.do_submit(post, actor=admin)
    with pytest.raises(ValidationError, match="changed after you opened"):
        actions.do_agree(post, actor=leader, fingerprint=seen)


def test_an_edit_after_agreement_unschedules_it_until_agreed_again(
    school: Any, admin: Any, leader: Any
) -> None:
    post = actions.do_submit(_text_post(school, admin, publish_at=timezone.now() + SOON),
                             actor=admin)
    actions.do_agree(post, actor=leader, fingerprint=post.fingerprint())
    post = actions.do_edit_post(post, actor=admin, body="Changed", link="",
                                channels=post.channels, publish_at=post.publish_at)
    assert post.state == Post.State.DRAFT and not post.deliveries.exists()
    assert AuditEntry.objects.filter(action="publishing.post.edited",
                                     details__agreement_voided=True).exists()


def test_asking_for_changes_needs_a_comment_and_tells_the_author(
    school: Any, admin: Any, leader: Any, smtp_server: Any,
    django_capture_on_commit_callbacks: Any
) -> None:
    post = actions.do_submit(_text_post(school, admin), actor=admin)
    with pytest.raises(ValidationError, match="Say what needs changing"):
        actions.do_request_changes(post, actor=leader, comment="  ")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_request_changes(post, actor=leader, comment="Say which Friday, please.")
    assert "Say which Friday" in smtp_server.body_of(smtp_server.wait_for(admin.email))


def test_scheduling_in_the_past_or_too_far_ahead_is_refused(school: Any, admin: Any) -> None:
    with pytest.raises(ValidationError, match="already passed"):
        _text_post(school, admin, publish_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(ValidationError, match="six months"):
        _text_post(school, admin, publish_at=timezone.now() + dt.timedelta(days=400))
    assert not Post.objects.exists()


def test_instagram_needs_a_photo(school: Any, admin: Any) -> None:
    with pytest.raises(ValidationError, match="Instagram posts need a photo"):
        _text_post(school, admin, channels=[Channel.INSTAGRAM])


def test_a_scheduled_post_goes_at_its_time_and_only_once(
    school: Any, admin: Any, leader: Any
) -> None:
    when = timezone.now() + SOON
    post = actions.do_submit(_text_post(school, admin, publish_at=when), actor=admin)
    actions.do_agree(post, actor=leader, fingerprint=post.fingerprint())
    assert run_due() == {} and not GroupPost.objects.exists()
    delivery = post.deliveries.get()
    assert claim(delivery.pk, when + dt.timedelta(seconds=1))
    assert not claim(delivery.pk, when + dt.timedelta(seconds=2))  # a second scheduler
    assert run_delivery(delivery.pk, now=when + dt.timedelta(seconds=3)) is None
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.PENDING)
    assert run_due(when + dt.timedelta(minutes=1)) == {"published": 1}
    assert run_due(when + dt.timedelta(minutes=2)) == {}
    assert GroupPost.objects.count() == 1


def test_reschedule_and_cancel(school: Any, admin: Any, leader: Any) -> None:
    post = actions.do_submit(_text_post(school, admin, publish_at=timezone.now() + SOON),
                             actor=admin)
    actions.do_agree(post, actor=leader, fingerprint=post.fingerprint())
    later = timezone.now() + dt.timedelta(days=3)
    assert actions.do_reschedule(post, actor=admin, publish_at=later) == 1
    assert post.deliveries.get().due_at == later
    assert actions.do_cancel(post, actor=admin) == 1
    assert run_due(later + SOON) == {}
    post.refresh_from_db()
    assert post.state == Post.State.CANCELLED
    with pytest.raises(ValidationError):
        actions.do_cancel(post, actor=admin)


def test_a_photo_post_reaches_the_group_with_its_stripped_photo(
    agreed_post: Any, fake_graph: Any
) -> None:
    post = agreed_post(channels=[Channel.PARENTS_GROUP])
    assert run_due() == {"published": 1}
    image = PostImage.objects.get()
    assert image.post_id == post.deliveries.get().community_post_id
    post.photos.refresh_from_db()
    assert post.photos.published_at is not None  # the photo check is frozen now


def test_consent_withdrawn_after_agreement_blocks_only_that_channel_and_says_why(
    agreed_post: Any, connected: Any, fake_graph: Any, smtp_server: Any, admin: Any,
    leader: Any, django_capture_on_commit_callbacks: Any
) -> None:
    post = agreed_post(channels=[Channel.PARENTS_GROUP, Channel.INSTAGRAM],
                       publish_at=timezone.now() + SOON)
    ellie = Pupil.objects.get(first_name="Ellie")
    PhotoConsent.objects.filter(pupil=ellie, channel=Channel.INSTAGRAM).update(
        status=ConsentStatus.REFUSED)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_due(timezone.now() + SOON * 2) == {"published": 1, "blocked": 1}
    blocked = post.deliveries.get(channel=Channel.INSTAGRAM)
    assert "Ellie Lee has no consent for Instagram" in blocked.message
    assert not fake_graph.state.requests  # Instagram was never asked
    for person in (admin, leader):
        assert "Ellie Lee has no consent" in smtp_server.body_of(smtp_server.wait_for(
            person.email))


def test_a_restricted_pupil_blocks_every_channel(agreed_post: Any, fake_graph: Any) -> None:
    post = agreed_post(channels=[Channel.PARENTS_GROUP], publish_at=timezone.now() + SOON)
    Pupil.objects.filter(first_name="Ellie").update(restricted=True)
    assert run_due(timezone.now() + SOON * 2) == {"blocked": 1}
    assert "restricted list" in post.deliveries.get().message
    assert not GroupPost.objects.exists()


def test_a_photo_retagged_after_agreement_is_blocked_until_agreed_again(
    agreed_post: Any, admin: Any, fake_graph: Any
) -> None:
    from gatehouse.consent.photos import do_tag_faces

    post = agreed_post(channels=[Channel.PARENTS_GROUP], publish_at=timezone.now() + SOON)
    face = post.photos.photos.get().faces.order_by("x").last()
    do_tag_faces(face.photo, actor=admin, tags={face.pk: "adult"})
    assert run_due(timezone.now() + SOON * 2) == {"blocked": 1}
    assert "changed after leadership agreed" in post.deliveries.get().message


def test_the_pages_work_for_poster_and_leader(
    school: Any, admin: Any, leader: Any, login_client: Any
) -> None:
    poster = login_client(admin)
    url = reverse("staff:publishing_new", kwargs={"slug": school.slug})
    bad = poster.post(url, {"body": "Hello", "channels": ["parents_group"],
                            "publish_at": "2020-01-01T10:00", "send": "1"})
    assert bad.status_code == 400 and "already passed" in bad.content.decode()
    assert "Hello" in bad.content.decode()  # nothing typed is lost
    done = poster.post(url, {"body": "Sports day moved", "channels": ["parents_group"],
                             "send": "1"})
    post = Post.objects.get()
    assert done.status_code == 302 and post.state == Post.State.SUBMITTED
    page = login_client(leader).get(reverse("staff:publishing_post",
                                            kwargs={"slug": school.slug, "pk": post.pk}))
    assert b"Agree" in page.content and b"Ask for changes" in page.content


def test_a_time_that_does_not_exist_when_the_clocks_go_forward_is_refused(
    school: Any, admin: Any, login_client: Any
) -> None:
    from gatehouse.publishing.forms import PostForm

    gap = PostForm({"body": "x", "channels": ["parents_group"],
                    "publish_at": "2027-03-28T01:30"})
    assert not gap.is_valid() and "publish_at" in gap.errors
    summer = PostForm({"body": "x", "channels": ["parents_group"],
                       "publish_at": "2027-03-28T10:00"})
    assert summer.is_valid()
    assert summer.cleaned_data["publish_at"].astimezone(dt.UTC).hour == 9  # BST is UTC+1
    winter = PostForm({"body": "x", "channels": ["parents_group"],
                       "publish_at": "2027-11-01T10:00"})
    assert winter.is_valid() and winter.cleaned_data["publish_at"].astimezone(dt.UTC).hour == 10


def test_the_calendar_lists_scheduled_and_published_posts(
    school: Any, admin: Any, leader: Any, login_client: Any
) -> None:
    when = timezone.now() + dt.timedelta(days=1)
    post = actions.do_submit(_text_post(school, admin, publish_at=when), actor=admin)
    actions.do_agree(post, actor=leader, fingerprint=post.fingerprint())
    client = login_client(leader)
    url = reverse("staff:publishing_calendar", kwargs={"slug": school.slug})
    start = timezone.localdate(when).isoformat()
    for view in ("week", "month"):
        page = client.get(url, {"view": view, "start": start}).content.decode()
        assert "Non-uniform day" in page and "Scheduled" in page
    other = client.get(url, {"start": start, "channel": "instagram"}).content.decode()
    assert "Non-uniform day" not in other
    assert client.get(url, {"start": "not-a-date", "view": "year"}).status_code == 200
