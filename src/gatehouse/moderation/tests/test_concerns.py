"""Judgement in the Django pipeline: identity and counter-speech published, veiled threats
alert with their reason in the queue, and a child-safety report goes to the DSL as a concern
with a kind reply to the parent and no mark on the parent's record (design invariant 10)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from gatehouse.accounts.models import Role, StaffRole
from gatehouse.audit.models import AuditEntry
from gatehouse.community.models import Comment
from gatehouse.lib import cache as versions
from gatehouse.moderation.models import QueueItem

CONCERN = "Someone called my daughter a horrible name at lunch and she came home crying"
VEILED = "you'll regret this, I know where you park"


def _url(name: str, school: Any, **kw: Any) -> str:
    return reverse(f"staff:{name}", kwargs={"slug": school.slug, **kw})


@pytest.mark.parametrize("text", [
    "Eid Mubarak to everyone celebrating this week!",
    "My son came out as gay and the school has been wonderful",
    "Can Jewish pupils leave early on Friday for Shabbat?",
])
def test_a_neutral_identity_comment_is_published_with_no_alert(
    text: str, school: Any, staff: dict[str, Any], make_parent: Any, comment_as: Any,
    django_capture_on_commit_callbacks: Any, mailoutbox: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        comment = comment_as(make_parent(school), text)
    assert comment.status == Comment.Status.VISIBLE
    assert comment.score.decision == "publish"
    assert not QueueItem.objects.exists()
    # (the feed's and the author's cache version bumps are the only things left for the commit)
    assert [c for c in callbacks if c.__module__ != versions.__name__] == []
    assert mailoutbox == []
    assert not AuditEntry.objects.filter(action="moderation.alert.sent").exists()


def test_counter_speech_is_published(school: Any, make_parent: Any, comment_as: Any) -> None:
    comment = comment_as(make_parent(school), "Racism has no place at our school, "
                                              "we stand with our Muslim families")
    assert comment.status == Comment.Status.VISIBLE


def test_a_veiled_threat_is_held_alerts_and_the_queue_says_why(
    school: Any, staff: dict[str, Any], make_parent: Any, comment_as: Any, login_client: Any,
    smtp_server: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_as(make_parent(school), VEILED)
    assert comment.status == Comment.Status.HELD
    assert comment.score.decision == "alert"
    alert = smtp_server.wait_for("head@s.example")
    assert "dsl@s.example" in alert["To"]
    page = login_client(staff["moderator"]).get(_url("moderation_queue", school)).content
    assert "possible threat: veiled menace" in page.decode()


@pytest.fixture
def concern(school: Any, staff: dict[str, Any], make_parent: Any, comment_as: Any,
            smtp_server: Any, django_capture_on_commit_callbacks: Any) -> QueueItem:
    parent = make_parent(school, email="worried@parent.example", name="Sam Worried")
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_as(parent, CONCERN)
    reply = smtp_server.wait_for("worried@parent.example")
    smtp_server.wait_for("dsl@s.example")
    assert "Designated Safeguarding Lead" in smtp_server.body_of(reply)
    return QueueItem.objects.get(comment=comment)


def test_a_child_safety_report_goes_to_the_dsl_with_a_kind_reply(
    school: Any, staff: dict[str, Any], concern: QueueItem, smtp_server: Any,
    make_parent: Any, login_client: Any,
) -> None:
    comment = concern.comment
    assert comment.status == Comment.Status.HELD
    assert comment.score.decision == "concern"
    assert concern.kind == QueueItem.Kind.CONCERN and concern.categories == []
    reply = smtp_server.body_of(smtp_server.wait_for("worried@parent.example"))
    assert school.phone in reply and school.staff_email in reply
    assert staff["dsl"].full_name in reply
    dsl_mail = smtp_server.wait_for("dsl@s.example")
    assert "Safeguarding concern" in dsl_mail["Subject"]
    assert "horrible name" not in smtp_server.body_of(dsl_mail), "no child details by email"
    assert not any("head@s.example" in m.get("To", "") for m in smtp_server.messages)
    feed = reverse("feed", kwargs={"slug": school.slug})
    assert "horrible name" not in login_client(make_parent(school).user).get(feed).content.decode()
    assert AuditEntry.objects.filter(action="moderation.concern.raised").exists()
    assert not AuditEntry.objects.filter(action="moderation.comment.held").exists()


def test_a_concern_is_apart_from_the_queue_and_not_on_the_parents_record(
    school: Any, staff: dict[str, Any], concern: QueueItem, login_client: Any,
) -> None:
    moderator = login_client(staff["moderator"])
    assert "horrible name" not in moderator.get(_url("moderation_queue", school)).content.decode()
    record = moderator.get(_url("moderation_person", school,
                                user_id=concern.comment.author_id)).content.decode()
    assert "horrible name" not in record and "No comments have been held" in record
    assert moderator.get(_url("moderation_concerns", school)).status_code == 403
    approve = _url("moderation_decide", school, pk=concern.pk, decision="approve")
    assert moderator.post(approve).status_code == 404
    page = login_client(staff["dsl"]).get(_url("moderation_concerns", school)).content.decode()
    assert "horrible name" in page and "safeguarding concern" in page
    head_page = login_client(staff["head"]).get(_url("moderation_queue", school)).content
    assert "1 waiting for the DSL" in head_page.decode()


def test_the_dsl_records_a_concern_as_taken_up_with_a_note(
    school: Any, staff: dict[str, Any], concern: QueueItem, login_client: Any,
) -> None:
    dsl = login_client(staff["dsl"])
    url = _url("moderation_concern_handled", school, pk=concern.pk)
    response = dsl.post(url, {"note": "  "}, follow=True)
    assert "Say briefly what was done" in response.content.decode()
    concern.refresh_from_db()
    assert concern.status == QueueItem.Status.OPEN
    dsl.post(url, {"note": "Rang Sam, logged on CPOMS"})
    concern.refresh_from_db()
    assert concern.status == QueueItem.Status.HANDLED and concern.decided_by == staff["dsl"]
    assert concern.comment.status == Comment.Status.HELD, "a concern is never published"
    assert login_client(staff["head"]).post(url, {"note": "x"}).status_code == 403
    page = dsl.get(_url("moderation_concerns", school) + "?status=handled").content.decode()
    assert "Rang Sam, logged on CPOMS" in page


def test_score_comments_reports_a_concern(school: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"text": CONCERN}) + "\n"))
    out = io.StringIO()
    call_command("score_comments", "--school", school.slug, stdout=out)
    row = json.loads(out.getvalue())
    assert row["decision"] == "concern"
    assert set(row) == {"text", "scores", "roster_matches", "watched_hits", "flagged",
                        "decision", "jigsaw"}
    assert set(row["jigsaw"]) == {"toxic", "severe_toxic", "obscene", "threat", "insult",
                                  "identity_hate"}


def test_score_comments_gives_the_jigsaw_heads_for_comparison(school: Any,
                                                               monkeypatch: Any) -> None:
    lines = [json.dumps({"text": t}) for t in ("Thank you for a lovely sports day",
                                               "you stupid fucking idiot, I will kill you")]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    out = io.StringIO()
    call_command("score_comments", "--school", school.slug, stdout=out)
    kind, nasty = (json.loads(line)["jigsaw"] for line in out.getvalue().splitlines())
    for label in ("toxic", "obscene", "threat", "insult"):
        assert nasty[label] > kind[label] + 0.3, label


def test_without_a_dsl_the_head_teacher_is_told_of_a_concern(
    school: Any, staff: dict[str, Any], make_parent: Any, comment_as: Any, smtp_server: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    StaffRole.objects.filter(school=school, role=Role.DSL).delete()
    with django_capture_on_commit_callbacks(execute=True):
        comment_as(make_parent(school, email="p@parent.example"), CONCERN)
    assert "Safeguarding concern" in smtp_server.wait_for("head@s.example")["Subject"]
    reply = smtp_server.body_of(smtp_server.wait_for("p@parent.example"))
    assert "Designated Safeguarding Lead, who looks after" in reply


def test_the_parent_is_told_their_concern_went_privately_to_the_safeguarding_lead(
    school: Any, staff: dict[str, Any], post: Any, make_parent: Any, login_client: Any,
    django_capture_on_commit_callbacks: Any, mailoutbox: Any,
) -> None:
    parent = login_client(make_parent(school).user)
    url = reverse("add_comment", kwargs={"slug": school.slug, "post_id": post.pk})
    with django_capture_on_commit_callbacks(execute=True):
        answer = parent.post(url, {"body": CONCERN}, headers={"HX-Request": "true"})
    page = answer.content.decode()
    assert "passed privately to the school&#x27;s designated safeguarding lead" in page
    assert "awaiting review by a moderator" not in page
    feed = parent.get(reverse("feed", kwargs={"slug": school.slug})).content.decode()
    assert "Passed privately to the safeguarding lead — only you can see this" in feed
    assert "Awaiting review" not in feed
