"""Parents' own email settings for new posts, and one-click unsubscribe from an email."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gatehouse.accounts.models import Membership
from gatehouse.publishing import notifications
from gatehouse.publishing.models import NotificationPreference
from gatehouse.schools.models import School


class ChoiceForm(forms.Form):
    choice = forms.ChoiceField(label="Email me about new posts",
                               choices=NotificationPreference.Choice.choices,
                               widget=forms.RadioSelect)


@login_required
def notification_settings(request: HttpRequest, slug: str) -> HttpResponse:
    school = get_object_or_404(School, slug=slug)
    membership = get_object_or_404(Membership, user=request.user, school=school)
    form = ChoiceForm(request.POST or None,
                      initial={"choice": notifications.choice_of(membership)})
    if request.method == "POST" and form.is_valid():
        notifications.do_set_choice(membership, form.cleaned_data["choice"])
        messages.success(request, "Saved.")
        return redirect("notification_settings", slug=school.slug)
    return render(request, "publishing/notification_settings.html",
                  {"school": school, "form": form}, status=400 if form.errors else 200)


# Mail apps post one-click unsubscribes (RFC 8058) without a CSRF token; the signed token in
# the address is what proves the request came from the email.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    membership = notifications.membership_from_token(token)
    if membership is None or membership.school.slug != slug:
        return render(request, "publishing/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        notifications.do_set_choice(membership, NotificationPreference.Choice.OFF)
        return render(request, "publishing/unsubscribe.html",
                      {"school": membership.school, "done": True})
    return render(request, "publishing/unsubscribe.html", {"school": membership.school})
