"""Writes that touch several models at once."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from .models import (
    Milestone,
    ProgressEvent,
    Roadmap,
    SiteVersion,
    StudySession,
    noon_on,
)

# The client event an answer to a change of progress fires (HX-Trigger-After-Settle): every
# widget that shows progress listens for it (hx-trigger="progress-changed from:body").
PROGRESS_CHANGED = "progress-changed"
# The client event an answer to a change of logged time fires: the hours shown listen for it.
TIME_CHANGED = "time-changed"


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


def _running_for_update(learner) -> StudySession | None:
    return (
        StudySession.objects.select_for_update()
        .running()
        .filter(learner=learner)
        .select_related("milestone")
        .first()
    )


def _stop(session: StudySession, at: datetime) -> StudySession:
    session.stop(at)
    session.save(update_fields=["ended_at", "minutes", "capped"])
    Roadmap.objects.filter(pk=session.roadmap_id).mark_changed()
    return session


def timer_start(*, milestone: Milestone, at: datetime | None = None) -> StudySession:
    """Start the learner's timer on `milestone`. A timer running on another milestone is
    stopped first (one runs at a time); one already running here just goes on."""
    learner_id = milestone.roadmap.owner_id
    with transaction.atomic(), SiteVersion.objects.counted_once():
        running = _running_for_update(learner_id)
        at = at or timezone.now()
        if running is not None:
            if running.milestone_id == milestone.pk:
                return running
            _stop(running, at)
        session = StudySession.objects.create(
            learner_id=learner_id,
            roadmap_id=milestone.roadmap_id,
            milestone=milestone,
            started_at=at,
        )
        Roadmap.objects.filter(pk=milestone.roadmap_id).mark_changed()
    return session


def timer_stop(*, learner, at: datetime | None = None) -> StudySession | None:
    """Stop the learner's running timer, if any: its minutes are the time it ran, or the cap
    (TIMER_CAP) flagged for correction where it was left running longer."""
    with transaction.atomic(), SiteVersion.objects.counted_once():
        running = _running_for_update(learner)
        if running is None:
            return None
        return _stop(running, at or timezone.now())


def session_add(*, milestone: Milestone, day: date, minutes: int, note: str = "") -> StudySession:
    """Log minutes studied on `day` by hand, filed at noon that day in the roadmap's zone."""
    roadmap = milestone.roadmap
    started = noon_on(day, roadmap.time_zone)
    with transaction.atomic(), SiteVersion.objects.counted_once():
        session = StudySession.objects.create(
            learner_id=roadmap.owner_id,
            roadmap_id=roadmap.pk,
            milestone=milestone,
            started_at=started,
            ended_at=started + timedelta(minutes=minutes),
            minutes=minutes,
            note=note,
            by_hand=True,
        )
        Roadmap.objects.filter(pk=roadmap.pk).mark_changed()
    return session


def session_edit(
    *, session: StudySession, day: date, minutes: int, note: str, time_zone: str
) -> StudySession:
    """Correct a stopped session: its day (a timed one keeps its clock time), its minutes and
    note. A corrected session is no longer flagged as capped. Raises ValueError for a
    session whose timer is still running."""
    with transaction.atomic(), SiteVersion.objects.counted_once():
        current = StudySession.objects.select_for_update().get(pk=session.pk)
        if current.is_running:
            raise ValueError("The timer is still running: stop it before correcting it.")
        tz = ZoneInfo(time_zone)
        if current.by_hand:
            started = noon_on(day, time_zone)
        else:
            clock = current.started_at.astimezone(tz).time()
            started = datetime.combine(day, clock, tzinfo=tz)
        current.started_at = started
        current.ended_at = started + timedelta(minutes=minutes)
        current.minutes = minutes
        current.note = note
        current.capped = False
        current.save(update_fields=["started_at", "ended_at", "minutes", "note", "capped"])
        Roadmap.objects.filter(pk=current.roadmap_id).mark_changed()
    return current


def session_delete(*, session: StudySession) -> None:
    with transaction.atomic(), SiteVersion.objects.counted_once():
        StudySession.objects.filter(pk=session.pk).delete()
        Roadmap.objects.filter(pk=session.roadmap_id).mark_changed()
