from django.urls import path

from . import feeds, views
from .export_views import journal_export, journal_import_view

app_name = "journal"

urlpatterns = [
    path("", views.post_list, name="list"),
    path("new/", views.post_new, name="new"),
    path("feed/", feeds.PostFeed(), name="feed"),
    path("kinds/<slug:kind>/feed/", feeds.KindFeed(), name="kind-feed"),
    path("preview/", views.markdown_preview, name="preview"),
    path("upload/", views.image_upload, name="upload"),
    path("export.zip", journal_export, name="export"),
    # "export" is a reserved post address: the page to download or import the journal.
    path("export/", journal_import_view, name="import"),
    path("reflect/<slug:roadmap>/<slug:milestone>/", views.reflect, name="reflect"),
    path("<slug:slug>/", views.post_detail, name="detail"),
    path("<slug:slug>/edit/", views.post_edit, name="edit"),
    path("<slug:slug>/delete/", views.post_delete, name="delete"),
]
