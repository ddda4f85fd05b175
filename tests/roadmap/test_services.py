import pytest
from django.utils import timezone

from roadmap.models import ProgressEvent, Roadmap, Status
from roadmap.services import milestone_set_status


@pytest.mark.django_db
def test_status_change_is_saved_and_logged(milestone):
    at = timezone.now()
    milestone_set_status(milestone=milestone, status=Status.IN_PROGRESS, at=at)
    milestone.refresh_from_db()
    assert milestone.status == Status.IN_PROGRESS
    assert milestone.started_at == at
    event = ProgressEvent.objects.get(milestone=milestone)
    assert (event.from_status, event.to_status, event.at) == (
        Status.NOT_STARTED,
        Status.IN_PROGRESS,
        at,
    )
    assert event.roadmap_id == milestone.roadmap_id


@pytest.mark.django_db
def test_each_change_appends_an_event_in_order(milestone):
    for status in [Status.IN_PROGRESS, Status.DONE, Status.IN_PROGRESS, Status.SKIPPED]:
        milestone_set_status(milestone=milestone, status=status)
    transitions = list(
        ProgressEvent.objects.filter(milestone=milestone).values_list("from_status", "to_status")
    )
    assert transitions == [
        ("not_started", "in_progress"),
        ("in_progress", "done"),
        ("done", "in_progress"),
        ("in_progress", "skipped"),
    ]


@pytest.mark.django_db
def test_setting_the_same_status_records_nothing(milestone):
    milestone_set_status(milestone=milestone, status=Status.DONE)
    milestone_set_status(milestone=milestone, status=Status.DONE)
    assert ProgressEvent.objects.filter(milestone=milestone).count() == 1


@pytest.mark.django_db
def test_unknown_status_changes_nothing(milestone):
    with pytest.raises(ValueError):
        milestone_set_status(milestone=milestone, status="finished")
    milestone.refresh_from_db()
    assert milestone.status == Status.NOT_STARTED
    assert not ProgressEvent.objects.exists()


@pytest.mark.django_db
def test_status_change_moves_the_roadmaps_last_change(milestone):
    before = Roadmap.objects.get(pk=milestone.roadmap_id).updated_at
    milestone_set_status(milestone=milestone, status=Status.DONE)
    assert Roadmap.objects.get(pk=milestone.roadmap_id).updated_at > before


@pytest.mark.django_db
def test_stale_copy_still_logs_the_real_transition(milestone):
    stale = type(milestone).objects.get(pk=milestone.pk)
    milestone_set_status(milestone=milestone, status=Status.DONE)
    milestone_set_status(milestone=stale, status=Status.SKIPPED)
    last = ProgressEvent.objects.filter(milestone=milestone).last()
    assert (last.from_status, last.to_status) == ("done", "skipped")
