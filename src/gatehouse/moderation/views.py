"""The moderators' queue and the pages that set a school's moderation policy."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gatehouse.accounts.models import Restriction, Role, User
from gatehouse.accounts.permissions import access_membership, access_school, staff_view
from gatehouse.community.models import Comment
from gatehouse.evidence.models import CustodyEvent
from gatehouse.evidence.store import do_note_custody
from gatehouse.lib.ratelimit import RateLimited, check_rate
from gatehouse.moderation import actions
from gatehouse.moderation.engine import CATEGORIES, LABELS
from gatehouse.moderation.forms import (
    PlatformReportForm,
    ReportForm,
    RosterEntryForm,
    RulesForm,
    WatchedForm,
)
from gatehouse.moderation.models import (
    CommentScore,
    PlatformReport,
    QueueItem,
    RosterEntry,
    WatchedPhrase,
)
from gatehouse.moderation.originals import comment_of, moderation_originals, originals_of
from gatehouse.moderation.policy import Rules, decide, ensure_defaults, rules_for
from gatehouse.publishing.models import PlatformComment
from gatehouse.schools.models import School

QUEUE_ROLES = (Role.MODERATOR, Role.ADMINISTRATOR, Role.HEAD_TEACHER, Role.DSL)
# Safeguarding concerns are seen by the DSL and the head teacher only (design invariant 10).
CONCERN_ROLES = (Role.DSL, Role.HEAD_TEACHER)
BREACH = QueueItem.Kind.BREACH
CONCERN = QueueItem.Kind.CONCERN
DECIDERS = (Role.MODERATOR, Role.ADMINISTRATOR)
DECISIONS = {"approve": actions.do_approve, "hide": actions.do_hide,
             "escalate": actions.do_escalate}


def _queue_items(school: School, status: str, kind: str = BREACH) -> list[QueueItem]:
    order = ["-severity", "created_at"] if status == "open" else ["-decided_at"]
    items = list(
        QueueItem.objects.filter(school=school, status=status, kind=kind)
        .select_related("comment__author", "comment__post", "comment__score",
                        "platform_comment", "decided_by")
        .order_by(*order)[:100]
    )
    _attach_history(school, items)
    originals = originals_of(item.comment_id for item in items if item.comment_id)
    on_platforms = originals_of((item.platform_comment_id for item in items
                                 if item.platform_comment_id), PlatformComment)
    for item in items:
        item.original = (originals.get(item.comment_id) if item.comment_id
                         else on_platforms.get(item.platform_comment_id))
    return items


def _attach_history(school: School, items: list[QueueItem]) -> None:
    """Each author's record in this school: comments hidden, approved after review, restrictions."""
    authors = {item.comment.author_id for item in items if item.comment_id}
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    # Concerns a parent raised about their child never count against them.
    rows = (QueueItem.objects.filter(school=school, comment__author__in=authors, kind=BREACH)
            .values("comment__author", "status").annotate(n=Count("pk")))
    for row in rows:
        counts[row["comment__author"]][row["status"]] = row["n"]
    restricted = dict(Restriction.objects.filter(membership__school=school,
                                                 membership__user__in=authors)
                      .values("membership__user").annotate(n=Count("pk"))
                      .values_list("membership__user", "n"))
    for item in items:
        if not item.comment_id:  # on the school's Page or Instagram: not a member's record
            item.history, item.score_rows = None, []
            continue
        item.history = {**counts[item.comment.author_id],
                        "restrictions": restricted.get(item.comment.author_id, 0)}
        score = getattr(item.comment, "score", None)
        item.score_rows = _score_rows(score) if score else []


def _score_rows(score: CommentScore) -> list[dict[str, object]]:
    return [{"label": LABELS[c], "value": score.scores.get(c, 0.0), "flagged": c in score.flagged,
             "triggers": score.triggers.get(c, [])} for c in CATEGORIES]


