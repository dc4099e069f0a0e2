from __future__ import annotations

from django import forms


class VerifyPackForm(forms.Form):
    pack = forms.FileField(label="Evidence pack (.zip)")
