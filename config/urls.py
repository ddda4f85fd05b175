from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from config import views
from config.sitemaps import SITEMAPS
from journal import feeds

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
    path("journal/", include("journal.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon),
]

if settings.DEBUG:
    # Uploaded images under `make run`; in production the proxy or object storage serves them.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "config.views.server_error"