@staff_view(*QUEUE_ROLES)
def queue(request: HttpRequest, school: School) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in QueueItem.Status.values:
        status = "open"
    roles = request.user.roles_at(school.pk)
    context = {"school": school, "items": _queue_items(school, status), "status": status,
               "statuses": [c for c in QueueItem.Status.choices
                            if c[0] != QueueItem.Status.HANDLED],
               "can_decide": bool(roles & set(DECIDERS)),
               "open_concerns": (QueueItem.objects.filter(school=school, kind=CONCERN,
                                                          status=QueueItem.Status.OPEN).count()
                                 if roles & set(CONCERN_ROLES) else None)}
    if request.htmx:
        return render(request, "moderation/_queue_items.html", context)
    return render(request, "moderation/queue.html", context)


@staff_view(*CONCERN_ROLES)
def concerns(request: HttpRequest, school: School) -> HttpResponse:
    """Safeguarding concerns: parents reporting harm to their child, apart from breaches."""
    status = request.GET.get("status", "open")
    if status not in (QueueItem.Status.OPEN, QueueItem.Status.HANDLED):
        status = QueueItem.Status.OPEN
    return render(request, "moderation/concerns.html", {
        "school": school, "status": status, "items": _queue_items(school, status, CONCERN),
        "can_handle": Role.DSL in request.user.roles_at(school.pk)})


