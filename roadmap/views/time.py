"""Time spent on a milestone: its timer, minutes added by hand, and correcting them."""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from .. import stats
from ..charts import duration_words
from ..forms import StudySessionForm
from ..models import TIMER_CAP, Milestone, Roadmap, Status, StudySession
from ..services import (
    TIME_CHANGED,
    session_add,
    session_delete,
    session_edit,
    timer_start,
    timer_stop,
)
from .common import (
    fragment_requested,
    in_roadmap_zone,
    local_path,
    login_first,
    owned_milestone,
    owns,
)

CAP_HOURS = int(TIMER_CAP.total_seconds() // 3600)


def roadmap_hours(request, roadmap: Roadmap) -> dict:
    """The roadmap's hours spent against its counted milestones' estimates (required ones
    not skipped, as rules.is_counted has it), where this visitor may see them."""
    if not roadmap.shows_hours_to(request.user):
        return {"hours_visible": False}
    counted = roadmap.milestones.filter(optional=False).exclude(status=Status.SKIPPED)
    estimated = counted.aggregate(hours=Sum("estimated_hours"))["hours"] or Decimal(0)
    spent = roadmap.study_sessions.stopped().aggregate(minutes=Sum("minutes"))["minutes"]
    return {
        "hours_visible": True,
        "hours_spent": stats.hours_of(spent or 0),
        "hours_estimated": estimated,
    }


def time_context(request, roadmap: Roadmap, milestone: Milestone, *, form=None) -> dict:
    """What the milestone page shows of time spent: nothing where hours are hidden from this
    visitor, the hours where they are shown, and to the owner the timer and the sessions."""
    if not roadmap.shows_hours_to(request.user):
        return {"hours_visible": False}
    sessions = list(milestone.study_sessions.all())
    spent = sum(session.minutes for session in sessions if not session.is_running)
    context = {"hours_visible": True, "spent_hours": stats.hours_of(spent), "announce": ""}
    if owns(request, roadmap):
        today = timezone.localdate(timezone=ZoneInfo(roadmap.time_zone))
        context |= {
            "sessions": sessions,
            "running": StudySession.objects.running_for(request.user),
            "now": timezone.now(),
            "cap_hours": CAP_HOURS,
            "session_form": form
            or StudySessionForm(time_zone=roadmap.time_zone, initial={"day": today}),
        }
    return context


def _section(
    request, milestone: Milestone, *, form=None, status=200, announce=""
) -> TemplateResponse:
    """The milestone page's "Time" section, alone: the answer to every write made in it."""
    roadmap = milestone.roadmap
    context = {"roadmap": roadmap, "milestone": milestone, "is_owner": True}
    context |= time_context(request, roadmap, milestone, form=form) | {"announce": announce}
    response = TemplateResponse(
        request, "roadmap/includes/time_section.html", context, status=status
    )
    return in_roadmap_zone(response, roadmap)


def _back(request, milestone: Milestone) -> str:
    return local_path(request.POST.get("next")) or milestone.get_absolute_url()


def _changed(response):
    """Tell the page's other hours that time changed, once the answer is in place."""
    trigger_client_event(response, TIME_CHANGED, after="settle")
    return response


def _stopped_words(session: StudySession | None) -> str:
    if session is None:
        return "No timer was running."
    words = f"Timer stopped: {duration_words(session.minutes)} on “{session.milestone.title}”."
    if session.capped:
        words += (
            f" It ran for more than {CAP_HOURS} hours, so it was stopped at {CAP_HOURS} hours:"
            " correct it to the time you really spent."
        )
    return words


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request", "HX-Target")
def milestone_timer(request, roadmap, milestone):
    """Start or stop the learner's timer on a milestone.

    GET gives the timer's controls for a milestone's row as they stand. A POST answers
    HTMX with the controls it was sent from (the row's, or the milestone page's "Time"
    section) and the "time-changed" event; without JavaScript it returns to the page.
    """
    if not request.user.is_authenticated:
        return login_first(request)
    milestone = owned_milestone(request, roadmap, milestone)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "start":
            timer_start(milestone=milestone)
            words = f"Timer started on “{milestone.title}”."
        elif action == "stop":
            words = _stopped_words(timer_stop(learner=request.user))
        else:
            return HttpResponseBadRequest(
                escape(f"“{action[:40]}” is not something a timer does: start or stop."),
                content_type="text/plain; charset=utf-8",
            )
        if not request.htmx:
            messages.success(request, words)
            return HttpResponseRedirect(_back(request, milestone))
        if fragment_requested(request, "milestone-time"):
            return _changed(_section(request, milestone, announce=words))
    context = {
        "milestone": milestone,
        "running": StudySession.objects.running_for(request.user),
        "next_url": _back(request, milestone),
        "announce": words if request.method == "POST" else "",
    }
    response = TemplateResponse(request, "includes/time_row_timer.html", context)
    if request.method == "POST":
        _changed(response)
    return in_roadmap_zone(response, milestone.roadmap)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def milestone_time(request, roadmap, milestone):
    """The "Time" section of a milestone (GET, for the page to refresh it), and minutes
    added by hand (POST): refused with the reasons beside the fields, changing nothing."""
    if not request.user.is_authenticated:
        return login_first(request)
    milestone = owned_milestone(request, roadmap, milestone)
    if request.method != "POST":
        return _section(request, milestone)
    form = StudySessionForm(request.POST, time_zone=milestone.roadmap.time_zone)
    if not form.is_valid():
        if request.htmx:
            return _section(request, milestone, form=form, status=400)
        return _session_page(request, milestone, form, status=400)
    session = session_add(milestone=milestone, **form.cleaned_data)
    words = f"Added {duration_words(session.minutes)} on “{milestone.title}”."
    if not request.htmx:
        messages.success(request, words)
        return redirect(f"{milestone.get_absolute_url()}#milestone-time")
    return _changed(_section(request, milestone, announce=words))


def _own_session(request, milestone: Milestone, pk: int) -> StudySession:
    return get_object_or_404(milestone.study_sessions.owned_by(request.user), pk=pk)


def _session_page(request, milestone, form, *, session=None, status=200):
    """A page of its own for one session's form: adding when the milestone page's form was
    refused without JavaScript, and correcting a session."""
    context = {
        "roadmap": milestone.roadmap,
        "milestone": milestone,
        "session": session,
        "form": form,
        "cap_hours": CAP_HOURS,
    }
    response = TemplateResponse(request, "roadmap/studysession_form.html", context, status=status)
    return in_roadmap_zone(response, milestone.roadmap)


@require_http_methods(["GET", "HEAD", "POST"])
def session_change(request, roadmap, milestone, session):
    """Correct a session's day, minutes or note; a capped one is corrected here."""
    if not request.user.is_authenticated:
        return login_first(request)
    milestone = owned_milestone(request, roadmap, milestone)
    session = _own_session(request, milestone, session)
    zone = milestone.roadmap.time_zone
    if session.is_running:
        messages.info(request, "That timer is still running: stop it first, then correct it.")
        return redirect(f"{milestone.get_absolute_url()}#milestone-time")
    if request.method != "POST":
        initial = {
            "day": session.local_day(zone),
            "minutes": session.minutes,
            "note": session.note,
        }
        form = StudySessionForm(time_zone=zone, initial=initial)
        return _session_page(request, milestone, form, session=session)
    form = StudySessionForm(request.POST, time_zone=zone)
    if not form.is_valid():
        return _session_page(request, milestone, form, session=session, status=400)
    session_edit(session=session, time_zone=zone, **form.cleaned_data)
    messages.success(request, f"Saved: {duration_words(form.cleaned_data['minutes'])}.")
    return redirect(f"{milestone.get_absolute_url()}#milestone-time")


@require_http_methods(["GET", "HEAD", "POST"])
def session_remove(request, roadmap, milestone, session):
    """Delete a session, once asked: the GET is the question, the POST the answer."""
    if not request.user.is_authenticated:
        return login_first(request)
    milestone = owned_milestone(request, roadmap, milestone)
    session = _own_session(request, milestone, session)
    if request.method == "POST":
        session_delete(session=session)
        words = f"Deleted {duration_words(session.minutes)} from “{milestone.title}”."
        if request.htmx and fragment_requested(request, "milestone-time"):
            return _changed(_section(request, milestone, announce=words))
        messages.success(request, words)
        return redirect(f"{milestone.get_absolute_url()}#milestone-time")
    context = {"roadmap": milestone.roadmap, "milestone": milestone, "session": session}
    response = TemplateResponse(request, "roadmap/studysession_confirm_delete.html", context)
    return in_roadmap_zone(response, milestone.roadmap)
