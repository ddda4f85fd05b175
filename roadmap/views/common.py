"""What every roadmap view needs: who may see a roadmap, where a form returns to, time zones."""

from zoneinfo import ZoneInfo

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from ..models import Milestone, Roadmap


def visible_roadmaps(request):
    """The roadmaps this user may see, with what their pages show of the owner."""
    # The owner's profile (the learners app's relation) gives the name pages show.
    return Roadmap.objects.visible_to(request.user).select_related("owner__profile")


def roadmap_progress(request, roadmap: str, *args, **kwargs) -> str:
    """The progress a page of one roadmap shows: that roadmap's alone, so its pages are kept
    while other learners' milestones are ticked off (config/progress.py)."""
    return Roadmap.objects.progress_of(roadmap)


def roadmap_for(request, slug: str) -> Roadmap:
    """The roadmap at `slug` if this user may see it; 404 otherwise, as if it did not exist."""
    return get_object_or_404(visible_roadmaps(request), slug=slug)


def owns(request, roadmap: Roadmap) -> bool:
    return request.user.is_authenticated and roadmap.owner_id == request.user.pk


def owned_milestone(request, roadmap: str, milestone: str) -> Milestone:
    """The learner's own milestone; anyone else's is a 404, as if it did not exist."""
    return get_object_or_404(
        Milestone.objects.owned_by(request.user).select_related("roadmap", "topic__stage"),
        roadmap__slug=roadmap,
        slug=milestone,
    )


def local_path(value: str | None) -> str | None:
    """`value` if it is a path on this site, else None: a `next` is whatever a client sent."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return None
    return value


def page_path(request) -> str:
    """The page a request was made from: itself, or for HTMX the page that sent it.

    Without the milestone whose status buttons it opened (?status_of=): once the status is
    set, the learner returns to the page as it was.
    """
    if not request.htmx:
        query = request.GET.copy()
        query.pop("status_of", None)
        path = escape_uri_path(request.path)
        return f"{path}?{query.urlencode()}" if query else path
    try:
        return local_path(request.htmx.current_url_abs_path) or "/"
    except ValueError:
        # A header that is not a URL at all ("http://[") is a client's mistake, not ours.
        return "/"


def fragment_requested(request, *names: str) -> str | None:
    """Which of a page's own fragments an HTMX request asks for, by the id it targets."""
    if request.htmx and request.htmx.target in names:
        return request.htmx.target
    return None


def in_roadmap_zone(response, roadmap: Roadmap):
    """Render a page's dates and times in the roadmap owner's time zone, for this response only."""
    if isinstance(response, TemplateResponse):
        with timezone.override(ZoneInfo(roadmap.time_zone)):
            response.render()
    return response


def login_first(request):
    """Send an anonymous writer to log in, back to the page they were on: a whole-page
    redirect, even from an HTMX request."""
    response = redirect_to_login(local_path(request.POST.get("next")) or page_path(request))
    return HttpResponseClientRedirect(response.url) if request.htmx else response
