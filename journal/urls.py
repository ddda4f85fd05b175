from django.urls import path

from . import feeds, views

app_name = "journal"

urlpatterns = [
    path("", views.post_list, name="list"),
    path("new/", views.post_new, name="new"),
    path("feed/", feeds.PostFeed(), name="feed"),
    path("kinds/<slug:kind>/feed/", feeds.KindFeed(), name="kind-feed"),
    path("preview/", views.markdown_preview, name="preview"),
    path("upload/", views.image_upload, name="upload"),
    path("reflect/<slug:roadmap>/<slug:milestone>/", views.reflect, name="reflect"),
    path("<slug:slug>/", views.post_detail, name="detail"),
    path("<slug:slug>/edit/", views.post_edit, name="edit"),
    path("<slug:slug>/delete/", views.post_delete, name="delete"),
]
