"""The plan's edits as services: each one's effect, its record, the undo of a removal."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from roadmap.models import (
    UNDO_WINDOW,
    Evidence,
    Milestone,
    ProgressEvent,
    RemovedItem,
    Result,
    Stage,
    Status,
    StudySession,
    Topic,
)
from roadmap.services import (
    EditRefused,
    item_move,
    item_remove,
    milestone_add,
    milestone_edit,
    milestone_set_status,
    removal_undo,
    session_add,
    stage_add,
    stage_edit,
    topic_add,
    topic_edit,
)

pytestmark = pytest.mark.django_db


def changes(roadmap):
    return list(
        roadmap.plan_changes.values_list("kind", "what", "title", "before", "after", "detail")
    )


def titles(rows):
    return [row.title for row in rows.order_by("position", "pk")]


def test_a_milestone_added_is_the_learners_last_in_its_topic_and_recorded(roadmap):
    topic = roadmap.topics.get(key="linear-algebra")
    milestone = milestone_add(
        topic=topic, title="Reproduce the PCA paper", estimated_hours=Decimal("4.5")
    )
    assert milestone.added_by_learner
    assert milestone.key == "my-reproduce-the-pca-paper"
    assert milestone.slug == "reproduce-the-pca-paper"
    assert titles(topic.milestones)[-1] == "Reproduce the PCA paper"
    assert changes(roadmap) == [
        ("added", "milestone", "Reproduce the PCA paper", "", "", "in “Linear algebra”, 4.5 h")
    ]


def test_the_same_title_added_twice_gets_two_keys_and_addresses(roadmap):
    topic = roadmap.topics.get(key="linear-algebra")
    first = milestone_add(topic=topic, title="Extra")
    second = milestone_add(topic=topic, title="Extra")
    assert (first.key, second.key) == ("my-extra", "my-extra-2")
    assert (first.slug, second.slug) == ("extra", "extra-2")


def test_stages_and_topics_added_are_the_learners_and_recorded(roadmap):
    stage = stage_add(roadmap=roadmap, title="Research")
    topic = topic_add(stage=stage, title="Papers")
    assert stage.added_by_learner and topic.added_by_learner
    assert titles(roadmap.stages)[-1] == "Research"
    assert [c[:3] for c in changes(roadmap)] == [
        ("added", "stage", "Research"),
        ("added", "topic", "Papers"),
    ]


def test_a_rename_and_new_hours_are_recorded_each_with_before_and_after(milestone):
    topic = milestone.topic
    milestone_edit(
        milestone=milestone,
        title="PCA from scratch",
        description=milestone.description,
        kind=milestone.kind,
        estimated_hours=Decimal("8"),
        optional=milestone.optional,
        topic=topic,
    )
    milestone.refresh_from_db()
    assert (milestone.title, milestone.estimated_hours) == ("PCA from scratch", Decimal("8"))
    assert changes(milestone.roadmap) == [
        (
            "renamed",
            "milestone",
            "PCA from scratch",
            "Derive and code PCA via SVD",
            "PCA from scratch",
            "",
        ),
        ("re-estimated", "milestone", "PCA from scratch", "6", "8", ""),
    ]


def test_other_milestone_fields_are_recorded_as_an_edit_naming_them(milestone):
    milestone_edit(
        milestone=milestone,
        title=milestone.title,
        description="Now with a proof.",
        kind=Milestone.Kind.WRITE,
        estimated_hours=milestone.estimated_hours,
        optional=True,
        topic=milestone.topic,
    )
    assert changes(milestone.roadmap) == [
        (
            "edited",
            "milestone",
            milestone.title,
            "",
            "",
            "kind Build → Write, now optional, description",
        ),
    ]


def test_an_edit_that_changes_nothing_records_nothing(milestone):
    milestone_edit(
        milestone=milestone,
        title=milestone.title,
        description=milestone.description,
        kind=milestone.kind,
        estimated_hours=milestone.estimated_hours,
        optional=milestone.optional,
        topic=milestone.topic,
    )
    assert changes(milestone.roadmap) == []


def test_a_milestone_given_another_topic_moves_to_its_end_and_is_recorded(milestone):
    other = milestone.roadmap.topics.get(key="python-setup")
    milestone_edit(
        milestone=milestone,
        title=milestone.title,
        description=milestone.description,
        kind=milestone.kind,
        estimated_hours=milestone.estimated_hours,
        optional=milestone.optional,
        topic=other,
    )
    assert titles(other.milestones)[-1] == milestone.title
    assert changes(milestone.roadmap) == [
        ("moved", "milestone", milestone.title, "", "", "from “Linear algebra” to “Python setup”")
    ]


def test_moving_down_and_up_swaps_neighbours_and_is_recorded(roadmap):
    topic = roadmap.topics.get(key="python-setup")
    first, second = topic.milestones.order_by("position")
    item_move(item=first, direction="down")
    assert titles(topic.milestones) == [second.title, first.title]
    item_move(item=first, direction="up")
    assert titles(topic.milestones) == [first.title, second.title]
    assert [c[5] for c in changes(roadmap)] == [
        "to place 2 of 2 in “Python setup”",
        "to place 1 of 2 in “Python setup”",
    ]


@pytest.mark.parametrize(("index", "direction"), [(0, "up"), (1, "down")])
def test_moving_past_either_end_is_refused_and_changes_nothing(roadmap, index, direction):
    topic = roadmap.topics.get(key="python-setup")
    item = topic.milestones.order_by("position")[index]
    before = titles(topic.milestones)
    with pytest.raises(EditRefused, match="already"):
        item_move(item=item, direction=direction)
    assert titles(topic.milestones) == before
    assert changes(roadmap) == []


def test_moving_to_its_own_place_is_refused(roadmap):
    stage = roadmap.stages.get(key="basics")
    with pytest.raises(EditRefused, match="at place 1 already"):
        item_move(item=stage, position=0)
    assert changes(roadmap) == []


def test_a_topic_moved_into_another_stage_at_a_place(roadmap):
    topic = roadmap.topics.get(key="linear-algebra")
    models = roadmap.stages.get(key="models")
    item_move(item=topic, parent=models, position=0)
    assert titles(models.topics)[0] == "Linear algebra"
    assert changes(roadmap)[0][5] == "from “Basics” to place 1 of 3 in “Models”"


def test_a_stage_renamed_and_described(roadmap):
    stage = roadmap.stages.get(key="basics")
    stage_edit(stage=stage, title="Foundations", summary="New words.")
    assert [c[0] for c in changes(roadmap)] == ["renamed", "edited"]


def test_a_prerequisite_that_closes_a_cycle_is_refused_naming_it(roadmap):
    setup = roadmap.topics.get(key="python-setup")
    linear_models = roadmap.topics.get(key="linear-models")
    with pytest.raises(EditRefused) as refused:
        topic_edit(
            topic=setup,
            title=setup.title,
            summary=setup.summary,
            stage=setup.stage,
            prerequisites=[linear_models],
            resources=[],
        )
    assert str(refused.value) == (
        "That would make a cycle of prerequisites: “Python setup” needs “Linear models” needs "
        "“Linear algebra” needs “Python setup”. Take one of them out."
    )
    assert not setup.prerequisites.exists()
    assert setup.resources.count() == 2


def test_a_topics_resources_and_prerequisites_are_replaced_and_recorded(roadmap):
    topic = roadmap.topics.get(key="linear-models")
    setup = roadmap.topics.get(key="python-setup")
    topic_edit(
        topic=topic,
        title=topic.title,
        summary=topic.summary,
        stage=topic.stage,
        prerequisites=[setup],
        resources=[("paper", "A paper", "https://arxiv.org/abs/1234.5678")],
    )
    assert list(topic.prerequisites.all()) == [setup]
    assert list(topic.resources.values_list("type", "title")) == [("paper", "A paper")]
    assert changes(roadmap)[-1][5] == "prerequisites, resources"


def _with_history(milestone, make_post):
    milestone_set_status(milestone=milestone, status=Status.IN_PROGRESS)
    milestone_set_status(milestone=milestone, status=Status.DONE)
    session_add(milestone=milestone, day=timezone.localdate(), minutes=45)
    Result.objects.create(milestone=milestone, value=Decimal("0.9"))
    Evidence.objects.create(milestone=milestone, url="https://example.org/commit/1")
    return make_post(milestones=[milestone], topics=[milestone.topic])


def test_a_removed_milestone_comes_back_exactly_with_its_history(milestone, make_post):
    post = _with_history(milestone, make_post)
    roadmap = milestone.roadmap
    place = titles(milestone.topic.milestones)
    milestone.refresh_from_db()
    removed = item_remove(item=milestone)
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    assert not ProgressEvent.objects.filter(milestone_id=milestone.pk).exists()
    assert removed.summary == (
        "1 milestone, 2 status changes, 1 study session, 1 result, 1 evidence link, 1 tie to a post"
    )
    assert changes(roadmap)[-1][:3] == ("removed", "milestone", milestone.title)

    back = removal_undo(removed=removed)
    assert back.pk == milestone.pk
    again = Milestone.objects.get(pk=milestone.pk)
    assert (again.status, again.completed_at) == (Status.DONE, milestone.completed_at)
    assert ProgressEvent.objects.filter(milestone=again).count() == 2
    assert StudySession.objects.filter(milestone=again).count() == 1
    assert again.results.count() == 1 and again.evidence.count() == 1
    assert list(post.milestones.all()) == [again]
    assert titles(milestone.topic.milestones) == place
    assert not RemovedItem.objects.exists()
    assert changes(roadmap)[-1][:3] == ("restored", "milestone", milestone.title)


def test_a_removed_stage_comes_back_with_its_topics_and_their_prerequisites(roadmap):
    stage = roadmap.stages.get(key="basics")
    linear_models = roadmap.topics.get(key="linear-models")
    removed = item_remove(item=stage)
    assert removed.summary.startswith("2 topics, 4 milestones")
    assert not linear_models.prerequisites.exists()
    removal_undo(removed=removed)
    assert titles(roadmap.stages)[0] == "Basics"
    assert [t.key for t in linear_models.prerequisites.all()] == ["linear-algebra"]
    assert roadmap.topics.get(key="linear-algebra").resources.count() == 2


def test_undo_keeps_the_ties_it_can_when_a_post_was_deleted_since(milestone, make_post):
    post = make_post(milestones=[milestone])
    removed = item_remove(item=milestone)
    post.delete()
    removal_undo(removed=removed)
    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_undo_after_the_window_is_refused(milestone):
    removed = item_remove(item=milestone)
    later = removed.removed_at + UNDO_WINDOW + timedelta(seconds=1)
    with pytest.raises(EditRefused, match="too long ago"):
        removal_undo(removed=removed, at=later)
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_undo_of_a_milestone_whose_topic_is_gone_is_refused(milestone):
    removed = item_remove(item=milestone)
    item_remove(item=Topic.objects.get(pk=milestone.topic_id))
    with pytest.raises(EditRefused, match="gone too"):
        removal_undo(removed=removed)
    assert RemovedItem.objects.filter(pk=removed.pk).exists()


def test_undo_where_the_address_was_taken_since_is_refused(milestone):
    removed = item_remove(item=milestone)
    Milestone.objects.create(
        roadmap=milestone.roadmap,
        topic=milestone.topic,
        key="other",
        slug=milestone.slug,
        title="Taken",
    )
    with pytest.raises(EditRefused, match="rename or remove it"):
        removal_undo(removed=removed)
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_a_removal_is_undone_once(milestone):
    removed = item_remove(item=milestone)
    removal_undo(removed=removed)
    with pytest.raises(EditRefused, match="undone already"):
        removal_undo(removed=removed)


def test_every_edit_marks_the_roadmap_changed(roadmap):
    before = roadmap.updated_at
    stage_add(roadmap=roadmap, title="More")
    roadmap.refresh_from_db()
    assert roadmap.updated_at > before
    assert Stage.objects.filter(roadmap=roadmap).count() == 4
