from __future__ import annotations

from django.urls import URLPattern, path

from gatehouse.governance import views

staff_urlpatterns: list[URLPattern] = [
    path("governance/accounts/", views.register, name="governance_register"),
    path("governance/accounts/new/", views.account_new, name="governance_account_new"),
    path("governance/accounts/domains/", views.domains, name="governance_domains"),
    path("governance/accounts/<int:pk>/", views.account_detail, name="governance_account"),
    path("governance/accounts/<int:pk>/review/", views.account_review,
         name="governance_account_review"),
    path("governance/leavers/", views.leavers, name="governance_leavers"),
    path("governance/leavers/<int:pk>/", views.leaver, name="governance_leaver"),
    path("governance/leavers/<int:pk>/handover/<int:account_id>/", views.handover,
         name="governance_handover"),
]
school_urlpatterns: list[URLPattern] = []
