"""Forms for posts, agreement, scheduling and connections."""

from __future__ import annotations

from typing import Any

from django import forms

from gatehouse.community.forms import PostForm as CommunityPostForm
from gatehouse.consent.models import Channel
from gatehouse.lib.validators import validate_no_control_chars
from gatehouse.publishing.models import Connection

WHEN_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


def _when(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=False, input_formats=WHEN_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UK time. Leave empty to publish as soon as it is agreed.",
        error_messages={"invalid": "Enter a real date and time, e.g. 21/03/2027 14:30."})


class PostForm(forms.Form):
    body = forms.CharField(label="Post", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
                           validators=[validate_no_control_chars])
    link = forms.URLField(label="Link (optional)", required=False, max_length=500,
                          assume_scheme="https")
    channels = forms.MultipleChoiceField(
        label="Where to publish", widget=forms.CheckboxSelectMultiple,
        choices=[c for c in Channel.choices if c[0] != Channel.PRESS],
        error_messages={"required": "Choose at least one place to publish this."})
    publish_at = _when("When to publish (optional)")
    event_at = CommunityPostForm.base_fields["event_at"]
    comments_enabled = forms.BooleanField(label="Parents can comment (in the parents' group)",
                                          required=False, initial=True)

    clean_link = CommunityPostForm.clean_link  # the same rule as the group's quick post


class RescheduleForm(forms.Form):
    publish_at = _when("New time")


class AgreeForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ChangesForm(forms.Form):
    comment = forms.CharField(label="What needs changing", max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              validators=[validate_no_control_chars])


class ConnectForm(forms.Form):
    platform = forms.ChoiceField(label="Account", choices=Connection.Platform.choices)
    account_id = forms.RegexField(
        label="Page id or Instagram account id", regex=r"^\d{1,30}$", max_length=30,
        error_messages={"invalid": "This is a number, e.g. 104857361234567 (see README)."})
    token = forms.CharField(label="Access token (long-lived)", max_length=1000,
                            widget=forms.PasswordInput(render_value=False),
                            help_text="Saved encrypted and never shown again.",
                            validators=[validate_no_control_chars])


class PickPageForm(forms.Form):
    page = forms.ChoiceField(label="Which Page is the school's?", widget=forms.RadioSelect)

    def __init__(self, *args: Any, pages: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["page"].choices = [(p.id, p.name or p.id) for p in pages]


class QuickPostsForm(forms.Form):
    quick_text_posts = forms.BooleanField(
        label="Text-only posts to the parents' group go out without leadership's agreement",
        required=False)


class CalendarForm(forms.Form):
    view = forms.ChoiceField(choices=[("week", "Week"), ("month", "Month")], required=False)
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    channel = forms.ChoiceField(choices=[("", "All channels"), *Channel.choices],
                                required=False)
