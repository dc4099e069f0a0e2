"""Forms for staff posts and parents' comments."""

from __future__ import annotations

from django import forms

from gatehouse.community.models import COMMENT_MAX_LENGTH
from gatehouse.lib.validators import validate_no_control_chars


class PostForm(forms.Form):
    body = forms.CharField(label="Post", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
                           validators=[validate_no_control_chars])
    link = forms.URLField(label="Link (optional)", required=False, max_length=500,
                          assume_scheme="https")
    event_at = forms.DateTimeField(
        label="Event date and time (optional)", required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        error_messages={"invalid": "Enter a real date and time, e.g. 21/03/2027 14:30."},
    )
    comments_enabled = forms.BooleanField(label="Parents can comment", required=False,
                                          initial=True)

    def clean_link(self) -> str:
        link: str = self.cleaned_data["link"]
        if link and not link.lower().startswith(("https://", "http://")):
            raise forms.ValidationError("Links must start with https://")
        return link


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Write a comment", max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": COMMENT_MAX_LENGTH}),
        validators=[validate_no_control_chars],
        error_messages={
            "required": "Please write something before sending.",
            "max_length": f"Comments can be at most {COMMENT_MAX_LENGTH} characters.",
        },
    )

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Please write something before sending.")
        return body
