"""A curriculum update and the prerequisites of the file's topics: the file's changes are
made, the ones the learner set in the edit page stay.

In the small curriculum of tests/data each topic needs the one before it:

    sharing -> neural-nets, linear-algebra
    neural-nets -> linear-models -> linear-algebra -> python-setup
"""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from roadmap.models import Roadmap
from roadmap.services import roadmap_fork, topic_add, topic_edit
from tests.conftest import SMALL_CURRICULUM

pytestmark = pytest.mark.django_db


@pytest.fixture
def newer_file(settings, tmp_path):
    """Version 2 of the small curriculum in the curricula folder, with `changes` made to it."""
    settings.CURRICULA_DIR = tmp_path

    def write(*changes: tuple[str, str]) -> None:
        text = SMALL_CURRICULUM.read_text().replace("version: 1", "version: 2")
        for old, new in changes:
            assert old in text
            text = text.replace(old, new)
        (tmp_path / "test-path.yaml").write_text(text)

    return write


SHARING_DROPS_LINEAR_ALGEBRA = (
    "prerequisites: [neural-nets, linear-algebra]",
    "prerequisites: [neural-nets, python-setup]",
)
LINEAR_MODELS_NEEDS_SETUP = (
    "        prerequisites: [linear-algebra]",
    "        prerequisites: [python-setup]",
)


def edit_prerequisites(client, roadmap: Roadmap, key: str, needs: list[str]) -> None:
    """Set a topic's prerequisites on its edit page, as the learner does."""
    topic = roadmap.topics.get(key=key)
    resources = list(topic.resources.order_by("position"))
    data = {
        "title": topic.title,
        "summary": topic.summary,
        "stage": topic.stage_id,
        "prerequisites": [roadmap.topics.get(key=need).pk for need in needs],
        "resources-TOTAL_FORMS": str(len(resources)),
        "resources-INITIAL_FORMS": str(len(resources)),
    }
    for i, resource in enumerate(resources):
        data |= {
            f"resources-{i}-type": resource.type,
            f"resources-{i}-title": resource.title,
            f"resources-{i}-url": resource.url,
        }
    url = reverse("roadmap:edit", args=[roadmap.slug]) + f"topics/{key}/"
    assert client.post(url, data).status_code == 302


def review(client, roadmap: Roadmap) -> tuple[str, str]:
    """The update's review page, spaces squeezed, and the plan it asks to apply."""
    html = client.get(reverse("roadmap:update", args=[roadmap.slug])).content.decode()
    return re.sub(r"\s+", " ", html), re.search(r'name="plan" value="([0-9a-f]+)"', html)[1]


def apply(client, roadmap: Roadmap, plan: str):
    return client.post(reverse("roadmap:update", args=[roadmap.slug]), {"plan": plan})


def section(html: str, heading_id: str) -> str:
    """The review page's section labelled by `heading_id`, or "" when it is not shown."""
    found = re.search(rf'<section aria-labelledby="{heading_id}">.*?</section>', html)
    return found.group(0) if found else ""


def needs(roadmap: Roadmap, key: str) -> set[str]:
    return set(roadmap.topics.get(key=key).prerequisites.values_list("key", flat=True))


@pytest.fixture
def tooling(roadmap):
    """A topic of the learner's own."""
    return topic_add(stage=roadmap.stages.get(key="basics"), title="Tooling")


def test_update_keeps_the_prerequisites_the_learner_added_to_a_curriculum_topic(
    learner_client, roadmap, tooling, newer_file
):
    edit_prerequisites(
        learner_client,
        roadmap,
        "linear-models",
        ["linear-algebra", tooling.key, "python-setup"],
    )
    newer_file(SHARING_DROPS_LINEAR_ALGEBRA)

    html, plan = review(learner_client, roadmap)
    response = apply(learner_client, roadmap, plan)

    assert "Linear models" not in section(html, "prerequisites-heading")
    assert response.status_code == 302
    assert needs(roadmap, "linear-models") == {"linear-algebra", tooling.key, "python-setup"}
    assert needs(roadmap, "sharing") == {"neural-nets", "python-setup"}
    roadmap.refresh_from_db()
    assert roadmap.curriculum_version == 2


def test_update_leaves_out_a_prerequisite_the_learner_took_away(
    learner_client, roadmap, newer_file
):
    edit_prerequisites(learner_client, roadmap, "linear-models", [])
    newer_file(SHARING_DROPS_LINEAR_ALGEBRA)  # the file still says linear-algebra

    html, plan = review(learner_client, roadmap)
    assert apply(learner_client, roadmap, plan).status_code == 302

    assert (
        'Linear models <span class="muted">(not “Linear algebra”, which you took away or never had)'
    ) in section(html, "prerequisites-heading")
    assert needs(roadmap, "linear-models") == set()
    assert needs(roadmap, "sharing") == {"neural-nets", "python-setup"}


def test_update_adds_and_takes_away_the_prerequisites_the_file_changes(
    learner_client, roadmap, newer_file
):
    newer_file(SHARING_DROPS_LINEAR_ALGEBRA, LINEAR_MODELS_NEEDS_SETUP)

    html, plan = review(learner_client, roadmap)
    changed = section(html, "prerequisites-heading")
    response = apply(learner_client, roadmap, plan)

    assert "Prerequisites changed (2)" in changed
    assert (
        "Linear models "
        '<span class="muted">(now needs “Python setup”; no longer needs “Linear algebra”)'
    ) in changed
    assert (
        "Sharing what you learn "
        '<span class="muted">(now needs “Python setup”; no longer needs “Linear algebra”)'
    ) in changed
    assert needs(roadmap, "linear-models") == {"python-setup"}
    assert needs(roadmap, "sharing") == {"neural-nets", "python-setup"}
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Updated to version 2: changed the prerequisites of 2 topics."
    ]


