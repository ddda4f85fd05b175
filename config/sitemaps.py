"""/sitemap.xml: every public page, for search engines.

Written as plain text from plain rows: at 600 milestones and 1,000 posts a sitemap is a few
thousand addresses, and loading model instances and reversing a URL for each, then running
them through a template, cost more than a hundred milliseconds. One reverse() per kind of
page gives the pattern; each address is that pattern with the row's slugs in it.
"""

from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.http import require_safe

from journal.models import Post
from roadmap.models import Milestone, Roadmap, Topic

# Addresses are built from one reversed pattern per kind, the slugs put in its place.
SLOT = "__slot__"


def _pattern(name: str, slots: int) -> str:
    return reverse(name, args=[SLOT] * slots).replace(SLOT, "{}")


def _entry(base: str, path: str, changefreq: str, lastmod=None) -> str:
    modified = f"<lastmod>{lastmod.date().isoformat()}</lastmod>" if lastmod else ""
    frequency = f"<changefreq>{changefreq}</changefreq>"
    return f"<url><loc>{escape(base + path)}</loc>{modified}{frequency}</url>"


def entries(base: str):
    """(address, change frequency, last change or None) of every public page, in order."""
    roadmap_url = _pattern("roadmap:detail", 1)
    reproductions_url = _pattern("roadmap:reproductions", 1)
    for slug, updated_at in (
        Roadmap.objects.listed().order_by("pk").values_list("slug", "updated_at")
    ):
        yield _entry(base, roadmap_url.format(slug), "daily", updated_at)
        yield _entry(base, reproductions_url.format(slug), "weekly", updated_at)
    for name, model in [("roadmap:topic", Topic), ("roadmap:milestone", Milestone)]:
        url = _pattern(name, 2)
        rows = model.objects.filter(roadmap__in=Roadmap.objects.listed()).order_by("pk")
        for roadmap_slug, slug in rows.values_list("roadmap__slug", "slug"):
            yield _entry(base, url.format(roadmap_slug, slug), "weekly")
    post_url = _pattern("journal:detail", 1)
    for slug, updated_at in Post.objects.listed().newest_first().values_list("slug", "updated_at"):
        yield _entry(base, post_url.format(slug), "monthly", updated_at)


@require_safe
def sitemap(request):
    base = f"{request.scheme}://{request.get_host()}"
    body = "".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n',
            *entries(base),
            "\n</urlset>\n",
        ]
    )
    return HttpResponse(body, content_type="application/xml; charset=utf-8")
