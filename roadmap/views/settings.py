"""A roadmap's own settings, and deleting it, by its owner."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from ..forms import RoadmapSettingsForm
from ..models import Roadmap, SiteVersion, Status


def _own(request, slug: str) -> Roadmap:
    """The learner's own roadmap; anyone else's is a 404, as if it did not exist."""
    return get_object_or_404(Roadmap, slug=slug, owner=request.user)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def roadmap_settings(request, roadmap):
    roadmap = _own(request, roadmap)
    form = RoadmapSettingsForm(request.POST or None, instance=roadmap)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            roadmap = form.save()
            Roadmap.objects.filter(pk=roadmap.pk).mark_changed()
            messages.success(request, "Saved the roadmap's settings.")
            return redirect(roadmap)
        status = 400
        # The page's links use the address the roadmap still has.
        roadmap.refresh_from_db()
    context = {"roadmap": roadmap, "form": form}
    return TemplateResponse(request, "roadmap/roadmap_settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def roadmap_delete(request, roadmap):
    """Delete a roadmap and everything on it, once its title is typed to confirm."""
    roadmap = _own(request, roadmap)
    status = 200
    refused = ""
    if request.method == "POST":
        if request.POST.get("confirm", "").strip() == roadmap.title:
            title = roadmap.title
            # Thousands of rows go with it: counted as one change of the site, not one each.
            with transaction.atomic(), SiteVersion.objects.counted_once():
                roadmap.delete()
            messages.success(request, f"Deleted the roadmap “{title}” and everything on it.")
            return redirect("home")
        refused = "That is not the roadmap's title: type it exactly to delete, or go back."
        status = 400
    context = {
        "roadmap": roadmap,
        "refused": refused,
        "typed": request.POST.get("confirm", ""),
        "posts": roadmap.posts.count(),
        "done": roadmap.milestones.filter(status=Status.DONE).count(),
    }
    return TemplateResponse(request, "roadmap/roadmap_confirm_delete.html", context, status=status)
