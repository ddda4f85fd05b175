"""The edit outline and its edits over HTTP: with and without HTMX, and every refusal."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from roadmap.models import Milestone, PlanChange, RemovedItem, Status, Topic
from roadmap.services import (
    item_remove,
    milestone_add,
    milestone_edit,
    milestone_set_status,
    stage_add,
)
from tests.factories import build_roadmap

pytestmark = pytest.mark.django_db

HTMX = {"headers": {"HX-Request": "true"}}


def edit_url(roadmap, *parts):
    return reverse("roadmap:edit", args=[roadmap.slug]) + "".join(f"{p}/" for p in parts)


def milestone_titles(topic):
    return list(topic.milestones.order_by("position", "pk").values_list("title", flat=True))


def test_the_roadmap_page_links_its_owner_to_the_edit_page(learner_client, roadmap):
    page = learner_client.get(roadmap.get_absolute_url()).content.decode()
    assert f'href="{edit_url(roadmap)}">Edit the roadmap' in page


def test_the_roadmap_page_shows_a_visitor_no_edit_link(client, roadmap):
    assert "Edit the roadmap" not in client.get(roadmap.get_absolute_url()).content.decode()


def test_the_outline_lists_every_stage_topic_and_milestone_with_its_controls(
    learner_client, roadmap
):
    response = learner_client.get(edit_url(roadmap))
    assert response.status_code == 200
    page = response.content.decode()
    for milestone in roadmap.milestones.all():
        assert f'id="edit-milestone-{milestone.key}"' in page
        assert f'Move up<span class="visually-hidden"> “{milestone.title}”' in page
    assert 'id="add-stage-title"' in page


@pytest.mark.parametrize("who", ["anonymous", "other"])
@pytest.mark.parametrize(
    ("method", "parts", "data"),
    [
        ("get", (), {}),
        ("post", ("add-stage",), {"title": "Mine"}),
        ("post", ("stages", "basics", "add-topic"), {"title": "Mine"}),
        ("post", ("topics", "python-setup", "add-milestone"), {"title": "Mine"}),
        ("get", ("milestones", "svd-pca"), {}),
        ("post", ("milestones", "svd-pca"), {"title": "Mine"}),
        ("post", ("milestones", "svd-pca", "move"), {"direction": "up"}),
        ("post", ("milestones", "svd-pca", "remove"), {"confirm": "yes"}),
    ],
)
def test_anyone_but_the_owner_gets_a_404_and_changes_nothing(
    roadmap, other_learner, who, method, parts, data
):
    client = Client()
    if who == "other":
        client.force_login(other_learner)
    response = getattr(client, method)(edit_url(roadmap, *parts), data)
    assert response.status_code == 404
    assert not PlanChange.objects.exists()
    assert roadmap.milestones.count() == 10


def test_an_undo_by_another_learner_is_a_404(roadmap, milestone, other_learner):
    removed = item_remove(item=milestone)
    client = Client()
    client.force_login(other_learner)
    assert client.post(edit_url(roadmap, "undo", removed.pk)).status_code == 404
    assert RemovedItem.objects.filter(pk=removed.pk).exists()


def test_adding_a_milestone_without_javascript_redirects_to_it(learner_client, roadmap):
    topic = roadmap.topics.get(key="python-setup")
    response = learner_client.post(
        edit_url(roadmap, "topics", topic.key, "add-milestone"),
        {"title": "Reproduce <b>X</b>", "kind": "reproduce", "estimated_hours": "3.5"},
    )
    milestone = topic.milestones.get(added_by_learner=True)
    assert response.status_code == 302
    assert response["Location"] == f"{edit_url(roadmap)}#edit-milestone-{milestone.key}"
    assert (milestone.kind, str(milestone.estimated_hours)) == ("reproduce", "3.5")
    page = learner_client.get(response["Location"]).content.decode()
    assert "Added the milestone “Reproduce &lt;b&gt;X&lt;/b&gt;”." in page
    assert "<b>X</b>" not in page


def test_adding_with_htmx_answers_the_outline_and_the_announcement(learner_client, roadmap):
    response = learner_client.post(edit_url(roadmap, "add-stage"), {"title": "Research"}, **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('id="outline"') == 1
    assert 'hx-swap-oob="innerHTML">Added the stage “Research”.' in page
    assert 'data-focus="edit-stage-my-research-edit"' in page


def test_an_empty_title_is_refused_naming_the_field_and_keeping_the_rest(learner_client, roadmap):
    topic = roadmap.topics.get(key="python-setup")
    response = learner_client.post(
        edit_url(roadmap, "topics", topic.key, "add-milestone"),
        {"title": "  ", "kind": "build", "estimated_hours": "-2"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give it a title" in page
    assert "Hours cannot be negative" in page
    assert (
        'id="add-topic-python-setup-hours" min="0" step="0.5" inputmode="decimal" value="-2"'
        in page
    )
    assert '<option value="build" selected>' in page
    assert not topic.milestones.filter(added_by_learner=True).exists()
    assert not PlanChange.objects.exists()


def test_a_milestone_edited_on_its_page_records_each_change(learner_client, roadmap, milestone):
    response = learner_client.post(
        edit_url(roadmap, "milestones", milestone.key),
        {
            "title": "PCA, properly",
            "description": "",
            "kind": "build",
            "estimated_hours": "10",
            "topic": milestone.topic_id,
        },
    )
    assert response.status_code == 302
    kinds = list(roadmap.plan_changes.values_list("kind", flat=True))
    assert kinds == ["renamed", "re-estimated"]


def test_a_bad_milestone_edit_says_which_field_and_why_keeping_what_was_typed(
    learner_client, roadmap, milestone
):
    response = learner_client.post(
        edit_url(roadmap, "milestones", milestone.key),
        {"title": "New name", "kind": "dance", "estimated_hours": "lots", "topic": "99999"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the hours as a number" in page
    assert "Select a valid choice" in page
    assert 'value="New name"' in page
    milestone.refresh_from_db()
    assert milestone.title == "Derive and code PCA via SVD"
    assert not PlanChange.objects.exists()


def test_a_prerequisite_cycle_is_refused_naming_it(learner_client, roadmap):
    setup = roadmap.topics.get(key="python-setup")
    linear_models = roadmap.topics.get(key="linear-models")
    response = learner_client.post(
        edit_url(roadmap, "topics", setup.key),
        {
            "title": setup.title,
            "summary": setup.summary,
            "stage": setup.stage_id,
            "prerequisites": [linear_models.pk],
            "resources-TOTAL_FORMS": "0",
            "resources-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert (
        "That would make a cycle: “Python setup” needs “Linear models” needs “Linear algebra” "
        "needs “Python setup”. Untick one of them."
    ) in response.content.decode()
    assert not setup.prerequisites.exists()


def test_a_topics_resources_are_edited_on_its_page(learner_client, roadmap):
    topic = roadmap.topics.get(key="python-setup")
    page = learner_client.get(edit_url(roadmap, "topics", topic.key)).content.decode()
    assert 'value="The Python tutorial"' in page
    response = learner_client.post(
        edit_url(roadmap, "topics", topic.key),
        {
            "title": topic.title,
            "summary": topic.summary,
            "stage": topic.stage_id,
            "resources-TOTAL_FORMS": "3",
            "resources-INITIAL_FORMS": "2",
            "resources-0-type": "docs",
            "resources-0-title": "The Python tutorial",
            "resources-0-url": "https://docs.python.org/3/tutorial/",
            "resources-1-type": "video",
            "resources-1-title": "A video about setup",
            "resources-1-url": "https://example.org/setup-video",
            "resources-1-DELETE": "on",
            "resources-2-type": "repo",
            "resources-2-title": "My dotfiles",
            "resources-2-url": "https://github.com/ada/dotfiles",
        },
    )
    assert response.status_code == 302
    assert list(topic.resources.values_list("title", flat=True)) == [
        "The Python tutorial",
        "My dotfiles",
    ]
    assert roadmap.plan_changes.get().detail == "resources"


def test_a_resource_without_an_address_is_refused(learner_client, roadmap):
    topic = roadmap.topics.get(key="python-setup")
    response = learner_client.post(
        edit_url(roadmap, "topics", topic.key),
        {
            "title": topic.title,
            "summary": topic.summary,
            "stage": topic.stage_id,
            "resources-TOTAL_FORMS": "1",
            "resources-INITIAL_FORMS": "0",
            "resources-0-type": "repo",
            "resources-0-title": "Mine",
            "resources-0-url": "javascript:alert(1)",
        },
    )
    assert response.status_code == 400
    assert "Enter a full web address" in response.content.decode()
    assert topic.resources.count() == 2


def test_move_up_without_javascript_redirects_and_with_htmx_answers_in_place(
    learner_client, roadmap
):
    topic = roadmap.topics.get(key="python-setup")
    second = topic.milestones.order_by("position")[1]
    response = learner_client.post(
        edit_url(roadmap, "milestones", second.key, "move"), {"direction": "up"}
    )
    assert response.status_code == 302
    assert milestone_titles(topic)[0] == second.title
    notice = learner_client.get(response.url).content.decode()
    assert f"Moved “{second.title}” to place 1 of 2 in “Python setup”." in notice
    response = learner_client.post(
        edit_url(roadmap, "milestones", second.key, "move"), {"direction": "down"}, **HTMX
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Moved “{second.title}” to place 2 of 2 in “Python setup”." in page
    assert f'data-focus="edit-milestone-{second.key}-down"' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"direction": "up"}, "is first already"),
        ({"place": "1"}, "is at place 1 already"),
        ({"place": "9"}, "There is no place 9"),
        ({"place": "x"}, "Enter a whole number"),
        ({}, "Say where to move it"),
        ({"place": "1", "parent": "no-such-topic"}, "There is no topic “no-such-topic”"),
    ],
)
def test_a_move_that_cannot_be_made_is_a_400_and_changes_nothing(
    learner_client, roadmap, data, message
):
    topic = roadmap.topics.get(key="python-setup")
    first = topic.milestones.order_by("position")[0]
    before = milestone_titles(topic)
    response = learner_client.post(edit_url(roadmap, "milestones", first.key, "move"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert milestone_titles(topic) == before
    assert not PlanChange.objects.exists()


def test_a_milestone_dragged_into_another_topic(learner_client, roadmap, milestone):
    setup = roadmap.topics.get(key="python-setup")
    response = learner_client.post(
        edit_url(roadmap, "milestones", milestone.key, "move"),
        {"place": "2", "parent": setup.key},
        **HTMX,
    )
    assert response.status_code == 200
    assert milestone_titles(setup)[1] == milestone.title


def test_removing_an_untouched_milestone_needs_no_asking_and_can_be_undone(learner_client, roadmap):
    topic = roadmap.topics.get(key="python-setup")
    milestone = topic.milestones.first()
    response = learner_client.post(edit_url(roadmap, "milestones", milestone.key, "remove"))
    assert response.status_code == 302
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    page = learner_client.get(response["Location"]).content.decode()
    removed = RemovedItem.objects.get()
    assert f"Undo: bring back “{milestone.title}”" in page
    response = learner_client.post(edit_url(roadmap, "undo", removed.pk))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#edit-milestone-{milestone.key}")
    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_removing_a_milestone_with_progress_asks_first(learner_client, roadmap, milestone):
    milestone_set_status(milestone=milestone, status=Status.DONE)
    url = edit_url(roadmap, "milestones", milestone.key, "remove")
    response = learner_client.post(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 milestone with a status, evidence or a note, 1 status change" in page
    assert Milestone.objects.filter(pk=milestone.pk).exists()
    response = learner_client.post(url, {"confirm": "yes"}, **HTMX)
    assert response.status_code == 200
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    removed = RemovedItem.objects.get()
    assert f'data-focus="undo-{removed.pk}"' in response.content.decode()


def test_a_topic_with_a_post_asks_before_it_goes(learner_client, roadmap, make_post):
    topic = roadmap.topics.get(key="python-setup")
    make_post(topics=[topic])
    response = learner_client.post(edit_url(roadmap, "topics", topic.key, "remove"))
    assert "1 tie to a post" in response.content.decode()
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_an_undo_refused_is_a_400_with_the_reason(learner_client, roadmap, milestone):
    removed = item_remove(item=milestone)
    item_remove(item=Topic.objects.get(pk=milestone.topic_id))
    response = learner_client.post(edit_url(roadmap, "undo", removed.pk), **HTMX)
    assert response.status_code == 400
    assert "is gone too" in response.content.decode()


def test_an_unknown_kind_of_item_is_a_404(learner_client, roadmap):
    response = learner_client.post(edit_url(roadmap, "posts", "x", "move"), {"direction": "up"})
    assert response.status_code == 404


@pytest.mark.parametrize("size", [12, 300])
def test_the_edit_page_costs_the_same_queries_at_any_size(
    learner, learner_client, django_assert_num_queries, size
):
    roadmap = build_roadmap(learner, milestones=size)
    item_remove(item=roadmap.milestones.first())
    # The session and its user, the roadmap, then stages, topics, milestones and removals.
    with django_assert_num_queries(7):
        response = learner_client.get(edit_url(roadmap))
    page = response.content.decode()
    assert page.count('class="edit-item"') == size - 1 + roadmap.topics.count() + (
        roadmap.stages.count()
    )
    assert "Undo: bring back “Milestone 0”" in page


def test_the_quarterly_review_lists_that_quarters_plan_changes_in_order(client, roadmap):
    topic = roadmap.topics.get(key="python-setup")
    in_quarter = datetime(2026, 8, 3, 9, 30, tzinfo=UTC)
    added = milestone_add(topic=topic, title="Reproduce GPT-2", at=in_quarter)
    milestone_edit(
        milestone=added,
        title=added.title,
        description="",
        kind=added.kind,
        estimated_hours=Decimal("12"),
        optional=False,
        topic=topic,
        at=in_quarter + timedelta(days=2),
    )
    stage_add(roadmap=roadmap, title="Later", at=datetime(2026, 10, 1, 0, 30, tzinfo=UTC))
    html = client.get(reverse("roadmap:review", args=[roadmap.slug, 2026, 3])).content.decode()
    section = html[html.index('id="plan-changes-heading"') :]
    assert section.index("Added the milestone “Reproduce GPT-2” (in “Python setup”, 0 h)") < (
        section.index("Re-estimated the milestone “Reproduce GPT-2”: 0 h → 12 h")
    )
    assert "Later" not in section
    other = client.get(reverse("roadmap:review", args=[roadmap.slug, 2026, 4])).content.decode()
    assert "Added the stage “Later”" in other


def test_a_quarter_without_plan_changes_says_so(client, roadmap):
    html = client.get(reverse("roadmap:review", args=[roadmap.slug, 2026, 3])).content.decode()
    assert "The plan stayed as it was this quarter." in html


def test_with_htmx_an_items_fields_take_the_outlines_place_and_saving_brings_it_back(
    learner_client, roadmap, milestone
):
    url = edit_url(roadmap, "milestones", milestone.key)
    response = learner_client.get(url, **HTMX)
    page = response.content.decode()
    assert "HX-Request" in response["Vary"]
    assert '<section id="outline"' in page and 'data-focus="id_title"' in page
    assert '<h2 id="item-heading">Edit the milestone “Derive and code PCA via SVD”</h2>' in page
    response = learner_client.post(
        url,
        {
            "title": "PCA",
            "description": "",
            "kind": "build",
            "estimated_hours": "6",
            "topic": milestone.topic_id,
        },
        **HTMX,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'hx-swap-oob="innerHTML">Saved “PCA”.' in page
    assert f'data-focus="edit-milestone-{milestone.key}-edit"' in page


def test_with_htmx_the_question_before_a_removal_takes_the_outlines_place(
    learner_client, roadmap, milestone
):
    milestone_set_status(milestone=milestone, status=Status.IN_PROGRESS)
    response = learner_client.post(edit_url(roadmap, "milestones", milestone.key, "remove"), **HTMX)
    page = response.content.decode()
    assert '<section id="outline"' in page and 'data-focus="remove-confirm"' in page
    assert '<input type="hidden" name="confirm" value="yes">' in page
    assert Milestone.objects.filter(pk=milestone.pk).exists()


@pytest.mark.parametrize("size", [12, 300])
def test_a_move_costs_the_same_queries_at_any_size(
    learner, learner_client, django_assert_num_queries, size
):
    roadmap = build_roadmap(learner, milestones=size)
    topic = roadmap.topics.order_by("position", "pk").first()
    second = topic.milestones.order_by("position", "pk")[1]
    # The session and its user, the roadmap, the milestone; the move (savepoint, siblings,
    # positions, the change, the roadmap's and the site's versions, release); then the
    # outline's stages, topics, milestones and removals. The change is the one just made.
    with django_assert_num_queries(15):
        response = learner_client.post(
            edit_url(roadmap, "milestones", second.key, "move"), {"direction": "up"}, **HTMX
        )
    page = response.content.decode()
    assert f"Moved “{second.title}” to place 1 of 5 in “{topic.title}”." in page
    assert milestone_titles(topic)[0] == second.title
