"""The roadmap's push webhook, from its settings: make, rotate or turn off its secret."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from ..forms import RoadmapSettingsForm
from ..models import Roadmap
from ..webhooks import new_secret


@login_required
@require_POST
def webhook_secret(request, roadmap):
    """Make a new secret (the first, or one that replaces the old) and show it this once;
    or turn the webhook off. The secret is never shown again."""
    roadmap = get_object_or_404(Roadmap, slug=roadmap, owner=request.user)
    if request.POST.get("action") == "off":
        roadmap.webhook_secret = ""
        roadmap.save(update_fields=["webhook_secret", "updated_at"])
        messages.success(request, "The webhook is off: deliveries to it are refused.")
        return redirect("roadmap:settings", roadmap.slug)
    rotated = bool(roadmap.webhook_secret)
    roadmap.webhook_secret = new_secret()
    roadmap.save(update_fields=["webhook_secret", "updated_at"])
    context = {
        "roadmap": roadmap,
        "form": RoadmapSettingsForm(instance=roadmap),
        "new_secret": roadmap.webhook_secret,
        "rotated": rotated,
    }
    response = TemplateResponse(request, "roadmap/roadmap_settings.html", context)
    # The one page that shows the secret: no cache may keep it (no-store, private).
    add_never_cache_headers(response)
    return response
