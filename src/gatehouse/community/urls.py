from __future__ import annotations

from django.urls import path

from gatehouse.community import views

school_urlpatterns = [
    path("", views.feed, name="feed"),
    path("rules/", views.rules, name="rules"),
    path("posts/<int:post_id>/comments/", views.add_comment, name="add_comment"),
    path("posts/<int:post_id>/comments/all/", views.all_comments, name="all_comments"),
]

staff_urlpatterns = [
    path("", views.staff_home, name="home"),
    path("posts/new/", views.post_new, name="post_new"),
    path("posts/<int:pk>/comments/", views.toggle_comments, name="toggle_comments"),
]
