"""The dashboard, a quarter's review and the README badge: a roadmap's numbers as pages."""

import hashlib
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe
from django.views.decorators.vary import vary_on_headers

from config.progress import shows_progress

from .. import charts, kept, stats
from ..models import Roadmap, Status
from .common import (
    in_roadmap_zone,
    owns,
    page_path,
    roadmap_for,
    roadmap_progress,
    visible_roadmaps,
)
from .notebook import quarter_results


def _dashboard_etag(request, roadmap, **kwargs) -> str | None:
    """Changes with every status change, post and day, so a tab left open gets 304s."""
    if not hasattr(request, "dashboard_etag"):
        request.dashboard_etag = _compute_etag(request, roadmap)
    return request.dashboard_etag


def _compute_etag(request, slug: str) -> str | None:
    # Read whole, and kept for the view, which would otherwise read it again.
    roadmap = request.dashboard_roadmap = visible_roadmaps(request).filter(slug=slug).first()
    if roadmap is None:
        return None
    # Only what the dashboard shows: its published posts. Unpublishing or deleting one
    # changes the count and the ids, editing one its time, and a scheduled one counts once
    # its time has come; a draft saved by the owner changes nothing a visitor sees. Kept
    # for the history, which would otherwise read it again.
    posts = request.posts_digest = kept.posts_digest(roadmap)
    today = timezone.localdate(timezone=ZoneInfo(roadmap.time_zone))
    key = "|".join(
        str(part) for part in (roadmap.pk, roadmap.updated_at, *posts, today, request.user.pk)
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _dashboard_context(request, roadmap: Roadmap) -> dict:
    now = timezone.now()
    history = roadmap.history(posts_digest=getattr(request, "posts_digest", None))
    tz = history.tz
    today = stats.local_date(now, tz)
    stages = roadmap.stages_counted(history)

    # History recorded before the start date (an imported log) still belongs on the charts.
    start = min(history.first_day, today)
    counted = history.counted
    points = stats.done_over_time(history.events, counted, start=start, today=today, tz=tz)
    plan = ((start, 0), (roadmap.target_date, len(counted))) if roadmap.target_date else None
    # The windowed numbers are handed only the events that can fall in their window.
    recent, last_month = (
        stats.pace(
            history.events_since(today - weeks * stats.WEEK),
            history.rows,
            weeks=weeks,
            today=today,
            started_on=start,
            tz=tz,
        )
        for weeks in (12, 4)
    )
    year = stats.heatmap_start(today)
    days = stats.heatmap(
        history.events_since(year), history.post_times_since(year), today=today, tz=tz
    )
    rows = list(history.rows.values())
    lists = {
        "in_progress": [row.id for row in rows if row.status == Status.IN_PROGRESS],
        "next_up": [row.id for row in stats.next_up(rows, history.prerequisites)],
        "stalled": [row.id for row in stats.stalled(rows, now=now)],
        "recently_done": [
            row.id
            for row in sorted(
                (r for r in rows if r.status == Status.DONE and r.completed_at),
                key=lambda r: r.completed_at,
                reverse=True,
            )[:5]
        ],
    }
    # The rows the page shows as milestones, read as models in one query whatever the size.
    shown = roadmap.milestones.in_bulk({pk for ids in lists.values() for pk in ids})
    for milestone in shown.values():
        milestone.roadmap = roadmap
    done = [shown[pk] for pk in lists["recently_done"]]
    tied = roadmap.posts.published().only("title", "slug", "roadmap_id").tied_to(done)
    for milestone in done:
        milestone.tied_posts = tied.get(milestone.pk, [])
    projection = stats.projection(
        remaining=roadmap.progress.counted - roadmap.progress.done,
        recent=recent,
        today=today,
        started_on=start,
        target=roadmap.target_date,
    )
    time = _time_context(request, roadmap, history, today=today, start=start)
    if time.get("hours_projection") and time["hours_projection"].message:
        projection = time["hours_projection"]
    heat_minutes = time["hours_visible"] and request.GET.get("heat") == "minutes"
    if heat_minutes:
        minutes = stats.minutes_heatmap(history.minutes_per_day, today=today)
        heatmap = charts.minutes_heatmap_svg(minutes, title="A year of study time", today=today)
        heatmap_rows = charts.minutes_table_rows(minutes)
    else:
        heatmap = charts.heatmap_svg(days, title="A year of learning", today=today)
        heatmap_rows = charts.heatmap_table_rows(days)
    return time | {
        "heat_minutes": heat_minutes,
        "roadmap": roadmap,
        "is_owner": owns(request, roadmap),
        "next_url": page_path(request),
        "today": today,
        "stages": stages,
        "hours_done": history.hours_done,
        "hours_remaining": history.hours_remaining,
        "burnup": charts.burnup_svg(
            points,
            plan=plan,
            title="Milestones done over time",
            total=len(counted),
        ),
        "burnup_points": points,
        "plan": plan,
        "pace_recent": recent,
        "pace_month": last_month,
        "projection": projection,
        "heatmap": heatmap,
        "heatmap_rows": heatmap_rows,
        "streak": stats.learning_streak(history.events, history.post_times, today=today, tz=tz),
        "in_progress": [shown[pk] for pk in lists["in_progress"]],
        "next_up": [shown[pk] for pk in lists["next_up"]],
        "stalled": [shown[pk] for pk in lists["stalled"]],
        "recently_done": done,
        "latest_posts": roadmap.posts.published()
        .newest_first()
        .only("title", "slug", "kind", "published_at", "reading_minutes", "excerpt", "roadmap_id")[
            :5
        ],
        "quarters": stats.Quarter.between(start, today),
        "refresh_seconds": settings.DASHBOARD_REFRESH_SECONDS,
    }


def _time_context(request, roadmap: Roadmap, history, *, today, start) -> dict:
    """Hours spent against the estimate, the ratio per kind, the projection they give and
    the running timer: for the owner, and for visitors where the owner shows hours."""
    if not roadmap.shows_hours_to(request.user):
        return {"hours_visible": False}
    spent = stats.time_spent(history)
    per_day = history.minutes_per_day  # summed once: the month, the quarter, the heatmap
    running = next((s for s in history.sessions if s.running), None)
    running_row = history.rows.get(running.milestone_id) if running else None
    return {
        "hours_visible": True,
        "time_spent": spent,
        "min_timed_done": stats.MIN_TIMED_DONE,
        "minutes_legend": charts.minutes_legend(),
        "hours_projection": stats.time_projection(history, spent, today=today, started_on=start),
        "studied_month": stats.hours_of(
            stats.minutes_between(per_day, since=today - 4 * stats.WEEK, until=today)
        ),
        "studied_quarter": stats.hours_of(
            stats.minutes_between(per_day, since=today - 12 * stats.WEEK, until=today)
        ),
        "running": running if owns(request, roadmap) else None,
        "running_row": running_row,
        "running_timer_url": reverse(
            "roadmap:milestone-timer", args=[roadmap.slug, running_row.slug]
        )
        if running_row and owns(request, roadmap)
        else None,
    }


@shows_progress(of=roadmap_progress)
@require_safe
@vary_on_headers("HX-Request")
@cache_control(private=True, no_cache=True)
@condition(etag_func=_dashboard_etag)
def dashboard(request, roadmap):
    """The dashboard; for HTMX (its own poll, or a "progress-changed" event) its body only."""
    _dashboard_etag(request, roadmap)  # reads the roadmap, unless the ETag did already
    roadmap = request.dashboard_roadmap or roadmap_for(request, roadmap)
    template = "roadmap/dashboard.html"
    if request.htmx:
        template += "#dashboard"
    context = _dashboard_context(request, roadmap)
    context["etag"] = _dashboard_etag(request, roadmap.slug)
    return in_roadmap_zone(TemplateResponse(request, template, context), roadmap)


@shows_progress(of=roadmap_progress)
@require_safe
def quarter_review(request, roadmap, year, number):
    roadmap = roadmap_for(request, roadmap)
    if not 1 <= number <= 4 or not 2000 <= year <= 2999:
        raise Http404("No such quarter")
    now = timezone.now()
    history = roadmap.history()
    review = stats.quarter_review(history, stats.Quarter(year, number), now=now)
    today = stats.local_date(now, history.tz)
    # The plan as it evolved: what the learner added, removed, renamed, moved, re-estimated.
    plan_changes = roadmap.plan_changes.between(
        datetime.combine(review.quarter.start, time(0), tzinfo=history.tz),
        datetime.combine(review.quarter.end, time(0), tzinfo=history.tz),
    )
    # Links to other quarters stay within the roadmap's story: its first quarter to today's.
    first = stats.Quarter.of(min(history.first_day, today))
    previous, following = review.quarter.previous, review.quarter.next
    context = {
        "roadmap": roadmap,
        "review": review,
        "quarter": review.quarter,
        "previous": previous if previous >= first else None,
        "next": following if following.start <= today else None,
        "quarter_results": quarter_results(roadmap, review.quarter),
        "plan_changes": list(plan_changes),
        "is_owner": owns(request, roadmap),
        "hours_visible": roadmap.shows_hours_to(request.user),
    }
    response = TemplateResponse(request, "roadmap/quarter_review.html", context)
    return in_roadmap_zone(response, roadmap)


@shows_progress(of=roadmap_progress)
@require_safe
def badge(request, roadmap):
    roadmap = get_object_or_404(Roadmap.objects.visible_to(request.user), slug=roadmap)
    theme = "dark" if request.GET.get("theme") == "dark" else "light"
    svg = charts.badge_svg(title=roadmap.title, percent=roadmap.progress.percent, theme=theme)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # Short enough that a README's badge follows progress within minutes. A private
    # roadmap's badge is its owner's alone: no shared cache may keep it.
    shared = roadmap.visibility != Roadmap.Visibility.PRIVATE
    response["Cache-Control"] = f"{'public' if shared else 'private'}, max-age=300"
    if not shared:
        patch_vary_headers(response, ["Cookie"])
    return response
