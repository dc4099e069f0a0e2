"""The console home: what is due for this person, with counts, by the roles they hold."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from gatehouse.accounts.models import JoinRequest, Role
from gatehouse.schools.models import School


@dataclass
class Due:
    label: str
    count: int
    url: str
    hint: str = ""
    urgent: bool = False
    lines: list[str] = field(default_factory=list)


def due_for(user: Any, school: School) -> list[Due]:
    roles = user.roles_at(school.pk)
    cards: list[Due] = []
    for roles_needed, build in _CARDS:
        if roles & roles_needed:
            card = build(user, school, roles)
            if card is not None:
                cards.append(card)
    return cards


def _url(name: str, school: School) -> str:
    return reverse(name, kwargs={"slug": school.slug})


def _queue(user: Any, school: School, roles: set[str]) -> Due:
    from gatehouse.moderation.models import QueueItem

    waiting = QueueItem.objects.filter(school=school, status=QueueItem.Status.OPEN)
    urgent = waiting.filter(severity__gte=80).count()
    return Due("Comments waiting for moderation", waiting.count(),
               _url("staff:moderation_queue", school),
               hint=f"{urgent} serious" if urgent else "", urgent=bool(urgent))


def _join_requests(user: Any, school: School, roles: set[str]) -> Due:
    count = JoinRequest.objects.filter(school=school,
                                       status=JoinRequest.Status.PENDING).count()
    return Due("Join requests waiting", count, _url("staff:join_requests", school))


def _deadlines(user: Any, school: School, roles: set[str]) -> Due:
    from gatehouse.cases.models import Case, Step

    today = timezone.localdate()
    steps = (Step.objects.filter(case__school=school, case__status=Case.Status.OPEN,
                                 kind=Step.Kind.WARNING, outcome="",
                                 deadline__lte=today + dt.timedelta(days=7))
             .select_related("case").order_by("deadline"))
    lines = [f"{s.case.reference} {s.case.subject_name}: "
             f"{'passed' if s.deadline < today else 'due'} {s.deadline:%a %d %b}" for s in steps]
    return Due("Case deadlines this week", len(lines), _url("staff:cases", school),
               hint="removal deadlines due or passed", lines=lines[:5],
               urgent=any(s.deadline < today for s in steps))


def _cases(user: Any, school: School, roles: set[str]) -> Due:
    from gatehouse.cases.access import visible_cases

    count = visible_cases(user, school).open().count()
    label = "Open cases" if roles & {Role.HEAD_TEACHER, Role.MODERATOR} else \
        "Open cases concerning a pupil"
    return Due(label, count, _url("staff:cases", school))


def _takedowns(user: Any, school: School, roles: set[str]) -> Due:
    from gatehouse.consent.models import TakedownTask

    count = TakedownTask.objects.filter(school=school, done_at__isnull=True).count()
    return Due("Takedowns to do", count, _url("staff:takedowns", school),
               hint="published photos whose consent changed", urgent=bool(count))


def _provider_requests(user: Any, school: School, roles: set[str]) -> Due:
    from gatehouse.cases.models import Case, Step

    count = Step.objects.filter(case__school=school, case__status=Case.Status.OPEN,
                                kind=Step.Kind.PROVIDER, outcome="").count()
    return Due("Removal requests awaiting the provider", count, _url("staff:cases", school))


def _platform_reports(user: Any, school: School, roles: set[str]) -> Due:
    from gatehouse.moderation.models import PlatformReport

    count = PlatformReport.objects.filter(school=school,
                                          outcome=PlatformReport.Outcome.PENDING).count()
    return Due("Platform reports awaiting an outcome", count,
               _url("staff:platform_reports", school))


def _case_counts(user: Any, school: School, roles: set[str]) -> Due:
    from gatehouse.cases.models import Case

    return Due("Open escalation cases (anonymised)", Case.objects.filter(
        school=school, status=Case.Status.OPEN).count(), _url("staff:cases_summary", school))


def _incidents(user: Any, school: School, roles: set[str]) -> Due:
    from gatehouse.incidents.access import visible_incidents
    from gatehouse.incidents.models import Incident

    count = visible_incidents(user, school).filter(status=Incident.Status.RECEIVED).count()
    return Due("Staff incident reports not yet taken up", count, _url("staff:incidents", school),
               urgent=bool(count))


def _connections(user: Any, school: School, roles: set[str]) -> Due | None:
    from gatehouse.publishing.models import Connection

    broken = [c for c in Connection.objects.filter(school=school) if c.needs_reconnecting]
    if not broken:
        return None
    return Due("Facebook or Instagram needs connecting again", len(broken),
               _url("staff:publishing_connections", school),
               hint="nothing is published there until it is", urgent=True,
               lines=[f"{c.get_platform_display()}: {c.get_health_display().lower()}"
                      for c in broken])


def _governance(user: Any, school: School, roles: set[str]) -> Due | None:
    from gatehouse.governance.models import SocialAccount, SubjectRequest

    today = timezone.localdate()
    requests = SubjectRequest.objects.filter(school=school, status=SubjectRequest.Status.OPEN)
    reviews = [a for a in SocialAccount.objects.filter(school=school)
               if a.next_review_due <= today + dt.timedelta(days=14)]
    lines = [f"{r.get_kind_display()} #{r.pk}: due {r.due_on:%a %d %b}" for r in requests[:5]]
    lines += [f"Access review of {a}: due {a.next_review_due:%d %b}" for a in reviews[:5]]
    if not lines:
        return None
    return Due("Subject requests and access reviews due", requests.count() + len(reviews),
               _url("staff:governance_requests", school), lines=lines,
               urgent=any(r.overdue(today) for r in requests))


_CARDS = [
    (frozenset({Role.MODERATOR, Role.ADMINISTRATOR, Role.HEAD_TEACHER, Role.DSL}), _queue),
    (frozenset({Role.ADMINISTRATOR}), _join_requests),
    (frozenset({Role.HEAD_TEACHER}), _deadlines),
    (frozenset({Role.HEAD_TEACHER, Role.MODERATOR, Role.DSL}), _cases),
    (frozenset({Role.HEAD_TEACHER}), _provider_requests),
    (frozenset({Role.ADMINISTRATOR}), _takedowns),
    (frozenset({Role.ADMINISTRATOR}), _connections),
    (frozenset({Role.MODERATOR, Role.ADMINISTRATOR}), _platform_reports),
    (frozenset({Role.GOVERNOR}), _case_counts),
    (frozenset({Role.HEAD_TEACHER, Role.HEAD_OF_HR}), _incidents),
    (frozenset({Role.ADMINISTRATOR}), _governance),
]
