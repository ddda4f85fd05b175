from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from roadmap import views as roadmap_views

urlpatterns = [
    path("", roadmap_views.home, name="home"),
    path("roadmaps/", include("roadmap.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", roadmap_views.healthz, name="healthz"),
]
