"""The search page: one box in every page's header, the results here."""

from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from .search import search

RESULTS_SHOWN = 30


@require_safe
@vary_on_headers("HX-Request", "HX-Target")
def site_search(request):
    """GET /search/?q=...; while one types, HTMX asks for the results alone (#search-results).

    A visitor's results are cached as any page is, under the site's version: a search shared
    as a link, or asked again, costs one query. Every other query is a key of its own; any
    address with a query string is, and the cache's size bounds them all alike.
    """
    found = search(request.GET.get("q", ""), request.user, limit=RESULTS_SHOWN)
    template = "journal/search.html"
    if request.htmx and request.htmx.target == "search-results":
        template += "#search-results"
    return TemplateResponse(
        request, template, {"found": found}, status=400 if found.refused else 200
    )
