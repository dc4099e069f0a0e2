"""Small validators for text people type in."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError


def validate_plain_name(value: str) -> None:
    """Names are shown to other people: no markup, no control characters."""
    if "<" in value or ">" in value:
        raise ValidationError("Please use letters only here, without < or >.")
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in value):
        raise ValidationError("This contains hidden or control characters; please retype it.")


def validate_no_control_chars(value: str) -> None:
    allowed = {"\n", "\r", "\t"}
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise ValidationError("This contains control characters; please retype it.")
