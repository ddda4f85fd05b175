"""A curriculum update never removes or changes what the learner added in the browser."""

import re

import pytest
from django.urls import reverse

from roadmap.curriculum import Reason, load_curriculum, parse_curriculum, plan_update
from roadmap.models import Milestone, Stage, Topic
from roadmap.services import milestone_add, stage_add, topic_add
from tests.conftest import SMALL_CURRICULUM

pytestmark = pytest.mark.django_db


def version_2(text: str) -> str:
    return text.replace("version: 1", "version: 2")


def without_sharing() -> str:
    """Version 2 of the small curriculum with the topic "sharing" gone."""
    text = SMALL_CURRICULUM.read_text()
    return version_2(text[: text.index("      - key: sharing")] + "      []\n")


@pytest.fixture
def own_items(roadmap):
    """A milestone the learner added to a topic the next version drops, a topic of theirs
    in a curriculum stage, and a stage of their own with a topic and a milestone."""
    sharing = roadmap.topics.get(key="sharing")
    stage = stage_add(roadmap=roadmap, title="Research")
    return {
        "milestone": milestone_add(topic=sharing, title="Reproduce a paper"),
        "topic": topic_add(stage=roadmap.stages.get(key="basics"), title="My tooling"),
        "stage": stage,
        "deep": milestone_add(topic=topic_add(stage=stage, title="Papers"), title="Read one"),
    }


def test_the_plan_keeps_every_item_the_learner_added_saying_so(roadmap, own_items):
    plan = plan_update(parse_curriculum(without_sharing()), roadmap)
    yours = {(c.kind, c.title): c for c in plan.yours}
    assert set(yours) == {
        ("milestone", "Reproduce a paper"),
        ("topic", "My tooling"),
        ("stage", "Research"),
        ("topic", "Papers"),
        ("milestone", "Read one"),
    }
    assert all(Reason.LEARNER in c.reasons for c in yours.values())
    assert yours[("milestone", "Reproduce a paper")].detail == "added by you"
    assert yours[("stage", "Research")].detail == "added by you and holds a topic that stays"
    # The curriculum's topic stays for the learner's milestone in it.
    assert [(c.kind, c.title, c.detail) for c in plan.kept] == [
        ("topic", "Sharing what you learn", "holds a milestone that stays")
    ]


def test_applying_the_update_leaves_the_learners_items_as_they_were(learner, roadmap, own_items):
    before = {
        model: list(
            model.objects.filter(added_by_learner=True)
            .order_by("pk")
            .values_list("pk", "key", "title", "position")
        )
        for model in (Stage, Topic, Milestone)
    }
    report = load_curriculum(parse_curriculum(without_sharing()), owner=learner, roadmap=roadmap)
    after = {
        model: list(
            model.objects.filter(added_by_learner=True)
            .order_by("pk")
            .values_list("pk", "key", "title", "position")
        )
        for model in (Stage, Topic, Milestone)
    }
    assert after == before
    assert roadmap.topics.filter(key="sharing").exists()
    assert report.removed == 2
    assert report.plan.summary == (
        "removed 2 milestones; kept 1 topic that the file no longer has; "
        "kept 1 stage and 2 topics and 2 milestones of your own"
    )


def test_a_plan_with_only_the_learners_items_changes_nothing(roadmap, own_items):
    plan = plan_update(parse_curriculum(version_2(SMALL_CURRICULUM.read_text())), roadmap)
    assert plan.is_empty
    assert not plan.kept
    assert len(plan.yours) == 5


def test_the_update_review_shows_the_learners_items_as_kept(
    learner_client, roadmap, own_items, settings, tmp_path
):
    settings.CURRICULA_DIR = tmp_path
    (tmp_path / "test-path.yaml").write_text(without_sharing())
    html = learner_client.get(reverse("roadmap:update", args=[roadmap.slug])).content.decode()
    html = re.sub(r"\s+", " ", html)
    yours = re.search(r'<section aria-labelledby="yours-heading">.*?</section>', html)[0]
    assert "Yours, kept as they are (5)" in yours
    assert 'Milestone: Reproduce a paper <span class="muted">(added by you)' in yours
    assert "Topic: My tooling" in yours