def test_update_review_says_nothing_of_removing_the_learners_prerequisites(
    learner_client, roadmap, tooling, newer_file
):
    edit_prerequisites(learner_client, roadmap, "linear-models", ["linear-algebra", tooling.key])
    edit_prerequisites(
        learner_client, roadmap, "sharing", ["neural-nets", "linear-algebra", "python-setup"]
    )
    # The file takes python-setup out of the one topic that needs it, and adds it to two.
    newer_file(
        SHARING_DROPS_LINEAR_ALGEBRA,
        LINEAR_MODELS_NEEDS_SETUP,
        (
            "        title: Linear algebra\n        prerequisites: [python-setup]\n",
            "        title: Linear algebra\n",
        ),
    )

    html, _ = review(learner_client, roadmap)
    changed = section(html, "prerequisites-heading")
    yours = section(html, "your-prerequisites-heading")

    assert "Tooling" not in changed
    assert "no longer needs “Python setup”" in changed  # linear-algebra's, the file's
    assert "Sharing what you learn" not in changed  # it needs python-setup already
    # Its prerequisites are the learner's choice: the file's new one is named, not added.
    assert (
        'Linear models <span class="muted">(not “Python setup”, which you took away or never had)'
    ) in changed
    assert "Your prerequisites, kept (2)" in yours
    assert 'Linear models <span class="muted">(needs “Linear algebra”, “Tooling”)' in yours
    assert 'Sharing what you learn <span class="muted">(needs “Linear algebra”)' in yours


def test_an_update_changing_nothing_else_lists_the_learners_prerequisites_as_kept(
    learner_client, roadmap, tooling, newer_file
):
    edit_prerequisites(learner_client, roadmap, "python-setup", [tooling.key])
    newer_file()

    html, plan = review(learner_client, roadmap)
    apply(learner_client, roadmap, plan)

    assert "No stage, topic or milestone is added" in html
    assert not section(html, "prerequisites-heading")
    assert 'Python setup <span class="muted">(needs “Tooling”)' in section(
        html, "your-prerequisites-heading"
    )
    assert needs(roadmap, "python-setup") == {tooling.key}


CALCULUS_BEFORE_LINEAR_ALGEBRA = (
    "      - key: linear-algebra\n        title: Linear algebra\n"
    "        prerequisites: [python-setup]\n",
    "      - key: calculus\n        title: Calculus\n        prerequisites: [python-setup]\n"
    "        milestones:\n          - key: derivatives\n            title: Derivatives by hand\n"
    "            kind: learn\n            hours: 2\n            evidence: Worked examples\n"
    "      - key: linear-algebra\n        title: Linear algebra\n"
    "        prerequisites: [calculus]\n",
)


def test_a_prerequisite_of_the_file_that_would_close_a_cycle_with_the_learners_is_left_out(
    learner_client, roadmap, newer_file
):
    # The learner turns two topics round: linear algebra first, then the setup.
    edit_prerequisites(learner_client, roadmap, "linear-algebra", [])
    edit_prerequisites(learner_client, roadmap, "python-setup", ["linear-algebra"])
    # The file puts a new topic between them: setup, calculus, linear algebra.
    newer_file(CALCULUS_BEFORE_LINEAR_ALGEBRA)

    html, plan = review(learner_client, roadmap)
    apply(learner_client, roadmap, plan)

    assert (
        'Linear algebra <span class="muted">(not “Calculus”, which would make a cycle '
        "with your prerequisites)"
    ) in section(html, "prerequisites-heading")
    assert needs(roadmap, "calculus") == {"python-setup"}
    assert needs(roadmap, "linear-algebra") == set()
    assert needs(roadmap, "python-setup") == {"linear-algebra"}


def test_a_change_of_prerequisites_after_the_review_refuses_the_update(
    learner_client, roadmap, tooling, newer_file
):
    newer_file(SHARING_DROPS_LINEAR_ALGEBRA)
    _, plan = review(learner_client, roadmap)
    edit_prerequisites(learner_client, roadmap, "sharing", ["linear-algebra", tooling.key])

    response = apply(learner_client, roadmap, plan)

    assert response.status_code == 409
    assert needs(roadmap, "sharing") == {"linear-algebra", tooling.key}
    roadmap.refresh_from_db()
    assert roadmap.curriculum_version == 1


def test_a_copy_keeps_the_prerequisites_on_the_learners_own_topics_through_an_update(
    other_learner, other_client, roadmap, tooling, newer_file
):
    topic_edit(
        topic=roadmap.topics.get(key="sharing"),
        title="Sharing what you learn",
        summary="",
        stage=roadmap.stages.get(key="writing"),
        prerequisites=list(roadmap.topics.filter(key__in=["neural-nets", tooling.key])),
        resources=[],
    )
    copy = roadmap_fork(original=roadmap, owner=other_learner)
    newer_file(SHARING_DROPS_LINEAR_ALGEBRA)

    html, plan = review(other_client, copy)
    apply(other_client, copy, plan)

    assert "Tooling" not in section(html, "prerequisites-heading")
    assert needs(copy, "sharing") == {"neural-nets", tooling.key, "python-setup"}
