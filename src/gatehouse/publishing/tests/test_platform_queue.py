"""Held Page and Instagram comments in the one moderation queue: the queue's own decisions,
bulk actions, escalation and reports apply to them, through the API on the fake Graph."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from gatehouse.accounts.models import Role
from gatehouse.cases.models import Case
from gatehouse.evidence.models import CustodyEvent, EvidenceItem, owner_key
from gatehouse.moderation.models import QueueItem
from gatehouse.publishing.comments import screen
from gatehouse.publishing.fake_graph import FakeGraph
from gatehouse.publishing.models import PlatformComment

THREAT = "You'll regret this, Mrs Patel. I know where you park."
CONCERN = "Someone called my daughter a horrible name at lunch and she came home crying"

pytestmark = pytest.mark.django_db


def _held(school: Any, fake_graph: FakeGraph, platform: str = "facebook",
          text: str = THREAT) -> QueueItem:
    event = (fake_graph.page_comment_event(text) if platform == "facebook"
             else fake_graph.instagram_comment_event(text))
    value = event["entry"][0]["changes"][0]["value"]
    found = PlatformComment.objects.create(
        school=school, platform=platform, comment_id=value.get("comment_id") or value["id"],
        author_name="A Parent", text=text)
    assert screen(found.pk).status == PlatformComment.Status.OPEN
    return QueueItem.objects.select_related("platform_comment").get(platform_comment=found)


def _decide(client: Any, school: Any, item: QueueItem, decision: str, **data: str) -> Any:
    return client.post(reverse("staff:moderation_decide", kwargs={
        "slug": school.slug, "pk": item.pk, "decision": decision}), data, follow=True)


def test_a_queue_item_is_for_exactly_one_comment(school: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        QueueItem.objects.create(school=school, source=QueueItem.Source.AUTOMATIC)


def test_bulk_approve_unhides_on_the_platform(
    school: Any, connected: Any, fake_graph: FakeGraph, make_user: Any, login_client: Any
) -> None:
    facebook, instagram = _held(school, fake_graph), _held(school, fake_graph, "instagram")
    client = login_client(make_user(school=school, roles=(Role.MODERATOR,)))
    page = client.get(reverse("staff:moderation_queue", kwargs={"slug": school.slug}))
    assert "Facebook Page" in page.content.decode() and "Instagram" in page.content.decode()
    client.post(reverse("staff:moderation_bulk", kwargs={"slug": school.slug}),
                {"decision": "approve", "items": [facebook.pk, instagram.pk]})
    objects = fake_graph.state.objects
    assert objects[facebook.platform_comment.comment_id]["is_hidden"] is False
    assert objects[instagram.platform_comment.comment_id]["hidden"] is False
    assert set(QueueItem.objects.values_list("status", flat=True)) == {"approved"}


def test_approving_when_the_platform_refuses_changes_nothing(
    school: Any, connected: Any, fake_graph: FakeGraph, make_user: Any, login_client: Any
) -> None:
    item = _held(school, fake_graph)
    fake_graph.state.tokens["demo-page-token"] = "revoked"
    client = login_client(make_user(school=school, roles=(Role.MODERATOR,)))
    page = _decide(client, school, item, "approve").content.decode()
    assert "Not approved" in page and "connect the account again" in page
    item.refresh_from_db()
    assert item.status == QueueItem.Status.OPEN
    assert fake_graph.state.objects[item.platform_comment.comment_id]["is_hidden"] is True


def test_escalating_keeps_it_hidden_as_evidence_tells_the_head_and_opens_no_case(
    school: Any, connected: Any, fake_graph: FakeGraph, make_user: Any, login_client: Any,
    mailoutbox: Any, background: Any
) -> None:
    item = _held(school, fake_graph)
    make_user(school=school, roles=(Role.HEAD_TEACHER,), email="head@school.example")
    client = login_client(make_user(school=school, roles=(Role.MODERATOR,)))
    with background():
        page = _decide(client, school, item, "escalate", note="Threat to staff").content
    assert "not a member of the group" in page.decode()
    assert fake_graph.state.objects[item.platform_comment.comment_id]["is_hidden"] is True
    evidence = EvidenceItem.objects.get()  # one copy, in the one evidence store
    assert evidence.owner == owner_key(item.platform_comment)
    assert evidence.text == THREAT and evidence.is_intact()
    assert not Case.objects.exists()
    assert "Facebook Page" in mailoutbox[-1].subject + mailoutbox[-1].body
    shown = client.get(reverse("staff:moderation_evidence", kwargs={
        "slug": school.slug, "pk": evidence.pk})).content.decode()
    assert "A Parent on the school" in shown and "Facebook Page" in shown
    assert list(evidence.custody.values_list("action", flat=True)) == [
        CustodyEvent.Action.CREATED, CustodyEvent.Action.VIEWED]
    queue = client.get(reverse("staff:moderation_queue", kwargs={"slug": school.slug}),
                       {"status": "escalated"}).content.decode()
    assert reverse("staff:moderation_evidence", kwargs={
        "slug": school.slug, "pk": evidence.pk}) in queue


@pytest.mark.parametrize(("role", "status"), [
    (Role.MODERATOR, 200), (Role.ADMINISTRATOR, 200), (Role.HEAD_TEACHER, 200), (Role.DSL, 403)])
def test_a_hidden_platform_comment_s_original_follows_the_hidden_originals_roles(
    school: Any, connected: Any, fake_graph: FakeGraph, make_user: Any, login_client: Any,
    role: str, status: int
) -> None:
    item = _held(school, fake_graph, "instagram")
    _decide(login_client(make_user(school=school, roles=(Role.MODERATOR,))), school, item, "hide")
    evidence = EvidenceItem.objects.get(owner=owner_key(item.platform_comment))
    url = reverse("staff:moderation_evidence", kwargs={"slug": school.slug, "pk": evidence.pk})
    page = login_client(make_user(school=school, roles=(role,))).get(url)
    assert page.status_code == status
    seen = ["created", "viewed"] if status == 200 else ["created"]
    assert list(evidence.custody.values_list("action", flat=True)) == seen


def test_report_to_the_platform_is_filled_in_from_the_queue(
    school: Any, connected: Any, fake_graph: FakeGraph, make_user: Any, login_client: Any
) -> None:
    item = _held(school, fake_graph, "instagram")
    client = login_client(make_user(school=school, roles=(Role.MODERATOR,)))
    url = reverse("staff:platform_reports", kwargs={"slug": school.slug})
    page = client.get(url, {"item": item.pk}).content.decode()
    assert 'value="Instagram"' in page and item.platform_comment.comment_id in page
    for junk in ("x", "99999999999999999999", "-1"):
        assert client.get(url, {"item": junk}).status_code == 200


def test_a_safeguarding_concern_on_the_page_goes_to_the_dsl_not_the_queue(
    school: Any, connected: Any, fake_graph: FakeGraph, make_user: Any, login_client: Any,
    mailoutbox: Any, background: Any
) -> None:
    dsl = make_user(school=school, roles=(Role.DSL,), email="dsl@school.example")
    make_user(school=school, roles=(Role.HEAD_TEACHER,), email="head@school.example")
    with background():
        item = _held(school, fake_graph, text=CONCERN)
    found = item.platform_comment
    assert found.decision == "concern" and item.kind == QueueItem.Kind.CONCERN
    assert item.categories == [] and fake_graph.state.objects[found.comment_id]["is_hidden"]
    [mail] = mailoutbox
    assert mail.to == ["dsl@school.example"] and "Facebook Page" in mail.subject
    assert "horrible name" not in mail.body and "nobody has replied" in mail.body
    moderator = login_client(make_user(school=school, roles=(Role.MODERATOR,)))
    queue = reverse("staff:moderation_queue", kwargs={"slug": school.slug})
    assert "horrible name" not in moderator.get(queue).content.decode()
    assert _decide(moderator, school, item, "approve").status_code == 404
    client = login_client(dsl)
    concerns = reverse("staff:moderation_concerns", kwargs={"slug": school.slug})
    page = client.get(concerns).content.decode()
    assert "horrible name" in page and "Facebook Page" in page
    client.post(reverse("staff:moderation_concern_handled", kwargs={
        "slug": school.slug, "pk": item.pk}), {"note": "Rang the family"})
    item.refresh_from_db()
    found.refresh_from_db()
    assert item.status == QueueItem.Status.HANDLED
    assert found.status == PlatformComment.Status.HIDDEN
    assert fake_graph.state.objects[found.comment_id]["is_hidden"] is True, "never shown"
