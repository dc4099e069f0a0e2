"""Forms for the custody register, access reviews, handovers and the rest of governance."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from gatehouse.accounts.models import User
from gatehouse.governance.models import (
    PolicyDocument,
    SchoolDomains,
    SocialAccount,
    SubjectRequest,
)
from gatehouse.incidents.forms import staff_choices
from gatehouse.lib.validators import validate_no_control_chars, validate_plain_name
from gatehouse.schools.models import School

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_UK_PHONE = re.compile(r"^(?:\+44\s?|0)(?:\d\s?){9,10}$")
_MOBILE = re.compile(r"^(?:\+44\s?|0)7")


def looks_like_password(value: str) -> bool:
    """A single token mixing three kinds of character, with no path separator, is taken for a
    password: the register keeps only where credentials are kept."""
    if any(ch.isspace() for ch in value) or any(sep in value for sep in "/\\›>:|"):
        return False
    kinds = [any(c.islower() for c in value), any(c.isupper() for c in value),
             any(c.isdigit() for c in value), any(not c.isalnum() for c in value)]
    return len(value) >= 8 and sum(kinds) >= 3


def _text(label: str, *, max_length: int = 2000, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=required,
                           validators=[validate_no_control_chars],
                           widget=forms.Textarea(attrs={"rows": 3}))


class AccountForm(forms.ModelForm):
    administrators = forms.ModelMultipleChoiceField(
        label="Named administrators (members of staff)", queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple)
    phone_is_school_owned = forms.BooleanField(
        label="The recovery phone belongs to the school, not to a person", required=False)

    class Meta:
        model = SocialAccount
        fields = ["platform", "handle", "url", "purpose", "credentials_location", "two_factor",
                  "recovery_email", "recovery_phone", "review_every_months"]
        labels = {"handle": "Handle or page name", "url": "Address (URL)",
                  "credentials_location": "Where the credentials are kept",
                  "two_factor": "Two-factor method",
                  "recovery_email": "Recovery email (on a school domain)",
                  "recovery_phone": "Recovery phone (optional)",
                  "review_every_months": "Review who has access every"}
        help_texts = {"credentials_location": "A reference to the school's password manager, "
                      "e.g. 'Bitwarden › Oakfield › Social › Facebook'. Never the password."}
        widgets = {"review_every_months": forms.Select(choices=[(3, "3 months"),
                                                                (6, "6 months"),
                                                                (12, "12 months")])}

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["administrators"].queryset = staff_choices(school)
        for name in ("handle", "purpose", "credentials_location"):
            self.fields[name].validators.append(validate_plain_name)
        if self.instance.pk:
            self.initial["administrators"] = [a.user_id for a in self.instance.admins.all()]

    def clean_credentials_location(self) -> str:
        value = self.cleaned_data["credentials_location"].strip()
        if looks_like_password(value):
            raise ValidationError("This looks like a password. Do not put passwords here: "
                                  "say where the password is kept, e.g. 'Bitwarden › Social › "
                                  "Facebook'.")
        return value

    def clean_recovery_email(self) -> str:
        email = self.cleaned_data["recovery_email"].lower()
        domains = SchoolDomains.for_school(self.school)
        if email.rsplit("@", 1)[-1] not in domains:
            allowed = ", ".join(domains) or "none set yet (ask an administrator)"
            raise ValidationError(f"Use an address on a school domain ({allowed}), so the "
                                  "account can be recovered when a person leaves.")
        return email

    def clean_review_every_months(self) -> int:
        months = self.cleaned_data["review_every_months"]
        if months not in {3, 6, 12}:
            raise ValidationError("Choose 3, 6 or 12 months.")
        return months

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        phone = (data.get("recovery_phone") or "").strip()
        if phone and not _UK_PHONE.match(phone):
            self.add_error("recovery_phone", "Enter a UK phone number, e.g. 01632 960 123.")
        elif phone and _MOBILE.match(phone) and not data.get("phone_is_school_owned"):
            self.add_error("phone_is_school_owned", "This is a mobile number: confirm it is a "
                           "school phone, not someone's own (it must stay when they leave).")
        if data.get("two_factor") == SocialAccount.TwoFactor.SMS and not phone:
            self.add_error("recovery_phone", "Text-message two-factor needs the school phone "
                           "it goes to.")
        data.pop("phone_is_school_owned", None)
        return data


class ReviewForm(forms.Form):
    confirmed = forms.BooleanField(label="I have checked that only the people listed can sign "
                                   "in, and that two-factor and recovery details are right")
    notes = _text("Notes (optional)")


class HandoverForm(forms.Form):
    new_administrator = forms.ModelChoiceField(label="New administrator",
                                               queryset=User.objects.none())
    confirmed_access = forms.BooleanField(label="The new administrator has signed in and "
                                          "confirmed they have full access")
    credentials_rotated = forms.BooleanField(label="The password was changed and the new one "
                                             "stored in the password manager")
    two_factor_moved = forms.BooleanField(label="Two-factor was moved off the leaver's device")
    connector_reissued = forms.BooleanField(label="Gatehouse's connection to the account was "
                                            "re-issued (or the account has none)")
    notes = _text("Notes (optional)")

    def __init__(self, *args: Any, school: School, leaver: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_administrator"].queryset = staff_choices(school).exclude(pk=leaver.pk)


class LeaverForm(forms.Form):
    person = forms.ModelChoiceField(label="Member of staff who is leaving",
                                    queryset=User.objects.none())

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff_choices(school)


class DomainsForm(forms.Form):
    domains = forms.CharField(label="The school's email domains", max_length=500,
                              help_text="Separated by commas, e.g. oakfield.sch.uk")

    def clean_domains(self) -> str:
        parts = [p.strip().lower() for p in self.cleaned_data["domains"].split(",") if p.strip()]
        bad = [p for p in parts if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", p)]
        if bad or not parts:
            raise ValidationError(f"Not a domain: {', '.join(bad) or '(empty)'}. Use names like "
                                  "oakfield.sch.uk, without @ or https://.")
        return ", ".join(parts)


class TermForm(forms.Form):
    name = forms.CharField(label="Term", max_length=60, validators=[validate_plain_name],
                           help_text="e.g. Spring Term 2027")
    starts_on = forms.DateField(label="First day", widget=DATE)
    ends_on = forms.DateField(label="Last day", widget=DATE)


class _ReviewDates(forms.Form):
    approved_on = forms.DateField(label="Approved on", widget=DATE)
    next_review_label = forms.CharField(label="Next review", max_length=60,
                                        validators=[validate_plain_name],
                                        help_text="As the policy says it, e.g. Spring Term 2027")
    next_review_due = forms.DateField(label="Next review due by", widget=DATE)


class PolicyForm(_ReviewDates):
    kind = forms.ChoiceField(label="Which policy", choices=PolicyDocument.Kind.choices)
    title = forms.CharField(label="Title", max_length=200, validators=[validate_plain_name])
    committee = forms.CharField(label="Responsible committee", max_length=150,
                                validators=[validate_plain_name])
    body = _text("The text parents see", max_length=100_000, required=True)
    field_order = ["kind", "title", "committee", "body", "approved_on", "next_review_label",
                   "next_review_due"]


class PolicyReviewForm(_ReviewDates):
    what_changed = _text("What changed (or 'No changes')", max_length=3000, required=True)
    body = _text("New text (leave empty if the text is unchanged)", max_length=100_000)
    field_order = ["what_changed", "body", "approved_on", "next_review_label",
                   "next_review_due"]


class RetentionRuleForm(forms.Form):
    record_type = forms.ChoiceField(choices=[])
    months = forms.IntegerField(label="Months", min_value=1, max_value=1200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from gatehouse.governance.retention import SCHEDULE

        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = [(t.key, t.label) for t in SCHEDULE]


class SubjectRequestForm(forms.Form):
    kind = forms.ChoiceField(label="Request", choices=SubjectRequest.Kind.choices)
    email = forms.EmailField(label="The person's email address (as they use it here)")
    received_on = forms.DateField(label="Date the request was received", widget=DATE)
