"""Forms for moderators, administrators' policy settings, and members reporting a comment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from gatehouse.lib.validators import validate_no_control_chars, validate_plain_name
from gatehouse.moderation.engine import CATEGORIES, LABELS
from gatehouse.moderation.models import (
    CATEGORY_CHOICES,
    PlatformReport,
    PolicyRule,
    RosterEntry,
    WatchedPhrase,
)


class ReportForm(forms.Form):
    category = forms.ChoiceField(label="What is wrong with this comment?",
                                 choices=[("", "Choose…"), *CATEGORY_CHOICES])
    reason = forms.CharField(label="Anything else the moderators should know (optional)",
                             required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             validators=[validate_no_control_chars])


class RulesForm(forms.Form):
    """One action and one threshold per category."""

    def __init__(self, *args: Any, rules: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category in CATEGORIES:
            self.fields[f"{category}__action"] = forms.ChoiceField(
                label=f"{LABELS[category]}: action", choices=PolicyRule.Action.choices,
                initial=rules.actions[category] if rules else None)
            self.fields[f"{category}__threshold"] = forms.FloatField(
                label=f"{LABELS[category]}: threshold", min_value=0.01, max_value=0.99,
                initial=rules.thresholds[category] if rules else None,
                widget=forms.NumberInput(attrs={"step": "0.01"}),
                error_messages={"invalid": "Enter a number between 0.01 and 0.99."})

    def rows(self) -> list[tuple[str, Any, Any]]:
        return [(LABELS[c], self[f"{c}__action"], self[f"{c}__threshold"]) for c in CATEGORIES]

    def cleaned_rules(self) -> dict[str, tuple[str, float]]:
        return {c: (self.cleaned_data[f"{c}__action"], self.cleaned_data[f"{c}__threshold"])
                for c in CATEGORIES}


class WatchedForm(forms.Form):
    phrase = forms.CharField(max_length=100, validators=[validate_no_control_chars])
    action = forms.ChoiceField(choices=WatchedPhrase.Action.choices)

    def clean_phrase(self) -> str:
        phrase = " ".join(self.cleaned_data["phrase"].split())
        if len(phrase) < 2:
            raise forms.ValidationError("A watched phrase needs at least two characters.")
        return phrase


class RosterEntryForm(forms.ModelForm):
    class Meta:
        model = RosterEntry
        fields = ["kind", "title", "first_name", "last_name", "preferred_name", "role",
                  "year_group"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("title", "first_name", "last_name", "preferred_name", "role", "year_group"):
            self.fields[name].validators.append(validate_plain_name)


class PlatformReportForm(forms.ModelForm):
    class Meta:
        model = PlatformReport
        fields = ["platform", "content_url", "reference", "reported_on", "outcome", "notes"]
        widgets = {"reported_on": forms.DateInput(attrs={"type": "date"}),
                   "notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"platform": "Platform (e.g. Facebook, WhatsApp, TikTok)",
                  "content_url": "Address of the content (if known)",
                  "reference": "The platform's report reference"}

    def clean_reported_on(self) -> Any:
        value = self.cleaned_data["reported_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The report date can't be in the future.")
        return value
