"""Updating a roadmap from a newer curriculum: the plan, and carrying out exactly that plan.

The cases edit the small curriculum of tests/data, whose stages, topics and milestones are:

    basics:  python-setup [install-python, first-notebook]
             linear-algebra [svd-pca, eigen-post (optional)]
    models:  linear-models [linreg-scratch, logreg-scratch]
             neural-nets [micrograd, repro-mlp]
    writing: sharing [first-post, review]
"""

import copy
import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from roadmap.curriculum import (
    CurriculumSpec,
    MilestoneSpec,
    Reason,
    StageSpec,
    TopicSpec,
    UpdatePlan,
    load_curriculum,
    parse_curriculum,
    plan_update,
    roadmap_apply_plan,
)
from roadmap.models import Milestone, ProgressEvent, Roadmap, Status, Topic
from roadmap.services import milestone_set_status, session_add
from tests.conftest import SMALL_CURRICULUM

pytestmark = pytest.mark.django_db

CATEGORIES = ("added", "renamed", "moved", "reweighed", "removed", "kept")


def find(spec: CurriculumSpec, kind: str, key: str):
    items = {"stage": spec.stages, "topic": spec.topics, "milestone": spec.milestones}[kind]
    return next(item for item in items if item.key == key)


def new_milestone(key: str) -> MilestoneSpec:
    return MilestoneSpec(key=key, title=f"Do {key}", kind="learn", hours=Decimal(1), evidence="-")


def drop_topic(spec: CurriculumSpec, key: str) -> TopicSpec:
    """Take a topic out of the file, and out of every prerequisite list, as an author would."""
    topic = find(spec, "topic", key)
    for stage in spec.stages:
        if topic in stage.topics:
            stage.topics.remove(topic)
    for other in spec.topics:
        other.prerequisites = [p for p in other.prerequisites if p != key]
    return topic


def drop_milestone(spec: CurriculumSpec, key: str) -> MilestoneSpec:
    milestone = find(spec, "milestone", key)
    for topic in spec.topics:
        if milestone in topic.milestones:
            topic.milestones.remove(milestone)
    return milestone


def drop_stage(spec: CurriculumSpec, key: str) -> None:
    for topic in list(find(spec, "stage", key).topics):
        drop_topic(spec, topic.key)
    spec.stages.remove(find(spec, "stage", key))


def snapshot(roadmap: Roadmap) -> dict[tuple[str, str], dict]:
    """Every row of the roadmap that an update can change, by (kind, key)."""
    rows = {("stage", s.key): {"title": s.title} for s in roadmap.stages.all()}
    for topic in roadmap.topics.select_related("stage"):
        rows["topic", topic.key] = {"title": topic.title, "parent": topic.stage.key}
    for m in roadmap.milestones.select_related("topic"):
        rows["milestone", m.key] = {
            "title": m.title,
            "parent": m.topic.key,
            "weight": (m.estimated_hours, m.optional),
        }
    return rows


def what_changed(before: dict, after: dict, spec: CurriculumSpec) -> dict[str, set]:
    """The changes two snapshots show, in the plan's categories."""
    in_file = {
        *(("stage", s.key) for s in spec.stages),
        *(("topic", t.key) for t in spec.topics),
        *(("milestone", m.key) for m in spec.milestones),
    }
    both = before.keys() & after.keys()

    def differ(name):
        return {item for item in both if before[item].get(name) != after[item].get(name)}

    return {
        "added": after.keys() - before.keys(),
        "renamed": differ("title"),
        "moved": differ("parent"),
        "reweighed": differ("weight"),
        "removed": before.keys() - after.keys(),
        "kept": both - in_file,
    }


def listed(plan: UpdatePlan) -> dict[str, set]:
    return {name: {(c.kind, c.key) for c in getattr(plan, name)} for name in CATEGORIES}


def update(roadmap: Roadmap, spec: CurriculumSpec) -> tuple[UpdatePlan, dict[str, set]]:
    """Plan, apply the plan, and return it with what the rows show actually changed."""
    before = snapshot(roadmap)
    plan = plan_update(spec, roadmap)
    roadmap_apply_plan(plan=plan)
    return plan, what_changed(before, snapshot(roadmap), spec)


