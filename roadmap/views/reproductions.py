"""Reproductions: a roadmap's lab notebook page, and a milestone's target and results."""

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST, require_safe

from config.progress import shows_progress

from ..forms import MilestoneNotesForm, MilestoneTargetForm, ResultForm
from ..models import Evidence, Milestone, Result, Roadmap
from .common import (
    in_roadmap_zone,
    login_first,
    owned_milestone,
    owns,
    roadmap_for,
    roadmap_progress,
)
from .notebook import attempts
from .pages import milestone_page


def reproductions_of(roadmap: Roadmap):
    """The roadmap's reproductions: milestones of that kind, or with a target or a result."""
    return (
        roadmap.milestones.filter(
            Q(kind=Milestone.Kind.REPRODUCE)
            | Q(target_value__isnull=False)
            | Q(pk__in=Result.objects.filter(milestone__roadmap=roadmap).values("milestone"))
        )
        .select_related("topic")
        .prefetch_related(
            Prefetch("results", queryset=Result.objects.order_by("measured_on", "pk")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("-at", "-pk")),
        )
        .in_roadmap_order()
    )


@shows_progress(of=roadmap_progress)
@require_safe
def reproductions(request, roadmap):
    """Every reproduction of a roadmap with its target, best result, verdict and evidence."""
    roadmap = roadmap_for(request, roadmap)
    milestones = list(reproductions_of(roadmap))
    tied = (
        roadmap.posts.published()
        .order_by("published_at", "pk")
        .only("title", "slug", "roadmap_id")
        .tied_to(milestones)
    )
    notebook = []
    for milestone in milestones:
        milestone.roadmap = roadmap
        milestone.tied_posts = tied.get(milestone.pk, [])
        milestone.attempts, milestone.verdict = attempts(milestone, list(milestone.results.all()))
        best = next((a.result for a in milestone.attempts if a.is_best), None)
        milestone.best = best
        notebook += [(milestone, attempt) for attempt in milestone.attempts]
    notebook.sort(key=lambda row: (row[1].result.measured_on, row[1].result.pk), reverse=True)
    counts = {
        word: sum(1 for m in milestones if m.verdict.word == word)
        for word in ("hit", "missed", "no result")
    }
    response = TemplateResponse(
        request,
        "roadmap/reproductions.html",
        {
            "roadmap": roadmap,
            "milestones": milestones,
            "notebook": notebook,
            "counts": counts,
            "is_owner": owns(request, roadmap),
        },
    )
    return in_roadmap_zone(response, roadmap)


def _refused(request, milestone: Milestone, **forms):
    """The milestone page again, at 400, with the refused form keeping what was typed."""
    milestone.refresh_from_db()
    notes = MilestoneNotesForm(instance=milestone)
    return milestone_page(
        request, milestone.roadmap, milestone, notes, status=400, reproduction=forms
    )


@require_POST
def milestone_target(request, roadmap, milestone):
    if not request.user.is_authenticated:
        return login_first(request)
    milestone = owned_milestone(request, roadmap, milestone)
    form = MilestoneTargetForm(request.POST, instance=milestone, prefix="target")
    if not form.is_valid():
        return _refused(request, milestone, target_form=form)
    form.save()
    Roadmap.objects.filter(pk=milestone.roadmap_id).mark_changed()
    target = milestone.target
    messages.success(request, f"Target set: {target}." if target else "Target removed.")
    return redirect(f"{milestone.get_absolute_url()}#reproduction")


@require_POST
def result_add(request, roadmap, milestone):
    if not request.user.is_authenticated:
        return login_first(request)
    milestone = owned_milestone(request, roadmap, milestone)
    form = ResultForm(request.POST, prefix="result")
    if not form.is_valid():
        return _refused(request, milestone, result_form=form)
    result = form.save(commit=False)
    result.milestone = milestone
    result.save()
    Roadmap.objects.filter(pk=milestone.roadmap_id).mark_changed()
    messages.success(request, f"Recorded {result.value_text}: {result.verdict}.")
    return redirect(f"{milestone.get_absolute_url()}#reproduction")


@require_POST
def result_delete(request, roadmap, milestone, result):
    if not request.user.is_authenticated:
        return login_first(request)
    milestone = owned_milestone(request, roadmap, milestone)
    result = get_object_or_404(Result, milestone=milestone, pk=result)
    result.delete()
    Roadmap.objects.filter(pk=milestone.roadmap_id).mark_changed()
    messages.success(request, f"Deleted the result of {result.measured_on:%-d %B %Y}.")
    return redirect(f"{milestone.get_absolute_url()}#reproduction")
