"""Forms for the consent register, parents' choices, photo checks and biometrics."""

from __future__ import annotations

from typing import Any

from django import forms

from gatehouse.consent.models import (
    BiometricEntry,
    Channel,
    ConsentStatus,
    ParentalResponsibility,
    Pupil,
)
from gatehouse.lib.validators import validate_no_control_chars

MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file exported from SIMS or Arbor")
    full = forms.BooleanField(
        label="This file lists every pupil on roll: mark pupils who are not in it as leavers",
        required=False, initial=True)

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB; is it the right export?")
        data: bytes = upload.read()
        return data


class ImportConfirmForm(forms.Form):
    # The checked file travels back with the confirmation, so nothing is stored in between.
    csv_text = forms.CharField(widget=forms.HiddenInput, max_length=MAX_CSV_BYTES,
                               strip=False)
    full = forms.BooleanField(widget=forms.HiddenInput, required=False)


def _channel_field(label: str, choices: list[tuple[str, str]], **kwargs: Any) -> forms.Field:
    return forms.ChoiceField(label=label, choices=choices, **kwargs)


class PupilConsentForm(forms.Form):
    """Staff recording what a parent said (usually on the paper consent form)."""

    evidence_note = forms.CharField(
        label="Evidence (e.g. “paper form dated 4 Sept, in the office file”)", max_length=1000,
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_no_control_chars])
    evidence_file = forms.FileField(label="Scan of the form (optional)", required=False)

    def __init__(self, *args: Any, pupil: Pupil, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = {f"ch_{c}": _channel_field(Channel(c).label, ConsentStatus.choices,
                                            initial=pupil.consent_for(c))
                  for c in Channel.values}
        self.fields = {**fields, **self.fields}

    def clean_evidence_file(self) -> Any:
        upload = self.cleaned_data.get("evidence_file")
        if upload and upload.size > MAX_EVIDENCE_BYTES:
            raise forms.ValidationError("The scan is larger than 10 MB.")
        return upload

    def statuses(self) -> dict[str, str]:
        return {c: self.cleaned_data[f"ch_{c}"] for c in Channel.values}


class ParentConsentForm(forms.Form):
    """A parent's yes or no for each channel, for one child."""

    def __init__(self, *args: Any, pupil: Pupil, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"pupil{pupil.pk}")
        super().__init__(*args, **kwargs)
        for channel in Channel.values:
            current = pupil.consent_for(channel)
            self.fields[f"ch_{channel}"] = forms.ChoiceField(
                label=Channel(channel).label, widget=forms.RadioSelect,
                choices=[(ConsentStatus.GIVEN, "Yes"), (ConsentStatus.REFUSED, "No")],
                initial=current if current != ConsentStatus.NOT_ASKED else None,
                error_messages={"required": f"Please choose yes or no for "
                                            f"{Channel(channel).label}."})

    def statuses(self) -> dict[str, str]:
        return {c: self.cleaned_data[f"ch_{c}"] for c in Channel.values}


class RestrictForm(forms.Form):
    reason = forms.CharField(label="Reason (kept in the audit log)", max_length=500,
                             validators=[validate_no_control_chars])


class ImagePermissionForm(forms.Form):
    given = forms.TypedChoiceField(
        label="May the school publish photos and videos that show you?",
        widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", "Yes, I give permission"), ("no", "No, I do not give permission")])


class ChannelsForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label="Where will it be published?", choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple, initial=[Channel.PARENTS_GROUP],
        error_messages={"required": "Choose at least one place to publish."})


class DraftForm(ChannelsForm):
    body = forms.CharField(label="Post text", max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           validators=[validate_no_control_chars])


class PhotoForm(forms.Form):
    photo = forms.FileField(label="Photo (JPEG, PNG, WebP or HEIC)",
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
                            error_messages={"required": "Please choose a photo to upload.",
                                            "empty": "The file is empty. Please choose a "
                                                     "photo to upload."})
    alt_text = forms.CharField(
        label="Describe the photo for people who use screen readers", max_length=300,
        help_text="e.g. “Year 4 pupils holding their Roman shields in the hall”. "
                  "Don't name children.", validators=[validate_no_control_chars])


class NewDraftForm(DraftForm, PhotoForm):
    pass


class ReplacePhotoForm(forms.Form):
    photo = forms.FileField(label="New photo (JPEG, PNG, WebP or HEIC)",
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
                            error_messages={"required": "Please choose a photo to upload.",
                                            "empty": "The file is empty. Please choose a "
                                                     "photo to upload."})


class ConfirmPhotoForm(forms.Form):
    version = forms.CharField(max_length=64, min_length=64)
    no_people = forms.BooleanField(required=False)
    looked = forms.BooleanField(error_messages={
        "required": "Tick the box to say you have looked at the whole photo."})


class AddFaceForm(forms.Form):
    left = forms.DecimalField(label="From the left (%)", min_value=0, max_value=99,
                              decimal_places=1)
    top = forms.DecimalField(label="From the top (%)", min_value=0, max_value=99,
                             decimal_places=1)
    width = forms.DecimalField(label="Width (%)", min_value=1, max_value=100, decimal_places=1)
    height = forms.DecimalField(label="Height (%)", min_value=1, max_value=100,
                                decimal_places=1)


class RecognitionForm(forms.Form):
    enabled = forms.BooleanField(label="Suggest tags with face recognition", required=False)
    dpia_reference = forms.CharField(
        label="DPIA reference", max_length=200, required=False,
        help_text="The reference of the Data Protection Impact Assessment that covers this.")


class BiometricEntryForm(forms.Form):
    kind = forms.ChoiceField(label="What happened", choices=BiometricEntry.Kind.choices)
    responsibility = forms.ModelChoiceField(
        label="From (for a parent's consent, withdrawal or objection)", required=False,
        queryset=ParentalResponsibility.objects.none())
    note = forms.CharField(label="Note (e.g. where the written consent is kept)",
                           max_length=500, required=False)

    def __init__(self, *args: Any, pupil: Pupil, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsibility"].queryset = (  # type: ignore[attr-defined]
            pupil.responsibilities.all())