# Each case: how the file changes, what the learner did before, and what the plan must list
# (categories left out must be empty), with the reasons for each kept item.


def add_stage(spec, roadmap, make_post):
    spec.stages.append(StageSpec(key="extras", title="Extras"))
    return {"added": {("stage", "extras")}}, {}


def add_topic(spec, roadmap, make_post):
    find(spec, "stage", "basics").topics.append(TopicSpec(key="git", title="Git"))
    return {"added": {("topic", "git")}}, {}


def add_milestone(spec, roadmap, make_post):
    find(spec, "topic", "sharing").milestones.append(new_milestone("talk"))
    return {"added": {("milestone", "talk")}}, {}


def rename_stage(spec, roadmap, make_post):
    find(spec, "stage", "models").title = "Classic models"
    return {"renamed": {("stage", "models")}}, {}


def rename_topic(spec, roadmap, make_post):
    find(spec, "topic", "neural-nets").title = "Neural nets"
    return {"renamed": {("topic", "neural-nets")}}, {}


def rename_milestone(spec, roadmap, make_post):
    find(spec, "milestone", "micrograd").title = "Build micrograd, with tests"
    return {"renamed": {("milestone", "micrograd")}}, {}


def move_topic(spec, roadmap, make_post):
    topic = drop_topic(spec, "sharing")
    find(spec, "stage", "models").topics.append(topic)
    return {"moved": {("topic", "sharing")}}, {}


def move_milestone(spec, roadmap, make_post):
    find(spec, "topic", "neural-nets").milestones.append(drop_milestone(spec, "first-post"))
    return {"moved": {("milestone", "first-post")}}, {}


def change_hours(spec, roadmap, make_post):
    find(spec, "milestone", "svd-pca").hours = Decimal(9)
    return {"reweighed": {("milestone", "svd-pca")}}, {}


def change_optional(spec, roadmap, make_post):
    find(spec, "milestone", "eigen-post").optional = False
    return {"reweighed": {("milestone", "eigen-post")}}, {}


def remove_milestone(spec, roadmap, make_post):
    drop_milestone(spec, "repro-mlp")
    return {"removed": {("milestone", "repro-mlp")}}, {}


def keep_milestone_for(reason):
    """Take `review` out of the file after the learner left one kind of trace on it."""

    def case(spec, roadmap, make_post):
        review = roadmap.milestones.get(key="review")
        rows = Milestone.objects.filter(pk=review.pk)
        if reason is Reason.STATUS:
            rows.update(status=Status.SKIPPED)
        elif reason is Reason.EVENTS:
            # Started and set back: the status is as new, but the history is the learner's.
            milestone_set_status(milestone=review, status=Status.IN_PROGRESS)
            milestone_set_status(milestone=review, status=Status.NOT_STARTED)
        elif reason is Reason.POSTS:
            make_post(milestones=[review])
        elif reason is Reason.EVIDENCE:
            rows.update(evidence_url="https://example.org/review")
        elif reason is Reason.NOTE:
            rows.update(private_note="half written")
        drop_milestone(spec, "review")
        return {"kept": {("milestone", "review")}}, {("milestone", "review"): {reason}}

    case.__name__ = f"keep_milestone_for_{reason}"
    return case


def remove_topic(spec, roadmap, make_post):
    drop_topic(spec, "sharing")
    return {
        "removed": {("topic", "sharing"), ("milestone", "first-post"), ("milestone", "review")}
    }, {}


def keep_topic_for_a_post(spec, roadmap, make_post):
    make_post(topics=[roadmap.topics.get(key="sharing")])
    drop_topic(spec, "sharing")
    return {
        "removed": {("milestone", "first-post"), ("milestone", "review")},
        "kept": {("topic", "sharing")},
    }, {("topic", "sharing"): {Reason.POSTS}}


