"""Print how long the governors' report and a subject access export take for a school with two
years of data: 500 parents, 50,000 comments, held and decided items, reports, cases, staff
incidents, pupils and consents.

Run from the repo root:  .venv/bin/python bench/governance.py [--runs 5]

Builds a throwaway SQLite database in a temporary directory, seeded with bulk_create. Times
building the report for the last full term (the page's figures and SVG charts), rendering its
PDF, and building one parent's subject access ZIP. Nothing is asserted; this only prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

from cases import _django_setup  # bench/ is on the path when this runs as a script

ROOT = Path(__file__).resolve().parent.parent
PARENTS, COMMENTS, DAYS = 500, 50_000, 730
CATEGORIES = ["threat_of_violence", "insult_harassment_or_cyberbullying",
              "complaint_about_school_or_staff", "negative_comment_about_person"]


def _parents(school: object, start: dt.datetime) -> list[object]:
    from django.contrib.auth.hashers import make_password

    from gatehouse.accounts.models import Membership, User

    password = make_password("bench-password-1")
    User.objects.bulk_create(User(email=f"parent{n}@bench.example", full_name=f"Parent {n}",
                                  password=password) for n in range(PARENTS))
    users = list(User.objects.filter(email__endswith="@bench.example").order_by("pk"))
    Membership.objects.bulk_create(Membership(user=u, school=school, child_name=f"Child {n}",
                                              child_year=f"Year {n % 6 + 1}")
                                   for n, u in enumerate(users))
    return users


def _comments(school: object, users: list[object], admin: object, start: dt.datetime) -> None:
    """Comments spread over two years (one post a day), about 1 in 8 held and decided."""
    from django.utils import timezone

    from gatehouse.community.models import Comment, Post
    from gatehouse.moderation.models import CommentReport, QueueItem

    Post.objects.bulk_create(Post(school=school, author=admin, body=f"News {d}")
                             for d in range(DAYS))
    posts = list(Post.objects.filter(school=school, body__startswith="News ").order_by("pk"))
    rng = random.Random(7)
    per_day = COMMENTS // DAYS + 1
    statuses = ["visible"] * 7 + ["hidden"]
    made = 0
    for day, post in enumerate(posts):
        batch = [Comment(post=post, author=users[rng.randrange(PARENTS)],
                         body=f"Comment {made + i} on day {day}", status=rng.choice(statuses))
                 for i in range(min(per_day, COMMENTS - made))]
        made += len(batch)
        Comment.objects.bulk_create(batch)
    when = {post.pk: start + dt.timedelta(days=n, hours=9) for n, post in enumerate(posts)}
    for post_id, at in when.items():
        Comment.objects.filter(post_id=post_id).update(created_at=at)
        Post.objects.filter(pk=post_id).update(created_at=at)
    held = list(Comment.objects.filter(post__in=posts).exclude(status="visible")
                .values_list("pk", "created_at", "author_id"))
    QueueItem.objects.bulk_create(
        QueueItem(school=school, comment_id=pk, source="auto", status="hidden",
                  categories=[rng.choice(CATEGORIES)], decided_by=admin,
                  decided_at=at + dt.timedelta(hours=rng.uniform(0.2, 30)))
        for pk, at, _ in held)
    CommentReport.objects.bulk_create(
        CommentReport(comment_id=pk, reporter=users[(author + 1) % PARENTS],
                      category=rng.choice(CATEGORIES)) for pk, _, author in held[:500])
    assert timezone.is_aware(start)


def _the_rest(school: object, users: list[object], head: object, start: dt.datetime) -> None:
    from gatehouse.cases.models import Case, Step
    from gatehouse.consent.models import Channel, PhotoConsent, Pupil
    from gatehouse.governance.models import Term
    from gatehouse.incidents.models import Incident

    members = list(school.members.filter(user__in=users[:40]))
    cases = Case.objects.bulk_create(
        Case(school=school, member=m, subject_name=m.user.full_name, opened_by=head,
             began_on=(start + dt.timedelta(days=15 * n)).date(),
             status="open" if n % 3 else "closed") for n, m in enumerate(members))
    Step.objects.bulk_create(Step(case=c, kind=kind, occurred_on=c.began_on, recorded_by=head)
                             for c in cases for kind in ("hidden_reported", "meeting"))
    Incident.objects.bulk_create(
        Incident(school=school, reporter=head, victim=head, what_happened="x", platform="X",
                 seen_at=start, route="head_teacher") for _ in range(20))
    Pupil.objects.bulk_create(Pupil(school=school, mis_id=f"bench-{n}", first_name="P",
                                    last_name=str(n), year_group=f"Year {n % 6 + 1}")
                              for n in range(400))
    PhotoConsent.objects.bulk_create(
        PhotoConsent(pupil=p, channel=channel, status="given" if p.pk % 5 else "refused")
        for p in Pupil.objects.filter(school=school, mis_id__startswith="bench-")
        for channel in Channel.values)
    day = start.date()
    for n in range(6):
        Term.objects.create(school=school, name=f"Term {n + 1}", starts_on=day,
                            ends_on=day + dt.timedelta(days=100))
        day += dt.timedelta(days=122)


def build() -> tuple[object, object, object]:
    from django.core.management import call_command
    from django.utils import timezone

    from gatehouse.accounts.models import User
    from gatehouse.schools.demo import create_demo_school

    call_command("migrate", verbosity=0)
    school = create_demo_school(slug="bench", posts=1)
    admin = User.objects.get(email="admin@oakfield.example")
    head = User.objects.get(email="head@oakfield.example")
    start = timezone.now() - dt.timedelta(days=DAYS)
    users = _parents(school, start)
    _comments(school, users, admin, start)
    _the_rest(school, users, head, start)
    return school, head, users[0]


def _time(runs: int, work: object) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = work()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-governance-") as tmp:
        _django_setup(Path(tmp))
        from django.db import connection
        from django.template.loader import render_to_string
        from django.test.utils import CaptureQueriesContext

        from gatehouse.cases.letters import render_pdf
        from gatehouse.community.models import Comment
        from gatehouse.governance.models import Term
        from gatehouse.governance.reports import build_report
        from gatehouse.governance.subject_access import build_export

        t0 = time.perf_counter()
        school, head, parent = build()
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}, SQLite; load average {os.getloadavg()[0]:.2f}; "
              f"seeded {Comment.objects.count():,} comments in {time.perf_counter() - t0:.0f} s")
        term = Term.objects.get(school=school, name="Term 6")  # the last full term seeded
        with CaptureQueriesContext(connection) as queries:
            report = build_report(school, term)
        times, report = _time(args.runs, lambda: build_report(school, term))
        print(f"governors' report ({term}: {report.comments['received']:,} comments, "
              f"{report.comments['held']:,} held), {args.runs} builds: median "
              f"{statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms, "
              f"{len(queries)} queries")
        times, pdf = _time(args.runs, lambda: render_pdf(render_to_string(
            "governance/report_pdf.html", {"school": school,
                                           "report": build_report(school, term)})))
        print(f"governors' report PDF (figures + WeasyPrint): median "
              f"{statistics.median(times):.2f} s, max {max(times):.2f} s, "
              f"{len(pdf) / 1024:.0f} KB")
        count = Comment.objects.filter(author=parent).count()
        times, (content, _) = _time(args.runs, lambda: build_export(school, parent))
        print(f"subject access export (a parent with {count} comments): median "
              f"{statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms, "
              f"{len(content) / 1024:.0f} KB ZIP")


if __name__ == "__main__":
    main()
