from __future__ import annotations

from django.urls import path

from gatehouse.evidence import views

staff_urlpatterns = [
    path("evidence/verify/", views.verify, name="evidence_verify"),
]
