from __future__ import annotations

from django.urls import path

from gatehouse.incidents import views

staff_urlpatterns = [
    path("incidents/report/", views.report, name="incident_report"),
    path("incidents/mine/", views.mine, name="incidents_mine"),
    path("incidents/", views.incident_list, name="incidents"),
    path("incidents/<int:pk>/", views.detail, name="incident_detail"),
    path("incidents/<int:pk>/evidence/<int:item_id>/", views.evidence_file,
         name="incident_evidence_file"),
    path("incidents/<int:pk>/pack/", views.pack, name="incident_pack"),
]
