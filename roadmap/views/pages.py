from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError, connection
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from journal.models import Post

from ..curriculum import catalogue, load_curriculum, newest_for, plan_update
from ..forms import MilestoneNotesForm, NewRoadmapForm
from ..models import Milestone, Progress, Roadmap, Stage, Status, Topic, progress_counts
from ..services import milestone_set_status
from ..slugs import free_slug
from .common import in_roadmap_zone, next_url_for, owned_milestone, owns, roadmap_for
from .dashboard import dashboard_context


def _stages_with_progress(roadmap: Roadmap):
    return list(
        Stage.objects.filter(roadmap=roadmap).annotate(**progress_counts("topics__milestones__"))
    )


def _overall(stages) -> Progress:
    return sum((Progress.of(stage) for stage in stages), Progress())


@require_safe
def home(request):
    roadmaps = list(
        Roadmap.objects.listed()
        .select_related("owner")
        .annotate(**progress_counts("milestones__"))
        .order_by("-updated_at")
    )
    own = []
    if request.user.is_authenticated:
        own = list(
            Roadmap.objects.filter(owner=request.user)
            .exclude(visibility=Roadmap.Visibility.PUBLIC)
            .annotate(**progress_counts("milestones__"))
        )
    if len(roadmaps) == 1 and not own:
        return redirect(roadmaps[0])
    for roadmap in roadmaps + own:
        roadmap.summary_progress = Progress.of(roadmap)
    posts = Post.objects.listed().newest_first().select_related("author")[:5]
    return TemplateResponse(
        request, "roadmap/home.html", {"roadmaps": roadmaps, "own": own, "posts": posts}
    )


