"""Forms for posts, agreement, scheduling and connections."""

from __future__ import annotations

from typing import Any

from django import forms

from gatehouse.community.forms import PostForm as CommunityPostForm
from gatehouse.consent.forms import AddFaceForm
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
    video = forms.FileField(
        label="Video (MP4 or MOV, optional)", required=False,
        widget=forms.FileInput(attrs={"accept": "video/mp4,video/quicktime"}),
        help_text="Every face in it is found and must be tagged or blurred before it goes out.")

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


class VideoForm(forms.Form):
    video = forms.FileField(
        label="Video (MP4 or MOV)",
        widget=forms.FileInput(attrs={"accept": "video/mp4,video/quicktime"}))


class ConfirmVideoForm(forms.Form):
    version = forms.CharField(max_length=64)
    no_people = forms.BooleanField(required=False)
    looked = forms.BooleanField(error_messages={
        "required": "Tick the box to say you watched the whole video."})


class AddTrackForm(AddFaceForm):
    """A face the check missed: its box (as for a photo) and when it is in view."""

    start = forms.DecimalField(label="From (seconds)", min_value=0, decimal_places=1)
    end = forms.DecimalField(label="To (seconds)", min_value=0, decimal_places=1)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("start") is not None and data.get("end") is not None \
                and data["end"] < data["start"]:
            raise forms.ValidationError("The end comes before the start.")
        return data
