from __future__ import annotations

from django.urls import path

from gatehouse.moderation import views

school_urlpatterns = [
    path("comments/<int:comment_id>/report/", views.report_comment, name="report_comment"),
]

staff_urlpatterns = [
    path("moderation/", views.queue, name="moderation_queue"),
    path("moderation/items/<int:pk>/<str:decision>/", views.decide_item,
         name="moderation_decide"),
    path("moderation/bulk/", views.bulk_decide, name="moderation_bulk"),
    path("moderation/concerns/", views.concerns, name="moderation_concerns"),
    path("moderation/concerns/<int:pk>/handled/", views.handle_concern,
         name="moderation_concern_handled"),
    path("moderation/evidence/<int:pk>/", views.evidence, name="moderation_evidence"),
    path("moderation/people/<int:user_id>/", views.person_record, name="moderation_person"),
    path("moderation/rules/", views.rules, name="moderation_rules"),
    path("moderation/watched/", views.watched, name="moderation_watched"),
    path("moderation/watched/<int:pk>/remove/", views.remove_watched,
         name="moderation_watched_remove"),
    path("moderation/roster/", views.roster, name="moderation_roster"),
    path("moderation/roster/<int:pk>/remove/", views.remove_roster_entry,
         name="moderation_roster_remove"),
    path("moderation/platform-reports/", views.platform_reports, name="platform_reports"),
    path("moderation/platform-reports/<int:pk>/outcome/", views.platform_outcome,
         name="platform_outcome"),
]
