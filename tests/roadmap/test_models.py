from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from roadmap.models import Milestone, Progress, Status
from roadmap.services import milestone_set_status
from tests.factories import build_history, build_roadmap


def test_progress_percent_leaves_out_skipped_and_optional():
    progress = Progress(required=10, done=4, in_progress=1, skipped=2, optional=3, optional_done=3)
    assert progress.counted == 8
    assert progress.percent == 50
    assert progress.not_started == 3


def test_progress_of_nothing_is_zero_not_an_error():
    assert Progress().percent == 0
    assert Progress(required=2, skipped=2).percent == 0


def test_progress_adds_up_parts():
    total = Progress(required=2, done=1) + Progress(required=3, done=3, optional=1)
    assert (total.required, total.done, total.optional) == (5, 4, 1)
    assert total.percent == 80


@pytest.mark.django_db
def test_roadmap_progress_counts_each_status_apart(roadmap):
    marks = {
        "install-python": Status.DONE,
        "first-notebook": Status.DONE,
        "svd-pca": Status.IN_PROGRESS,
        "linreg-scratch": Status.SKIPPED,
        "eigen-post": Status.DONE,
    }  # eigen-post is optional
    for key, status in marks.items():
        Milestone.objects.filter(roadmap=roadmap, key=key).update(status=status)
    progress = roadmap.progress
    assert progress.required == 9
    assert (progress.done, progress.in_progress, progress.skipped) == (2, 1, 1)
    assert (progress.optional, progress.optional_done) == (1, 1)
    assert progress.not_started == 5
    assert progress.percent == round(100 * 2 / 8)


@pytest.mark.django_db
def test_a_roadmaps_tally_counts_every_topic_and_stage_as_each_counts_itself(learner):
    roadmap = build_roadmap(learner, milestones=40, per_topic=4, topics_per_stage=3)
    statuses = [Status.DONE, Status.IN_PROGRESS, Status.SKIPPED, Status.NOT_STARTED, Status.DONE]
    for n, milestone in enumerate(roadmap.milestones.order_by("pk")):
        Milestone.objects.filter(pk=milestone.pk).update(
            status=statuses[n % len(statuses)], optional=n % 7 == 0
        )
    roadmap = type(roadmap).objects.get(pk=roadmap.pk)
    stages = roadmap.stages_with_progress()
    topics = list(roadmap.topics.all())
    roadmap.give_progress(*topics)
    # Each against its own count: the filtered counts in SQL, one row at a time.
    for row in [*stages, *topics]:
        assert row.progress == type(row).objects.with_progress().get(pk=row.pk).progress
    assert roadmap.progress == type(roadmap).objects.with_progress().get(pk=roadmap.pk).progress
    assert roadmap.progress.optional == 6 and roadmap.progress.skipped > 0
    # A topic or stage with no milestones counts nothing.
    empty = roadmap.topics.create(stage=stages[0], key="empty", slug="empty", title="Empty")
    roadmap.give_progress(empty)
    assert empty.progress == Progress()


@pytest.mark.django_db
def test_apply_status_sets_and_clears_dates(milestone):
    start = timezone.now()
    later = start + timezone.timedelta(days=3)
    milestone.apply_status(Status.IN_PROGRESS, start)
    assert (milestone.started_at, milestone.completed_at) == (start, None)
    milestone.apply_status(Status.DONE, later)
    assert (milestone.started_at, milestone.completed_at) == (start, later)
    milestone.apply_status(Status.IN_PROGRESS, later)
    assert (milestone.started_at, milestone.completed_at) == (start, None)
    milestone.apply_status(Status.NOT_STARTED, later)
    assert (milestone.started_at, milestone.completed_at) == (None, None)


@pytest.mark.django_db
def test_done_without_start_is_started_and_completed_at_once(milestone):
    at = timezone.now()
    milestone.apply_status(Status.DONE, at)
    assert milestone.started_at == at == milestone.completed_at


@pytest.mark.django_db
def test_unknown_status_is_refused_by_the_rule(milestone):
    with pytest.raises(ValueError):
        milestone.apply_status("finished", timezone.now())


@pytest.mark.django_db
def test_database_refuses_unknown_status(milestone):
    with pytest.raises(IntegrityError):
        Milestone.objects.filter(pk=milestone.pk).update(status="finished")


@pytest.mark.django_db
def test_database_refuses_negative_hours(milestone):
    with pytest.raises(IntegrityError):
        Milestone.objects.filter(pk=milestone.pk).update(estimated_hours=-1)


@pytest.mark.django_db
def test_milestone_slugs_are_unique_within_a_roadmap(milestone):
    with pytest.raises(IntegrityError):
        Milestone.objects.create(
            roadmap=milestone.roadmap,
            topic=milestone.topic,
            key="another",
            slug=milestone.slug,
            title="Clash",
        )


def test_a_historys_times_are_aware_utc_whatever_the_database_hands_back(roadmap):
    milestone = roadmap.milestones.first()
    milestone_set_status(milestone=milestone, status=Status.DONE)
    history = roadmap.history()
    assert history.events
    assert all(event.at.utcoffset() == timedelta(0) for event in history.events)


@pytest.mark.django_db
def test_stages_counted_from_the_history_agree_with_the_databases_counts(learner):
    roadmap = build_roadmap(learner, milestones=60)
    build_history(roadmap, events=70, years=1)
    ids = list(roadmap.milestones.values_list("pk", flat=True))
    roadmap.milestones.filter(pk__in=ids[::7]).update(optional=True)
    waiting = list(
        roadmap.milestones.filter(status=Status.NOT_STARTED).values_list("pk", flat=True)
    )
    roadmap.milestones.filter(pk__in=waiting[:3]).update(status=Status.IN_PROGRESS)
    roadmap.milestones.filter(pk__in=waiting[3:5]).update(status=Status.SKIPPED)
    by_sql = roadmap.stages_with_progress()
    by_rows = roadmap.stages_counted(roadmap.history())
    assert [(s.pk, s.progress) for s in by_rows] == [(s.pk, s.progress) for s in by_sql]
    progress = roadmap.progress
    assert progress.optional and progress.optional_done and progress.skipped
    assert progress.in_progress and progress.done < progress.required
