"""The people a school's comments might name: roster entries, staff accounts and the children
parents named when joining. Built once per school and reused until something changes."""

from __future__ import annotations

import threading

from django.db.models import Count, Max

from gatehouse.accounts.models import Membership, Role, StaffRole
from gatehouse.moderation.engine import Roster, RosterPerson
from gatehouse.moderation.models import RosterEntry
from gatehouse.schools.models import School

# Staff role → how parents refer to the person ("the head").
ROLE_WORDS = {Role.HEAD_TEACHER: "head teacher", Role.DSL: "safeguarding lead",
              Role.HEAD_OF_HR: "head of HR"}
_cache: dict[int, tuple[tuple[object, ...], Roster]] = {}
_lock = threading.Lock()
# Ids for people who are not roster entries, kept apart from RosterEntry primary keys.
STAFF_ID_BASE, CHILD_ID_BASE = 10_000_000, 20_000_000


def _split(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first, last.split(" ")[-1] if last else ""


def _people(school: School) -> list[RosterPerson]:
    people = [
        RosterPerson(id=e.pk, kind=e.kind, first_name=e.first_name, last_name=e.last_name,
                     preferred_name=e.preferred_name, title=e.title, role=e.role,
                     year_group=e.year_group)
        for e in RosterEntry.objects.filter(school=school)
    ]
    named = {(p.first_name.lower(), p.last_name.lower()) for p in people}
    for sr in StaffRole.objects.filter(school=school).select_related("user"):
        first, last = _split(sr.user.full_name)
        if (first.lower(), last.lower()) not in named and first:
            named.add((first.lower(), last.lower()))
            people.append(RosterPerson(id=STAFF_ID_BASE + sr.user_id, kind="staff",
                                       first_name=first, last_name=last,
                                       role=ROLE_WORDS.get(sr.role, "")))
    for m in Membership.objects.filter(school=school).only("pk", "child_name", "child_year"):
        first, last = _split(m.child_name)
        if (first.lower(), last.lower()) not in named and first:
            named.add((first.lower(), last.lower()))
            people.append(RosterPerson(id=CHILD_ID_BASE + m.pk, kind="pupil", first_name=first,
                                       last_name=last, year_group=m.child_year))
    return people


def _stamp(school: School) -> tuple[object, ...]:
    entries = RosterEntry.objects.filter(school=school).aggregate(n=Count("pk"),
                                                                   t=Max("updated_at"))
    staff = StaffRole.objects.filter(school=school).aggregate(n=Count("pk"), m=Max("pk"))
    members = Membership.objects.filter(school=school).aggregate(n=Count("pk"), m=Max("pk"))
    return (entries["n"], entries["t"], staff["n"], staff["m"], members["n"], members["m"])


def roster_for(school: School) -> Roster:
    stamp = _stamp(school)
    cached = _cache.get(school.pk)
    if cached and cached[0] == stamp:
        return cached[1]
    roster = Roster(_people(school))
    with _lock:
        _cache[school.pk] = (stamp, roster)
    return roster
