"""The consent register for staff, and parents' own consent choices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gatehouse.accounts.models import Role, StaffRole
from gatehouse.accounts.permissions import (
    access_membership,
    access_school,
    check_not_removed,
    staff_view,
)
from gatehouse.consent import actions, biometrics, mis_import
from gatehouse.consent.forms import (
    BiometricEntryForm,
    ImagePermissionForm,
    ImportConfirmForm,
    ImportForm,
    ParentConsentForm,
    PupilConsentForm,
    RecognitionForm,
    RestrictForm,
)
from gatehouse.consent.models import (
    Channel,
    PhotoConsent,
    PostImage,
    Pupil,
    StaffImagePermission,
    TakedownTask,
)
from gatehouse.consent.withdrawal import (
    ReachResult,
    do_complete_takedown,
    published_items_showing,
)
from gatehouse.schools.models import School

ADMIN, POSTER, DSL, HEAD = Role.ADMINISTRATOR, Role.POSTER, Role.DSL, Role.HEAD_TEACHER
REGISTER_ROLES = (ADMIN, POSTER, DSL, HEAD)


def _reach_message(request: HttpRequest, result: ReachResult | None) -> None:
    if result and result.drafts:
        messages.warning(request, (
            f"{len(result.drafts)} published item(s) showed this pupil: "
            f"{len(result.hidden_posts)} hidden from the parents' group now, "
            f"{len(result.takedowns)} takedown task(s) created for other channels."))


# --- register --------------------------------------------------------------------------------


@staff_view(*REGISTER_ROLES)
def pupils(request: HttpRequest, school: School) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    found = Pupil.objects.filter(school=school).on_roll().prefetch_related("photo_consents")
    if query:
        found = found.filter(Q(last_name__icontains=query) | Q(first_name__icontains=query)
                             | Q(preferred_name__icontains=query) | Q(year_group__iexact=query)
                             | Q(class_name__iexact=query))
    page = Paginator(found, 100).get_page(request.GET.get("page"))
    return render(request, "consent/pupils.html", {
        "school": school, "page": page, "query": query, "channels": Channel.choices,
        "can_import": ADMIN in request.user.roles_at(school.pk),
    })


def _pupil(school: School, pk: int) -> Pupil:
    consents = PhotoConsent.objects.select_related("recorded_by")
    return get_object_or_404(
        Pupil.objects.prefetch_related(Prefetch("photo_consents", queryset=consents),
                                       "responsibilities"), pk=pk, school=school)


@staff_view(*REGISTER_ROLES)
def pupil_detail(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    pupil = _pupil(school, pk)
    return _render_pupil(request, school, pupil)


def _render_pupil(request: HttpRequest, school: School, pupil: Pupil, *,
                  consent_form: PupilConsentForm | None = None,
                  restrict_form: RestrictForm | None = None,
                  biometric_form: BiometricEntryForm | None = None,
                  status: int = 200) -> HttpResponse:
    roles = request.user.roles_at(school.pk)
    consents = {c.channel: c for c in pupil.photo_consents.all()}
    return render(request, "consent/pupil.html", {
        "school": school, "pupil": pupil,
        "rows": [(label, consents.get(value)) for value, label in Channel.choices],
        "can_record": bool(roles & actions.RECORDING_ROLES),
        "can_restrict": bool(roles & actions.RESTRICTING_ROLES),
        "consent_form": consent_form or PupilConsentForm(pupil=pupil),
        "restrict_form": restrict_form or RestrictForm(),
        "biometric_form": biometric_form or BiometricEntryForm(pupil=pupil),
        "biometric_entries": pupil.biometric_entries.select_related(
            "responsibility", "recorded_by"),
        "may_use_biometrics": biometrics.may_use_biometrics(pupil),
        "templates": pupil.templates.count(),
        "published": published_items_showing(pupil),
    }, status=status)


@staff_view(ADMIN, DSL, HEAD)
@require_POST
def record_consent(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    pupil = _pupil(school, pk)
    form = PupilConsentForm(request.POST, request.FILES, pupil=pupil)
    if not form.is_valid():
        return _render_pupil(request, school, pupil, consent_form=form, status=400)
    note, upload = form.cleaned_data["evidence_note"], form.cleaned_data["evidence_file"]
    with transaction.atomic():
        for channel, status in form.statuses().items():
            if status == pupil.consent_for(channel) and not upload:
                continue
            _reach_message(request, actions.do_record_consent(
                pupil, actor=request.user, channel=channel, status=status,
                evidence_note=note, evidence_file=upload))
    messages.success(request, f"Consent for {pupil.name} is saved and applies at once.")
    return redirect("staff:pupil", slug=school.slug, pk=pupil.pk)


@staff_view(DSL, HEAD)
@require_POST
def set_restricted(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    pupil = _pupil(school, pk)
    form = RestrictForm(request.POST)
    if not form.is_valid():
        return _render_pupil(request, school, pupil, restrict_form=form, status=400)
    restricted = request.POST.get("restricted") == "1"
    result = actions.do_set_restricted(pupil, actor=request.user, restricted=restricted,
                                       reason=form.cleaned_data["reason"])
    _reach_message(request, result)
    messages.success(request, f"{pupil.name} is {'now' if restricted else 'no longer'} on the "
                              "restricted list.")
    return redirect("staff:pupil", slug=school.slug, pk=pupil.pk)


@staff_view(ADMIN)
def import_pupils(request: HttpRequest, school: School) -> HttpResponse:
    """Upload → preview what would change → confirm. A file with bad rows imports nothing."""
    if request.method == "POST" and "csv_text" in request.POST:
        return _confirm_import(request, school)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"school": school, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            text = mis_import.decode(form.cleaned_data["file"])
            rows = mis_import.parse(text)
        except mis_import.ImportErrors as exc:
            context["problems"] = exc.problems
            return render(request, "consent/import.html", context, status=400)
        full = form.cleaned_data["full"]
        context.update(plan=actions.plan_import(school, rows, full=full),
                       confirm=ImportConfirmForm(initial={"csv_text": text, "full": full}))
    return render(request, "consent/import.html", context,
                  status=400 if form.errors else 200)


def _confirm_import(request: HttpRequest, school: School) -> HttpResponse:
    confirm = ImportConfirmForm(request.POST)
    if not confirm.is_valid():
        messages.error(request, "The import could not be confirmed; please upload the file again.")
        return redirect("staff:import_pupils", slug=school.slug)
    try:
        rows = mis_import.parse(confirm.cleaned_data["csv_text"])
    except mis_import.ImportErrors:
        messages.error(request, "The file changed; please upload it again.")
        return redirect("staff:import_pupils", slug=school.slug)
    plan = actions.do_import_pupils(school, actor=request.user, rows=rows,
                                    full=confirm.cleaned_data["full"])
    messages.success(request, (
        f"Imported: {len(plan.created)} new, {len(plan.updated)} updated, "
        f"{len(plan.returning)} returning, {len(plan.leavers)} marked as leavers."))
    return redirect("staff:pupils", slug=school.slug)


# --- staff image permission ------------------------------------------------------------------


@staff_view(*Role.values)
def image_permission(request: HttpRequest, school: School) -> HttpResponse:
    current = StaffImagePermission.objects.filter(school=school, user=request.user).first()
    form = ImagePermissionForm(request.POST or None, initial={
        "given": ("yes" if current.given else "no") if current else None})
    if request.method == "POST" and form.is_valid():
        actions.do_set_own_image_permission(school, actor=request.user,
                                            given=form.cleaned_data["given"])
        messages.success(request, "Your image permission is saved.")
        return redirect("staff:image_permission", slug=school.slug)
    everyone = None
    if ADMIN in request.user.roles_at(school.pk):
        given = set(StaffImagePermission.objects.filter(school=school, given=True)
                    .values_list("user_id", flat=True))
        users = {r.user for r in StaffRole.objects.filter(school=school).select_related("user")}
        everyone = sorted(((u, u.pk in given) for u in users), key=lambda p: p[0].full_name)
    return render(request, "consent/image_permission.html", {
        "school": school, "form": form, "current": current, "everyone": everyone,
    }, status=400 if form.errors else 200)


# --- takedowns and biometrics ----------------------------------------------------------------


@staff_view(ADMIN)
def takedowns(request: HttpRequest, school: School) -> HttpResponse:
    tasks = TakedownTask.objects.filter(school=school).select_related("draft", "pupil", "staff",
                                                                      "done_by")
    hidden = PostImage.objects.filter(post__school=school, hidden_at__isnull=False
                                      ).select_related("post").order_by("-hidden_at")[:50]
    return render(request, "consent/takedowns.html", {
        "school": school, "open": [t for t in tasks if not t.done_at],
        "done": [t for t in tasks if t.done_at][:50], "hidden": hidden,
    })


@staff_view(ADMIN)
@require_POST
def complete_takedown(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    task = get_object_or_404(TakedownTask, pk=pk, school=school, done_at__isnull=True)
    do_complete_takedown(task, actor=request.user)
    messages.success(request, "Marked as taken down.")
    return redirect("staff:takedowns", slug=school.slug)


@staff_view(ADMIN, HEAD)
def recognition_settings(request: HttpRequest, school: School) -> HttpResponse:
    current = biometrics.settings_for(school)
    form = RecognitionForm(request.POST or None, initial={
        "enabled": current.recognition_enabled, "dpia_reference": current.dpia_reference})
    if request.method == "POST" and form.is_valid():
        try:
            biometrics.do_set_recognition(school, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("dpia_reference", exc)
        else:
            messages.success(request, "Saved.")
            return redirect("staff:recognition", slug=school.slug)
    return render(request, "consent/recognition.html", {
        "school": school, "form": form, "current": current,
        "model": biometrics.RECOGNITION_MODEL,
    }, status=400 if form.errors else 200)


@staff_view(*biometrics.LEDGER_ROLES)
@require_POST
def record_biometric(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    pupil = _pupil(school, pk)
    form = BiometricEntryForm(request.POST, pupil=pupil)
    if form.is_valid():
        try:
            biometrics.do_record_biometric_entry(pupil, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("responsibility", exc)
    if form.errors:
        return _render_pupil(request, school, pupil, biometric_form=form, status=400)
    messages.success(request, "Recorded in the biometric consent ledger.")
    return redirect("staff:pupil", slug=school.slug, pk=pupil.pk)


# --- parents ---------------------------------------------------------------------------------


@login_required
def my_children(request: HttpRequest, slug: str) -> HttpResponse:
    school = access_school(slug)
    children = list(Pupil.objects.of_parent(request.user).filter(school=school).on_roll()
                    .prefetch_related("photo_consents"))
    forms = {child.pk: ParentConsentForm(pupil=child) for child in children}
    status = 200
    if request.method == "POST":
        child = next((c for c in children if str(c.pk) == request.POST.get("pupil")), None)
        if child is None:
            raise PermissionDenied("You can only change consent for your own child.")
        form = forms[child.pk] = ParentConsentForm(request.POST, pupil=child)
        if form.is_valid():
            actions.do_parent_set_consents(child, parent=request.user,
                                           statuses=form.statuses())
            messages.success(request, f"Saved. Your choices for {child.first_name} apply "
                                      "from now on.")
            return redirect("my_children", slug=school.slug)
        status = 400
    return render(request, "consent/my_children.html", {
        "school": school, "children": [(c, forms[c.pk]) for c in children],
    }, status=status)


@login_required
def post_image(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A published photo, for people who can see the feed; hidden ones are gone at once."""
    school = access_school(slug)
    check_not_removed(access_membership(request.user, school))
    image = get_object_or_404(PostImage.objects.select_related("photo"), pk=pk,
                              post__school=school, hidden_at__isnull=True)
    if not image.photo.published:
        raise Http404
    response = FileResponse(image.photo.published.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response
