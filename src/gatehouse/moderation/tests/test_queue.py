from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.urls import reverse

from gatehouse.audit.models import AuditEntry
from gatehouse.community.models import Comment
from gatehouse.evidence.models import CustodyEvent, EvidenceItem, owner_key
from gatehouse.moderation.models import CommentReport, QueueItem
from gatehouse.moderation.tests.conftest import ORDINARY, THREAT


@pytest.fixture
def held(school: Any, make_parent: Any, comment_as: Any) -> QueueItem:
    return QueueItem.objects.get(comment=comment_as(make_parent(school), THREAT))


def _decide(client: Any, school: Any, item: QueueItem, decision: str, **kw: Any) -> Any:
    url = reverse("staff:moderation_decide",
                  kwargs={"slug": school.slug, "pk": item.pk, "decision": decision})
    return client.post(url, **kw)


def test_the_queue_shows_scores_triggers_and_history(
    school: Any, staff: dict[str, Any], held: QueueItem, login_client: Any
) -> None:
    page = login_client(staff["moderator"]).get(
        reverse("staff:moderation_queue", kwargs={"slug": school.slug})).content.decode()
    assert "batter Mr Hollis" in page
    assert "Threat of violence" in page and "over threshold" in page
    assert "Author&#x27;s record here" in page or "Author's record here" in page


def test_the_queue_is_ordered_by_severity_then_age(
    school: Any, staff: dict[str, Any], make_parent: Any, comment_as: Any, login_client: Any
) -> None:
    parent = make_parent(school)
    mild = comment_as(parent, "I want to complain, the school office never answers the phone")
    worst = comment_as(parent, THREAT)
    page = login_client(staff["moderator"]).get(
        reverse("staff:moderation_queue", kwargs={"slug": school.slug})).content.decode()
    assert page.index(f'id="item-{worst.queue_item.pk}"') < page.index(
        f'id="item-{mild.queue_item.pk}"')


