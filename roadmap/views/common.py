"""What every roadmap view needs: who may see a roadmap, and where a form returns to."""

from zoneinfo import ZoneInfo

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone

from ..models import Milestone, Roadmap


def roadmap_for(request, slug: str) -> Roadmap:
    """The roadmap at `slug` if this user may see it; 404 otherwise, as if it did not exist."""
    return get_object_or_404(
        Roadmap.objects.visible_to(request.user).select_related("owner"), slug=slug
    )


def next_url_for(request) -> str:
    """Where a status form returns to without JavaScript: the page the form is on."""
    if request.htmx:
        return request.htmx.current_url_abs_path or "/"
    return request.get_full_path()


def owns(request, roadmap: Roadmap) -> bool:
    return request.user.is_authenticated and roadmap.owner_id == request.user.pk


def owned_milestone(request, roadmap: str, milestone: str) -> Milestone:
    """The learner's own milestone; anyone else's is a 404, as if it did not exist."""
    return get_object_or_404(
        Milestone.objects.select_related("roadmap", "topic__stage"),
        roadmap__slug=roadmap,
        roadmap__owner=request.user,
        slug=milestone,
    )


def in_roadmap_zone(response, roadmap: Roadmap):
    """Render a page's dates and times in the roadmap owner's time zone, for this response only."""
    if isinstance(response, TemplateResponse):
        with timezone.override(ZoneInfo(roadmap.time_zone)):
            response.render()
    return response