def keep_topic_for_a_kept_milestone(spec, roadmap, make_post):
    milestone_set_status(milestone=roadmap.milestones.get(key="review"), status=Status.DONE)
    drop_topic(spec, "sharing")
    return {
        "removed": {("milestone", "first-post")},
        "kept": {("topic", "sharing"), ("milestone", "review")},
    }, {
        ("topic", "sharing"): {Reason.MILESTONES},
        ("milestone", "review"): {Reason.STATUS, Reason.EVENTS},
    }


def remove_topic_whose_milestone_moved_out(spec, roadmap, make_post):
    milestone_set_status(milestone=roadmap.milestones.get(key="review"), status=Status.DONE)
    find(spec, "topic", "neural-nets").milestones.append(drop_milestone(spec, "review"))
    drop_topic(spec, "sharing")
    return {
        "moved": {("milestone", "review")},
        "removed": {("topic", "sharing"), ("milestone", "first-post")},
    }, {}


def remove_stage(spec, roadmap, make_post):
    drop_stage(spec, "writing")
    return {
        "removed": {
            ("stage", "writing"),
            ("topic", "sharing"),
            ("milestone", "first-post"),
            ("milestone", "review"),
        }
    }, {}


def remove_stage_whose_topic_moved_out(spec, roadmap, make_post):
    topic = drop_topic(spec, "sharing")
    find(spec, "stage", "models").topics.append(topic)
    spec.stages.remove(find(spec, "stage", "writing"))
    return {"moved": {("topic", "sharing")}, "removed": {("stage", "writing")}}, {}


def keep_stage(spec, roadmap, make_post):
    make_post(milestones=[roadmap.milestones.get(key="first-post")])
    drop_stage(spec, "writing")
    return {
        "removed": {("milestone", "review")},
        "kept": {("stage", "writing"), ("topic", "sharing"), ("milestone", "first-post")},
    }, {
        ("stage", "writing"): {Reason.TOPICS},
        ("topic", "sharing"): {Reason.MILESTONES},
        ("milestone", "first-post"): {Reason.POSTS},
    }


def change_nothing(spec, roadmap, make_post):
    return {}, {}


