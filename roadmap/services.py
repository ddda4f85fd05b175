"""Writes that touch several models at once."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .models import Milestone, ProgressEvent, Roadmap, SiteVersion

# The client event an answer to a change of progress fires (HX-Trigger-After-Settle): every
# widget that shows progress listens for it (hx-trigger="progress-changed from:body").
PROGRESS_CHANGED = "progress-changed"


def milestone_set_status(
    *, milestone: Milestone, status: str, at: datetime | None = None
) -> Milestone:
    """Set a milestone's status, record the change in the event log, and mark the roadmap changed.

    Setting the status it already has changes nothing and records nothing. Raises
    ValueError, saying what the statuses are, for one that is not one of them.
    """
    with transaction.atomic(), SiteVersion.objects.counted_once():
        # Re-read under lock so two requests racing on one milestone each log the
        # transition they really made.
        current = Milestone.objects.select_for_update().get(pk=milestone.pk)
        # The time is read only now, holding the lock: a change that waited for it is later
        # than the one before it, so the log sorted by time is the order of the commits.
        at = at or timezone.now()
        previous = current.status
        if previous != status:
            current.apply_status(status, at)
            current.save(update_fields=["status", "started_at", "completed_at"])
            ProgressEvent.objects.create(
                roadmap_id=current.roadmap_id,
                milestone_id=current.pk,
                from_status=previous,
                to_status=status,
                at=at,
            )
            Roadmap.objects.filter(pk=current.roadmap_id).mark_changed()
    # The caller's object, with its related rows already loaded, now shows the stored state.
    milestone.status = current.status
    milestone.started_at = current.started_at
    milestone.completed_at = current.completed_at
    return milestone
