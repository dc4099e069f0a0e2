"""The head teacher's case pages: list, timeline, steps, letters, evidence and the pack."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gatehouse.accounts.models import Role
from gatehouse.accounts.permissions import staff_view
from gatehouse.cases import actions, letters
from gatehouse.cases.access import (
    CASE_ROLES,
    OPENERS,
    OWNERS,
    access_case,
    can_add_evidence,
    is_owner,
    visible_cases,
)
from gatehouse.cases.forms import (
    KIND_FIELDS,
    TEMPLATE_KINDS,
    CaseForm,
    EvidenceForm,
    LetterheadForm,
    OutcomeForm,
    SendLetterForm,
    StepForm,
    TemplateForm,
)
from gatehouse.cases.models import Case, Letter, Step
from gatehouse.cases.pack import do_export_pack
from gatehouse.evidence.models import CustodyEvent, EvidenceItem, owner_key
from gatehouse.evidence.store import do_note_custody, items_of
from gatehouse.schools.models import School


@staff_view(*CASE_ROLES)
def case_list(request: HttpRequest, school: School) -> HttpResponse:
    status = "closed" if request.GET.get("status") == "closed" else "open"
    cases = (visible_cases(request.user, school).filter(status=status)
             .annotate(step_count=Count("steps", distinct=True)).select_related("opened_by"))
    return render(request, "cases/list.html", {
        "school": school, "cases": cases, "status": status,
        "can_open": can_add_evidence(request.user, school)})


@staff_view(*OPENERS)
def case_open(request: HttpRequest, school: School) -> HttpResponse:
    form = CaseForm(request.POST or None, school=school,
                    initial={"began_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.do_open_case(school, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Case {case.reference} is open.")
            return redirect("staff:case_detail", slug=school.slug, pk=case.pk)
    return render(request, "cases/open.html", {"school": school, "form": form},
                  status=400 if form.errors else 200)


def _case_context(request: HttpRequest, school: School, case: Case) -> dict[str, Any]:
    owner = is_owner(request.user, school)
    steps = list(case.steps.select_related("recorded_by", "restriction", "platform_report",
                                           "letter"))
    return {
        "school": school, "case": case, "steps": steps, "owner": owner,
        "can_add_evidence": can_add_evidence(request.user, school),
        "comments": case.comments.select_related("comment__post", "added_by"),
        "evidence": [i for i in items_of(owner_key(case)) if i.kind != EvidenceItem.Kind.DOCUMENT],
        "letters": case.letters.select_related("sent_by", "step"),
        "kinds": Step.Kind.choices, "today": timezone.localdate(),
        "overdue": [s for s in steps if s.deadline_passed()],
    }


@staff_view(*CASE_ROLES)
def case_detail(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    case = access_case(request.user, school, pk)
    return render(request, "cases/detail.html", _case_context(request, school, case))


@staff_view(*OPENERS)
def evidence_add(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    case = access_case(request.user, school, pk)
    form = EvidenceForm(request.POST or None, request.FILES or None,
                        initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meta = {k: data[k] for k in ("platform", "url", "seen_at", "notes")}
        try:
            actions.do_add_evidence(case, actor=request.user, version=data["version"],
                                    title=data["title"], text=data["text"],
                                    screenshot=data["screenshot"], meta=meta)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The evidence is kept in the case with its SHA-256.")
            return redirect("staff:case_detail", slug=school.slug, pk=case.pk)
    return render(request, "cases/evidence_add.html",
                  {"school": school, "case": case, "form": form},
                  status=400 if form.errors else 200)


@staff_view(*CASE_ROLES)
def evidence_file(request: HttpRequest, school: School, pk: int, item_id: int) -> HttpResponse:
    """An original, served only inside its case; every view is on the custody log."""
    case = access_case(request.user, school, pk)
    item = get_object_or_404(EvidenceItem, pk=item_id, owner=owner_key(case))
    if item.kind == EvidenceItem.Kind.DOCUMENT and not is_owner(request.user, school):
        raise Http404("No such item.")
    download = request.GET.get("download") == "1"
    do_note_custody([item], action=CustodyEvent.Action.DOWNLOADED if download else
                    CustodyEvent.Action.VIEWED, actor=request.user)
    response = HttpResponse(item.read_original(), content_type=item.media_type)
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="evidence-{item.pk}.' \
                                      f'{item.extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_view(*OWNERS)
def step_add(request: HttpRequest, school: School, pk: int, kind: str) -> HttpResponse:
    case = access_case(request.user, school, pk)
    if kind not in KIND_FIELDS:
        raise Http404("No such step.")
    form = StepForm(request.POST or None, kind=kind, school=school,
                    initial={"version": case.version, "occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            step = actions.do_add_step(case, actor=request.user, version=version, kind=kind,
                                       data=data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Recorded: {step.get_kind_display()}.")
            if step.letter_kind:
                return redirect("staff:case_letter", slug=school.slug, pk=case.pk,
                                step_id=step.pk)
            return redirect("staff:case_detail", slug=school.slug, pk=case.pk)
    return render(request, "cases/step_add.html", {
        "school": school, "case": case, "form": form, "kind": kind,
        "kind_label": Step.Kind(kind).label}, status=400 if form.errors else 200)


def _step(request: HttpRequest, school: School, pk: int, step_id: int) -> Step:
    case = access_case(request.user, school, pk)
    return get_object_or_404(Step.objects.select_related("case__member__user"), pk=step_id,
                             case=case)


@staff_view(*OWNERS)
def step_outcome(request: HttpRequest, school: School, pk: int, step_id: int) -> HttpResponse:
    step = _step(request, school, pk, step_id)
    form = OutcomeForm(request.POST or None, initial={
        "version": step.case.version, "outcome_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_outcome(step, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Outcome recorded.")
            return redirect("staff:case_detail", slug=school.slug, pk=pk)
    return render(request, "cases/outcome.html", {
        "school": school, "case": step.case, "step": step, "form": form},
        status=400 if form.errors else 200)


@staff_view(*OWNERS)
def letter(request: HttpRequest, school: School, pk: int, step_id: int) -> HttpResponse:
    """Preview the letter in the browser; send (email or print) freezes it."""
    step = _step(request, school, pk, step_id)
    if not step.letter_kind:
        raise Http404("This step has no letter.")
    sent = Letter.objects.filter(step=step).select_related("sent_by").first()
    email = actions.recipient_email(step)
    form = SendLetterForm(request.POST or None, initial={
        "delivery": Letter.Delivery.EMAIL if email else Letter.Delivery.PRINT})
    if request.method == "POST" and sent is None and form.is_valid():
        try:
            sent = actions.do_send_letter(step, actor=request.user,
                                          delivery=form.cleaned_data["delivery"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The letter is sent and frozen." if sent.recipient_email
                             else "The letter is frozen. Print it from the PDF below.")
            return redirect("staff:case_letter", slug=school.slug, pk=pk, step_id=step.pk)
    rendered = letters.render_letter(step)
    return render(request, "cases/letter.html", {
        "school": school, "case": step.case, "step": step, "sent": sent, "email": email,
        "form": form, "body": _preview_body(rendered.html), "subject": rendered.subject},
        status=400 if form.errors else 200)


def _preview_body(html: str) -> str:
    """The letter's <body> for showing inside the page (wording is tag-checked on save)."""
    start, end = html.find("<body>"), html.rfind("</body>")
    return html[start + len("<body>"):end] if start >= 0 and end > start else html


