"""A curriculum's page: what it teaches, and the public roadmaps started from it, side by side."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, IntegerField, Max, OuterRef, Subquery
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..curriculum import newest_for
from ..models import Milestone, ProgressEvent, Roadmap, Stage, Status

# Pace is the milestones completed over this many recent weeks, per week.
PACE_WEEKS = 4


def _done_since(since):
    """Required milestones completed since `since` and still done, as the dashboard's pace
    counts them (stats.pace): a milestone done twice counts once, optional work not at all."""
    return Subquery(
        Milestone.objects.filter(
            roadmap=OuterRef("pk"), status=Status.DONE, optional=False, completed_at__gte=since
        )
        .order_by()
        .values("roadmap")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def _last_activity():
    return Subquery(
        ProgressEvent.objects.filter(roadmap=OuterRef("pk"))
        .order_by()
        .values("roadmap")
        .annotate(last=Max("at"))
        .values("last")
    )


@require_safe
def curriculum_detail(request, key: str):
    spec = newest_for(settings.CURRICULA_DIR, key)
    if spec is None:
        raise Http404("No such curriculum")
    since = timezone.now() - timedelta(weeks=PACE_WEEKS)
    roadmaps = list(
        Roadmap.objects.listed()
        .filter(curriculum_key=key)
        .select_related("owner__profile")
        .with_progress()
        .annotate(done_recently=_done_since(since), last_activity=_last_activity())
        .order_by(F("last_activity").desc(nulls_last=True), "title")
    )
    # Every stage of every roadmap in one query; a learner's own stages (not in the file)
    # have no column, and a stage the learner removed shows as a dash.
    by_key = {
        (stage.roadmap_id, stage.key): stage
        for stage in Stage.objects.filter(roadmap__in=roadmaps).with_progress()
    }
    rows = [
        {
            "roadmap": roadmap,
            "stages": [by_key.get((roadmap.pk, stage.key)) for stage in spec.stages],
            "pace": (roadmap.done_recently or 0) / PACE_WEEKS,
        }
        for roadmap in roadmaps
    ]
    # The catalogue names a spec after its file, which the new-roadmap form takes.
    context = {"spec": spec, "rows": rows, "pace_weeks": PACE_WEEKS, "file_name": spec.source}
    return TemplateResponse(request, "roadmap/curriculum_detail.html", context)