CASES = [
    add_stage,
    add_topic,
    add_milestone,
    rename_stage,
    rename_topic,
    rename_milestone,
    move_topic,
    move_milestone,
    change_hours,
    change_optional,
    remove_milestone,
    *(
        keep_milestone_for(reason)
        for reason in (Reason.STATUS, Reason.EVENTS, Reason.POSTS, Reason.EVIDENCE, Reason.NOTE)
    ),
    remove_topic,
    keep_topic_for_a_post,
    keep_topic_for_a_kept_milestone,
    remove_topic_whose_milestone_moved_out,
    remove_stage,
    remove_stage_whose_topic_moved_out,
    keep_stage,
    change_nothing,
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_applying_a_plan_changes_exactly_what_the_plan_lists(case, roadmap, small_spec, make_post):
    spec = copy.deepcopy(small_spec)
    expected, reasons = case(spec, roadmap, make_post)

    plan, changed = update(roadmap, spec)

    assert changed == listed(plan)
    assert listed(plan) == {name: expected.get(name, set()) for name in CATEGORIES}
    assert {(c.kind, c.key): set(c.reasons) for c in plan.kept} == reasons


def test_plan_for_an_unchanged_file_is_empty_and_says_so(roadmap, small_spec):
    plan = plan_update(small_spec, roadmap)
    assert plan.is_empty
    assert plan.summary == "only descriptions, resources or order changed"


def test_plan_summary_counts_each_kind_of_change(roadmap, small_spec):
    spec = copy.deepcopy(small_spec)
    milestone_set_status(milestone=roadmap.milestones.get(key="review"), status=Status.DONE)
    drop_topic(spec, "sharing")
    find(spec, "topic", "neural-nets").milestones.append(new_milestone("talk"))
    find(spec, "milestone", "svd-pca").hours = Decimal(9)
    assert plan_update(spec, roadmap).summary == (
        "added 1 milestone; changed the hours or optional flag of 1 milestone; "
        "removed 1 milestone; kept 1 topic and 1 milestone that the file no longer has"
    )


def test_plan_reads_the_roadmap_in_four_queries_whatever_its_size(
    roadmap, small_spec, make_post, django_assert_num_queries
):
    with django_assert_num_queries(4):
        plan_update(small_spec, roadmap)
    for milestone in roadmap.milestones.all():
        milestone_set_status(milestone=milestone, status=Status.DONE)
        make_post(milestones=[milestone], topics=[milestone.topic])
    spec = copy.deepcopy(small_spec)
    drop_stage(spec, "writing")
    with django_assert_num_queries(4):
        plan = plan_update(spec, roadmap)
    assert {c.key for c in plan.kept} == {"writing", "sharing", "first-post", "review"}


def test_curriculum_update_keeps_a_milestone_a_post_is_tied_to(learner, roadmap, make_post):
    milestone = roadmap.milestones.get(key="review")
    make_post(milestones=[milestone])
    text = SMALL_CURRICULUM.read_text()
    smaller = parse_curriculum(text[: text.index("          - key: review")])
    plan = plan_update(smaller, roadmap)
    assert [c.key for c in plan.kept] == ["review"]
    report = load_curriculum(smaller, owner=learner, roadmap=roadmap)
    assert [m.key for m in report.kept] == ["review"]
    assert roadmap.milestones.filter(key="review").exists()


def test_curriculum_update_keeps_a_milestone_with_time_logged_on_it(learner, roadmap):
    milestone = roadmap.milestones.get(key="review")
    session_add(milestone=milestone, day=date(2026, 3, 2), minutes=90)
    text = SMALL_CURRICULUM.read_text()
    smaller = parse_curriculum(text[: text.index("          - key: review")])
    plan = plan_update(smaller, roadmap)
    assert [c.key for c in plan.kept] == ["review"]
    load_curriculum(smaller, owner=learner, roadmap=roadmap)
    assert milestone.study_sessions.get().minutes == 90


def test_update_review_lists_changed_hours_and_optional_flags(roadmap):
    text = (
        SMALL_CURRICULUM.read_text()
        .replace("hours: 6", "hours: 9")
        .replace("            optional: true\n", "")
    )
    plan = plan_update(parse_curriculum(text), roadmap)
    details = {c.key: c.detail for c in plan.reweighed}
    assert details["svd-pca"] == "hours 6.0 → 9.0"
    assert details["eigen-post"] == "becomes required"


def test_loading_creates_the_whole_roadmap_with_every_item_added(learner, small_spec):
    report = load_curriculum(small_spec, owner=learner)
    roadmap = report.roadmap
    assert report.created
    assert (roadmap.slug, roadmap.curriculum_key, roadmap.curriculum_version) == (
        "test-path",
        "test-path",
        1,
    )
    assert (report.added, report.updated, report.removed, report.kept) == (10, 0, 0, [])
    assert [t.slug for t in roadmap.topics.all()] == [t.key for t in small_spec.topics]
    assert [m.key for m in roadmap.milestones.in_roadmap_order()] == [
        m.key for m in small_spec.milestones
    ]
    sharing = roadmap.topics.get(key="sharing")
    assert set(sharing.prerequisites.values_list("key", flat=True)) == {
        "neural-nets",
        "linear-algebra",
    }
    assert roadmap.milestones.get(key="logreg-scratch").estimated_hours == Decimal("4.5")
    assert sharing.resources.count() == 2


def test_loading_a_second_roadmap_from_one_file_gives_it_a_free_slug(learner, roadmap, small_spec):
    assert load_curriculum(small_spec, owner=learner).roadmap.slug == "test-path-2"


def test_update_keeps_progress_and_follows_the_file(learner, roadmap, small_spec):
    svd = roadmap.milestones.get(key="svd-pca")
    milestone_set_status(milestone=svd, status=Status.DONE)
    Milestone.objects.filter(pk=svd.pk).update(
        evidence_url="https://example.org/nb", private_note="next: plots"
    )
    spec = copy.deepcopy(small_spec)
    spec.version = 2
    find(spec, "milestone", "svd-pca").title = "Derive PCA via SVD, then code it"
    find(spec, "topic", "linear-algebra").milestones.insert(0, new_milestone("dot-products"))
    find(spec, "topic", "linear-algebra").resources.pop()

    report = load_curriculum(spec, owner=learner, roadmap=roadmap)

    svd.refresh_from_db()
    assert svd.title == "Derive PCA via SVD, then code it"
    assert (svd.status, svd.evidence_url, svd.private_note) == (
        Status.DONE,
        "https://example.org/nb",
        "next: plots",
    )
    assert svd.completed_at is not None
    assert ProgressEvent.objects.filter(milestone=svd).count() == 1
    assert (report.added, report.updated, report.removed) == (1, 10, 0)
    assert list(
        roadmap.milestones.filter(topic__key="linear-algebra").values_list("key", flat=True)
    ) == ["dot-products", "svd-pca", "eigen-post"]
    assert roadmap.topics.get(key="linear-algebra").resources.count() == 1
    roadmap.refresh_from_db()
    assert roadmap.curriculum_version == 2


def test_update_report_counts_removed_milestones_and_lists_kept_ones(learner, roadmap, small_spec):
    milestone_set_status(milestone=roadmap.milestones.get(key="review"), status=Status.IN_PROGRESS)
    spec = copy.deepcopy(small_spec)
    drop_topic(spec, "sharing")
    report = load_curriculum(spec, owner=learner, roadmap=roadmap)
    assert [m.key for m in report.kept] == ["review"]
    assert report.removed == 1
    assert Topic.objects.filter(roadmap=roadmap, key="sharing").exists()
    assert report.plan.kept[0].detail == "has progress: marked “In progress”, 1 status change"


@pytest.fixture
def newer_file(settings, tmp_path):
    """A curricula folder holding version 2 of the small curriculum, written by the test."""
    settings.CURRICULA_DIR = tmp_path

    def write(text: str) -> None:
        (tmp_path / "test-path.yaml").write_text(text.replace("version: 1", "version: 2"))

    return write


def small_file_without_sharing() -> str:
    """The small curriculum with the stage "writing" left empty: its one topic is gone."""
    text = SMALL_CURRICULUM.read_text()
    return text[: text.index("      - key: sharing")] + "      []\n"


def section(html: str, heading_id: str) -> str:
    """The review page's section labelled by `heading_id`, or "" when it is not shown."""
    found = re.search(rf'<section aria-labelledby="{heading_id}">.*?</section>', html)
    return found.group(0) if found else ""


def test_update_review_lists_a_topic_kept_for_its_post_with_the_reason(
    learner_client, roadmap, make_post, newer_file
):
    make_post(topics=[roadmap.topics.get(key="sharing")])
    newer_file(small_file_without_sharing())

    url = reverse("roadmap:update", args=[roadmap.slug])
    html = re.sub(r"\s+", " ", learner_client.get(url).content.decode())
    removed = section(html, "removed-heading")
    kept = section(html, "kept-heading")

    assert "Removed (2)" in removed
    assert "Milestone: Publish a first post" in removed
    assert "Milestone: Write a quarterly review" in removed
    assert "Topic: Sharing" not in removed
    assert 'Topic: Sharing what you learn <span class="muted">(has 1 post tied to it)' in kept


def test_applied_update_does_what_the_review_listed_and_says_so(
    learner_client, roadmap, make_post, newer_file
):
    make_post(topics=[roadmap.topics.get(key="sharing")])
    newer_file(small_file_without_sharing())

    url = reverse("roadmap:update", args=[roadmap.slug])
    shown = re.search(r'name="plan" value="([0-9a-f]+)"', learner_client.get(url).content.decode())
    response = learner_client.post(url, {"plan": shown[1]})

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Updated to version 2: removed 2 milestones; kept 1 topic that the file no longer has."
    ]
    assert roadmap.topics.filter(key="sharing", milestones=None).exists()
    assert not roadmap.milestones.filter(topic__key="sharing").exists()
