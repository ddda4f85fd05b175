import hashlib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe
from django.views.decorators.vary import vary_on_headers

from journal.models import Post

from .. import charts
from .. import dashboard as stats
from ..dashboard import History, Quarter, local_date
from ..models import Progress, Roadmap, Stage, Status, progress_counts
from .common import in_roadmap_zone, next_url_for, owns, roadmap_for


def _dashboard_etag(request, roadmap, **kwargs) -> str | None:
    """Changes with every status change, post and day, so a tab left open gets 304s."""
    if not hasattr(request, "dashboard_etag"):
        request.dashboard_etag = _compute_etag(request, roadmap)
    return request.dashboard_etag


def _compute_etag(request, roadmap: str) -> str | None:
    found = (
        Roadmap.objects.visible_to(request.user)
        .filter(slug=roadmap)
        .values_list("pk", "updated_at", "time_zone")
        .first()
    )
    if found is None:
        return None
    pk, updated_at, zone = found
    # Every post of the roadmap, drafts too: unpublishing or deleting one must show, and
    # so must a scheduled one whose time has come.
    posts = Post.objects.filter(roadmap_id=pk).aggregate(
        count=Count("pk"),
        updated=Max("updated_at"),
        visible=Count("pk", filter=Q(pk__in=Post.objects.published().values("pk"))),
    )
    today = timezone.localdate(timezone=ZoneInfo(zone))
    key = "|".join(str(part) for part in (pk, updated_at, *posts.values(), today, request.user.pk))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def dashboard_context(request, roadmap: Roadmap) -> dict:
    tz = ZoneInfo(roadmap.time_zone)
    now = timezone.now()
    today = local_date(now, tz)
    history = History.load(roadmap)
    stages = list(
        Stage.objects.filter(roadmap=roadmap).annotate(**progress_counts("topics__milestones__"))
    )
    for stage in stages:
        stage.progress = Progress.of(stage)
    progress = sum((stage.progress for stage in stages), Progress())

    # History recorded before the start date (an imported log) still belongs on the charts.
    first = local_date(history.events[0].at, tz) if history.events else today
    start = min(roadmap.started_on, today, first)
    counted = history.counted
    points = stats.done_over_time(history.events, counted, start=start, today=today, tz=tz)
    plan = ((start, 0), (roadmap.target_date, len(counted))) if roadmap.target_date else None
    recent = stats.pace(
        history.events, history.rows, weeks=12, today=today, started_on=start, tz=tz
    )
    last_month = stats.pace(
        history.events, history.rows, weeks=4, today=today, started_on=start, tz=tz
    )
    days = stats.heatmap(history.events, history.post_times, today=today, tz=tz)
    by_id = {m.pk: m for m in history.milestones}
    rows = list(history.rows.values())
    done = sorted(
        (m for m in history.milestones if m.status == Status.DONE and m.completed_at),
        key=lambda m: m.completed_at,
        reverse=True,
    )[:5]
    tied: dict[int, list[Post]] = {}
    links = Post.milestones.through.objects.filter(
        milestone_id__in=[m.pk for m in done], post__in=Post.objects.published()
    ).select_related("post")
    for link in links:
        tied.setdefault(link.milestone_id, []).append(link.post)
    for milestone in done:
        milestone.tied_posts = tied.get(milestone.pk, [])
    quarter = Quarter.of(today)
    return {
        "roadmap": roadmap,
        "is_owner": owns(request, roadmap),
        "next_url": next_url_for(request),
        "status_target": "#widget-now",
        "today": today,
        "progress": progress,
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
        "projection": stats.projection(
            remaining=progress.counted - progress.done,
            recent=recent,
            today=today,
            started_on=start,
            target=roadmap.target_date,
        ),
        "heatmap": charts.heatmap_svg(days, title="A year of learning", today=today),
        "heatmap_rows": charts.heatmap_table_rows(days),
        "streak": stats.learning_streak(history.events, history.post_times, today=today, tz=tz),
        "in_progress": [m for m in history.milestones if m.status == Status.IN_PROGRESS],
        "next_up": [by_id[row.id] for row in stats.next_up(rows, history.prerequisites)],
        "stalled": [by_id[row.id] for row in stats.stalled(rows, now=now)],
        "recently_done": done,
        "latest_posts": Post.objects.published()
        .filter(roadmap=roadmap)
        .newest_first()
        .only("title", "slug", "kind", "published_at", "reading_minutes", "excerpt")[:5],
        "quarter": quarter,
        "previous_quarter": quarter.previous,
        "refresh_seconds": settings.DASHBOARD_REFRESH_SECONDS,
    }


@require_safe
@vary_on_headers("HX-Request")
@cache_control(private=True, no_cache=True)
@condition(etag_func=_dashboard_etag)
def dashboard(request, roadmap):
    roadmap = roadmap_for(request, roadmap)
    template = "roadmap/dashboard.html"
    if request.htmx:
        template += "#dashboard"
    context = dashboard_context(request, roadmap)
    context["etag"] = _dashboard_etag(request, roadmap.slug)
    return in_roadmap_zone(TemplateResponse(request, template, context), roadmap)


@require_safe
def quarter_review(request, roadmap, year, number):
    roadmap = roadmap_for(request, roadmap)
    if not 1 <= number <= 4 or not 2000 <= year <= 2999:
        raise Http404("No such quarter")
    quarter = Quarter(year, number)
    context = stats.quarter_review(roadmap, quarter)
    context["is_owner"] = owns(request, roadmap)
    response = TemplateResponse(request, "roadmap/quarter_review.html", context)
    return in_roadmap_zone(response, roadmap)


@require_safe
def badge(request, roadmap):
    roadmap = get_object_or_404(Roadmap.objects.visible_to(request.user), slug=roadmap)
    theme = "dark" if request.GET.get("theme") == "dark" else "light"
    svg = charts.badge_svg(title=roadmap.title, percent=roadmap.progress().percent, theme=theme)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # Short enough that a README's badge follows progress within minutes.
    response["Cache-Control"] = "public, max-age=300"
    return response
