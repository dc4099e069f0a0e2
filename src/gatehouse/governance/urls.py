from __future__ import annotations

from django.urls import URLPattern, path

from gatehouse.governance import privacy_views, report_views, views

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
    path("governance/reports/", report_views.terms, name="governance_terms"),
    path("governance/reports/<int:pk>/", report_views.report, name="governance_report"),
    path("governance/reports/<int:pk>/report.pdf", report_views.report_pdf,
         name="governance_report_pdf"),
    path("governance/policies/", report_views.policy_list, name="governance_policies"),
    path("governance/policies/<int:pk>/", report_views.policy_detail,
         name="governance_policy"),
    path("governance/retention/", privacy_views.retention_page, name="governance_retention"),
    path("governance/retention/run/", privacy_views.retention_run,
         name="governance_retention_run"),
    path("governance/requests/", privacy_views.subject_requests, name="governance_requests"),
    path("governance/requests/<int:pk>/", privacy_views.subject_request,
         name="governance_request"),
    path("governance/requests/<int:pk>/export/", privacy_views.subject_export,
         name="governance_request_export"),
    path("governance/requests/<int:pk>/erase/", privacy_views.subject_erase,
         name="governance_request_erase"),
]
school_urlpatterns: list[URLPattern] = [
    path("policies/", report_views.public_policies, name="policies"),
]
