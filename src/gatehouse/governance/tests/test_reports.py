"""The governors' report: the figures for a seeded term, anonymised, as a page and a PDF with
SVG charts; a term with no data; policy versions, reviews and reminders; term dates."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gatehouse.cases.models import Case, Step
from gatehouse.community.models import Comment, Post
from gatehouse.consent.models import PhotoConsent, Pupil
from gatehouse.governance import charts
from gatehouse.governance.models import PolicyDocument, Term
from gatehouse.governance.policies import do_add_policy, send_policy_reminders
from gatehouse.governance.reports import build_report, percentile
from gatehouse.incidents.models import Incident
from gatehouse.moderation.models import CommentReport, QueueItem

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
TERM_START = dt.date(2026, 1, 5)


def _url(school: Any, name: str, **kwargs: Any) -> str:
    return reverse(f"staff:{name}", kwargs={"slug": school.slug, **kwargs})


def _at(day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(TERM_START + dt.timedelta(days=day),
                                                   dt.time(hour)))


@pytest.fixture
def term(school: Any) -> Term:
    return Term.objects.create(school=school, name="Spring Term 2026", starts_on=TERM_START,
                               ends_on=dt.date(2026, 3, 27))


@pytest.fixture
def seeded(school: Any, staff: dict[str, Any], make_parent: Any, term: Term) -> dict[str, Any]:
    parent = make_parent(school, name="Jordan Leewright")
    post = Post.objects.create(school=school, author=staff["admin"], body="News")
    for n in range(6):  # published
        c = Comment.objects.create(post=post, author=parent.user, body=f"Lovely {n}")
        Comment.objects.filter(pk=c.pk).update(created_at=_at(n * 7))
    for n, (hours, category) in enumerate([(1, "threat_of_violence"), (3, "threat_of_violence"),
                                           (10, "insult_harassment_or_cyberbullying")]):
        c = Comment.objects.create(post=post, author=parent.user, body=f"Nasty {n}",
                                   status=Comment.Status.HIDDEN)
        Comment.objects.filter(pk=c.pk).update(created_at=_at(14))
        QueueItem.objects.create(school=school, comment=c, source="auto", categories=[category],
                                 status="hidden", decided_at=_at(14) + dt.timedelta(hours=hours))
        report = CommentReport.objects.create(comment=c, reporter=staff["teacher"],
                                              category=category)
        CommentReport.objects.filter(pk=report.pk).update(created_at=_at(15))
    outside = Comment.objects.create(post=post, author=parent.user, body="Before term")
    Comment.objects.filter(pk=outside.pk).update(created_at=_at(-30))
    case = Case.objects.create(school=school, subject_name="Jordan Leewright",
                               opened_by=staff["head"], began_on=TERM_START)
    Case.objects.filter(pk=case.pk).update(opened_at=_at(15))
    Step.objects.create(case=case, kind=Step.Kind.MEETING, occurred_on=TERM_START
                        + dt.timedelta(days=20), recorded_by=staff["head"], meeting_at=_at(20))
    incident = Incident.objects.create(
        school=school, reporter=staff["teacher"], victim=staff["teacher"],
        what_happened="Secret words", platform="TikTok", seen_at=_at(3), route="head_teacher")
    Incident.objects.filter(pk=incident.pk).update(created_at=_at(4))
    for n, year in enumerate(["Year 1", "Year 1", "Year 2"]):
        pupil = Pupil.objects.create(school=school, mis_id=str(n), first_name="P",
                                     last_name=str(n), year_group=year)
        if n == 0:
            PhotoConsent.objects.create(pupil=pupil, channel="facebook", status="given")
    do_add_policy(school, actor=staff["head"], data={
        "kind": "social_media", "title": "Social Media Policy", "committee": "Full Governing "
        "Body", "body": "Staff must not engage.", "approved_on": dt.date(2025, 9, 1),
        "next_review_label": "Spring Term 2026", "next_review_due": dt.date(2026, 3, 1)})
    return {"parent": parent, "case": case}


def test_the_figures_for_a_seeded_term(school: Any, seeded: dict[str, Any],
                                       term: Term) -> None:
    report = build_report(school, term)
    assert report.comments == {"received": 9, "published": 6, "held": 3, "hidden": 3}
    assert sum(report.weekly["received"]) == 9 and report.weekly["held"][2] == 3
    assert report.held_by_category == [("Threat of violence", 2),
                                       ("Insult, harassment or cyberbullying", 1)]
    assert report.decision_hours == {"p50": 3.0, "p90": 10.0, "count": 3}
    assert sum(n for _, n in report.reports_by_category) == 3
    assert report.cases["opened"] == 1 and dict(report.steps)["Meeting with the head teacher"] == 1
    assert report.incidents == {"reported": 1, "closed": 0, "to_hr": 0}
    assert report.consent_rows[0] == ("Year 1", [0, 50, 0, 0, 0])
    assert report.restricted_exposures == 0
    assert report.policies[0]["overdue"] is (timezone.localdate() > dt.date(2026, 3, 1))


def test_posts_published_by_channel_come_from_the_publishing_log(
    school: Any, staff: dict[str, Any], term: Term,
) -> None:
    from gatehouse.publishing.models import Delivery
    from gatehouse.publishing.models import Post as PublishingPost

    post = PublishingPost.objects.create(school=school, author=staff["admin"], body="Trip",
                                         state=PublishingPost.State.AGREED)
    for channel, state, when in (("parents_group", "published", _at(3)),
                                 ("facebook", "published", _at(4)),
                                 ("instagram", "blocked", None),  # consent stopped it
                                 ("website", "published", _at(400))):  # after the term
        Delivery.objects.create(post=post, channel=channel, state=state, due_at=_at(3),
                                published_at=when)
    published = dict(build_report(school, term).publishing)
    assert published == {"Parents' group": 1, "Facebook": 1, "Instagram": 0,
                         "School website": 0, "Press": 0}


def test_governors_see_counts_and_charts_but_no_names(
    school: Any, staff: dict[str, Any], seeded: dict[str, Any], term: Term, login_client: Any,
) -> None:
    page = login_client(staff["governor"]).get(_url(school, "governance_report", pk=term.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") >= 5 and "Comments held, by category" in html
    for secret in ("Jordan Leewright", "Secret words", "TikTok", "Nasty", staff["teacher"].email,
                   "Daniel Patel"):
        assert secret not in html
    head = login_client(staff["head"]).get(_url(school, "governance_report", pk=term.pk))
    assert "Jordan Leewright" in head.content.decode()  # the head teacher's drill-down


def test_the_pdf_reads_back_with_its_charts(
    school: Any, staff: dict[str, Any], seeded: dict[str, Any], term: Term, login_client: Any,
    tmp_path: Path,
) -> None:
    response = login_client(staff["governor"]).get(_url(school, "governance_report_pdf",
                                                         pk=term.pk))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = " ".join(subprocess.run([PDFTOTEXT, str(path), "-"], capture_output=True,  # noqa: S603
                                   check=True, text=True).stdout.split())
    assert "governors' report, Spring Term 2026" in text
    assert "9 received, 6 published, 3 held for review" in text
    assert "Comments held, by category" in text and "Threat of violence" in text  # SVG text
    assert "Jordan Leewright" not in text and "Secret words" not in text


def test_a_term_with_no_data_reads_as_empty_not_as_an_error(
    school: Any, staff: dict[str, Any], login_client: Any, tmp_path: Path,
) -> None:
    empty = Term.objects.create(school=school, name="Summer 2030", starts_on=dt.date(2030, 4, 20),
                                ends_on=dt.date(2030, 7, 20))
    client = login_client(staff["governor"])
    html = client.get(_url(school, "governance_report", pk=empty.pk)).content.decode()
    assert "Nothing was recorded in this term" in html and "Nothing to show" in html
    assert client.get(_url(school, "governance_report_pdf", pk=empty.pk)).status_code == 200


def test_term_dates_are_checked(school: Any, staff: dict[str, Any], term: Term,
                                login_client: Any) -> None:
    client = login_client(staff["head"])
    url = _url(school, "governance_terms")
    for start, end, message in (("2026-02-01", "2026-04-01", "overlap"),
                                ("2026-09-10", "2026-09-01", "end after"),
                                ("2026-09-01", "2027-09-01", "four months")):
        response = client.post(url, {"name": "Autumn 2026", "starts_on": start, "ends_on": end})
        assert response.status_code == 400 and message in response.content.decode()
    assert client.post(url, {"name": "Autumn 2026", "starts_on": "2026-09-02",
                             "ends_on": "2026-12-18"}).status_code == 302
    assert login_client(staff["governor"]).post(url, {"name": "X", "starts_on": "2027-01-04",
                                                      "ends_on": "2027-03-01"}).status_code == 403
    assert Term.objects.count() == 2


def test_policy_reviews_make_versions_and_reminders_go_once(
    school: Any, staff: dict[str, Any], login_client: Any, make_parent: Any,
    smtp_server: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    client = login_client(staff["head"])
    response = client.post(_url(school, "governance_policies"), {
        "kind": "social_media", "title": "Social Media Policy", "committee": "Full Governing Body",
        "body": "Version one.", "approved_on": "2025-09-01", "next_review_label": "Spring 2026",
        "next_review_due": "2025-08-01"})
    assert response.status_code == 400 and "after the approval date" in response.content.decode()
    client.post(_url(school, "governance_policies"), {
        "kind": "social_media", "title": "Social Media Policy", "committee": "Full Governing Body",
        "body": "Version one.", "approved_on": "2025-09-01", "next_review_label": "Spring 2026",
        "next_review_due": "2026-03-01"})
    document = PolicyDocument.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_policy_reminders(dt.date(2026, 1, 1)) == 0
        assert send_policy_reminders(dt.date(2026, 2, 10)) == 1
        assert send_policy_reminders(dt.date(2026, 2, 11)) == 0
    assert "Policy review due" in smtp_server.wait_for("head@s.example")["Subject"]
    client.post(_url(school, "governance_policy", pk=document.pk), {
        "what_changed": "Added the staff incident section.", "body": "Version two.",
        "approved_on": timezone.localdate().isoformat(), "next_review_label": "Spring 2028",
        "next_review_due": (timezone.localdate() + dt.timedelta(days=700)).isoformat()})
    assert document.current.version == 2 and document.current.body == "Version two."
    assert document.reviews.get().what_changed == "Added the staff incident section."
    parent = make_parent(school)
    page = login_client(parent.user).get(reverse("policies", kwargs={"slug": school.slug}))
    assert "Version two." in page.content.decode() and "Version one." not in page.content.decode()


def test_charts_escape_their_labels_and_handle_nothing() -> None:
    svg = charts.bar_chart("Title <b>", [("<script>", 3), ("b", 1)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Nothing to show" in charts.column_chart("Empty", [], [])
    assert percentile([], 50) is None and percentile([1.0, 2.0, 3.0, 4.0], 90) == 4.0


def test_a_trust_sees_the_same_term_across_its_schools(
    school: Any, make_school: Any, staff: dict[str, Any], seeded: dict[str, Any], term: Term,
    login_client: Any,
) -> None:
    from gatehouse.accounts.models import StaffRole
    from gatehouse.schools.models import Trust

    trust = Trust.objects.create(name="Riverside Trust")
    sister = make_school(name="Brook Primary")
    unseen = make_school(name="Hidden Primary")
    for s in (school, sister, unseen):
        s.trust = trust
        s.save()
    StaffRole.objects.create(user=staff["governor"], school=sister, role="governor")
    page = login_client(staff["governor"]).get(_url(school, "governance_report", pk=term.pk))
    html = page.content.decode()
    assert "Across the trust" in html and "Brook Primary" in html
    assert "Hidden Primary" not in html
    alone = login_client(staff["head"]).get(_url(school, "governance_report", pk=term.pk))
    assert "Across the trust" not in alone.content.decode()
