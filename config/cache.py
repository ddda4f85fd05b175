"""Whole pages for visitors, cached under the site's version: one increment retires them.

A visitor (no session) asking for a page with GET gets it from the cache when the site has
not changed since it was rendered. The key holds `SiteVersion.number`, which every change to
what pages show increments in the database (roadmap/signals.py, `mark_changed()`), and the
version is read on every request: so after a change is acknowledged the next request, through
any server process, renders afresh, whether the cache is each process's memory or a Redis
they share. The key also holds the code's own version, so a release never serves what the
one before it cached, and a quarter of an hour, so what pages say about time ("today",
"3 days ago", a stalled milestone) moves on without a change.

A page whose view can say, without rendering it, what progress it shows (config/progress.py:
the journal's lists and feeds show none, a post the status of the milestones it is tied to,
a roadmap's pages that roadmap's alone) is also kept under the number of every change but
progress alone (`SiteVersion.beyond_progress`) and that progress. When the site's number
has moved on by progress the page does not show (another learner ticking off milestones),
it is found there and not rendered again. tests/test_page_cache.py renders each such page
after every kind of progress and holds the kept page to the same bytes.

Only responses that are the same for every visitor are kept: a 200 that sets no cookie,
used no CSRF token, varies on nothing but the cookie and the encoding, and is not marked
no-store. A logged-in learner's request never reads or writes this cache, so the owner's
controls can never reach a visitor. Whether kept or just rendered, a response answers
If-None-Match by its ETag; a feed, the sitemap and a badge also answer If-Modified-Since by
their Last-Modified, the second the site last changed (SiteVersion.changed_second, a later
one for every number), or for a page that shows no progress the second of the last change
but progress (SiteVersion.beyond_progress_second).
"""

import functools
import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.urls import Resolver404, resolve
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


def _key(request, version: str, step: int) -> str:
    encoding = "gzip" if GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) else "plain"
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"page:{code_version()}:{version}:{step}:{encoding}:{digest}"


def _progress_shown(request) -> str | None:
    """The progress the page shows, where its view says what that is without rendering it
    (config.progress.shows_progress); None where it does not."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    of = getattr(match.func, "progress_shown", None)
    return None if of is None else of(request, *match.args, **match.kwargs)


def _beyond_progress_key(request, version: Version, step: int, shown: str) -> str:
    """Where a page showing the progress `shown` is kept by every change but progress."""
    digest = hashlib.sha256(shown.encode()).hexdigest()[:32]
    return _key(request, f"b{version.beyond_progress}:{digest}", step)


def _last_modified(response, version: Version, *, shows_progress: bool) -> int | None:
    """When what a feed, the sitemap or a badge shows last changed, in seconds: the site's
    last change (SiteVersion.changed_second, a later second for every change), or where the
    page shows no progress (the journal's feeds) its last change but progress alone
    (SiteVersion.beyond_progress_second), written on the response once that second has
    begun. Not a feed's own date (its newest entry's): a
    completion dated by its commit, an imported post or a deletion leaves that where it was.
    Pages of HTML go without: their words move with the clock too ("3 days ago"), and a
    browser asks by the ETag. None where no date is given."""
    if response.has_header("Last-Modified"):
        del response["Last-Modified"]
    modified = version.changed_second if shows_progress else version.beyond_progress_second
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
        # What the page is rendered for: parts of it kept by config/fragments.py go by it.
        request.visitor_version = version
        step = int(time.time()) // TIME_STEP
        key = _key(request, str(version.number), step)
        stored = cache.get(key)
        shown = None
        if stored is None:
            # Kept before progress it does not show? Then under this number too, from now.
            shown = _progress_shown(request)
            if shown is not None:
                beyond_progress = _beyond_progress_key(request, version, step, shown)
                stored = cache.get(beyond_progress)
                if stored is not None:
                    cache.set(key, stored, TIME_STEP)
        if stored is not None:
            status, headers, content, shows_progress = stored
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
            # Whether it may show progress: its date is then the site's last change's.
            shows_progress = shown != ""
            stored = (response.status_code, headers, response.content, shows_progress)
            cache.set(key, stored, TIME_STEP)
            # The progress it shows was read before the page was: kept by it only where it
            # shows none, or no change came between (one could have been undone since, and
            # read back the same, while the page shows it done).
            if shown == "" or (shown is not None and SiteVersion.objects.current() == version):
                cache.set(beyond_progress, stored, TIME_STEP)
            response["X-Cache"] = "miss"
        # If-None-Match is answered by the ETag; If-Modified-Since, sent alone (as some feed
        # readers do), by the Last-Modified, where there is one.
        last_modified = _last_modified(response, version, shows_progress=shows_progress)
        return get_conditional_response(
            request, etag=response.get("ETag"), last_modified=last_modified, response=response
        )
