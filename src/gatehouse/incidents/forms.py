"""The incident report form (several screenshots or files at once) and the owner's update."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone

from gatehouse.accounts.models import StaffRole, User
from gatehouse.cases.models import Case
from gatehouse.evidence.store import read_screenshot
from gatehouse.incidents.models import Incident
from gatehouse.lib.validators import validate_no_control_chars, validate_plain_name
from gatehouse.moderation.models import PlatformReport
from gatehouse.schools.models import School

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_FILES = 10
MAX_PDF_BYTES = 20 * 1024 * 1024


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def read_evidence_file(upload: UploadedFile) -> tuple[bytes, str]:
    """A screenshot (checked like photo uploads) or a PDF; anything else is refused."""
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        try:
            return read_screenshot(upload)
        except ValidationError as exc:
            raise ValidationError(f"{upload.name}: {' '.join(exc.messages)} (or a PDF)") from exc
    if upload.size is not None and upload.size > MAX_PDF_BYTES:
        raise ValidationError(f"{upload.name} is larger than 20 MB. Please upload a smaller copy.")
    data = upload.read(MAX_PDF_BYTES + 1)
    if len(data) > MAX_PDF_BYTES or b"%%EOF" not in data[-2048:]:
        raise ValidationError(f"{upload.name} is not a complete PDF (it may be damaged).")
    return data, "application/pdf"


def staff_choices(school: School) -> QuerySet[User]:
    ids = StaffRole.objects.filter(school=school).values("user_id")
    return User.objects.filter(pk__in=ids).order_by("full_name")


class IncidentForm(forms.Form):
    about = forms.ModelChoiceField(label="Who is it about?", queryset=User.objects.none(),
                                   help_text="You, or a colleague. They need not have seen it "
                                   "for it to count.")
    what_happened = forms.CharField(
        label="What happened", max_length=5000, validators=[validate_no_control_chars],
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What was said or posted, in your own words.")
    platform = forms.CharField(label="Where (platform or website)", max_length=50,
                               help_text="e.g. Facebook, a village WhatsApp group, TikTok",
                               validators=[validate_plain_name])
    url = forms.URLField(label="Address (URL), if there is one", max_length=500,
                         required=False, assume_scheme="https")
    seen_at = forms.DateTimeField(label="When was it seen?", widget=DATETIME)
    source = forms.CharField(label="Who does it seem to come from? (if known)", max_length=200,
                             required=False, validators=[validate_plain_name])
    files = MultipleFileField(
        label="Screenshots or files (JPEG, PNG, WebP, HEIC or PDF; up to 10)", required=False,
        help_text="Screen prints showing the time, date and address of the site.")

    def __init__(self, *args: Any, school: School, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"about": user.pk})
        super().__init__(*args, **kwargs)
        self.fields["about"].queryset = staff_choices(school)
        self.fields["about"].label_from_instance = (
            lambda u: "Myself" if u.pk == user.pk else u.full_name)

    def clean_seen_at(self) -> Any:
        seen = self.cleaned_data["seen_at"]
        if seen > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError("This is in the future. When did you (or someone) see it?")
        return seen

    def clean_files(self) -> list[tuple[bytes, str, str]]:
        uploads = self.cleaned_data.get("files") or []
        if len(uploads) > MAX_FILES:
            raise ValidationError(f"Please upload at most {MAX_FILES} files at once.")
        return [(*read_evidence_file(upload), upload.name or "file") for upload in uploads]


class UpdateForm(forms.Form):
    status = forms.ChoiceField(label="Status (the reporter sees this)",
                               choices=Incident.Status.choices)
    outcome = forms.CharField(label="What was done (not shown to the reporter)", max_length=3000,
                              required=False, validators=[validate_no_control_chars],
                              widget=forms.Textarea(attrs={"rows": 3}))
    case = forms.ModelChoiceField(label="Linked escalation case", required=False,
                                  queryset=Case.objects.none())
    platform_report = forms.ModelChoiceField(label="Linked report to the platform",
                                             required=False,
                                             queryset=PlatformReport.objects.none())
    legal_hold = forms.BooleanField(label="Legal hold: keep this report and its evidence past "
                                    "the retention period", required=False)

    def __init__(self, *args: Any, school: School, head_teacher: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if head_teacher:  # cases belong to the head teacher
            self.fields["case"].queryset = Case.objects.filter(school=school)
            self.fields["case"].label_from_instance = (
                lambda c: f"{c.reference} {c.subject_name} ({c.get_status_display().lower()})")
        else:
            del self.fields["case"]
        self.fields["platform_report"].queryset = PlatformReport.objects.filter(school=school)
