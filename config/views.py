"""The site's own pages, above any one app: the home page, health, robots."""

from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError
from django.template import loader
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

from journal.models import Post
from roadmap.models import Roadmap


@require_safe
def home(request):
    """The site's learners, their public roadmaps and everyone's recent posts.

    A site of one public roadmap shows that roadmap's stages too: it is what a visitor came for.
    """
    roadmaps = (
        Roadmap.objects.listed().select_related("owner__profile").order_by("-updated_at").counted()
    )
    own = []
    if request.user.is_authenticated:
        own = (
            Roadmap.objects.filter(owner=request.user)
            .exclude(visibility=Roadmap.Visibility.PUBLIC)
            .select_related("owner__profile")
            .counted()
        )
    learners: dict[int, dict] = {}
    for roadmap in roadmaps:
        entry = learners.setdefault(roadmap.owner_id, {"user": roadmap.owner, "roadmaps": 0})
        entry["roadmaps"] += 1
    featured = roadmaps[0] if len(roadmaps) == 1 else None
    context = {
        "roadmaps": roadmaps,
        "own": own,
        "learners": list(learners.values()),
        "featured": featured,
        "featured_stages": featured.stages_with_progress() if featured else [],
        "posts": Post.objects.listed().newest_first().select_related("author__profile")[:5],
    }
    return TemplateResponse(request, "home.html", context)


def server_error(request):
    """The 500 page: standalone, so it renders when the database or a template is the fault.

    It names the request's id, which the log line about the error carries too.
    """
    html = loader.get_template("500.html").render({"request_id": getattr(request, "id", "")})
    return HttpResponseServerError(html)


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the real one."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /journal/new/",
        f"Sitemap: {sitemap_url}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