@staff_view(*OWNERS)
def letter_pdf(request: HttpRequest, school: School, pk: int, step_id: int) -> HttpResponse:
    """The sent letter's frozen PDF, or a preview of the letter as it would be sent now."""
    step = _step(request, school, pk, step_id)
    if not step.letter_kind:
        raise Http404("This step has no letter.")
    sent = Letter.objects.filter(step=step).select_related("pdf").first()
    if sent is not None:
        do_note_custody([sent.pdf], action=CustodyEvent.Action.VIEWED, actor=request.user)
        data, name = sent.pdf.read_original(), f"{step.case.reference}-{step.letter_kind}.pdf"
    else:
        data = letters.render_pdf(letters.render_letter(step).html)
        name = f"PREVIEW-{step.case.reference}-{step.letter_kind}.pdf"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_view(*OWNERS)
@require_POST
def case_close(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    case = access_case(request.user, school, pk)
    reopen = request.POST.get("reopen") == "1"
    try:
        actions.do_close_case(case, actor=request.user, reopen=reopen,
                              version=int(request.POST.get("version", "0") or 0))
    except (ValidationError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, "The case is open again." if reopen else "The case is closed.")
    return redirect("staff:case_detail", slug=school.slug, pk=pk)


@staff_view(*OWNERS)
@require_POST
def case_pack(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    case = access_case(request.user, school, pk)
    data = do_export_pack(case, actor=request.user)
    response = HttpResponse(data, content_type="application/zip")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (f'attachment; filename="evidence-pack-{case.reference}-'
                                       f'{stamp}.zip"')
    response["Cache-Control"] = "private, no-store"
    return response


@staff_view(*OWNERS)
def letter_settings(request: HttpRequest, school: School) -> HttpResponse:
    letterhead = letters.letterhead_for(school)
    form = LetterheadForm(request.POST or None, request.FILES or None, initial={
        "display_name": letterhead.display_name, "address": letterhead.address,
        "signature_name": letterhead.signature_name,
        "signature_role": letterhead.signature_role})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        crest = data.pop("crest")
        actions.do_save_letterhead(school, actor=request.user, data=data, crest=crest)
        messages.success(request, "The letterhead is saved.")
        return redirect("staff:letter_settings", slug=school.slug)
    templates = [(kind, label, letters.current_template(school, kind))
                 for kind, label in TEMPLATE_KINDS.items()]
    return render(request, "cases/letter_settings.html", {
        "school": school, "form": form, "templates": templates, "letterhead": letterhead},
        status=400 if form.errors else 200)


@staff_view(*OWNERS)
def letter_template(request: HttpRequest, school: School, kind: str) -> HttpResponse:
    if kind not in TEMPLATE_KINDS:
        raise Http404("No such letter.")
    subject, body, current = letters.wording(school, kind)
    form = TemplateForm(request.POST or None, initial={"subject": subject, "body": body})
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.do_save_template(school, actor=request.user, kind=kind,
                                             **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("body", exc)
        else:
            messages.success(request, f"Saved as version {saved.version}; new letters use it.")
            return redirect("staff:letter_settings", slug=school.slug)
    return render(request, "cases/letter_template.html", {
        "school": school, "form": form, "kind_label": TEMPLATE_KINDS[kind],
        "current": current}, status=400 if form.errors else 200)


@staff_view(Role.GOVERNOR, Role.HEAD_TEACHER)
def summary(request: HttpRequest, school: School) -> HttpResponse:
    """Anonymised counts for governors: no names, no content."""
    cases = Case.objects.filter(school=school)
    steps = Counter(Step.objects.filter(case__school=school).values_list("kind", flat=True))
    return render(request, "cases/summary.html", {
        "school": school, "open": cases.filter(status=Case.Status.OPEN).count(),
        "closed": cases.filter(status=Case.Status.CLOSED).count(),
        "touching_pupils": cases.filter(touches_pupil=True).count(),
        "steps": [(label, steps.get(kind, 0)) for kind, label in Step.Kind.choices]})
