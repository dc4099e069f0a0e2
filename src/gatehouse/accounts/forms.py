"""Forms for joining a school's group and for the administrator's decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone

from gatehouse.accounts.models import Restriction, Role
from gatehouse.lib.validators import validate_plain_name
from gatehouse.schools.models import School, SchoolDocument

YEAR_GROUPS = ["Nursery", "Reception"] + [f"Year {n}" for n in range(1, 14)]
ADULT_AGE = 18


def age_on(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class JoinRequestForm(forms.Form):
    full_name = forms.CharField(label="Your full name", max_length=150,
                                validators=[validate_plain_name])
    email = forms.EmailField(label="Email address", max_length=254)
    date_of_birth = forms.DateField(
        label="Your date of birth",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter your date of birth as a real date, e.g. 21/03/1985."},
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    child_name = forms.CharField(label="Your child's name", max_length=150,
                                 validators=[validate_plain_name])
    child_year = forms.ChoiceField(label="Your child's year group",
                                   choices=[("", "Choose…")] + [(y, y) for y in YEAR_GROUPS])
    security_answer = forms.CharField(label="Security question", max_length=200)
    password1 = forms.CharField(label="Choose a password", widget=forms.PasswordInput,
                                max_length=128)
    password2 = forms.CharField(label="Type the password again", widget=forms.PasswordInput,
                                max_length=128)
    rules_version = forms.IntegerField(widget=forms.HiddenInput)
    hsa_version = forms.IntegerField(widget=forms.HiddenInput)
    accept_rules = forms.BooleanField(label="I have read and accept the group rules")
    accept_hsa = forms.BooleanField(label="I accept the Home-School Agreement")

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["security_answer"].label = school.security_question
        self.rules = school.current_document(SchoolDocument.Kind.GROUP_RULES)
        self.hsa = school.current_document(SchoolDocument.Kind.HOME_SCHOOL_AGREEMENT)
        if not self.is_bound and self.rules and self.hsa:
            self.initial.update(rules_version=self.rules.pk, hsa_version=self.hsa.pk)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_date_of_birth(self) -> dt.date:
        born: dt.date = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("Your date of birth can't be in the future.")
        if age_on(born, today) > 120:
            raise forms.ValidationError("Please check the year of your date of birth.")
        if age_on(born, today) < ADULT_AGE:
            raise forms.ValidationError(
                "You must be 18 or over to join the parents' group. "
                "Please ask your child's parent or carer to join."
            )
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._check_versions(data)
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords don't match.")
        elif p1:
            try:
                password_validation.validate_password(p1)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def _check_versions(self, data: dict[str, Any]) -> None:
        # The ids must be this school's current documents: this refuses forged ids and tells a
        # parent whose page went stale that the text they accepted has since changed.
        if self.rules is None or self.hsa is None:
            raise forms.ValidationError("This school is not accepting requests yet.")
        if data.get("rules_version") != self.rules.pk or data.get("hsa_version") != self.hsa.pk:
            raise forms.ValidationError(
                "The group rules or Home-School Agreement changed while you were filling this in."
                " Please read them again below and tick to accept."
            )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    reason = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(
        attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "decline" and not data.get("reason", "").strip():
            self.add_error("reason", "Please give a reason: the parent will see it in the email.")
        return data


class RestrictionForm(forms.Form):
    kind = forms.ChoiceField(choices=Restriction.Kind.choices, label="Restriction")
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="The parent will see this reason.")
    ends_on = forms.DateField(
        required=False, label="Until (leave empty for no end date)",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, e.g. 21/03/2027."},
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )

    def clean_ends_on(self) -> dt.date | None:
        ends_on: dt.date | None = self.cleaned_data.get("ends_on")
        if ends_on is not None and ends_on <= timezone.localdate():
            raise forms.ValidationError("The end date must be after today.")
        return ends_on


class GrantRoleForm(forms.Form):
    email = forms.EmailField(label="Staff member's email")
    full_name = forms.CharField(label="Full name (for a new account)", max_length=150,
                                required=False, validators=[validate_plain_name])
    role = forms.ChoiceField(choices=Role.choices)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
