from __future__ import annotations

from django.urls import path

from gatehouse.accounts import views

school_urlpatterns = [
    path("join/", views.join, name="join"),
    path("join/sent/", views.join_sent, name="join_sent"),
]

staff_urlpatterns = [
    path("join-requests/", views.join_requests, name="join_requests"),
    path("join-requests/<int:pk>/decide/", views.decide_join_request, name="decide_join_request"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/restrict/", views.restrict_member, name="restrict_member"),
    path("restrictions/<int:pk>/lift/", views.lift_restriction, name="lift_restriction"),
    path("roles/", views.roles, name="roles"),
    path("roles/<int:pk>/revoke/", views.revoke_role, name="revoke_role"),
    path("roles/people/<int:pk>/employment/", views.set_employment, name="set_employment"),
]
