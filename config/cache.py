"""Whole pages for visitors, cached under the site's version: one increment retires them.

A visitor (no session) asking for a page with GET gets it from the cache when the site has
not changed since it was rendered. The key holds `SiteVersion.number`, which every change to
what pages show increments in the database (roadmap/signals.py, `mark_changed()`), and the
version is read on every request: so after a change is acknowledged the next request, through
any server process, renders afresh, whether the cache is each process's memory or a Redis
they share. The key also holds the code's own version, so a release never serves what the
one before it cached, and a quarter of an hour, so what pages say about time ("today",
"3 days ago", a stalled milestone) moves on without a change.

A page that shows no progress (no milestone's status, no count of them, no study time) is
kept under the number of every change but progress alone (`SiteVersion.beyond_progress`)
instead, so a learner ticking milestones off leaves it cached: its view says so by setting
`shows_progress = False` on the response (the journal's lists and feeds, a post tied to no
milestone). tests/test_page_cache.py renders each such page before and after every kind of
progress and holds it to the same bytes.

Only responses that are the same for every visitor are kept: a 200 that sets no cookie,
used no CSRF token, varies on nothing but the cookie and the encoding, and is not marked
no-store. A logged-in learner's request never reads or writes this cache, so the owner's
controls can never reach a visitor. Whether kept or just rendered, a response answers
If-None-Match by its ETag; a feed, the sitemap and a badge also answer If-Modified-Since by
their Last-Modified, the second the site last changed (SiteVersion.changed_second, a later
one for every number).
"""

import functools
import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import http_date

from journal.models import Post
from roadmap.models import SiteVersion, Version

# Seconds a time-dependent phrase on a cached page may lag behind the clock.
TIME_STEP = 15 * 60
GZIP = re.compile(r"\bgzip\b")
# What a response may vary on and still be the same for every request this cache serves.
SAME_FOR_VISITORS = {"cookie", "accept-encoding", "hx-request", "hx-target"}
NOT_STORED = {"set-cookie", "x-request-id"}


@functools.cache
def code_version() -> str:
    """What the running code renders pages with: a new release never serves a page that the
    one before it cached (a shared Redis outlives a deploy)."""
    digest = hashlib.sha256()
    root = settings.BASE_DIR
    for folder in ("templates", "static", "config", "roadmap", "journal", "learners"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in {".html", ".py", ".txt", ".xml", ".css", ".js", ".svg"}:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def site_version() -> Version:
    """The site's version now; counts a scheduled post's time once it has come."""
    version = SiteVersion.objects.current()
    now = timezone.now()
    if version.changes_at is not None and version.changes_at <= now:
        SiteVersion.objects.advance(version.changes_at, Post.objects.next_appearance(after=now))
        version = SiteVersion.objects.current()
    return version


def _from_visitor(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        # Files have caches of their own (WhiteNoise's, the proxy's).
        and not request.path.startswith((settings.STATIC_URL, settings.MEDIA_URL))
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_HX_REQUEST" not in request.META
    )


def _keys(request, version: Version, step: int) -> tuple[str, str]:
    """Where the page is kept: if it shows progress, under the site's number; if not, under
    the number of every change but progress."""
    encoding = "gzip" if GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) else "plain"
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    page = f"{step}:{encoding}:{digest}"
    return (
        f"page:{code_version()}:{version.number}:{page}",
        f"page:{code_version()}:b{version.beyond_progress}:{page}",
    )


def _last_modified(response, version: Version) -> int | None:
    """When what a feed, the sitemap or a badge shows last changed, in seconds: the site's
    last change (SiteVersion.changed_second, a later second for every change), written on
    the response once that second has begun. Not a feed's own date (its newest entry's): a
    completion dated by its commit, an imported post or a deletion leaves that where it was.
    Pages of HTML go without: their words move with the clock too ("3 days ago"), and a
    browser asks by the ETag. None where no date is given."""
    if response.has_header("Last-Modified"):
        del response["Last-Modified"]
    modified = version.changed_second
    if not modified or response.get("Content-Type", "").startswith("text/html"):
        return None
    if modified <= time.time():
        response["Last-Modified"] = http_date(modified)
    return modified


def _same_for_visitors(request, response) -> bool:
    cache_control = response.get("Cache-Control", "")
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        # "private" and "no-cache" are for the browser (the dashboard revalidates by ETag);
        # this cache only ever answers requests without a session, which are all alike.
        and "no-store" not in cache_control
        and vary <= SAME_FOR_VISITORS
    )


class VisitorPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _from_visitor(request):
            return self.get_response(request)
        try:
            version = site_version()
        except DatabaseError:
            # No version, no cache: the page (or /healthz) says what is wrong itself.
            return self.get_response(request)
        step = int(time.time()) // TIME_STEP
        keys = _keys(request, version, step)
        kept = cache.get_many(keys)  # one round trip to a shared cache
        stored = kept.get(keys[0]) or kept.get(keys[1])
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Cache"] = "hit"
        else:
            response = self.get_response(request)
            if not _same_for_visitors(request, response):
                return response
            if not response.has_header("ETag"):
                set_response_etag(response)
            headers = [(n, v) for n, v in response.items() if n.lower() not in NOT_STORED]
            key = keys[0] if getattr(response, "shows_progress", True) else keys[1]
            cache.set(key, (response.status_code, headers, response.content), TIME_STEP)
            response["X-Cache"] = "miss"
        # If-None-Match is answered by the ETag; If-Modified-Since, sent alone (as some feed
        # readers do), by the Last-Modified, where there is one.
        last_modified = _last_modified(response, version)
        return get_conditional_response(
            request, etag=response.get("ETag"), last_modified=last_modified, response=response
        )
