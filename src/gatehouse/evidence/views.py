"""Verify an evidence pack in the browser: the same check as `manage.py verify_evidence_pack`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gatehouse.accounts.models import Role
from gatehouse.accounts.permissions import staff_view
from gatehouse.evidence.forms import VerifyPackForm
from gatehouse.evidence.packs import MAX_UPLOAD_BYTES, PackVerdict, verify_pack
from gatehouse.schools.models import School


@staff_view(Role.HEAD_TEACHER, Role.DSL, Role.MODERATOR, Role.HEAD_OF_HR)
def verify(request: HttpRequest, school: School) -> HttpResponse:
    form = VerifyPackForm(request.POST or None, request.FILES or None)
    verdict: PackVerdict | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["pack"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("pack", f"The file is larger than {MAX_UPLOAD_BYTES // 1_048_576} MB.")
        else:
            verdict = verify_pack(upload.read())
    return render(request, "evidence/verify.html",
                  {"school": school, "form": form, "verdict": verdict},
                  status=400 if form.errors else 200)
