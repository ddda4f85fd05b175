"""The learner's writes on a milestone: its status, its evidence link and private note."""

from django.contrib import messages
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import escape
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget, trigger_client_event

from ..forms import MilestoneNotesForm
from ..models import Roadmap, Status
from ..services import PROGRESS_CHANGED, milestone_set_status
from .common import in_roadmap_zone, local_path, login_first, owned_milestone
from .pages import milestone_page


@require_POST
@vary_on_headers("HX-Request")
def milestone_status(request, roadmap, milestone):
    """Set a milestone's status.

    With HTMX the answer is the same wherever the control is: the milestone's row, the
    progress summaries it moves, and the "progress-changed" event for everything else.
    Without JavaScript it returns to the page the form was on, at the milestone.
    """
    if not request.user.is_authenticated:
        return login_first(request)
    milestone = owned_milestone(request, roadmap, milestone)
    try:
        milestone = milestone_set_status(milestone=milestone, status=request.POST.get("status", ""))
    except ValueError as error:
        response = HttpResponseBadRequest(
            escape(str(error)), content_type="text/plain; charset=utf-8"
        )
        if request.htmx:
            response = reswap(retarget(response, "#status-announcer"), "innerHTML")
        return response

    roadmap = milestone.roadmap
    back = local_path(request.POST.get("next")) or roadmap.get_absolute_url()
    if not request.htmx:
        return HttpResponseRedirect(f"{back.split('#')[0]}#{milestone.anchor}")
    # The summaries the answer carries, counted once the change is made.
    roadmap.give_progress(milestone.topic, milestone.topic.stage)
    response = TemplateResponse(
        request,
        "roadmap/milestone_status.html",
        {
            "roadmap": roadmap,
            "milestone": milestone,
            "topic": milestone.topic,
            "stage": milestone.topic.stage,
            "is_owner": True,
            "next_url": back,
            # Finishing a milestone is the moment to write down what it taught.
            "offer_reflection": milestone.status == Status.DONE,
        },
    )
    # After the row has settled, so a widget that refreshes sees the row as it now is.
    trigger_client_event(response, PROGRESS_CHANGED, after="settle")
    return in_roadmap_zone(response, roadmap)


@require_POST
def milestone_notes(request, roadmap, milestone):
    if not request.user.is_authenticated:
        return login_first(request)
    milestone = owned_milestone(request, roadmap, milestone)
    form = MilestoneNotesForm(request.POST, instance=milestone)
    if not form.is_valid():
        # Show the milestone as stored, beside the form that keeps what was typed.
        milestone.refresh_from_db()
        return milestone_page(request, milestone.roadmap, milestone, form, status=400)
    form.save()
    Roadmap.objects.filter(pk=milestone.roadmap_id).mark_changed()
    messages.success(request, "Saved the evidence link and note.")
    return redirect(milestone)
