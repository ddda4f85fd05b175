from django.urls import path, re_path

from . import views

app_name = "learners"

urlpatterns = [
    path("join/", views.join, name="join-open"),
    re_path(r"^join/(?P<token>[A-Za-z0-9_-]{1,64})/$", views.join, name="join"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("accounts/profile/", views.profile_edit, name="profile-edit"),
    # Usernames are what Django allows: letters, digits and @.+-_ only.
    re_path(r"^learners/(?P<username>[\w.@+-]{1,150})/$", views.profile, name="profile"),
    re_path(r"^learners/(?P<username>[\w.@+-]{1,150})/feed/$", views.LearnerFeed(), name="feed"),
]
