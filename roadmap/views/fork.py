"""Starting one's own copy of a public roadmap."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from ..forms import ForkForm
from ..models import Roadmap
from ..services import fork_name, roadmap_fork


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def roadmap_fork_view(request, roadmap):
    """Ask what the copy is called, then make it. Only a public roadmap is copied: an
    unlisted or private one is a 404, as if it did not exist, whoever asks."""
    original = get_object_or_404(
        Roadmap.objects.listed().select_related("owner__profile"), slug=roadmap
    )
    if request.method == "POST":
        form = ForkForm(request.POST, owner=request.user)
        if form.is_valid():
            copy = roadmap_fork(original=original, owner=request.user, **form.cleaned_data)
            messages.success(
                request,
                f"Started “{copy.title}”, your own copy of “{original.title}”: "
                "every milestone starts not started.",
            )
            return redirect(copy)
        status = 400
    else:
        # The zone of the learner's latest roadmap: most learners keep one.
        zone = request.user.roadmaps.order_by("-created_at").values_list("time_zone", flat=True)
        title, slug = fork_name(original=original, owner=request.user)
        form = ForkForm(
            owner=request.user,
            initial={
                "title": title,
                "slug": slug,
                "visibility": Roadmap.Visibility.PUBLIC,
                "time_zone": zone.first() or "UTC",
            },
        )
        status = 200
    return TemplateResponse(
        request,
        "roadmap/roadmap_fork.html",
        {"original": original, "form": form},
        status=status,
    )
