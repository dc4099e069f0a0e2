from __future__ import annotations

from django.urls import path

from gatehouse.consent import photo_views, views

school_urlpatterns = [
    path("my-children/", views.my_children, name="my_children"),
    path("images/<int:pk>/", views.post_image, name="post_image"),
]

staff_urlpatterns = [
    path("pupils/", views.pupils, name="pupils"),
    path("pupils/import/", views.import_pupils, name="import_pupils"),
    path("pupils/<int:pk>/", views.pupil_detail, name="pupil"),
    path("pupils/<int:pk>/consent/", views.record_consent, name="record_consent"),
    path("pupils/<int:pk>/restricted/", views.set_restricted, name="set_restricted"),
    path("pupils/<int:pk>/biometrics/", views.record_biometric, name="record_biometric"),
    path("my-image-permission/", views.image_permission, name="image_permission"),
    path("takedowns/", views.takedowns, name="takedowns"),
    path("takedowns/<int:pk>/done/", views.complete_takedown, name="complete_takedown"),
    path("face-recognition/", views.recognition_settings, name="recognition"),
    path("photo-posts/", photo_views.drafts, name="drafts"),
    path("photo-posts/new/", photo_views.draft_new, name="draft_new"),
    path("photo-posts/<int:pk>/", photo_views.draft_detail, name="draft"),
    path("photo-posts/<int:pk>/photos/", photo_views.add_photo, name="add_photo"),
    path("photo-posts/<int:pk>/channels/", photo_views.set_channels, name="set_channels"),
    path("photo-posts/<int:pk>/publish/", photo_views.publish_draft, name="publish_draft"),
    path("photo-posts/<int:pk>/pupils/", photo_views.pupil_search, name="pupil_search"),
    path("photos/<int:pk>/tags/", photo_views.tag_faces, name="tag_faces"),
    path("photos/<int:pk>/blur-untagged/", photo_views.blur_untagged, name="blur_untagged"),
    path("photos/<int:pk>/confirm/", photo_views.confirm_photo, name="confirm_photo"),
    path("photos/<int:pk>/replace/", photo_views.replace_photo, name="replace_photo"),
    path("photos/<int:pk>/faces/", photo_views.add_face, name="add_face"),
    path("photos/<int:pk>/preview.jpg", photo_views.photo_preview, name="photo_preview"),
    path("photos/<int:pk>/as-published.jpg", photo_views.photo_as_published,
         name="photo_as_published"),
    path("photos/<int:pk>/original/", photo_views.photo_original, name="photo_original"),
]
