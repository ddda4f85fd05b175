from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import accounts, health, views, webhooks
from config.sitemaps import sitemap
from journal import feeds, search_views
from roadmap import views as roadmap_views

urlpatterns = [
    path("", views.home, name="home"),
    # Feeds that mix the roadmap's progress with posts live with the journal.
    path("roadmaps/<slug:roadmap>/feed/", feeds.RoadmapFeed(), name="roadmap-feed"),
    path(
        "roadmaps/<slug:roadmap>/topics/<slug:topic>/feed/",
        feeds.TopicFeed(),
        name="topic-feed",
    ),
    path("roadmaps/", include("roadmap.urls")),
    path("curricula/<slug:key>/", roadmap_views.curriculum_detail, name="curriculum"),
    path("journal/", include("journal.urls")),
    path("search/", search_views.site_search, name="search"),
    path("", include("learners.urls")),
    path("accounts/", accounts.account, name="account"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/changed/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        accounts.LimitedPasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("hooks/<int:roadmap>/", webhooks.push, name="push-webhook"),
    # The first address, which said GitHub though GitLab posts to it too; hooks already
    # added with it keep delivering.
    path("hooks/github/<int:roadmap>/", webhooks.push, name="github-webhook"),
    path("healthz", health.healthz, name="healthz"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon),
]

if settings.DEBUG:
    # Uploaded images under `make run`; in production the proxy or object storage serves them.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "config.views.server_error"
