"""The queue's "escalate" opens or extends the author's case, with the first rung recorded."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gatehouse.audit.models import AuditEntry
from gatehouse.cases.models import Case, Step
from gatehouse.cases.tests.conftest import THREAT
from gatehouse.community.models import Comment
from gatehouse.moderation.models import QueueItem


def test_escalating_a_held_threat_opens_a_case_with_the_comment(
    school: Any, staff: dict[str, Any], case: Case, held: QueueItem
) -> None:
    assert case.subject_name == "Jordan Lee" and case.subject_email == "jordan@parents.example"
    assert [link.comment.body for link in case.comments.all()] == [THREAT]
    held.refresh_from_db()
    assert held.status == QueueItem.Status.ESCALATED
    assert held.comment.status == Comment.Status.HIDDEN
    step = case.steps.get()
    assert step.kind == Step.Kind.HIDDEN_REPORTED and step.recorded_by == staff["moderator"]
    assert "threat_of_violence" in case.categories and case.police_suggested
    assert AuditEntry.objects.filter(action="cases.case.opened", object_id=str(case.pk)).exists()
    assert AuditEntry.objects.filter(action="cases.step.recorded").exists()


def test_escalating_another_comment_extends_the_same_case(
    school: Any, staff: dict[str, Any], case: Case, parent: Any, login_client: Any
) -> None:
    from gatehouse.community.actions import do_add_comment

    post = case.comments.get().comment.post
    second = do_add_comment(post, author=parent.user, membership=parent,
                            body="I know where Mr Hollis parks and I'll smash his car up")
    item = QueueItem.objects.get(comment=second)
    response = login_client(staff["moderator"]).post(
        reverse("staff:moderation_decide", kwargs={"slug": school.slug, "pk": item.pk,
                                                   "decision": "escalate"}), follow=True)
    assert f"added to case {case.reference}" in response.content.decode()
    assert Case.objects.filter(member=parent).count() == 1
    assert case.comments.count() == 2 and case.steps.count() == 2


def test_the_case_page_shows_the_timeline_and_suggests_the_police(
    school: Any, staff: dict[str, Any], case: Case, login_client: Any
) -> None:
    page = login_client(staff["head"]).get(
        reverse("staff:case_detail", kwargs={"slug": school.slug, "pk": case.pk})).content.decode()
    assert "Hidden and reported to the platform" in page
    assert "batter Mr Hollis" in page
    assert "Consider contacting the police" in page
