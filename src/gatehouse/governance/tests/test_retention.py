"""Retention: defaults and a school's own periods, a run that is interrupted and finished,
legal hold, evidence files removed, and the audit chain still verifying."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gatehouse.accounts.models import JoinRequest
from gatehouse.audit.log import find_first_broken
from gatehouse.audit.models import AuditEntry
from gatehouse.cases.models import Case, CaseComment
from gatehouse.community.models import Comment, Post
from gatehouse.evidence.models import CustodyEvent, EvidenceItem
from gatehouse.governance.models import RetentionRun
from gatehouse.governance.retention import BATCH, due_counts, months_for, run_retention
from gatehouse.incidents.models import Incident
from gatehouse.moderation.originals import do_keep_original
from gatehouse.schools.models import SchoolDocument

OLD = timezone.now() - dt.timedelta(days=365 * 3)


def _url(school: Any, name: str) -> str:
    return reverse(f"staff:{name}", kwargs={"slug": school.slug})


def _old_comments(school: Any, author: Any, count: int) -> list[int]:
    post = Post.objects.create(school=school, author=author, body="News")
    Comment.objects.bulk_create(Comment(post=post, author=author, body=f"c{n}")
                                for n in range(count))
    ids = list(Comment.objects.filter(post=post).values_list("pk", flat=True))
    Comment.objects.filter(pk__in=ids).update(created_at=OLD)
    return ids


def test_defaults_apply_until_a_school_sets_its_own(school: Any, staff: dict[str, Any],
                                                     login_client: Any) -> None:
    assert months_for(school)["comments"] == 24
    client = login_client(staff["admin"])
    response = client.post(_url(school, "governance_retention"),
                           {"record_type": "comments", "months": "0"})
    assert response.status_code == 400
    client.post(_url(school, "governance_retention"), {"record_type": "comments", "months": "48"})
    assert months_for(school)["comments"] == 48
    assert login_client(staff["governor"]).get(_url(school, "governance_retention")
                                               ).status_code == 403


def test_an_interrupted_run_is_finished_by_the_next_and_nothing_is_lost_or_kept(
    school: Any, staff: dict[str, Any], make_parent: Any,
) -> None:
    parent = make_parent(school)
    old = _old_comments(school, parent.user, BATCH + 20)
    recent = Comment.objects.create(post=Post.objects.first(), author=parent.user, body="new")
    in_case = Comment.objects.get(pk=old[0])
    case = Case.objects.create(school=school, subject_name="P", opened_by=staff["head"],
                               began_on=dt.date(2023, 1, 1))
    CaseComment.objects.create(case=case, comment=in_case, added_by=staff["head"])
    hidden = Comment.objects.get(pk=old[1])
    do_keep_original(hidden, school=school, actor=staff["moderator"])
    assert due_counts(school)["comments"] == BATCH + 18
    first = run_retention(school, max_batches=1)  # interrupted after one batch
    assert first.finished_at is None and first.counts == {"comments": BATCH}
    assert Comment.objects.count() == 20 + 1
    second = run_retention(school)
    assert second.finished_at is not None and second.counts == {"comments": 18}
    assert set(Comment.objects.values_list("pk", flat=True)) == {in_case.pk, hidden.pk,
                                                                 recent.pk}
    deleted = AuditEntry.objects.filter(action="governance.retention.deleted")
    assert sum(e.details["count"] for e in deleted) == BATCH + 18
    assert "c5" not in str(list(deleted.values_list("details", flat=True)))
    assert find_first_broken(AuditEntry.objects.order_by("seq").iterator()) == (None, "")
    assert run_retention(school).counts == {}


def test_incidents_on_legal_hold_are_kept_and_others_lose_their_evidence_files(
    school: Any, staff: dict[str, Any], login_client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    import os

    from gatehouse.incidents.tests.conftest import png

    client = login_client(staff["teacher"])
    for platform in ("Facebook", "TikTok"):
        client.post(reverse("staff:incident_report", kwargs={"slug": school.slug}), {
            "about": staff["teacher"].pk, "what_happened": "x", "platform": platform,
            "seen_at": "2023-01-01T10:00", "files": [SimpleUploadedFile("a.png", png())]})
    Incident.objects.update(status="closed", closed_at=timezone.now() - dt.timedelta(days=2600))
    Incident.objects.filter(platform="TikTok").update(legal_hold=True)
    files = [item.file.path for item in EvidenceItem.objects.all()]
    with django_capture_on_commit_callbacks(execute=True):  # files go once the rows have
        run = run_retention(school)
    assert run.counts == {"incidents": 1}
    assert list(Incident.objects.values_list("platform", flat=True)) == ["TikTok"]
    assert EvidenceItem.objects.count() == CustodyEvent.objects.count() == 1
    assert sum(os.path.exists(path) for path in files) == 1


def test_join_requests_and_closed_cases_past_retention_go(
    school: Any, staff: dict[str, Any],
) -> None:
    docs = {d.kind: d for d in SchoolDocument.objects.filter(school=school)}
    for status in ("declined", "pending"):
        JoinRequest.objects.create(
            school=school, full_name="R", email=f"{status}@x.example",
            date_of_birth=dt.date(1980, 1, 1), child_name="C", child_year="Year 1",
            security_answer="s", answer_matches=True, rules_version=docs["rules"],
            hsa_version=docs["hsa"], status=status,
            decided_at=OLD if status == "declined" else None)
    closed = Case.objects.create(school=school, subject_name="Old", opened_by=staff["head"],
                                 began_on=dt.date(2015, 1, 1), status="closed",
                                 closed_at=timezone.now() - dt.timedelta(days=2600))
    Case.objects.create(school=school, subject_name="Open", opened_by=staff["head"],
                        began_on=dt.date(2015, 1, 1))
    run = run_retention(school)
    assert run.counts == {"join_requests": 1, "cases": 1}
    assert list(JoinRequest.objects.values_list("status", flat=True)) == ["pending"]
    assert not Case.objects.filter(pk=closed.pk).exists() and Case.objects.count() == 1


def test_the_button_and_the_daily_command_run_it(
    school: Any, staff: dict[str, Any], login_client: Any, make_parent: Any, capsys: Any,
) -> None:
    _old_comments(school, make_parent(school).user, 3)
    response = login_client(staff["admin"]).post(_url(school, "governance_retention_run"))
    assert response.status_code == 302 and not Comment.objects.exists()
    assert RetentionRun.objects.get().started_by == staff["admin"]
    call_command("run_governance_daily")
    assert "0 record(s) past retention removed, 0 audit row(s)" in capsys.readouterr().out


def test_photo_posts_never_published_go_with_their_files(
    school: Any, staff: dict[str, Any], django_capture_on_commit_callbacks: Any,
) -> None:
    import os

    from django.core.files.base import ContentFile

    from gatehouse.consent.models import Photo, PhotoDraft

    paths = []
    for body, published in (("Old draft", None), ("Published", OLD)):
        draft = PhotoDraft.objects.create(school=school, author=staff["admin"], body=body,
                                          published_at=published)
        photo = Photo(draft=draft, width=1, height=1, sha256="0" * 64, detector_version="t",
                      uploaded_by=staff["admin"])
        photo.original.save("o.jpg", ContentFile(b"original"), save=False)
        photo.preview.save("p.jpg", ContentFile(b"preview"), save=False)
        photo.save()
        paths.append(photo.original.path)
    PhotoDraft.objects.update(created_at=OLD)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_retention(school).counts == {"photos": 1}
    assert list(PhotoDraft.objects.values_list("body", flat=True)) == ["Published"]
    assert [os.path.exists(p) for p in paths] == [False, True]


def test_photo_drafts_carried_by_publishing_posts(school: Any, staff: dict[str, Any]) -> None:
    """An abandoned publishing draft goes with its photos; an agreed post keeps them (it may
    be scheduled, or out on another channel)."""
    from gatehouse.consent.models import PhotoDraft
    from gatehouse.publishing.models import Post as PublishingPost

    for body, state in (("Abandoned", PublishingPost.State.DRAFT),
                        ("Agreed", PublishingPost.State.AGREED)):
        draft = PhotoDraft.objects.create(school=school, author=staff["admin"], body=body)
        PublishingPost.objects.create(school=school, author=staff["admin"], body=body,
                                      photos=draft, state=state)
    PhotoDraft.objects.update(created_at=OLD)
    assert run_retention(school).counts == {"photos": 1}
    assert list(PhotoDraft.objects.values_list("body", flat=True)) == ["Agreed"]
    assert list(PublishingPost.objects.values_list("body", flat=True)) == ["Agreed"]


def test_the_audit_log_keeps_the_longest_period_any_school_sets(
    school: Any, make_school: Any, make_user: Any, capsys: Any, monkeypatch: Any,
) -> None:
    from gatehouse.audit.log import record
    from gatehouse.audit.models import AuditChainHead
    from gatehouse.governance.retention import do_set_rule

    other = make_school(name="Elm Academy", slug="elm")
    with monkeypatch.context() as clock:
        clock.setattr(timezone, "now", lambda: OLD - dt.timedelta(days=365 * 2))  # 5 years ago
        record("schools.test", school=school, details={"written": "five years ago"})
    assert AuditEntry.objects.get(seq=1).details == {"written": "five years ago"}
    admin = make_user()
    do_set_rule(school, actor=admin, record_type="audit", months=36)
    do_set_rule(other, actor=admin, record_type="audit", months=84)
    call_command("run_governance_daily")
    assert "0 audit row(s)" in capsys.readouterr().out  # Elm keeps seven years
    do_set_rule(other, actor=admin, record_type="audit", months=48)
    call_command("run_governance_daily")
    assert ", 1 audit row(s)" in capsys.readouterr().out
    assert AuditChainHead.objects.get().pruned_through_seq == 1
    assert not AuditEntry.objects.filter(seq=1).exists()
    call_command("verify_audit")


def test_hidden_originals_past_retention_go_unless_their_comment_is_in_a_case(
    school: Any, staff: dict[str, Any], make_parent: Any,
) -> None:
    from gatehouse.evidence.store import do_keep_text

    parent = make_parent(school)
    old = Comment.objects.filter(pk__in=_old_comments(school, parent.user, 3))
    for comment in old:
        do_keep_original(comment, school=school, actor=staff["moderator"])
    other = do_keep_text(school, owner="incidents.incident:9", title="Screenshot text",
                         text="x", actor=staff["head"])  # not a hidden original
    EvidenceItem.objects.update(created_at=OLD - dt.timedelta(days=365 * 4))  # past 6 years
    in_case = old.first()
    case = Case.objects.create(school=school, subject_name="P", opened_by=staff["head"],
                               began_on=dt.date(2023, 1, 1))
    CaseComment.objects.create(case=case, comment=in_case, added_by=staff["head"])
    assert due_counts(school)["hidden_originals"] == 2
    run = run_retention(school)
    assert run.counts == {"hidden_originals": 2, "comments": 2}  # then their comments go
    assert set(EvidenceItem.objects.values_list("owner", flat=True)) == {
        f"community.comment:{in_case.pk}", "incidents.incident:9"}
    assert CustodyEvent.objects.count() == 2 and other.is_intact()
    assert list(Comment.objects.filter(author=parent.user)) == [in_case]
