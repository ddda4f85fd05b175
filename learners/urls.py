from django.urls import path

from . import views

app_name = "learners"

urlpatterns = [
    path("join/", views.join, name="join-open"),
    path("join/<str:token>/", views.join, name="join"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("accounts/profile/", views.profile_edit, name="profile-edit"),
    path("learners/<str:username>/", views.profile, name="profile"),
    path("learners/<str:username>/feed/", views.LearnerFeed(), name="feed"),
]
