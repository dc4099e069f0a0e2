from __future__ import annotations

from django.urls import path

from gatehouse.audit import views

staff_urlpatterns = [path("audit/", views.audit_log, name="audit")]