@require_safe
def roadmap_detail(request, roadmap):
    roadmap = roadmap_for(request, roadmap)
    stages = _stages_with_progress(roadmap)
    topics = list(Topic.objects.filter(roadmap=roadmap).annotate(**progress_counts("milestones__")))
    milestones = list(Milestone.objects.filter(roadmap=roadmap).in_roadmap_order())

    # Hand every row its roadmap, so building their addresses costs no query.
    by_topic: dict[int, list[Milestone]] = {}
    for milestone in milestones:
        milestone.roadmap = roadmap
        by_topic.setdefault(milestone.topic_id, []).append(milestone)
    by_stage: dict[int, list[Topic]] = {}
    for topic in topics:
        topic.roadmap = roadmap
        topic.progress = Progress.of(topic)
        topic.milestone_list = by_topic.get(topic.pk, [])
        by_stage.setdefault(topic.stage_id, []).append(topic)
    for stage in stages:
        stage.progress = Progress.of(stage)
        stage.topic_list = by_stage.get(stage.pk, [])

    is_owner = owns(request, roadmap)
    newer = None
    if is_owner and roadmap.curriculum_key:
        newest = newest_for(settings.CURRICULA_DIR, roadmap.curriculum_key)
        if newest and newest.version > (roadmap.curriculum_version or 0):
            newer = newest
    return TemplateResponse(
        request,
        "roadmap/roadmap_detail.html",
        {
            "roadmap": roadmap,
            "newer_curriculum": newer,
            "stages": stages,
            "progress": _overall(stages),
            "is_owner": is_owner,
            "next_url": next_url_for(request),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def roadmap_new(request):
    curricula = catalogue(settings.CURRICULA_DIR)
    if request.method == "POST":
        form = NewRoadmapForm(request.POST, curricula=curricula)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields[1:]}
            roadmap = load_curriculum(form.spec, owner=request.user, **fields).roadmap
            messages.success(request, f"Started “{roadmap.title}”. Good luck!")
            return redirect(roadmap)
        status = 400
    else:
        first = next((entry for entry in curricula if entry.spec), None)
        form = NewRoadmapForm(
            curricula=curricula,
            initial={
                "curriculum": first.name if first else None,
                "title": first.spec.title if first else "",
                "slug": free_slug(
                    Roadmap.objects.all(), f"{request.user.get_username()}-{first.spec.key}"
                )
                if first
                else "",
                "started_on": timezone.localdate(),
                "time_zone": "UTC",
            },
        )
        status = 200
    return TemplateResponse(
        request,
        "roadmap/roadmap_form.html",
        {"form": form, "curricula": curricula},
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
    if request.method == "POST":
        report = load_curriculum(newest, owner=request.user, roadmap=roadmap)
        kept = (
            f" {len(report.kept)} milestone(s) gone from the file stay, with their progress."
            if report.kept
            else ""
        )
        messages.success(
            request,
            f"Updated to version {newest.version}: {report.added} added, "
            f"{report.removed} removed.{kept}",
        )
        return redirect(roadmap)
    return TemplateResponse(
        request,
        "roadmap/roadmap_update.html",
        {"roadmap": roadmap, "spec": newest, "plan": plan_update(newest, roadmap)},
    )


@require_safe
def topic_detail(request, roadmap, topic):
    roadmap = roadmap_for(request, roadmap)
    related = Topic.objects.select_related("roadmap")
    topic = get_object_or_404(
        Topic.objects.select_related("stage").prefetch_related(
            "resources",
            Prefetch("prerequisites", queryset=related),
            Prefetch("unlocks", queryset=related),
        ),
        roadmap=roadmap,
        slug=topic,
    )
    topic.roadmap = roadmap
    stages = _stages_with_progress(roadmap)
    stage = next(s for s in stages if s.pk == topic.stage_id)
    milestones = list(topic.milestones.all())
    for milestone in milestones:
        milestone.roadmap = roadmap
    topic.progress = Progress.of(topic.milestones.aggregate(**progress_counts()))
    posts = Post.objects.published().filter(topics=topic).newest_first()[:20]
    return TemplateResponse(
        request,
        "roadmap/topic_detail.html",
        {
            "roadmap": roadmap,
            "topic": topic,
            "stage": stage,
            "stage_progress": Progress.of(stage),
            "progress": _overall(stages),
            "milestones": milestones,
            "posts": posts,
            "is_owner": owns(request, roadmap),
            "next_url": next_url_for(request),
        },
    )


@require_safe
def milestone_detail(request, roadmap, milestone):
    roadmap = roadmap_for(request, roadmap)
    milestone = get_object_or_404(
        Milestone.objects.select_related("topic__stage"), roadmap=roadmap, slug=milestone
    )
    milestone.roadmap = milestone.topic.roadmap = roadmap
    is_owner = owns(request, roadmap)
    form = MilestoneNotesForm(instance=milestone) if is_owner else None
    return _milestone_page(request, roadmap, milestone, form, is_owner)


def _milestone_page(request, roadmap, milestone, form, is_owner, status=200):
    stages = _stages_with_progress(roadmap)
    stage = next(s for s in stages if s.pk == milestone.topic.stage_id)
    topic = milestone.topic
    topic.progress = Progress.of(topic.milestones.aggregate(**progress_counts()))
    response = TemplateResponse(
        request,
        "roadmap/milestone_detail.html",
        {
            "roadmap": roadmap,
            "milestone": milestone,
            "topic": topic,
            "stage": stage,
            "stage_progress": Progress.of(stage),
            "progress": _overall(stages),
            "events": list(milestone.events.all()),
            "posts": Post.objects.published().filter(milestones=milestone).newest_first(),
            "form": form,
            "is_owner": is_owner,
            "next_url": milestone.get_absolute_url(),
        },
        status=status,
    )
    return in_roadmap_zone(response, roadmap)


def _login_required_response(request):
    """Send an anonymous writer to log in: a full-page redirect, even from an HTMX request."""
    back = request.POST.get("next") or (request.htmx and request.htmx.current_url_abs_path)
    if not back or not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = "/"
    response = redirect_to_login(back)
    if request.htmx:
        return HttpResponseClientRedirect(response.url)
    return response


@require_POST
@vary_on_headers("HX-Request")
def milestone_status(request, roadmap, milestone):
    if not request.user.is_authenticated:
        return _login_required_response(request)
    milestone = owned_milestone(request, roadmap, milestone)
    status = request.POST.get("status", "")
    if status not in Status.values:
        message = (
            f"“{escape(status[:40])}” is not a status. Choose one of: "
            + ", ".join(str(label) for label in Status.labels)
            + "."
        )
        response = HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        if request.htmx:
            response = reswap(retarget(response, "#status-announcer"), "innerHTML")
        return response

    milestone = milestone_set_status(milestone=milestone, status=status)

    if not request.htmx:
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
            back = milestone.roadmap.get_absolute_url()
        return redirect(f"{back.split('#')[0]}#{milestone.anchor}")

    roadmap = milestone.roadmap
    if request.htmx.target == "widget-now":
        # On the dashboard every widget depends on the change: the one the control is in is
        # the target, and the others come along out of band, as on the roadmap page.
        context = dashboard_context(request, roadmap)
        context["announcement"] = f"“{milestone.title}” is now {milestone.get_status_display()}."
        response = TemplateResponse(request, "roadmap/dashboard.html#status-changed", context)
        return in_roadmap_zone(response, roadmap)
    topic = milestone.topic
    topic.progress = Progress.of(topic.milestones.aggregate(**progress_counts()))
    stage = topic.stage
    stage.progress = Progress.of(
        Milestone.objects.filter(topic__stage=stage).aggregate(**progress_counts())
    )
    # The page the change came from: only its own extra parts are swapped in.
    page = request.htmx.current_url_abs_path
    response = TemplateResponse(
        request,
        "roadmap/roadmap_detail.html#status-changed",
        {
            "roadmap": roadmap,
            "milestone": milestone,
            "topic": topic,
            "stage": stage,
            "progress": roadmap.progress(),
            "is_owner": True,
            "on_roadmap_page": page == roadmap.get_absolute_url(),
            "on_milestone_page": page == milestone.get_absolute_url(),
            "events": milestone.events.all() if page == milestone.get_absolute_url() else (),
            # Finishing a milestone is the moment to write down what it taught.
            "offer_reflection": status == Status.DONE,
            "form": None,
            "next_url": next_url_for(request),
        },
    )
    return in_roadmap_zone(response, roadmap)


@require_POST
def milestone_notes(request, roadmap, milestone):
    if not request.user.is_authenticated:
        return _login_required_response(request)
    milestone = owned_milestone(request, roadmap, milestone)
    form = MilestoneNotesForm(request.POST, instance=milestone)
    if not form.is_valid():
        # Show the milestone as stored, beside the form that keeps what was typed.
        milestone.refresh_from_db()
        return _milestone_page(request, milestone.roadmap, milestone, form, True, status=400)
    form.save()
    Roadmap.objects.filter(pk=milestone.roadmap_id).update(updated_at=timezone.now())
    messages.success(request, "Saved the evidence link and note.")
    return redirect(milestone)


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse(
            "database unavailable\n", status=503, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
