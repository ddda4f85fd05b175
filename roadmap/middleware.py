"""Old roadmap addresses lead to where the roadmap is now."""

import re

from django.http import Http404, HttpResponseRedirect

from .models import Roadmap, RoadmapAddress

ROADMAP_PATH = re.compile(r"^/roadmaps/(?P<slug>[-a-zA-Z0-9_]+)/(?P<rest>.*)$")


class OldRoadmapAddressMiddleware:
    """A page of a renamed roadmap, asked for at its old address, redirects to the new one.

    Only where the page was not found: a roadmap now at that address wins.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Http404) or request.method not in ("GET", "HEAD"):
            return None
        match = ROADMAP_PATH.match(request.path)
        if match is None:
            return None
        old = (
            RoadmapAddress.objects.filter(
                slug=match["slug"], roadmap__in=Roadmap.objects.visible_to(request.user)
            )
            .select_related("roadmap")
            .first()
        )
        if old is None:
            # Unknown, or a roadmap this visitor may not see: not even its new address shows.
            return None
        target = f"/roadmaps/{old.roadmap.slug}/{match['rest']}"
        if request.META.get("QUERY_STRING"):
            target += f"?{request.META['QUERY_STRING']}"
        # Temporary: the roadmap may take this address back, and a browser keeps a
        # permanent redirect for good, which would then loop.
        return HttpResponseRedirect(target)
