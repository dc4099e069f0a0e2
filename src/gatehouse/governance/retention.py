"""The retention schedule and the daily job that deletes what is past it.

Each record type has a default period (months) that a school may change. The job works in
small batches; each batch is deleted in one transaction together with the audit row that
records it (record type, ids and count, never content), so an interrupted run leaves every
batch either wholly done and recorded or untouched, and the next run simply finishes the rest:
nothing is deleted twice and nothing is kept by mistake. The audit log itself is never pruned,
so its hash chain still verifies after any deletion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from gatehouse.accounts.models import JoinRequest, User
from gatehouse.audit.log import prune_before, record
from gatehouse.audit.models import AuditEntry
from gatehouse.cases.models import Case, CaseComment, Letter, Step
from gatehouse.community.models import Comment
from gatehouse.consent.models import Photo, PhotoConsent, PhotoDraft
from gatehouse.evidence.models import CustodyEvent, EvidenceItem, owner_key_sql
from gatehouse.governance.models import RetentionRule, RetentionRun, add_months
from gatehouse.incidents.models import Incident
from gatehouse.moderation.originals import hidden_originals
from gatehouse.publishing.models import Post as PublishingPost
from gatehouse.schools.models import School

BATCH = 500


@dataclass(frozen=True)
class RecordType:
    key: str
    label: str
    default_months: int
    after: str  # what the period runs from, in plain words


SCHEDULE = [
    RecordType("hidden_originals", "Originals of hidden comments (evidence)", 72,
               "being hidden; kept while in an escalation case"),
    RecordType("comments", "Comments in the parents' group", 24,
               "being posted; kept while in a case or while their hidden original is kept"),
    RecordType("join_requests", "Join requests (decided)", 12, "the decision"),
    RecordType("cases", "Escalation cases (closed)", 72,
               "closing; kept while linked to a staff incident on legal hold"),
    RecordType("incidents", "Staff incident reports (closed)", 72,
               "closing; never while on legal hold"),
    RecordType("consents", "Photo consents of pupils who have left", 36, "the pupil leaving"),
    RecordType("photos", "Photo posts never published (with their photos)", 12,
               "being started; published photos are kept while they are shown"),
    RecordType("audit", "Audit log (the whole server's chain)", 72,
               "being written; the oldest rows go first, once past the longest period any "
               "school on this server sets; the chain still verifies"),
]
TYPES = {t.key: t for t in SCHEDULE}


def months_for(school: School) -> dict[str, int]:
    own = dict(RetentionRule.objects.filter(school=school).values_list("record_type", "months"))
    return {t.key: own.get(t.key, t.default_months) for t in SCHEDULE}


def cutoff(months: int, now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    day = add_months(timezone.localdate(now), -months)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- what is past retention, per type (querysets of ids, oldest first) --------------------


def _hidden_originals(school: School, before: dt.datetime) -> QuerySet[Any]:
    in_cases = CaseComment.objects.annotate(
        owner=owner_key_sql(Comment, "comment_id")).values("owner")
    return (hidden_originals(school).filter(created_at__lt=before)
            .exclude(owner__in=in_cases).order_by("pk"))


def _comments(school: School, before: dt.datetime) -> QuerySet[Any]:
    original = EvidenceItem.objects.filter(owner=OuterRef("evidence_owner"))
    return (Comment.objects.filter(post__school=school, created_at__lt=before)
            .exclude(pk__in=CaseComment.objects.values("comment_id"))
            .annotate(evidence_owner=owner_key_sql(Comment)).exclude(Exists(original))
            .order_by("pk"))


def _join_requests(school: School, before: dt.datetime) -> QuerySet[Any]:
    return (JoinRequest.objects.filter(school=school, decided_at__lt=before)
            .exclude(status=JoinRequest.Status.PENDING).order_by("pk"))


def _cases(school: School, before: dt.datetime) -> QuerySet[Any]:
    held = Incident.objects.filter(legal_hold=True).exclude(case=None).values("case_id")
    return (Case.objects.filter(school=school, status=Case.Status.CLOSED, closed_at__lt=before)
            .exclude(pk__in=held).order_by("pk"))


def _incidents(school: School, before: dt.datetime) -> QuerySet[Any]:
    return Incident.objects.filter(school=school, status=Incident.Status.CLOSED,
                                   closed_at__lt=before, legal_hold=False).order_by("pk")


def _photos(school: School, before: dt.datetime) -> QuerySet[Any]:
    # A draft that a publishing post still carries is kept unless that post was left as a
    # draft or cancelled: an agreed post may be scheduled, or published on another channel.
    live = PublishingPost.objects.exclude(
        state__in=[PublishingPost.State.DRAFT, PublishingPost.State.CANCELLED])
    return (PhotoDraft.objects.filter(school=school, published_at__isnull=True,
                                      created_at__lt=before, takedowns__isnull=True,
                                      post__isnull=True)
            .exclude(publishing_post__in=live).order_by("pk"))


def _consents(school: School, before: dt.datetime) -> QuerySet[Any]:
    return PhotoConsent.objects.filter(pupil__school=school,
                                       pupil__left_at__lt=before).order_by("pk")


# --- how each type is deleted (called inside the batch's transaction) ----------------------


def _delete_items(items: QuerySet[EvidenceItem]) -> None:
    """Evidence items are never deleted one by one (the model refuses); retention removes
    them, their custody log and their files together."""
    files = list(items.exclude(file="").values_list("file", flat=True))
    CustodyEvent.objects.filter(item__in=items).delete()
    items.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])


def _delete_evidence_of(owners: list[str]) -> None:
    _delete_items(EvidenceItem.objects.filter(owner__in=owners))


def _drop_hidden_originals(ids: list[int]) -> None:
    _delete_items(EvidenceItem.objects.filter(pk__in=ids))


def _drop_cases(ids: list[int]) -> None:
    pdfs = list(Letter.objects.filter(case_id__in=ids).values_list("pdf_id", flat=True))
    Letter.objects.filter(case_id__in=ids).delete()
    Step.objects.filter(case_id__in=ids).delete()
    CaseComment.objects.filter(case_id__in=ids).delete()
    CustodyEvent.objects.filter(item_id__in=pdfs).delete()
    EvidenceItem.objects.filter(pk__in=pdfs).delete()
    _delete_evidence_of([f"cases.case:{pk}" for pk in ids])
    Case.objects.filter(pk__in=ids).delete()


def _drop_incidents(ids: list[int]) -> None:
    _delete_evidence_of([f"incidents.incident:{pk}" for pk in ids])
    Incident.objects.filter(pk__in=ids).delete()


def _drop_photos(ids: list[int]) -> None:
    photos = Photo.objects.filter(draft_id__in=ids)
    files = [name for row in photos.values_list("original", "preview", "published")
             for name in row if name]
    PublishingPost.objects.filter(photos_id__in=ids).delete()  # left as drafts or cancelled
    PhotoDraft.objects.filter(pk__in=ids).delete()  # photos, faces and checks go with them
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])


def _drop_consents(ids: list[int]) -> None:
    files = list(PhotoConsent.objects.filter(pk__in=ids).exclude(evidence_file="")
                 .values_list("evidence_file", flat=True))
    PhotoConsent.objects.filter(pk__in=ids).delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])


def _plain_delete(model: Any) -> Callable[[list[int]], None]:
    return lambda ids: model.objects.filter(pk__in=ids).delete()


_SELECT: dict[str, Callable[[School, dt.datetime], QuerySet[Any]]] = {
    "hidden_originals": _hidden_originals, "comments": _comments,
    "join_requests": _join_requests, "cases": _cases, "incidents": _incidents,
    "consents": _consents, "photos": _photos}
_DROP: dict[str, Callable[[list[int]], None]] = {
    "hidden_originals": _drop_hidden_originals, "comments": _plain_delete(Comment),
    "join_requests": _plain_delete(JoinRequest), "cases": _drop_cases,
    "incidents": _drop_incidents, "consents": _drop_consents, "photos": _drop_photos}


def due_counts(school: School, now: dt.datetime | None = None) -> dict[str, int]:
    """How many records of each type are past retention now (a preview; nothing changes)."""
    due = {key: _SELECT[key](school, cutoff(months, now)).count()
           for key, months in months_for(school).items() if key in _SELECT}
    due["audit"] = AuditEntry.objects.filter(created_at__lt=audit_cutoff(now)).count()
    return due


def audit_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """The audit log is one chain for every school on the server, so it keeps the longest
    period any school asks for."""
    months = max((months_for(school)["audit"] for school in School.objects.all()),
                 default=TYPES["audit"].default_months)
    return cutoff(months, now)


def prune_audit(now: dt.datetime | None = None) -> int:
    """Remove audit rows past retention (from the start of the chain); returns how many."""
    return prune_before(audit_cutoff(now))


def _batches(school: School, key: str, before: dt.datetime) -> Iterator[list[int]]:
    while True:
        ids = list(_SELECT[key](school, before).values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        yield ids


def run_retention(school: School, *, actor: User | None = None, now: dt.datetime | None = None,
                  max_batches: int | None = None) -> RetentionRun:
    """Delete what is past retention. `max_batches` stops early (as an interruption would);
    running again finishes the job."""
    run = RetentionRun.objects.create(school=school, started_by=actor)
    done = 0
    for key, months in months_for(school).items():
        if key not in _SELECT:  # the audit chain is pruned once for the server: prune_audit
            continue
        for ids in _batches(school, key, cutoff(months, now)):
            if max_batches is not None and done >= max_batches:
                return run
            with transaction.atomic():
                _DROP[key](ids)
                run.counts[key] = run.counts.get(key, 0) + len(ids)
                run.save(update_fields=["counts"])
                record("governance.retention.deleted", actor=actor, school=school, target=run,
                       details={"record_type": key, "count": len(ids), "ids": ids,
                                "older_than_months": months})
            done += 1
    with transaction.atomic():
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
        record("governance.retention.run", actor=actor, school=school, target=run,
               details={"counts": run.counts})
    return run


def do_set_rule(school: School, *, actor: User, record_type: str, months: int) -> None:
    with transaction.atomic():
        RetentionRule.objects.update_or_create(
            school=school, record_type=record_type,
            defaults={"months": months, "changed_by": actor})
        record("governance.retention.rule_changed", actor=actor, school=school,
               details={"record_type": record_type, "months": months})


def legal_holds(school: School) -> QuerySet[Incident]:
    return Incident.objects.filter(school=school, legal_hold=True)