@staff_view(Role.DSL)
@require_POST
def handle_concern(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    item = get_object_or_404(QueueItem, pk=pk, school=school, kind=CONCERN)
    try:
        actions.do_handle_concern(item, actor=request.user,
                                  note=request.POST.get("note", "")[:1000])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Recorded as taken up. The comment stays unpublished.")
    return redirect("staff:moderation_concerns", slug=school.slug)


@staff_view(*DECIDERS)
@require_POST
def decide_item(request: HttpRequest, school: School, pk: int, decision: str) -> HttpResponse:
    item = get_object_or_404(QueueItem, pk=pk, school=school, kind=BREACH)
    if decision not in DECISIONS:
        return HttpResponse("Unknown decision", status=400)
    note = request.POST.get("note", "")[:1000]
    try:
        text = {"approve": "Approved", "hide": "Hidden and kept as evidence",
                "escalate": "Hidden and escalated to the head teacher"}[decision]
        if decision == "approve":
            actions.do_approve(item, actor=request.user)
        elif decision == "escalate":
            text += _escalate(item, request.user, note)
        else:
            DECISIONS[decision](item, actor=request.user, note=note)
    except ValidationError as exc:
        text = " ".join(exc.messages)
    if request.htmx:
        return render(request, "moderation/_decided.html", {"text": text, "item": item})
    messages.info(request, text)
    return redirect("staff:moderation_queue", slug=school.slug)


def _escalate(item: QueueItem, actor: User, note: str) -> str:
    """Escalating also opens the author's case, or adds the comment to the one already open;
    both happen in one transaction."""
    from gatehouse.cases.actions import do_escalate_to_case

    with transaction.atomic():
        actions.do_escalate(item, actor=actor, note=note)
        case = do_escalate_to_case(item, actor=actor, note=note)
    if item.platform_comment_id:
        return (f"; no case opened: the author is on {item.platform_label}, not a member of "
                "the group (report them to the platform if needed)")
    return f"; added to case {case.reference}" if case else ""


@staff_view(*DECIDERS)
@require_POST
def bulk_decide(request: HttpRequest, school: School) -> HttpResponse:
    decision = request.POST.get("decision")
    ids = [int(i) for i in request.POST.getlist("items") if i.isdigit()][:100]
    if decision not in {"approve", "hide"} or not ids:
        messages.error(request, "Choose some comments and an action.")
        return redirect("staff:moderation_queue", slug=school.slug)
    done = 0
    for item in QueueItem.objects.filter(school=school, pk__in=ids, kind=BREACH):
        try:
            DECISIONS[decision](item, actor=request.user)
            done += 1
        except ValidationError:
            continue
    messages.success(request, f"{done} comment{'s' if done != 1 else ''} "
                              f"{'approved' if decision == 'approve' else 'hidden'}.")
    return redirect("staff:moderation_queue", slug=school.slug)


@staff_view(Role.MODERATOR, Role.ADMINISTRATOR, Role.HEAD_TEACHER)
def evidence(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """A hidden comment's original (in the parents' group or on the school's Page or
    Instagram) and its chain of custody; opening it is on the log. Only hidden originals are
    found here: cases' and incidents' evidence is not (invariant 7)."""
    item = get_object_or_404(moderation_originals(school), pk=pk)
    do_note_custody([item], action=CustodyEvent.Action.VIEWED, actor=request.user)
    return render(request, "moderation/evidence.html", {
        "school": school, "evidence": item, "intact": item.is_intact(),
        "comment": comment_of(item), "custody": item.custody.select_related("actor")})


@staff_view(Role.MODERATOR, Role.ADMINISTRATOR, Role.HEAD_TEACHER)
def person_record(request: HttpRequest, school: School, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id, memberships__school=school)
    items = (QueueItem.objects.filter(school=school, comment__author=person, kind=BREACH)
             .select_related("comment__post", "decided_by").order_by("-created_at"))
    restrictions = Restriction.objects.filter(membership__school=school,
                                              membership__user=person).order_by("-starts_at")
    comments = Comment.objects.filter(post__school=school, author=person)
    evidence = originals_of(comments.values_list("pk", flat=True)).values()
    return render(request, "moderation/person.html", {
        "school": school, "person": person, "items": items, "restrictions": restrictions,
        "evidence": sorted(evidence, key=lambda e: (e.created_at, e.pk))})


@staff_view(Role.ADMINISTRATOR)
def rules(request: HttpRequest, school: School) -> HttpResponse:
    current = rules_for(school)
    form = RulesForm(request.POST or None, rules=current)
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            proposed = Rules(actions={c: a for c, (a, _) in form.cleaned_rules().items()},
                             thresholds={c: t for c, (_, t) in form.cleaned_rules().items()},
                             watched=current.watched)
            return render(request, "moderation/_preview.html",
                          {"school": school, "preview": _preview(school, current, proposed)})
        actions.do_save_rules(school, actor=request.user, rules=form.cleaned_rules())
        messages.success(request, "The moderation rules are saved and apply from now on.")
        return redirect("staff:moderation_rules", slug=school.slug)
    if request.htmx and form.errors:
        return render(request, "moderation/_preview.html", {"errors": form.errors}, status=400)
    return render(request, "moderation/rules.html", {"school": school, "form": form},
                  status=400 if form.errors else 200)


def _preview(school: School, current: Rules, proposed: Rules) -> dict[str, object]:
    """What the proposed rules would have done to the last 30 days of scored comments."""
    scored = (CommentScore.objects.filter(comment__post__school=school,
                                          created_at__gte=actions.recent_window())
              .select_related("comment__author"))
    newly_held, newly_published, held_before, held_after, total = [], [], 0, 0, 0
    for score in scored.iterator(chunk_size=500):
        total += 1
        before = decide(score.scores, score.watched_hits, current, score.concern).is_held
        after = decide(score.scores, score.watched_hits, proposed, score.concern).is_held
        held_before += before
        held_after += after
        if after and not before:
            newly_held.append(score.comment)
        elif before and not after:
            newly_published.append(score.comment)
    return {"total": total, "held_before": held_before, "held_after": held_after,
            "newly_held": newly_held[:20], "newly_published": newly_published[:20],
            "newly_held_count": len(newly_held), "newly_published_count": len(newly_published)}


@staff_view(Role.ADMINISTRATOR, Role.MODERATOR)
def watched(request: HttpRequest, school: School) -> HttpResponse:
    ensure_defaults(school)
    form = WatchedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_watched(school, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("phrase", exc)
        else:
            messages.success(request, "Added to the watched list.")
            return redirect("staff:moderation_watched", slug=school.slug)
    return render(request, "moderation/watched.html", {
        "school": school, "form": form,
        "phrases": WatchedPhrase.objects.filter(school=school)},
        status=400 if form.errors else 200)


@staff_view(Role.ADMINISTRATOR, Role.MODERATOR)
@require_POST
def remove_watched(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    actions.do_remove_watched(get_object_or_404(WatchedPhrase, pk=pk, school=school),
                              actor=request.user)
    messages.success(request, "Removed from the watched list.")
    return redirect("staff:moderation_watched", slug=school.slug)


@staff_view(Role.ADMINISTRATOR)
def roster(request: HttpRequest, school: School) -> HttpResponse:
    form = RosterEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_add_roster_entry(school, actor=request.user, data=form.cleaned_data)
        messages.success(request, "Added to the roster.")
        return redirect("staff:moderation_roster", slug=school.slug)
    return render(request, "moderation/roster.html", {
        "school": school, "form": form, "entries": RosterEntry.objects.filter(school=school)},
        status=400 if form.errors else 200)


@staff_view(Role.ADMINISTRATOR)
@require_POST
def remove_roster_entry(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    actions.do_remove_roster_entry(get_object_or_404(RosterEntry, pk=pk, school=school),
                                   actor=request.user)
    messages.success(request, "Removed from the roster.")
    return redirect("staff:moderation_roster", slug=school.slug)


@staff_view(Role.MODERATOR, Role.ADMINISTRATOR)
def platform_reports(request: HttpRequest, school: School) -> HttpResponse:
    form = PlatformReportForm(request.POST or None, initial=_report_initial(school, request))
    if request.method == "POST" and form.is_valid():
        actions.do_record_platform_report(school, actor=request.user, data=form.cleaned_data)
        messages.success(request, "The report to the platform is recorded.")
        return redirect("staff:platform_reports", slug=school.slug)
    return render(request, "moderation/platform_reports.html", {
        "school": school, "form": form, "outcomes": PlatformReport.Outcome.choices,
        "reports": PlatformReport.objects.filter(school=school).select_related("recorded_by")},
        status=400 if form.errors else 200)


@staff_view(Role.MODERATOR, Role.ADMINISTRATOR)
@require_POST
def platform_outcome(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    report = get_object_or_404(PlatformReport, pk=pk, school=school)
    outcome = request.POST.get("outcome", "")
    if outcome in PlatformReport.Outcome.values:
        actions.do_update_platform_outcome(report, actor=request.user, outcome=outcome)
        messages.success(request, "Outcome updated.")
    else:
        messages.error(request, "Choose an outcome from the list.")
    return redirect("staff:platform_reports", slug=school.slug)


def _report_initial(school: School, request: HttpRequest) -> dict[str, str]:
    """"Report to the platform" from a queued Page or Instagram comment fills in the form."""
    pk = request.GET.get("item", "")
    item = (QueueItem.objects.filter(school=school, pk=pk, platform_comment__isnull=False)
            .select_related("platform_comment").first()
            if pk.isdigit() and len(pk) <= 9 else None)
    if item is None:
        return {}
    found = item.platform_comment
    return {"platform": found.get_platform_display(),
            "notes": f"Comment {found.comment_id} by {item.author_name} on the school's "
                     f"{item.platform_label}."}


@login_required
def report_comment(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    """Any member (parent or staff) can report a comment they can see."""
    school = access_school(slug)
    access_membership(request.user, school)
    comment = get_object_or_404(Comment.objects.select_related("post", "author"), pk=comment_id,
                                post__school=school, status=Comment.Status.VISIBLE)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check_rate(request, "report")
            actions.do_report_comment(comment, reporter=request.user, **form.cleaned_data)
        except RateLimited as exc:
            form.add_error(None, str(exc))
            return render(request, "moderation/report.html",
                          {"school": school, "comment": comment, "form": form}, status=429)
        except ValidationError as exc:
            messages.info(request, " ".join(exc.messages))
        else:
            messages.success(request, "Thank you. A moderator will look at this comment.")
        return redirect("feed", slug=school.slug)
    return render(request, "moderation/report.html",
                  {"school": school, "comment": comment, "form": form},
                  status=400 if form.errors else 200)
