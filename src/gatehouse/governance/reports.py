"""The governors' report for one term: counts only, no names and no content (anonymised).

Every figure is a grouped query over the term's rows, so a school with years of comments is
reported on in a handful of queries; charts are drawn by `charts`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.safestring import SafeString

from gatehouse.cases.models import Case, Step
from gatehouse.community.models import Comment
from gatehouse.consent.models import Channel, ConsentStatus, Delivery, Face, PhotoConsent, Pupil
from gatehouse.governance import charts
from gatehouse.governance.models import PolicyDocument, Term
from gatehouse.incidents.models import Incident
from gatehouse.moderation.engine import LABELS
from gatehouse.moderation.models import CommentReport, PlatformReport, QueueItem
from gatehouse.publishing.models import Delivery as PostDelivery
from gatehouse.schools.models import School


@dataclass
class GovernorsReport:
    school: School
    term: Term
    generated_at: dt.datetime
    comments: dict[str, int] = field(default_factory=dict)
    weeks: list[str] = field(default_factory=list)
    weekly: dict[str, list[int]] = field(default_factory=dict)
    held_by_category: list[tuple[str, int]] = field(default_factory=list)
    decision_hours: dict[str, float | None] = field(default_factory=dict)
    reports_by_category: list[tuple[str, int]] = field(default_factory=list)
    platform_reports: int = 0
    cases: dict[str, int] = field(default_factory=dict)
    steps: list[tuple[str, int]] = field(default_factory=list)
    incidents: dict[str, int] = field(default_factory=dict)
    consent_channels: list[str] = field(default_factory=list)
    consent_rows: list[tuple[str, list[int | None]]] = field(default_factory=list)
    restricted_exposures: int = 0
    publishing: list[tuple[str, int]] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)
    charts: dict[str, SafeString] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.comments.get("received") or self.cases.get("opened")
                    or self.incidents.get("reported"))


def term_bounds(term: Term) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(term.starts_on, dt.time.min), tz)
    end = timezone.make_aware(dt.datetime.combine(term.ends_on + dt.timedelta(days=1),
                                                  dt.time.min), tz)
    return start, end


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def build_report(school: School, term: Term) -> GovernorsReport:
    start, end = term_bounds(term)
    report = GovernorsReport(school=school, term=term, generated_at=timezone.now())
    _comments(report, school, start, end)
    _decisions(report, school, start, end)
    _reports(report, school, start, end)
    _cases(report, school, term, start, end)
    _incidents(report, school, start, end)
    _consent(report, school)
    _publishing(report, school, start, end)
    report.policies = policy_status(school)
    _charts(report)
    return report


def _comments(report: GovernorsReport, school: School, start: dt.datetime,
              end: dt.datetime) -> None:
    comments = Comment.objects.filter(post__school=school, created_at__gte=start,
                                      created_at__lt=end)
    totals = comments.aggregate(
        received=Count("id"), published=Count("id", filter=Q(status=Comment.Status.VISIBLE)),
        held=Count("id", filter=Q(queue_item__isnull=False)),
        hidden=Count("id", filter=Q(status=Comment.Status.HIDDEN)))
    report.comments = totals
    weeks: dict[dt.date, dict[str, int]] = {}
    day = timezone.localdate(start)
    monday = day - dt.timedelta(days=day.weekday())
    while monday < timezone.localdate(end):
        weeks[monday] = {"received": 0, "published": 0, "held": 0}
        monday += dt.timedelta(days=7)
    rows = (comments.annotate(week=TruncWeek("created_at")).values("week")
            .annotate(received=Count("id"),
                      published=Count("id", filter=Q(status=Comment.Status.VISIBLE)),
                      held=Count("id", filter=Q(queue_item__isnull=False))))
    for row in rows:
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        if week in weeks:
            weeks[week] = {k: row[k] for k in ("received", "published", "held")}
    report.weeks = [f"{w.day} {w:%b}" for w in weeks]
    report.weekly = {k: [w[k] for w in weeks.values()] for k in ("received", "published",
                                                                  "held")}
    held = Counter()
    for categories in QueueItem.objects.filter(
            school=school, comment__created_at__gte=start, comment__created_at__lt=end,
            kind=QueueItem.Kind.BREACH).values_list("categories", flat=True):
        held.update(categories or ["(reported, no category)"])
    report.held_by_category = [(LABELS.get(c, c), n) for c, n in held.most_common()]


def _decisions(report: GovernorsReport, school: School, start: dt.datetime,
               end: dt.datetime) -> None:
    decided = QueueItem.objects.filter(school=school, decided_at__isnull=False,
                                       comment__created_at__gte=start,
                                       comment__created_at__lt=end)
    hours = [(d - c).total_seconds() / 3600
             for d, c in decided.values_list("decided_at", "comment__created_at")]
    report.decision_hours = {"p50": percentile(hours, 50), "p90": percentile(hours, 90),
                             "count": len(hours)}


def _reports(report: GovernorsReport, school: School, start: dt.datetime,
             end: dt.datetime) -> None:
    rows = (CommentReport.objects.filter(comment__post__school=school, created_at__gte=start,
                                         created_at__lt=end)
            .values("category").annotate(n=Count("id")).order_by("-n"))
    report.reports_by_category = [(LABELS.get(r["category"], r["category"]), r["n"])
                                  for r in rows]
    report.platform_reports = PlatformReport.objects.filter(
        school=school, reported_on__gte=report.term.starts_on,
        reported_on__lte=report.term.ends_on).count()


def _cases(report: GovernorsReport, school: School, term: Term, start: dt.datetime,
           end: dt.datetime) -> None:
    cases = Case.objects.filter(school=school)
    report.cases = {
        "opened": cases.filter(opened_at__gte=start, opened_at__lt=end).count(),
        "open_now": cases.filter(status=Case.Status.OPEN).count(),
        "touching_pupils": cases.filter(opened_at__gte=start, opened_at__lt=end,
                                        touches_pupil=True).count()}
    counts = dict(Step.objects.filter(case__school=school, occurred_on__gte=term.starts_on,
                                      occurred_on__lte=term.ends_on)
                  .values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    report.steps = [(label, counts.get(kind, 0)) for kind, label in Step.Kind.choices]


def _incidents(report: GovernorsReport, school: School, start: dt.datetime,
               end: dt.datetime) -> None:
    """Counts only: governors never see who, what or where (invariant 7)."""
    incidents = Incident.objects.filter(school=school, created_at__gte=start,
                                        created_at__lt=end)
    report.incidents = incidents.aggregate(
        reported=Count("id"),
        closed=Count("id", filter=Q(status=Incident.Status.CLOSED)),
        to_hr=Count("id", filter=Q(route=Incident.Route.HEAD_OF_HR)))


def _consent(report: GovernorsReport, school: School) -> None:
    """Consent coverage now, by channel and year group: the share of pupils on roll with
    consent given."""
    pupils = Counter(Pupil.objects.filter(school=school).on_roll()
                     .values_list("year_group", flat=True))
    given = Counter(PhotoConsent.objects.filter(
        pupil__school=school, pupil__left_at__isnull=True, status=ConsentStatus.GIVEN)
        .values_list("pupil__year_group", "channel"))
    report.consent_channels = [label for _, label in Channel.choices]
    report.consent_rows = [
        (year, [round(100 * given[(year, channel)] / pupils[year]) if pupils[year] else None
                for channel, _ in Channel.choices])
        for year in sorted(pupils)]


def _publishing(report: GovernorsReport, school: School, start: dt.datetime,
                end: dt.datetime) -> None:
    # Every post the school published (text or photos), from publishing's delivery log; photos
    # handed to the press are only in consent's log.
    counts = dict(PostDelivery.objects.filter(
        post__school=school, state=PostDelivery.State.PUBLISHED, published_at__gte=start,
        published_at__lt=end).values_list("channel").annotate(n=Count("id"))
        .values_list("channel", "n"))
    counts[Channel.PRESS] = Delivery.objects.filter(
        draft__school=school, channel=Channel.PRESS, created_at__gte=start,
        created_at__lt=end).count()
    report.publishing = [(label, counts.get(channel, 0)) for channel, label in Channel.choices]
    # Invariant 3, checked rather than assumed: a restricted pupil tagged in a photo that was
    # published this term and is still shown. This must read 0.
    report.restricted_exposures = Face.objects.filter(
        pupil__restricted=True, photo__draft__school=school,
        photo__draft__published_at__gte=start, photo__draft__published_at__lt=end,
        photo__post_image__isnull=False, photo__post_image__hidden_at__isnull=True,
    ).exclude(kind=Face.Kind.BLUR).count()


def trust_rows(user: Any, school: School, term: Term,
               reader_roles: frozenset[str]) -> list[dict[str, Any]]:
    """A multi-academy trust's view: the same term's dates at every school of the trust where
    this person may read the report (one row per school, headline counts only). Empty unless
    there are at least two such schools."""
    if school.trust_id is None:
        return []
    schools = [s for s in School.objects.filter(trust_id=school.trust_id).order_by("name")
               if user.roles_at(s.pk) & reader_roles]
    if len(schools) < 2:
        return []
    rows = []
    for other in schools:
        report = build_report(other, Term(school=other, name=term.name,
                                          starts_on=term.starts_on, ends_on=term.ends_on))
        rows.append({"school": other, "comments": report.comments, "cases": report.cases,
                     "incidents": report.incidents["reported"],
                     "exposures": report.restricted_exposures,
                     "overdue_policies": sum(p["overdue"] for p in report.policies)})
    return rows


def policy_status(school: School, today: dt.date | None = None) -> list[dict[str, Any]]:
    today = today or timezone.localdate()
    rows = []
    for document in PolicyDocument.objects.filter(school=school).prefetch_related("versions"):
        current = document.current
        due = current.next_review_due if current else None
        rows.append({"document": document, "version": current, "due": due,
                     "overdue": bool(due and due < today),
                     "soon": bool(due and today <= due <= today + dt.timedelta(days=30))})
    return rows


def _charts(report: GovernorsReport) -> None:
    weekly = report.weekly
    report.charts = {
        "weekly": charts.column_chart(
            "Comments received, published and held, by week", report.weeks,
            [("Received", weekly["received"]), ("Published", weekly["published"]),
             ("Held for review", weekly["held"])]),
        "categories": charts.bar_chart("Comments held, by category", report.held_by_category),
        "reports": charts.bar_chart("Reports by members, by category",
                                    report.reports_by_category),
        "steps": charts.bar_chart("Escalation steps taken, by rung of the ladder",
                                  report.steps),
        "publishing": charts.bar_chart("Posts published, by channel", report.publishing),
    }
