"""The roadmap's pages: the roadmap, a topic, a milestone; starting and updating a roadmap."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from config.progress import shows_progress

from ..curriculum import (
    PlanChanged,
    catalogue,
    load_curriculum,
    newest_for,
    plan_update,
    roadmap_update_from_curriculum,
)
from ..forms import MilestoneNotesForm, NewRoadmapForm
from ..models import Milestone, Roadmap, RoadmapAddress, SiteVersion, Topic
from ..services import roadmap_create
from .common import (
    fragment_requested,
    in_roadmap_zone,
    owns,
    page_path,
    roadmap_for,
    roadmap_progress,
)
from .notebook import reproduction_context
from .time import roadmap_hours, time_context

# Up to this many milestones the roadmap page holds every stage's; a larger roadmap's page
# holds the open stage's only and loads another's when it is opened, so it stays light.
EVERY_STAGE_UP_TO = 250


def _open_stage(request, roadmap, stages):
    """The stage the page opens: the one asked for (?stage=), the one holding the milestone
    whose status buttons are open (?status_of=), else the first with a milestone in
    progress, else the first not finished, else the last."""
    by_key = {stage.key: stage for stage in stages}
    if request.GET.get("stage") in by_key:
        return by_key[request.GET["stage"]]
    if request.GET.get("status_of"):
        stage_id = (
            roadmap.milestones.filter(slug=request.GET["status_of"])
            .values_list("topic__stage_id", flat=True)
            .first()
        )
        for stage in stages:
            if stage.pk == stage_id:
                return stage
    for test in (
        lambda p: p.in_progress > 0,
        lambda p: p.done < p.counted or p.optional_done < p.optional,
    ):
        for stage in stages:
            if test(stage.progress):
                return stage
    return stages[-1] if stages else None


def _fill_stages(roadmap, stages, loaded) -> None:
    """Give each stage of `loaded` its topics and each topic its milestones (and progress,
    from the roadmap's tally), in 2 queries."""
    ids = [stage.pk for stage in loaded]
    topics = list(roadmap.topics.filter(stage__in=ids))
    roadmap.give_progress(*topics)
    milestones = list(roadmap.milestones.in_roadmap_order().filter(topic__stage__in=ids))
    # Hand every row its roadmap and parents, so building addresses and ids costs no query.
    by_topic: dict[int, list[Milestone]] = {}
    for milestone in milestones:
        milestone.roadmap = roadmap
        by_topic.setdefault(milestone.topic_id, []).append(milestone)
    by_stage: dict[int, list[Topic]] = {}
    for topic in topics:
        topic.roadmap = roadmap
        topic.milestone_list = by_topic.get(topic.pk, [])
        by_stage.setdefault(topic.stage_id, []).append(topic)
    for stage in loaded:
        stage.topic_list = by_stage.get(stage.pk, [])


def _fork_origin(request, roadmap) -> Roadmap | None:
    """The roadmap this one was copied from, where the viewer may find it (public, or their
    own): a copy never leads to an original that has since been unlisted or made private."""
    if roadmap.forked_from_id is None:
        return None
    originals = Roadmap.objects.listed()
    if request.user.is_authenticated:
        originals |= Roadmap.objects.filter(owner=request.user)
    return originals.select_related("owner__profile").filter(pk=roadmap.forked_from_id).first()


@shows_progress(of=roadmap_progress)
@require_safe
@vary_on_headers("HX-Request", "HX-Target")
def roadmap_detail(request, roadmap):
    roadmap = roadmap_for(request, roadmap)
    is_owner = owns(request, roadmap)
    if fragment_requested(request, "roadmap-hours"):
        # The hours line refreshes itself after time is logged elsewhere on the page.
        context = {"roadmap": roadmap, "is_owner": is_owner, **roadmap_hours(request, roadmap)}
        return TemplateResponse(request, "roadmap/includes/time_roadmap_line.html", context)
    stages = roadmap.stages_with_progress()
    if fragment_requested(request, "stage-index"):
        # The index refreshes itself after a status change elsewhere on the page.
        context = {"roadmap": roadmap, "stages": stages, "is_owner": is_owner}
        return TemplateResponse(request, "roadmap/roadmap_detail.html#stage-index", context)

    opened = _open_stage(request, roadmap, stages)
    every_stage = roadmap.progress.required + roadmap.progress.optional <= EVERY_STAGE_UP_TO
    for stage in stages:
        stage.is_open = every_stage or stage is opened
        stage.topic_list = None
    context = {
        "roadmap": roadmap,
        "stages": stages,
        "is_owner": is_owner,
        "next_url": page_path(request),
    }
    if request.htmx and request.GET.get("stage") and opened is not None:
        # A closed stage of a large roadmap, opened: its topics and milestones alone.
        _fill_stages(roadmap, stages, [opened])
        context["stage"] = opened
        return TemplateResponse(request, "roadmap/roadmap_detail.html#stage-body", context)
    _fill_stages(roadmap, stages, [stage for stage in stages if stage.is_open])

    newer = None
    if is_owner and roadmap.curriculum_key:
        newest = newest_for(settings.CURRICULA_DIR, roadmap.curriculum_key)
        if newest and newest.version > (roadmap.curriculum_version or 0):
            newer = newest
    context |= {
        "newer_curriculum": newer,
        "fork_origin": _fork_origin(request, roadmap),
        "can_fork": request.user.is_authenticated
        and not is_owner
        and roadmap.visibility == Roadmap.Visibility.PUBLIC,
        **roadmap_hours(request, roadmap),
    }
    return TemplateResponse(request, "roadmap/roadmap_detail.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def roadmap_new(request):
    curricula = catalogue(settings.CURRICULA_DIR)
    # What the title and address become for each curriculum: the form follows the choice
    # (by script as it changes, and without one through each curriculum's own link).
    suggestions = {
        entry.name: (
            entry.spec.title,
            Roadmap.objects.free_slug(f"{request.user.get_username()}-{entry.spec.key}"),
        )
        for entry in curricula
        if entry.spec
    }
    if request.method == "POST":
        form = NewRoadmapForm(request.POST, curricula=curricula, owner=request.user)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields[1:]}
            with transaction.atomic(), SiteVersion.objects.counted_once():
                # An address a deleted roadmap of theirs left is theirs again: no longer kept.
                RoadmapAddress.objects.filter(slug=fields["slug"]).left_to(request.user).delete()
                if form.spec is None:
                    roadmap = roadmap_create(owner=request.user, **fields)
                else:
                    roadmap = load_curriculum(form.spec, owner=request.user, **fields).roadmap
            messages.success(request, f"Started “{roadmap.title}”. Good luck!")
            return redirect(roadmap)
        status = 400
    else:
        usable = [entry.name for entry in curricula if entry.spec]
        # The choice asked for by a curriculum's "start this path", else the first curriculum;
        # an empty roadmap's title and address are the learner's to type.
        chosen = request.GET.get("curriculum")
        if chosen not in [*usable, NewRoadmapForm.EMPTY]:
            chosen = usable[0] if usable else NewRoadmapForm.EMPTY
        title, slug = suggestions.get(chosen, ("", ""))
        form = NewRoadmapForm(
            curricula=curricula,
            owner=request.user,
            initial={
                "curriculum": chosen,
                "title": title,
                "slug": slug,
                "started_on": timezone.localdate(),
                "time_zone": "UTC",
            },
        )
        status = 200
    return TemplateResponse(
        request,
        "roadmap/roadmap_form.html",
        {
            "form": form,
            "curricula": curricula,
            "suggestions": suggestions,
            "empty_choice": NewRoadmapForm.EMPTY,
        },
        status=status,
    )


def _own_roadmap(request, slug: str) -> Roadmap:
    return get_object_or_404(Roadmap, slug=slug, owner=request.user)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def roadmap_update(request, roadmap):
    """Review what a newer version of the roadmap's curriculum would change, then apply it."""
    roadmap = _own_roadmap(request, roadmap)
    newest = newest_for(settings.CURRICULA_DIR, roadmap.curriculum_key)
    if newest is None or newest.version <= (roadmap.curriculum_version or 0):
        messages.info(request, "This roadmap is up to date with its curriculum.")
        return redirect(roadmap)
    status = 200
    if request.method == "POST":
        try:
            report = roadmap_update_from_curriculum(
                roadmap=roadmap, spec=newest, reviewed=request.POST.get("plan", "")
            )
        except PlanChanged as changed:
            # A newer file, or the roadmap changed since the review: show what it does now.
            messages.warning(
                request,
                "What the update would do has changed since you reviewed it: "
                "here is what it does now. Nothing was changed yet.",
            )
            plan, status = changed.plan, 409
        else:
            messages.success(
                request, f"Updated to version {newest.version}: {report.plan.summary}."
            )
            return redirect(roadmap)
    else:
        plan = plan_update(newest, roadmap)
    return TemplateResponse(
        request,
        "roadmap/roadmap_update.html",
        {"roadmap": roadmap, "spec": newest, "plan": plan},
        status=status,
    )


@shows_progress(of=roadmap_progress)
@require_safe
def topic_detail(request, roadmap, topic):
    roadmap = roadmap_for(request, roadmap)
    topic = get_object_or_404(Topic.objects.select_related("stage"), roadmap=roadmap, slug=topic)
    topic.roadmap = roadmap
    roadmap.give_progress(topic, topic.stage)
    milestones = list(topic.milestones.all())
    for milestone in milestones:
        milestone.roadmap = roadmap
    return TemplateResponse(
        request,
        "roadmap/topic_detail.html",
        {
            "roadmap": roadmap,
            "topic": topic,
            "stage": topic.stage,
            "milestones": milestones,
            # Read as the page is rendered, where a part kept for visitors does not
            # already hold them (config/fragments.py).
            "posts": topic.posts.published().newest_first()[:20],
            "resources": topic.resources.all(),
            "prerequisites": topic.prerequisites.select_related("roadmap"),
            "unlocks": topic.unlocks.select_related("roadmap"),
            "is_owner": owns(request, roadmap),
            "next_url": page_path(request),
        },
    )


@shows_progress(of=roadmap_progress)
@require_safe
@vary_on_headers("HX-Request", "HX-Target")
def milestone_detail(request, roadmap, milestone):
    roadmap = roadmap_for(request, roadmap)
    milestone = get_object_or_404(
        Milestone.objects.select_related("topic__stage"), roadmap=roadmap, slug=milestone
    )
    milestone.roadmap = milestone.topic.roadmap = roadmap
    is_owner = owns(request, roadmap)
    fragment = fragment_requested(request, "milestone-record", "milestone-history")
    if fragment:
        # Its dates and history refresh themselves after a status change on the page.
        context = {"milestone": milestone, "events": milestone.events.all(), "is_owner": is_owner}
        response = TemplateResponse(request, f"roadmap/milestone_detail.html#{fragment}", context)
        return in_roadmap_zone(response, roadmap)
    form = MilestoneNotesForm(instance=milestone) if is_owner else None
    return milestone_page(request, roadmap, milestone, form)


def milestone_page(request, roadmap, milestone, form, status=200, reproduction=None):
    """The milestone's page; `form` (or one in `reproduction`) keeps what the owner typed
    when it was refused."""
    roadmap.give_progress(milestone.topic, milestone.topic.stage)
    is_owner = owns(request, roadmap)
    response = TemplateResponse(
        request,
        "roadmap/milestone_detail.html",
        {
            "roadmap": roadmap,
            "milestone": milestone,
            "milestones": [milestone],
            "topic": milestone.topic,
            "stage": milestone.topic.stage,
            "events": list(milestone.events.all()),
            # Both read as the page is rendered, where a part kept for visitors does not
            # already hold them (config/fragments.py).
            "posts": milestone.posts.published().newest_first(),
            "reproduction": SimpleLazyObject(
                lambda: reproduction_context(milestone, is_owner=is_owner, **(reproduction or {}))
            ),
            "form": form,
            "is_owner": is_owner,
            "next_url": milestone.get_absolute_url(),
            **time_context(request, roadmap, milestone),
        },
        status=status,
    )
    return in_roadmap_zone(response, roadmap)
