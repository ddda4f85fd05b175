from django.urls import path

from . import views
from .views.exports import roadmap_export, roadmap_import_view

app_name = "roadmap"

urlpatterns = [
    path("new/", views.roadmap_new, name="new"),
    path("new/import/", roadmap_import_view, name="import"),
    path("<slug:roadmap>/", views.roadmap_detail, name="detail"),
    path("<slug:roadmap>/update/", views.roadmap_update, name="update"),
    path("<slug:roadmap>/settings/", views.roadmap_settings, name="settings"),
    path("<slug:roadmap>/delete/", views.roadmap_delete, name="delete"),
    path("<slug:roadmap>/export.json", roadmap_export, name="export"),
    path("<slug:roadmap>/dashboard/", views.dashboard, name="dashboard"),
    path("<slug:roadmap>/review/<int:year>-Q<int:number>/", views.quarter_review, name="review"),
    path("<slug:roadmap>/badge.svg", views.badge, name="badge"),
    path("<slug:roadmap>/topics/<slug:topic>/", views.topic_detail, name="topic"),
    path("<slug:roadmap>/milestones/<slug:milestone>/", views.milestone_detail, name="milestone"),
    path(
        "<slug:roadmap>/milestones/<slug:milestone>/status/",
        views.milestone_status,
        name="milestone-status",
    ),
    path(
        "<slug:roadmap>/milestones/<slug:milestone>/notes/",
        views.milestone_notes,
        name="milestone-notes",
    ),
]
