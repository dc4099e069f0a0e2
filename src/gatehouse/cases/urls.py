from __future__ import annotations

from django.urls import path

from gatehouse.cases import views

staff_urlpatterns = [
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_open, name="case_open"),
    path("cases/summary/", views.summary, name="cases_summary"),
    path("cases/letters/", views.letter_settings, name="letter_settings"),
    path("cases/letters/<str:kind>/", views.letter_template, name="letter_template"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/evidence/", views.evidence_add, name="case_evidence_add"),
    path("cases/<int:pk>/evidence/<int:item_id>/", views.evidence_file,
         name="case_evidence_file"),
    path("cases/<int:pk>/steps/<str:kind>/", views.step_add, name="case_step_add"),
    path("cases/<int:pk>/steps/<int:step_id>/outcome/", views.step_outcome,
         name="case_step_outcome"),
    path("cases/<int:pk>/steps/<int:step_id>/letter/", views.letter, name="case_letter"),
    path("cases/<int:pk>/steps/<int:step_id>/letter.pdf", views.letter_pdf,
         name="case_letter_pdf"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("cases/<int:pk>/pack/", views.case_pack, name="case_pack"),
]
