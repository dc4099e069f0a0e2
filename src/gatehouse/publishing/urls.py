from __future__ import annotations

from django.urls import path

from gatehouse.publishing import media, parent_views, video_views, views, webhooks, website

urlpatterns = [
    # Public, unguessable and expiring: the link Meta fetches a published photo from.
    path("media-link/<str:token>/", media.media_link, name="publishing_media"),
    # Meta's webhooks (comments on the Page and Instagram): signed, see webhooks.py.
    path("hooks/meta/", webhooks.meta_webhook, name="meta_webhook"),
    # Where Meta's login dialog sends an administrator back ("Connect with Facebook").
    path("publishing/oauth/callback/", views.oauth_callback, name="publishing_oauth_callback"),
]

# Public: the school's news for its website, under /s/<school>/.
school_urlpatterns = [
    path("news/", website.news, name="news"),
    path("news/rss/", website.NewsRss(), name="news_rss"),
    path("news/atom/", website.NewsAtom(), name="news_atom"),
    path("news/feed.json", website.news_json, name="news_json"),
    path("news/images/<int:pk>/", website.news_image, name="news_image"),
    path("news/videos/<int:pk>/", website.news_video, name="news_video"),
    # The parents' group's <video> (members only; the published copy).
    path("videos/<int:pk>/", video_views.group_video, name="group_video"),
    path("email-settings/", parent_views.notification_settings, name="notification_settings"),
    path("email-settings/unsubscribe/<str:token>/", parent_views.unsubscribe,
         name="unsubscribe"),
]

staff_urlpatterns = [
    path("publishing/", views.posts, name="publishing_posts"),
    path("publishing/new/", views.post_new, name="publishing_new"),
    path("publishing/calendar/", views.calendar, name="publishing_calendar"),
    path("publishing/connections/", views.connections, name="publishing_connections"),
    path("publishing/connections/quick-posts/", views.quick_posts,
         name="publishing_quick_posts"),
    path("publishing/connections/facebook/", views.oauth_start, name="publishing_oauth_start"),
    path("publishing/connections/facebook/pages/", views.oauth_pages,
         name="publishing_oauth_pages"),
    path("publishing/connections/<int:pk>/check/", views.connection_check,
         name="publishing_connection_check"),
    path("publishing/from-photos/<int:pk>/", views.post_from_photos,
         name="publishing_from_photos"),
    path("publishing/<int:pk>/", views.post_detail, name="publishing_post"),
    path("publishing/<int:pk>/edit/", views.post_edit, name="publishing_edit"),
    path("publishing/<int:pk>/submit/", views.post_submit, name="publishing_submit"),
    path("publishing/<int:pk>/agree/", views.post_agree, name="publishing_agree"),
    path("publishing/<int:pk>/changes/", views.post_changes, name="publishing_changes"),
    path("publishing/<int:pk>/reschedule/", views.post_reschedule,
         name="publishing_reschedule"),
    path("publishing/<int:pk>/cancel/", views.post_cancel, name="publishing_cancel"),
    path("publishing/<int:pk>/video/", video_views.video_check, name="publishing_video"),
    path("publishing/<int:pk>/video/upload/", video_views.video_upload,
         name="publishing_video_upload"),
    path("publishing/<int:pk>/video/remove/", video_views.video_remove,
         name="publishing_video_remove"),
    path("publishing/<int:pk>/video/tags/", video_views.video_tags,
         name="publishing_video_tags"),
    path("publishing/<int:pk>/video/add-face/", video_views.video_add_track,
         name="publishing_video_add_face"),
    path("publishing/<int:pk>/video/blur-untagged/", video_views.video_blur_untagged,
         name="publishing_video_blur"),
    path("publishing/<int:pk>/video/pupils/", video_views.video_pupil_search,
         name="publishing_video_pupils"),
    path("publishing/<int:pk>/video/confirm/", video_views.video_confirm,
         name="publishing_video_confirm"),
    path("publishing/<int:pk>/video/original/", video_views.video_original,
         name="publishing_video_original"),
    path("publishing/<int:pk>/video/published/", video_views.video_published,
         name="publishing_video_published"),
    path("publishing/video-faces/<int:pk>/", video_views.video_track_thumbnail,
         name="publishing_video_face"),
]
