from django.urls import path

from . import views
from .views import edit
from .views.exports import roadmap_export, roadmap_import_view
from .views.fork import roadmap_fork_view
from .views.reproductions import milestone_target, reproductions, result_add, result_delete
from .views.time import milestone_time, milestone_timer, session_change, session_remove
from .views.webhook import webhook_secret

app_name = "roadmap"

urlpatterns = [
    path("new/", views.roadmap_new, name="new"),
    path("new/import/", roadmap_import_view, name="import"),
    path("<slug:roadmap>/", views.roadmap_detail, name="detail"),
    path("<slug:roadmap>/update/", views.roadmap_update, name="update"),
    path("<slug:roadmap>/settings/", views.roadmap_settings, name="settings"),
    path("<slug:roadmap>/delete/", views.roadmap_delete, name="delete"),
    path("<slug:roadmap>/fork/", roadmap_fork_view, name="fork"),
    path("<slug:roadmap>/export.json", roadmap_export, name="export"),
    path("<slug:roadmap>/edit/", edit.roadmap_edit, name="edit"),
    path("<slug:roadmap>/edit/add-stage/", edit.stage_add, name="edit-stage-add"),
    path(
        "<slug:roadmap>/edit/stages/<slug:key>/add-topic/",
        edit.topic_add,
        name="edit-topic-add",
    ),
    path(
        "<slug:roadmap>/edit/topics/<slug:key>/add-milestone/",
        edit.milestone_add,
        name="edit-milestone-add",
    ),
    path("<slug:roadmap>/edit/undo/<int:removed>/", edit.removal_undo, name="edit-undo"),
    path("<slug:roadmap>/edit/<str:kind>/<slug:key>/", edit.item_edit, name="edit-item"),
    path("<slug:roadmap>/edit/<str:kind>/<slug:key>/move/", edit.item_move, name="edit-move"),
    path(
        "<slug:roadmap>/edit/<str:kind>/<slug:key>/remove/",
        edit.item_remove,
        name="edit-remove",
    ),
    path("<slug:roadmap>/dashboard/", views.dashboard, name="dashboard"),
    path("<slug:roadmap>/review/<int:year>-Q<int:number>/", views.quarter_review, name="review"),
    path("<slug:roadmap>/badge.svg", views.badge, name="badge"),
    path("<slug:roadmap>/reproductions/", reproductions, name="reproductions"),
    path("<slug:roadmap>/settings/webhook/", webhook_secret, name="webhook-secret"),
    path(
        "<slug:roadmap>/milestones/<slug:milestone>/target/",
        milestone_target,
        name="milestone-target",
    ),
    path(
        "<slug:roadmap>/milestones/<slug:milestone>/results/",
        result_add,
        name="result-add",
    ),
    path(
        "<slug:roadmap>/milestones/<slug:milestone>/results/<int:result>/delete/",
        result_delete,
        name="result-delete",
    ),
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
    path(
        "<slug:roadmap>/milestones/<slug:milestone>/timer/",
        milestone_timer,
        name="milestone-timer",
    ),
    path(
        "<slug:roadmap>/milestones/<slug:milestone>/time/",
        milestone_time,
        name="milestone-time",
    ),
    path(
        "<slug:roadmap>/milestones/<slug:milestone>/time/<int:session>/",
        session_change,
        name="session-change",
    ),
    path(
        "<slug:roadmap>/milestones/<slug:milestone>/time/<int:session>/delete/",
        session_remove,
        name="session-delete",
    ),
]
