"""Forms for cases: opening, evidence, each step of the ladder, outcomes, letters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from gatehouse.accounts.models import Membership, Restriction
from gatehouse.cases.letters import PLACEHOLDERS
from gatehouse.cases.models import Letter, LetterTemplate, Step
from gatehouse.evidence.store import read_screenshot
from gatehouse.lib.validators import validate_no_control_chars, validate_plain_name
from gatehouse.moderation.models import PlatformReport
from gatehouse.schools.models import School

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _text(label: str, *, rows: int = 3, required: bool = False, max_length: int = 3000,
          help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length,
                           help_text=help_text, widget=forms.Textarea(attrs={"rows": rows}),
                           validators=[validate_no_control_chars])


class VersionedForm(forms.Form):
    """Carries the case version the person saw, so a concurrent change is caught."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CaseForm(forms.Form):
    member = forms.ModelChoiceField(
        label="A parent in the group (leave empty for someone who is not a member)",
        queryset=Membership.objects.none(), required=False)
    subject_name = forms.CharField(label="Name", max_length=150, required=False,
                                   validators=[validate_plain_name])
    relationship = forms.CharField(label="Connection to the school", max_length=150,
                                   required=False, help_text="e.g. parent of a Year 4 pupil")
    subject_email = forms.EmailField(label="Email (optional)", required=False,
                                     help_text="Without one, letters can only be printed.")
    subject_address = _text("Postal address (optional)", max_length=500)
    began_on = forms.DateField(label="When did this begin?", widget=DATE)
    touches_pupil = forms.BooleanField(
        label="It concerns a pupil (the designated safeguarding lead will see this case)",
        required=False)
    summary = _text("What is happening", max_length=2000)

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (Membership.objects.filter(school=school)
                                          .select_related("user").order_by("user__full_name"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        member = data.get("member")
        if member is not None:
            data["subject_name"] = data.get("subject_name") or member.user.full_name
            data["subject_email"] = data.get("subject_email") or member.user.email
        elif not data.get("subject_name"):
            raise ValidationError("Choose a parent in the group, or give the person's name.")
        return data


class EvidenceForm(VersionedForm):
    title = forms.CharField(label="What is it", max_length=200,
                            help_text="e.g. Facebook post in the village community group")
    screenshot = forms.FileField(label="Screenshot (JPEG, PNG, WebP or HEIC)", required=False)
    text = _text("Or the words, copied exactly", rows=4, max_length=10000)
    platform = forms.CharField(label="Platform or website", max_length=50, required=False)
    url = forms.URLField(label="Address (URL)", max_length=500, required=False)
    seen_at = forms.DateTimeField(label="When it was seen", required=False, widget=DATETIME)
    notes = _text("Notes", max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("screenshot")
        if upload:
            data["screenshot"] = read_screenshot(upload)
        elif not data.get("text"):
            raise ValidationError("Upload a screenshot or copy the words in.")
        else:
            data["screenshot"] = None
        return data


# Which fields each rung of the ladder asks for.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Step.Kind.HIDDEN_REPORTED: ("platform_report",),
    Step.Kind.MEETING: ("meeting_at", "place", "hsa_clauses", "agreed_actions"),
    Step.Kind.WARNING: ("deadline",),
    Step.Kind.LEGAL: ("adviser", "reference"),
    Step.Kind.POLICE: ("police_force", "reference", "officer"),
    Step.Kind.RESTRICTION: ("restrict_kind", "restrict_reason", "restrict_ends_on"),
    Step.Kind.PROVIDER: ("platform", "content_url", "provider_email"),
}


class StepForm(VersionedForm):
    occurred_on = forms.DateField(label="Date of this step", widget=DATE)
    platform_report = forms.ModelChoiceField(
        label="The report to the platform (recorded under Moderation › Platform reports)",
        queryset=PlatformReport.objects.none(), required=False)
    meeting_at = forms.DateTimeField(label="Meeting date and time", widget=DATETIME)
    place = forms.CharField(label="Place", max_length=200, initial="the head teacher's office")
    hsa_clauses = _text("Home-School Agreement clauses concerned", rows=4)
    agreed_actions = _text("Attendance and agreed actions (fill in after the meeting)")
    deadline = forms.DateField(label="Removal deadline", widget=DATE)
    adviser = forms.CharField(label="Adviser", max_length=200)
    reference = forms.CharField(label="Reference", max_length=100, required=False)
    police_force = forms.CharField(label="Police force", max_length=100)
    officer = forms.CharField(label="Officer", max_length=150, required=False)
    restrict_kind = forms.ChoiceField(
        label="Restriction", required=False,
        choices=[("", "Link the restriction already in force"), *Restriction.Kind.choices])
    restrict_reason = forms.CharField(label="Reason shown to the parent", max_length=500,
                                      required=False)
    restrict_ends_on = forms.DateField(label="Until (optional)", required=False, widget=DATE)
    platform = forms.CharField(label="Platform or host", max_length=50)
    content_url = forms.URLField(label="Address of the content", max_length=500,
                                 required=False)
    provider_email = forms.EmailField(label="Provider's email for removal requests",
                                      required=False,
                                      help_text="Without one, the letter can only be printed.")
    notes = _text("Notes", rows=4, max_length=5000)

    def __init__(self, *args: Any, kind: str, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = {"version", "occurred_on", "notes", *KIND_FIELDS[kind]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "platform_report" in self.fields:
            self.fields["platform_report"].queryset = PlatformReport.objects.filter(
                school=school)
        if kind == Step.Kind.LEGAL:
            self.fields["notes"].label = "Notes (seen by the head teacher only)"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.pop("restrict_kind", None)
        reason = data.pop("restrict_reason", "")
        ends_on = data.pop("restrict_ends_on", None)
        if kind:
            if not reason:
                self.add_error("restrict_reason", "Give the reason the parent will see.")
            data["restrict"] = {"kind": kind, "reason": reason, "ends_on": ends_on}
        return data


class OutcomeForm(VersionedForm):
    outcome = forms.ChoiceField(label="Outcome", choices=Step.Outcome.choices[1:])
    outcome_on = forms.DateField(label="Date", widget=DATE)
    notes = _text("Notes")


class SendLetterForm(forms.Form):
    delivery = forms.ChoiceField(label="How it is sent", choices=Letter.Delivery.choices,
                                 widget=forms.RadioSelect)


class TemplateForm(forms.Form):
    subject = forms.CharField(label="Subject", max_length=200)
    body = forms.CharField(label="Letter", max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 18}),
                           help_text="Placeholders: " + ", ".join(
                               "{{ " + k + " }}" for k in sorted(PLACEHOLDERS)))


class LetterheadForm(forms.Form):
    display_name = forms.CharField(label="School name as printed", max_length=200)
    address = _text("Address", rows=4, max_length=500)
    signature_name = forms.CharField(label="Signed by", max_length=150, required=False)
    signature_role = forms.CharField(label="Their role", max_length=150)
    crest = forms.FileField(label="Crest or logo (JPEG, PNG or WebP)", required=False)

    def clean_crest(self) -> tuple[bytes, str] | None:
        upload = self.cleaned_data.get("crest")
        return read_screenshot(upload) if upload else None


TEMPLATE_KINDS = dict(LetterTemplate.Kind.choices)