def test_approving_publishes_and_is_audited(
    school: Any, staff: dict[str, Any], held: QueueItem, login_client: Any
) -> None:
    response = _decide(login_client(staff["moderator"]), school, held, "approve",
                       headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Approved" in response.content.decode()
    held.refresh_from_db()
    assert held.comment.status == Comment.Status.VISIBLE
    assert held.decided_by == staff["moderator"]
    assert AuditEntry.objects.filter(action="moderation.comment.approved").exists()


def test_hiding_keeps_the_original_with_its_hash_and_custody(
    school: Any, staff: dict[str, Any], held: QueueItem, login_client: Any
) -> None:
    _decide(login_client(staff["moderator"]), school, held, "hide")
    held.refresh_from_db()
    assert held.comment.status == Comment.Status.HIDDEN
    assert Comment.objects.filter(pk=held.comment.pk).exists()  # never deleted
    evidence = EvidenceItem.objects.get(owner=owner_key(held.comment))  # the one store
    assert evidence.text == THREAT and evidence.is_intact()
    assert evidence.sha256 == hashlib.sha256(THREAT.encode()).hexdigest()
    entry = AuditEntry.objects.get(action="moderation.comment.hidden")
    assert entry.details["sha256"] == evidence.sha256
    client = login_client(staff["head"])
    page = client.get(reverse("staff:moderation_evidence",
                              kwargs={"slug": school.slug, "pk": evidence.pk})).content.decode()
    assert "matches the original" in page and "Hollis" in page
    assert list(CustodyEvent.objects.filter(item=evidence).values_list("action", "actor")
                ) == [("created", staff["moderator"].pk), ("viewed", staff["head"].pk)]
    queue = login_client(staff["moderator"]).get(
        reverse("staff:moderation_queue", kwargs={"slug": school.slug}), {"status": "hidden"})
    assert reverse("staff:moderation_evidence",
                   kwargs={"slug": school.slug, "pk": evidence.pk}) in queue.content.decode()


@pytest.mark.parametrize("role", ["moderator", "admin", "head"])
def test_the_roles_that_decide_or_escalate_see_hidden_originals(
    school: Any, staff: dict[str, Any], held: QueueItem, login_client: Any, role: str
) -> None:
    _decide(login_client(staff["moderator"]), school, held, "hide")
    url = reverse("staff:moderation_evidence",
                  kwargs={"slug": school.slug, "pk": EvidenceItem.objects.get().pk})
    assert login_client(staff[role]).get(url).status_code == 200


def test_other_roles_do_not_see_hidden_originals(
    school: Any, staff: dict[str, Any], held: QueueItem, login_client: Any
) -> None:
    _decide(login_client(staff["moderator"]), school, held, "hide")
    url = reverse("staff:moderation_evidence",
                  kwargs={"slug": school.slug, "pk": EvidenceItem.objects.get().pk})
    assert login_client(staff["dsl"]).get(url).status_code == 403
    assert list(EvidenceItem.objects.get().custody.values_list("action", flat=True)
                ) == ["created"]


def test_the_evidence_page_shows_only_hidden_originals(
    school: Any, staff: dict[str, Any], login_client: Any
) -> None:
    """Cases' and incidents' evidence share the store but not this page (invariant 7)."""
    from gatehouse.evidence.store import do_keep_text

    report = do_keep_text(school, owner="incidents.incident:1", title="Harassment",
                          text="about a member of staff", actor=staff["head"])
    url = reverse("staff:moderation_evidence", kwargs={"slug": school.slug, "pk": report.pk})
    assert login_client(staff["moderator"]).get(url).status_code == 404
    assert list(report.custody.values_list("action", flat=True)) == ["created"]


def test_escalating_hides_and_emails_the_head_teacher(
    school: Any, staff: dict[str, Any], held: QueueItem, login_client: Any,
    smtp_server: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _decide(login_client(staff["moderator"]), school, held, "escalate",
                data={"note": "Third threat this term"})
    held.refresh_from_db()
    assert held.status == QueueItem.Status.ESCALATED
    message = smtp_server.wait_for("head@s.example")
    assert "Third threat this term" in smtp_server.body_of(message)


def test_a_decision_cannot_be_made_twice(
    school: Any, staff: dict[str, Any], held: QueueItem, login_client: Any
) -> None:
    client = login_client(staff["moderator"])
    _decide(client, school, held, "hide")
    response = _decide(client, school, held, "approve", headers={"HX-Request": "true"})
    assert "already hidden" in response.content.decode()
    held.refresh_from_db()
    assert held.comment.status == Comment.Status.HIDDEN


def test_head_teacher_sees_the_queue_but_cannot_decide(
    school: Any, staff: dict[str, Any], held: QueueItem, login_client: Any
) -> None:
    client = login_client(staff["head"])
    page = client.get(reverse("staff:moderation_queue", kwargs={"slug": school.slug}))
    assert page.status_code == 200 and 'data-key="a"' not in page.content.decode()
    assert _decide(client, school, held, "approve").status_code == 403


def test_bulk_actions(school: Any, staff: dict[str, Any], make_parent: Any,
                      comment_as: Any, login_client: Any) -> None:
    parent = make_parent(school)
    items = [comment_as(parent, THREAT).queue_item for _ in range(3)]
    login_client(staff["moderator"]).post(
        reverse("staff:moderation_bulk", kwargs={"slug": school.slug}),
        {"decision": "hide", "items": [i.pk for i in items[:2]]})
    statuses = [QueueItem.objects.get(pk=i.pk).status for i in items]
    assert statuses == ["hidden", "hidden", "open"]
    assert EvidenceItem.objects.filter(owner__startswith="community.comment:").count() == 2


def test_a_member_reports_a_visible_comment_once(
    school: Any, staff: dict[str, Any], make_parent: Any, comment_as: Any, login_client: Any
) -> None:
    comment = comment_as(make_parent(school), ORDINARY)
    reporter = login_client(make_parent(school).user)
    url = reverse("report_comment", kwargs={"slug": school.slug, "comment_id": comment.pk})
    assert reporter.get(url).status_code == 200
    bad = reporter.post(url, {"category": "not-a-category"})
    assert bad.status_code == 400
    reporter.post(url, {"category": "negative_comment_about_person", "reason": "unkind"})
    again = reporter.post(url, {"category": "negative_comment_about_person"}, follow=True)
    assert "already reported" in again.content.decode()
    assert CommentReport.objects.count() == 1
    item = QueueItem.objects.get(comment=comment)
    assert item.source == "report" and item.status == "open"
    assert comment.status == Comment.Status.VISIBLE


def test_a_parent_record_collects_decisions(
    school: Any, staff: dict[str, Any], held: QueueItem, login_client: Any
) -> None:
    client = login_client(staff["moderator"])
    _decide(client, school, held, "hide")
    page = client.get(reverse("staff:moderation_person", kwargs={
        "slug": school.slug, "user_id": held.comment.author_id})).content.decode()
    assert "Hidden" in page and "batter" in page
    original = EvidenceItem.objects.get(owner=owner_key(held.comment))
    assert reverse("staff:moderation_evidence",
                   kwargs={"slug": school.slug, "pk": original.pk}) in page
